"""Pictures for the HTML page, as inline SVG written by hand: no dependency, no request.

The page's Content-Security-Policy forbids every outside resource, so the
pictures are markup inside the page. Each one is `role="img"` with a text
alternative that says what it shows, and severity is drawn as a shape (the
same ▲▲ ▲ ● ○ · the text uses), so nothing depends on seeing colour.

Two pictures: a schematic map of the municipality's districts with this
period's incidents (district outlines when polygons are configured, else a
labelled grid of boxes), and a sparkline of the last weeks per district. Both
come from the Briefing alone (its `districts` and `daily`): no data file is read.
Every piece of text is escaped here, because the result is marked safe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefing.geo.areas import ATTRIBUTION
from briefing.i18n import label, language, t, t_count
from briefing.models import Briefing, Item, Severity, clean_text
from briefing.render import svgmap, svgoutline

Ring = Sequence[tuple[float, float]]  # (longitude, latitude), as GeoJSON writes them
Outlines = Mapping[str, Sequence[Ring]]  # district -> its outer rings
WEEK = 7
MANY_DISTRICTS = 12
SPARK_WIDTH, SPARK_HEIGHT = 140, 30


@dataclass(frozen=True, slots=True)
class Sparkline:
    district: str
    svg: Markup
    total: int
    last_week: int


@dataclass(frozen=True, slots=True)
class Pictures:
    """What the page template shows in its overview section."""

    map: Markup | None
    map_caption: str
    sparklines: tuple[Sparkline, ...]
    days: int

    def __bool__(self) -> bool:
        return self.map is not None or bool(self.sparklines)


def pictures(briefing: Briefing) -> Pictures:
    """The map and the sparklines of `briefing`: its kommundelar (with their outlines, when
    known) and every other district an incident was placed in."""
    lang = language(briefing.language)
    names = _district_names(briefing)
    outlines = {d.name: d.outline for d in briefing.districts if d.outline}
    municipality = clean_text(briefing.municipality, single_line=True)
    shapes = _shapes(briefing, outlines)
    drawn = district_map(lang, municipality, names, briefing.local, outlines or None, shapes)
    days = max((len(counts) for _, counts in briefing.daily), default=0)
    caption = t(lang, "map.caption", municipality=municipality)
    if shapes is not None:
        caption += " " + t(lang, "map.attribution")
    return Pictures(
        map=drawn,
        map_caption=caption,
        sparklines=sparklines(lang, briefing.daily),
        days=days,
    )


def _shapes(briefing: Briefing, outlines: Outlines) -> svgoutline.Shapes | None:
    """The real map's shapes, when the briefing carries the municipality's outline."""
    if not (outlines and briefing.boundary):
        return None
    return svgoutline.Shapes(
        districts={clean_text(name, single_line=True): rings for name, rings in outlines.items()},
        centres={
            clean_text(d.name, single_line=True): d.centre for d in briefing.districts if d.centre
        },
        boundary=briefing.boundary,
        surroundings={
            clean_text(s.name, single_line=True): s.outline for s in briefing.surroundings
        },
        attribution=ATTRIBUTION,
    )


def _district_names(briefing: Briefing) -> list[str]:
    """The briefing's kommundelar, then any other district an incident was placed in."""
    names = [clean_text(d.name, single_line=True) for d in briefing.districts]
    names += [clean_text(i.place.district, single_line=True) for i in briefing.local]
    return [name for name in dict.fromkeys(names) if name]


