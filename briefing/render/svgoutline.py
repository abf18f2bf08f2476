"""The real map: the municipality's outline and districts from SCB's areas, drawn by hand.

Longitude and latitude are projected equirectangularly about the map's middle latitude,
east-west scaled by cos(latitude), which at Sweden's latitudes keeps a municipality's
shape within a fraction of a percent of a conformal projection's. The neighbours are
drawn faintly around it, cut to the picture's frame, and every ring is thinned to the
points more than a pixel apart, so that the inline SVG stays small. Incidents are drawn
as their severity's shape at their own point, or else around their district's centre.
Every string goes through `escape` (or `Markup.format`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from briefing.geo.geometry import Polygon
from briefing.models import Item, Severity
from briefing.render.svgmap import EDGE, INK, MUTED, PAD, PAPER, WIDTH, Words, _text, shape

Point = tuple[float, float]
Ring = Sequence[Point]
MAX_HEIGHT = 520.0
MARGIN = 0.07  # of the municipality's extent, shown around it for the neighbours
THIN_PX = 1.5  # points closer than this to the last one kept are dropped
SPREAD_PX = 22.0  # between the shapes of incidents drawn around one centre
NEIGHBOUR_EDGE, NEIGHBOUR_FILL, NEIGHBOUR_TEXT = "#b5b5b5", "#fbfbfb", "#595959"
MAX_LABELS = 10  # district names drawn; the text alternative names them all


@dataclass(frozen=True, slots=True)
class Shapes:
    """What the outlined map draws, all in (longitude, latitude)."""

    districts: Mapping[str, Sequence[Ring]]
    centres: Mapping[str, Point]
    boundary: Sequence[Ring]
    surroundings: Mapping[str, Sequence[Ring]]
    attribution: str


@dataclass(frozen=True, slots=True)
class _View:
    project: Callable[[Point], Point]
    top: float
    bottom: float

    def inside(self, point: Point, margin: float = 0.0) -> bool:
        x, y = point
        return -margin <= x <= WIDTH + margin and self.top - margin <= y <= self.bottom + margin


def draw(
    named: Mapping[str, Sequence[Item]], shapes: Shapes, words: Words, top: float = PAD
) -> tuple[list[Markup], float]:
    """The outlined map from `top` down; its parts and the y below it."""
    view = _view(shapes, top)
    parts = [_frame(view)]
    parts += [_neighbour(rings, view) for rings in shapes.surroundings.values()]
    for rings in shapes.districts.values():
        parts.append(
            Markup('<path d="{d}" fill="{fill}" stroke="{edge}" stroke-width="1"/>').format(
                d=_path(rings, view), fill=PAPER, edge=EDGE
            )
        )
    parts.append(
        Markup('<path d="{d}" fill="none" stroke="{ink}" stroke-width="2.2"/>').format(
            d=_path(shapes.boundary, view), ink=INK
        )
    )
    parts += [_neighbour_name(name, rings, shapes, view)
              for name, rings in shapes.surroundings.items()]  # fmt: skip
    marks, taken = _incidents(named, shapes, view)
    parts += _labels(named, shapes, view, words, taken)
    parts += marks  # over the names: a shape is never hidden
    source = _text(WIDTH - PAD, view.bottom - 6, shapes.attribution, size=12, fill=MUTED,
                   anchor="end")  # fmt: skip
    parts.append(source)
    return parts, view.bottom + PAD


def _view(shapes: Shapes, top: float) -> _View:
    points = [p for rings in shapes.districts.values() for r in rings for p in r]
    points += [p for r in shapes.boundary for p in r]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
    margin = MARGIN * max(span_x, span_y)
    scale = min((WIDTH - 2 * PAD) / (span_x + 2 * margin), MAX_HEIGHT / (span_y + 2 * margin))
    height = (span_y + 2 * margin) * scale
    left = (WIDTH - span_x * scale) / 2  # centred when the height is what limits

    def project(point: Point) -> Point:
        return (
            left + (point[0] - west) * squeeze * scale,
            top + margin * scale + (north - point[1]) * scale,
        )

    return _View(project, top, top + height)


def _frame(view: _View) -> Markup:
    return Markup(
        '<rect x="0" y="{y}" width="{w}" height="{h}" fill="#ffffff" stroke="{edge}"/>'
    ).format(y=_n(view.top), w=WIDTH, h=_n(view.bottom - view.top), edge=EDGE)


def _path(rings: Sequence[Ring], view: _View, clip: bool = False) -> str:
    found = []
    for ring in rings:
        points = _thin([_clamp(view.project(p), view) if clip else view.project(p) for p in ring])
        if len(points) > 2:  # the faint neighbours to the pixel, the rest to a tenth
            spelled = (f"{x:.0f},{y:.0f}" if clip else f"{x:.1f},{y:.1f}" for x, y in points)
            found.append("M" + " ".join(spelled) + "Z")
    return "".join(found)


def _thin(points: Sequence[Point]) -> list[Point]:
    kept: list[Point] = []
    for point in points:
        if not kept or math.dist(point, kept[-1]) >= THIN_PX:
            kept.append(point)
    return kept


def _clamp(point: Point, view: _View) -> Point:
    """A point outside the frame moved onto a rectangle just outside it."""
    x, y = point
    return (min(max(x, -4.0), WIDTH + 4.0), min(max(y, view.top - 4), view.bottom + 4))


def _neighbour(rings: Sequence[Ring], view: _View) -> Markup:
    """A bordering municipality's outline, faint, cut to the frame."""
    path = _path(rings, view, clip=True)
    if not path:
        return Markup()
    return Markup('<path d="{d}" fill="{fill}" stroke="{edge}" stroke-width="1"/>').format(
        d=path, fill=NEIGHBOUR_FILL, edge=NEIGHBOUR_EDGE
    )


