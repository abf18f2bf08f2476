"""Every string the reader sees, in Swedish (default) and English.

Dates are formatted by hand, never through the C locale: cron and containers
rarely have sv_SE installed, and the briefing must read the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from briefing.models import clean_text

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

_SV: dict[str, str] = {
    "title": "Säkerhetsbriefing {municipality} — {date}",
    "window.night": "Kvällen och natten: {start} – {end}",
    "window.other": "Period: {start} – {end}",
    "generated": "Skapad {time}",
    "demo": "DEMO — inspelade data",
    "heading.sources": "Källor",
    "heading.serious": "Allvarliga händelser",
    "heading.other_local": "Övriga händelser i {municipality}",
    "heading.to_check": "Att kontrollera",
    "heading.neighbours": "Grannkommunerna",
    "source.new.one": "{count} ny",
    "source.new.other": "{count} nya",
    "source.updated.one": "{count} uppdaterad",
    "source.updated.other": "{count} uppdaterade",
    "source.fetched": "av {count} hämtade",
    "source.last_success": "senast lyckad {time}",
    "source.never_succeeded": "aldrig lyckad",
    "source.more_warnings": "… och {count} varningar till",
    "alert.sources": "VARNING. {sources}. Händelser kan saknas i briefingen.",
    "banner.stale": "{source}: ingen rapport sedan {time} — kontrollera",
    "banner.stale_never": "{source}: ingen rapport ännu — kontrollera",
    "banner.error": "{source}: hämtningen misslyckades, ingen rapport sedan {time} — kontrollera",
    "banner.error_never": "{source}: hämtningen misslyckades, ingen rapport ännu — kontrollera",
    "source.last_report": "senaste rapport {time}",
    "source.never_reported": "ingen rapport ännu",
    "summary.serious.one": "{count} allvarlig",
    "summary.serious.other": "{count} allvarliga",
    "summary.local.one": "{count} händelse i {municipality}",
    "summary.local.other": "{count} händelser i {municipality}",
    "summary.neighbours": "{count} hos grannkommunerna",
    "empty.local": "Inga händelser rapporterade i {municipality}.",
    "empty.caveat": (
        "Observera: minst en källa fungerade inte, så det kan ha hänt saker "
        "som briefingen inte fått veta."
    ),
    "empty.no_sources": "Observera: inga källor har rapporterat.",
    "empty.serious": "Inga allvarliga händelser.",
    "empty.neighbours": "Inga händelser rapporterade hos grannkommunerna.",
    "district.unknown": "Okänd kommundel",
    "time.reported": "rapporterad",
    "label.place": "Plats",
    "label.reasons": "Skäl",
    "label.inform": "Informera",
    "label.link": "Länk",
    "label.source": "Källa",
    "label.origin": "Ursprung",
    "label.status": "Status",
    "label.new": "Nya",
    "label.updated": "Uppdaterade",
    "label.error": "Fel",
    "label.more_reasons": "+{count} till",
    "label.via": "{origin}, {source}",
    "status_source.ok": "ok",
    "status_source.error": "FEL",
    "status_source.stale": "inaktuell",
    "severity.critical": "kritisk",
    "severity.high": "hög",
    "severity.medium": "medel",
    "severity.low": "låg",
    "severity.info": "info",
    "status.new": "ny",
    "status.updated": "uppdaterad",
    "status.unchanged": "oförändrad",
    "origin.police": "polis",
    "origin.rescue": "räddningstjänst",
    "origin.guards": "ordningsvakter/väktare",
    "origin.authority": "myndighet",
    "precision.street": "gatunivå",
    "precision.place": "plats",
    "precision.district": "kommundel",
    "precision.municipality": "bara kommunen",
    "precision.county": "bara länet",
    "stakeholder.school": "skola",
    "stakeholder.housing": "bostäder",
    "stakeholder.business": "näringsliv",
    "stakeholder.district_centre": "kommundelscentrum",
    "stakeholder.other": "övrigt",
    "stakeholder.preschool": "förskola",
    # Fused reports, suggestions, trends and repeat places.
    "heading.trends": "Återkommer",
    "label.fused": "Samma händelse",
    "fuse.same_place": "samma plats {value}",
    "fuse.near": "{value} m från varandra",
    "fuse.same_district": "samma kommundel {value}",
    "fuse.minutes.one": "{count} minut isär",
    "fuse.minutes.other": "{count} minuter isär",
    "fuse.same_time": "samtidigt",
    "fuse.both": "båda {category}",
    "fuse.compatible": "{first} och {second}",
    "notify.at_place": "på platsen ({place})",
    "notify.distance": "{metres} m från platsen",
    "notify.district": "i kommundelen {district}",
    "notify.district_unplaced": "i kommundelen {district} (platsen är inte känd närmare)",
    "notify.rule": "regel '{rule}'",
    "trend.text": (
        "{district}, {category}: {count} de senaste 7 dagarna, normalt {baseline} per vecka"
    ),
    "repeat.text": "{nth} händelsen vid {place} på {days} dagar",
    "trend.text.short_history": (
        "{district}, {category}: {count} de senaste 7 dagarna (för kort historik att jämföra med)"
    ),
    "category.shooting": "skottlossning",
    "category.explosion": "explosion",
    "category.violence": "våld",
    "category.robbery": "rån",
    "category.burglary": "inbrott",
    "category.theft": "stöld",
    "category.vandalism": "skadegörelse",
    "category.fire": "brand",
    "category.weapons": "vapen",
    "category.drugs": "narkotika",
    "category.threat": "hot",
    "category.sexual": "sexualbrott",
    "category.public_order": "ordningsstörning",
    "category.traffic": "trafik",
    "category.accident": "olycka",
    "category.missing": "försvunnen person",
    "category.death": "dödsfall",
    "category.rescue": "räddningsinsats",
    "category.fraud": "bedrägeri",
    "category.animal": "djur",
    "category.info": "information",
    "category.other": "övrigt",
    "category.homicide": "mord/dråp",
    "category.traffic_accident": "trafikolycka",
    "mail.subject": "Säkerhetsbriefing {municipality} {date}: {serious}, {incidents}",
    "mail.subject.demo": "[DEMO] {subject}",
    "mail.subject.sources_failed": "{subject} (källfel)",
    "mail.incidents.one": "{count} händelse",
    "mail.incidents.other": "{count} händelser",
    "mail.by_severity": "Per allvarlighetsgrad",
    "mail.by_district": "Per kommundel i {municipality}",
    "mail.count": "Antal",
    "mail.sent": "E-post skickad till {recipients}: {subject}",
    "mail.already_sent": (
        "Briefingen för {day} skickades redan {time}; ingen ny e-post. --force skickar den igen."
    ),
    "mail.outbox_empty": "Inget väntar i utkorgen.",
    "mail.latest_sent": "Senaste briefingen ({day}) skickades {time}; --force skickar den igen.",
    "mail.nothing_made": "Ingen briefing har e-postats än: kör briefing today --email.",
    "reason.type": "typ '{type}': {category}, grundnivå {severity}",
    "reason.unknown_type": (
        "typ '{type}' finns inte i typtabellen: {category}, grundnivå {severity}"
    ),
    "reason.free_type": "rubrik '{type}' läses som text: {category}, grundnivå {severity}",
    "reason.rule": "regel '{rule}' ('{words}'): → {change}",
    "reason.check": "att kontrollera: regel '{rule}' ('{words}'), texten avgör inte hur allvarligt",
    # The intranet page: pictures, skip link and site archive.
    "skip": "Hoppa till innehållet",
    "heading.overview": "Översikt per kommundel",
    "map.caption": (
        "Schematisk karta över periodens händelser i {municipality} per kommundel. "
        "Formen visar allvarlighet."
    ),
    "map.label": "Karta: {parts}.",
    "map.label.none": "Karta: inga händelser i {municipality}.",
    "map.first.one": "{count} händelse i {district}",
    "map.first.other": "{count} händelser i {district}",
    "map.next": "{count} i {district}",
    "map.unknown_first.one": "{count} händelse utan känd kommundel",
    "map.unknown_first.other": "{count} händelser utan känd kommundel",
    "map.unknown_next": "{count} utan känd kommundel",
    "map.count.one": "{count} händelse",
    "map.count.other": "{count} händelser",
    "map.more": "+{count} till",
    "spark.caption": "Händelser per dag i varje kommundel, de senaste {days} dagarna",
    "spark.district": "Kommundel",
    "spark.per_day": "Per dag",
    "spark.week": "7 dagar",
    "spark.total": "{days} dagar",
    "spark.label.one": "{district}: {count} händelse på {days} dagar, {week} senaste veckan",
    "spark.label.other": "{district}: {count} händelser på {days} dagar, {week} senaste veckan",
    "site.nav": "Arkiv",
    "site.archive": "Arkiv: tidigare morgnar",
    "site.to_archive": "Senaste briefingen och arkivet",
    "site.feed": "Prenumerera på briefingen (Atom-flöde)",
    "site.feed_title": "Säkerhetsbriefing {municipality}",
}

_EN: dict[str, str] = {
    "title": "Security briefing {municipality} — {date}",
    "window.night": "Evening and night: {start} – {end}",
    "window.other": "Period: {start} – {end}",
    "generated": "Generated {time}",
    "demo": "DEMO — recorded data",
    "heading.sources": "Sources",
    "heading.serious": "Serious incidents",
    "heading.other_local": "Other incidents in {municipality}",
    "heading.to_check": "To check",
    "heading.neighbours": "Neighbouring municipalities",
    "source.new.one": "{count} new",
    "source.new.other": "{count} new",
    "source.updated.one": "{count} updated",
    "source.updated.other": "{count} updated",
    "source.fetched": "of {count} fetched",
    "source.last_success": "last success {time}",
    "source.never_succeeded": "never succeeded",
    "source.more_warnings": "… and {count} more warnings",
    "alert.sources": "WARNING. {sources}. Incidents may be missing.",
    "banner.stale": "{source}: no report since {time} — check it",
    "banner.stale_never": "{source}: no report yet — check it",
    "banner.error": "{source}: fetching failed, no report since {time} — check it",
    "banner.error_never": "{source}: fetching failed, no report yet — check it",
    "source.last_report": "last report {time}",
    "source.never_reported": "no report yet",
    "summary.serious.one": "{count} serious",
    "summary.serious.other": "{count} serious",
    "summary.local.one": "{count} incident in {municipality}",
    "summary.local.other": "{count} incidents in {municipality}",
    "summary.neighbours": "{count} in neighbouring municipalities",
    "empty.local": "No incidents reported in {municipality}.",
    "empty.caveat": (
        "Note: at least one source failed, so things may have happened that "
        "this briefing has not heard about."
    ),
    "empty.no_sources": "Note: no source has reported.",
    "empty.serious": "No serious incidents.",
    "empty.neighbours": "No incidents reported in the neighbouring municipalities.",
    "district.unknown": "District unknown",
    "time.reported": "reported",
    "label.place": "Place",
    "label.reasons": "Reasons",
    "label.inform": "Inform",
    "label.link": "Link",
    "label.source": "Source",
    "label.origin": "Origin",
    "label.status": "Status",
    "label.new": "New",
    "label.updated": "Updated",
    "label.error": "Error",
    "label.more_reasons": "+{count} more",
    "label.via": "{origin}, {source}",
    "status_source.ok": "ok",
    "status_source.error": "FAILED",
    "status_source.stale": "stale",
    "severity.critical": "critical",
    "severity.high": "high",
    "severity.medium": "medium",
    "severity.low": "low",
    "severity.info": "info",
    "status.new": "new",
    "status.updated": "updated",
    "status.unchanged": "unchanged",
    "origin.police": "police",
    "origin.rescue": "rescue service",
    "origin.guards": "security guards",
    "origin.authority": "authority",
    "precision.street": "street",
    "precision.place": "place",
    "precision.district": "district",
    "precision.municipality": "municipality only",
    "precision.county": "county only",
    "stakeholder.school": "school",
    "stakeholder.housing": "housing",
    "stakeholder.business": "business",
    "stakeholder.district_centre": "district centre",
    "stakeholder.other": "other",
    "stakeholder.preschool": "preschool",
    "heading.trends": "Keeps coming back",
    "label.fused": "Same event",
    "fuse.same_place": "same place {value}",
    "fuse.near": "{value} m apart",
    "fuse.same_district": "same district {value}",
    "fuse.minutes.one": "{count} minute apart",
    "fuse.minutes.other": "{count} minutes apart",
    "fuse.same_time": "at the same time",
    "fuse.both": "both {category}",
    "fuse.compatible": "{first} and {second}",
    "notify.at_place": "at the place ({place})",
    "notify.distance": "{metres} m from the place",
    "notify.district": "in the district of {district}",
    "notify.district_unplaced": "in the district of {district} (not placed more precisely)",
    "notify.rule": "rule '{rule}'",
    "trend.text": "{district}, {category}: {count} in the last 7 days, usually {baseline} a week",
    "repeat.text": "{nth} incident at {place} in {days} days",
    "trend.text.short_history": (
        "{district}, {category}: {count} in the last 7 days (too little history to compare with)"
    ),
    "category.shooting": "shooting",
    "category.explosion": "explosion",
    "category.violence": "violence",
    "category.robbery": "robbery",
    "category.burglary": "burglary",
    "category.theft": "theft",
    "category.vandalism": "vandalism",
    "category.fire": "fire",
    "category.weapons": "weapons",
    "category.drugs": "drugs",
    "category.threat": "threat",
    "category.sexual": "sexual offence",
    "category.public_order": "public order",
    "category.traffic": "traffic",
    "category.accident": "accident",
    "category.missing": "missing person",
    "category.death": "death",
    "category.rescue": "rescue",
    "category.fraud": "fraud",
    "category.animal": "animal",
    "category.info": "information",
    "category.other": "other",
    "category.homicide": "homicide",
    "category.traffic_accident": "traffic accident",
    "mail.subject": "Security briefing {municipality} {date}: {serious}, {incidents}",
    "mail.subject.demo": "[DEMO] {subject}",
    "mail.subject.sources_failed": "{subject} (source failure)",
    "mail.incidents.one": "{count} incident",
    "mail.incidents.other": "{count} incidents",
    "mail.by_severity": "By severity",
    "mail.by_district": "By district in {municipality}",
    "mail.count": "Count",
    "mail.sent": "E-mail sent to {recipients}: {subject}",
    "mail.already_sent": (
        "The briefing of {day} was already sent at {time}; no new e-mail. --force sends it again."
    ),
    "mail.outbox_empty": "Nothing waits in the outbox.",
    "mail.latest_sent": "The latest briefing ({day}) was sent at {time}; --force sends it again.",
    "mail.nothing_made": "No briefing has been e-mailed yet: run briefing today --email.",
    "reason.type": "type '{type}': {category}, base {severity}",
    "reason.unknown_type": "unknown type '{type}': {category}, base {severity}",
    "reason.free_type": "heading '{type}' read as text: {category}, base {severity}",
    "reason.rule": "rule '{rule}' ('{words}'): → {change}",
    "reason.check": "to check: rule '{rule}' ('{words}'), the text does not say how serious",
    "skip": "Skip to the content",
    "heading.overview": "Overview by district",
    "map.caption": (
        "Schematic map of this period's incidents in {municipality} by district. "
        "The shape shows the severity."
    ),
    "map.label": "Map: {parts}.",
    "map.label.none": "Map: no incidents in {municipality}.",
    "map.first.one": "{count} incident in {district}",
    "map.first.other": "{count} incidents in {district}",
    "map.next": "{count} in {district}",
    "map.unknown_first.one": "{count} incident with no known district",
    "map.unknown_first.other": "{count} incidents with no known district",
    "map.unknown_next": "{count} with no known district",
    "map.count.one": "{count} incident",
    "map.count.other": "{count} incidents",
    "map.more": "+{count} more",
    "spark.caption": "Incidents per day in each district, the last {days} days",
    "spark.district": "District",
    "spark.per_day": "Per day",
    "spark.week": "7 days",
    "spark.total": "{days} days",
    "spark.label.one": "{district}: {count} incident in {days} days, {week} in the last week",
    "spark.label.other": "{district}: {count} incidents in {days} days, {week} in the last week",
    "site.nav": "Archive",
    "site.archive": "Archive: earlier mornings",
    "site.to_archive": "The latest briefing and the archive",
    "site.feed": "Subscribe to the briefing (Atom feed)",
    "site.feed_title": "Security briefing {municipality}",
}

STRINGS: dict[str, dict[str, str]] = {"sv": _SV, "en": _EN}

_WEEKDAYS_SHORT = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_WEEKDAYS_LONG = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_SHORT = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_MONTHS_LONG = {
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def language(lang: str | None) -> str:
    """The language to use: the one asked for if we have it, else Swedish."""
    return lang if lang in STRINGS else DEFAULT_LANGUAGE


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang`, with `values` filled in.

    A key missing in English falls back to Swedish; a key missing everywhere
    is a programming error and raises KeyError, so tests catch typos.
    """
    table = STRINGS[language(lang)]
    template = table[key] if key in table else _SV[key]
    return template.format(**values) if values else template