def district_map(
    lang: str,
    municipality: str,
    districts: Sequence[str],
    items: Sequence[Item],
    outlines: Outlines | None = None,
    shapes: svgoutline.Shapes | None = None,
) -> Markup | None:
    """The map as an `<svg role="img">`; None when there is no district and no incident."""
    placed: dict[str | None, list[Item]] = {name: [] for name in districts}
    for item in sorted(items, key=lambda i: -i.judgement.severity.rank):
        district = clean_text(item.place.district, single_line=True) or None
        placed.setdefault(district, []).append(item)
    if not districts and not items:
        return None
    alt = map_label(lang, municipality, {d: len(found) for d, found in placed.items()})
    words = svgmap.Words(
        unknown=t(lang, "district.unknown"),
        count=lambda n: t_count(lang, "map.count", n),
        more=lambda n: t(lang, "map.more", count=n),
        legend=tuple((s, label(lang, "severity", s.value)) for s in Severity),
    )
    outlined = {d: outlines[d] for d in districts if outlines and outlines.get(d)}
    real = None if shapes is None else (lambda named: svgoutline.draw(named, shapes, words))
    body = svgmap.draw(placed, words, outlined or None, real)
    return _svg(body.width, body.height, alt, body.markup, "district-map")


def map_label(lang: str, municipality: str, counts: Mapping[str | None, int]) -> str:
    """'Karta: 2 händelser i Jakobsberg, 1 i Viksjö, 3 utan känd kommundel.'"""
    known = sorted(((n, d) for d, n in counts.items() if d is not None and n), key=lambda c: -c[0])
    parts = [
        t_count(lang, "map.first", n, district=d)
        if i == 0
        else t(lang, "map.next", count=n, district=d)
        for i, (n, d) in enumerate(known)
    ]
    unknown = counts.get(None, 0)
    if unknown:
        key = "map.unknown_next" if parts else "map.unknown_first"
        parts.append(t(lang, key, count=unknown) if parts else t_count(lang, key, unknown))
    if not parts:
        return t(lang, "map.label.none", municipality=municipality)
    return t(lang, "map.label", parts=", ".join(parts))


def sparklines(
    lang: str, daily: Sequence[tuple[str | None, Sequence[int]]]
) -> tuple[Sparkline, ...]:
    """One sparkline per district that has counts; nothing at all when there are none.
    Of more than `MANY_DISTRICTS` (a city's RegSO areas), only those with an incident."""
    lines = []
    many = len(daily) > MANY_DISTRICTS
    for district, counts in daily:
        if not counts or (many and not any(counts)):
            continue
        name = clean_text(district, single_line=True) or t(lang, "district.unknown")
        total, week = sum(counts), sum(counts[-WEEK:])
        alt = t_count(lang, "spark.label", total, district=name, days=len(counts), week=week)
        lines.append(Sparkline(name, sparkline(counts, alt), total, week))
    return tuple(lines)


def sparkline(counts: Sequence[int], alt: str) -> Markup:
    """Counts per day, oldest first, as a line; the last week on a shaded band."""
    width, height, pad = SPARK_WIDTH, SPARK_HEIGHT, 3
    top = max(max(counts, default=0), 1)
    step = (width - 2 * pad) / max(len(counts) - 1, 1)
    points = [
        (pad + i * step, height - pad - (height - 2 * pad) * count / top)
        for i, count in enumerate(counts)
    ]
    band_x = points[max(len(points) - WEEK, 0)][0] - step / 2
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    band_x = max(band_x, 0)
    body = Markup(
        '<rect x="{bx:.1f}" y="0" width="{bw:.1f}" height="{h}" fill="#e6e6e6"/>'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" stroke="#767676"/>'
        '<polyline points="{line}" fill="none" stroke="#1a1a1a" stroke-width="1.6" '
        'stroke-linejoin="round"/>'
        '<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.6" fill="#1a1a1a"/>'
    ).format(
        bx=band_x,
        bw=width - band_x,
        h=height,
        base=height - pad,
        w=width,
        line=line,
        lx=last_x,
        ly=last_y,
    )
    return _svg(width, height, alt, body, "sparkline")


def _svg(width: float, height: float, alt: str, body: Markup, css_class: str) -> Markup:
    """An accessible inline SVG: a name for assistive technology, a tooltip for the mouse."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{cls}" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-label="{alt}">'
        "<title>{alt}</title>{body}</svg>"
    ).format(cls=css_class, w=math.ceil(width), h=math.ceil(height), alt=escape(alt), body=body)