def _neighbour_name(name: str, rings: Sequence[Ring], shapes: Shapes, view: _View) -> Markup:
    """The neighbour's name just outside the home outline, on the way from home's middle
    towards the part of the neighbour in sight."""
    half = 3.3 * len(name) + 4  # about half the name's width at 12 px
    seen = [
        q for r in rings for p in r[:: max(1, len(r) // 400)] if view.inside(q := view.project(p))
    ]
    if len(seen) < 3:
        return Markup()
    home = [Polygon(tuple(view.project(p) for p in ring)) for ring in shapes.boundary]
    xs = [x for part in home for x, _ in part.outer]
    ys = [y for part in home for _, y in part.outer]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    tx = sum(q[0] for q in seen) / len(seen) - cx
    ty = sum(q[1] for q in seen) / len(seen) - cy
    length = math.hypot(tx, ty) or 1.0
    x, y = cx, cy
    for step in range(0, 2000, 4):  # out of home, then 16 px more
        x, y = cx + tx / length * step, cy + ty / length * step
        ends = (
            (x - half, y - 4),
            (x + half, y - 4),
            (x, y - 4),
            (x - half, y + 3),
            (x + half, y + 3),
        )
        if not any(part.contains(ex, ey) for part in home for ex, ey in ends):
            x, y = x + tx / length * 6, y + ty / length * 6
            break
    x = min(max(x, half + 2), WIDTH - half - 2)
    y = min(max(y, view.top + 14), view.bottom - 22)
    return _text(x, y, name, size=12, fill=NEIGHBOUR_TEXT, anchor="middle", halo=True)


def _incidents(
    named: Mapping[str, Sequence[Item]], shapes: Shapes, view: _View
) -> tuple[list[Markup], list[Point]]:
    """Each incident's shape: at its own point, or under its district's name; those that
    would cover each other are set side by side around the spot."""
    spots: list[tuple[Point, list[Item]]] = []
    for district, found in named.items():
        centre = shapes.centres.get(district)
        for item in found:
            lat, lon = item.place.lat, item.place.lon
            own = view.project((lon, lat)) if lat is not None and lon is not None else None
            middle = view.project(centre) if centre is not None else None
            if own is None or not view.inside(own, -6) or (middle and math.dist(own, middle) < 14):
                if middle is None:
                    continue
                own = (middle[0], middle[1] + 22)  # under the district's name and count
            near = next((s for s in spots if math.dist(s[0], own) < SPREAD_PX), None)
            if near is None:
                spots.append((own, [item]))
            else:
                near[1].append(item)
    parts, taken = [], []
    for (x, y), items in spots:
        for (dx, dy), item in zip(_rows(items[:24]), items[:24], strict=True):
            parts.append(shape(item.judgement.severity, x + dx, y + dy))
            taken.append((x + dx, y + dy))
    return parts, taken


def _rows(items: Sequence[Item]) -> list[Point]:
    """Offsets of the shapes in centred rows of up to four (▲▲ takes more room)."""
    found: list[Point] = []
    for row in range(0, len(items), 4):
        widths = [36.0 if i.judgement.severity is Severity.CRITICAL else SPREAD_PX
                  for i in items[row : row + 4]]  # fmt: skip
        x = -sum(widths) / 2
        for width in widths:
            found.append((x + width / 2, row / 4 * SPREAD_PX))
            x += width
    return found


def _labels(
    named: Mapping[str, Sequence[Item]],
    shapes: Shapes,
    view: _View,
    words: Words,
    taken: Sequence[Point],
) -> list[Markup]:
    """District names and counts, with a white halo: all when few, else those with news."""
    names = [d for d in shapes.districts if d in shapes.centres]
    if len(names) > MAX_LABELS:
        names = [d for d in names if named.get(d)]
        names = sorted(names, key=lambda d: -len(named[d]))[:MAX_LABELS]
    parts: list[Markup] = []
    placed: list[tuple[float, float, float]] = []  # labels drawn: x, y, half width
    for district in names:
        x, y = view.project(shapes.centres[district])
        half = 4.4 * len(district) + 6
        x = min(max(x, half + 2), WIDTH - half - 2)

        def crowding(at: float, x: float = x, half: float = half) -> int:
            shapes_there = sum(abs(px - x) < half and -28 < py - at < 26 for px, py in taken)
            names_there = sum(abs(lx - x) < h + half and abs(ly - at) < 30 for lx, ly, h in placed)
            return shapes_there + 3 * names_there

        # out of the way of the shapes and names drawn there: the least crowded spot near
        lowest = view.bottom - 36  # above the attribution
        y = min((min(y + shift, lowest) for shift in (0, -30, 30, -60, 60)), key=crowding)
        placed.append((x, y, half))
        count = len(named.get(district, ()))
        parts.append(_text(x, y - 4, district, size=14, bold=True, anchor="middle", halo=True))
        parts.append(
            _text(x, y + 11, words.count(count), size=12, fill=MUTED, anchor="middle", halo=True)
        )
    return parts


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