def t_count(lang: str, key: str, count: int, **values: object) -> str:
    """`key.one` or `key.other` depending on `count`."""
    form = "one" if count == 1 else "other"
    return t(lang, f"{key}.{form}", count=count, **values)


def label(lang: str, group: str, value: str) -> str:
    """A vocabulary word (severity, category, …); the raw value, cleaned, if unknown.

    Categories and stakeholder kinds come from data files other people edit, so
    an unknown value is shown as it is rather than hidden.
    """
    key = f"{group}.{value}"
    table = STRINGS[language(lang)]
    return table.get(key) or _SV.get(key) or clean_text(value, single_line=True)


def short_date(lang: str, moment: datetime) -> str:
    """'tors 27 nov' / 'Thu 27 Nov'."""
    lang = language(lang)
    weekday = _WEEKDAYS_SHORT[lang][moment.weekday()]
    return f"{weekday} {moment.day} {_MONTHS_SHORT[lang][moment.month - 1]}"


def short_datetime(lang: str, moment: datetime) -> str:
    """'tors 27 nov 08:31' / 'Thu 27 Nov 08:31'."""
    lang = language(lang)
    weekday = _WEEKDAYS_SHORT[lang][moment.weekday()]
    month = _MONTHS_SHORT[lang][moment.month - 1]
    return f"{weekday} {moment.day} {month} {moment:%H:%M}"


def short_weekday_time(lang: str, moment: datetime) -> str:
    """'tis 18:02' / 'Tue 18:02': for a moment within the last few days."""
    return f"{_WEEKDAYS_SHORT[language(lang)][moment.weekday()]} {moment:%H:%M}"


def long_date(lang: str, moment: datetime) -> str:
    """'torsdag 27 november 2026' / 'Thursday 27 November 2026'."""
    lang = language(lang)
    weekday = _WEEKDAYS_LONG[lang][moment.weekday()]
    month = _MONTHS_LONG[lang][moment.month - 1]
    return f"{weekday} {moment.day} {month} {moment.year}"


def month_year(lang: str, moment: datetime) -> str:
    """'november 2026' / 'November 2026': the archive's month headings."""
    return f"{_MONTHS_LONG[language(lang)][moment.month - 1]} {moment.year}"
