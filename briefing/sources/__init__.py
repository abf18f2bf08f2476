"""The registry of adapters: kind -> class.

Built-ins are listed here, by import path so that a run imports only the
adapters it uses. Third parties register in the entry-point group
`briefing.sources`:

    [project.entry-points."briefing.sources"]
    myfeed = "mypackage.adapter:MyFeedSource"
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.metadata import entry_points

from briefing.sources.base import Batch, FetchContext, Source, SourceSettings

__all__ = ["Batch", "FetchContext", "Source", "SourceSettings", "adapter", "kinds"]

BUILTIN = {
    "polisen": "briefing.sources.polisen:PolisenSource",
    "rss": "briefing.sources.rss:RssSource",
    "csv": "briefing.sources.csv:CsvSource",
    "imap": "briefing.sources.imap:ImapSource",
    "vma": "briefing.sources.vma:VmaSource",
    "krisinformation": "briefing.sources.krisinformation:KrisinformationSource",
    "smhi": "briefing.sources.smhi:SmhiSource",
}

# The origin a kind's reports have when its table gives none; kinds not listed must say.
DEFAULT_ORIGIN = {
    "polisen": "police",
    "vma": "authority",
    "krisinformation": "authority",
    "smhi": "authority",
}

ENTRY_POINT_GROUP = "briefing.sources"


@cache
def _registry() -> dict[str, str]:
    found = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def kinds() -> list[str]:
    """Every kind of source this installation knows."""
    return sorted(_registry())


def adapter(kind: str) -> type[Source]:
    """The adapter class for `kind`; KeyError when no adapter has that kind."""
    target = _registry()[kind]
    module_name, _, attr = target.partition(":")
    cls = getattr(import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise TypeError(f"{target} is not a briefing.sources.Source subclass")
    return cls
