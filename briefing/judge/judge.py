"""Each incident placed and classified once per run, whoever asks.

A briefing judges the incidents of its window, and its trends judge the
same municipality's last nine weeks, which hold most of that window again.
Both ask one `Judge`, so an incident is resolved and classified once and
the briefing and its trends can never disagree about it.
"""

from __future__ import annotations

from briefing.judge.classify import Rules, classify
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.models import Incident, Judgement, Place


class Judge:
    """`place` and `judgement` of incidents, remembered for the run.

    The key is the incident itself (its facts): the same id with other facts
    is another version, judged on its own.
    """

    __slots__ = ("_judgements", "_places", "area", "gazetteer", "lang", "rules")

    def __init__(
        self, area: Area, gazetteer: Gazetteer | None, rules: Rules, lang: str = "sv"
    ) -> None:
        self.area = area
        self.gazetteer = gazetteer
        self.rules = rules
        self.lang = lang
        self._places: dict[Incident, Place] = {}
        self._judgements: dict[Incident, Judgement] = {}

    def place(self, incident: Incident) -> Place:
        found = self._places.get(incident)
        if found is None:
            found = self._places[incident] = resolve(incident, self.area, self.gazetteer)
        return found

    def judgement(self, incident: Incident) -> Judgement:
        found = self._judgements.get(incident)
        if found is None:
            place = self.place(incident)
            found = classify(incident, place, self.rules, self.lang)
            self._judgements[incident] = found
        return found
