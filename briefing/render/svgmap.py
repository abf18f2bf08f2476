"""The schematic district map's drawing: boxes or outlines, incident shapes, a legend.

`briefing.render.svg` decides what the map says; this module only lays it out.
Every string that reaches the markup goes through `escape` (or `Markup.format`,
which escapes its arguments), because the result is marked safe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefing.models import Item, Severity

Point = tuple[float, float]
Ring = Sequence[Point]

WIDTH = 480
PAD = 12
SHAPE_ROW = 28
MAX_ROWS = 3
FONT = Markup("font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"")
DASHED = Markup(' stroke-dasharray="6 4"')
BOLD = Markup(' font-weight="bold"')
# White behind the letters, so that a name drawn over lines stays legible.
HALO = Markup(' stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"')
INK, MUTED, PAPER, EDGE = "#1a1a1a", "#444444", "#f4f4f4", "#767676"


@dataclass(frozen=True, slots=True)
class Words:
    """The map's few words, in the briefing's language."""

    unknown: str
    count: Callable[[int], str]
    more: Callable[[int], str]
    legend: tuple[tuple[Severity, str], ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    width: float
    height: float
    markup: Markup


Real = Callable[[Mapping[str, Sequence[Item]]], tuple[list[Markup], float]]


def draw(
    placed: Mapping[str | None, Sequence[Item]],
    words: Words,
    outlines: Mapping[str, Sequence[Ring]] | None = None,
    real: Real | None = None,
) -> Drawing:
    """The districts (a real map, outlined, or as a grid of boxes), the unplaced strip and
    the legend. `real` draws the districts it has shapes for (briefing.render.svgoutline);
    the others get a labelled box below it."""
    named = {d: found for d, found in placed.items() if d is not None}
    if real is not None:
        drawn = {d: found for d, found in named.items() if outlines and d in outlines}
        parts, y = real(drawn)
        for district, found in named.items():
            if district not in drawn:
                box, y = _box(district, found, (PAD, y, WIDTH - 2 * PAD), words)
                parts.append(box)
    elif outlines:
        parts, y = _outlined(named, outlines, words)
    else:
        parts, y = _grid(named, words)
    unplaced = placed.get(None, ())
    if unplaced:
        box, y = _box(words.unknown, unplaced, (PAD, y, WIDTH - 2 * PAD), words, dashed=True)
        parts.append(box)
    legend, y = _legend(words, y)
    parts.append(legend)
    return Drawing(WIDTH, y, Markup("").join(parts))


# The grid: one labelled box per district, two columns.


def _grid(named: Mapping[str, Sequence[Item]], words: Words) -> tuple[list[Markup], float]:
    cols = 2 if len(named) > 1 else 1
    width = (WIDTH - PAD * (cols + 1)) / cols
    rows = max((_rows(found, width) for found in named.values()), default=1)
    height = _box_height(rows)
    parts, y = [], float(PAD)
    for n, (district, found) in enumerate(named.items()):
        col, row = n % cols, n // cols
        x, y_box = PAD + col * (width + PAD), PAD + row * (height + PAD)
        parts.append(_box(district, found, (x, y_box, width), words, rows=rows)[0])
        y = y_box + height + PAD
    return parts, y


def _box_height(rows: int) -> float:
    return 66 + rows * SHAPE_ROW


def _box(
    name: str,
    found: Sequence[Item],
    where: tuple[float, float, float],
    words: Words,
    *,
    rows: int | None = None,
    dashed: bool = False,
) -> tuple[Markup, float]:
    """A labelled box with the count and one shape per incident; returns it and the y below."""
    x, y, width = where
    height = _box_height(rows or _rows(found, width))
    frame = Markup(
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{paper}" '
        'stroke="{edge}" stroke-width="1.5"{dash}/>'
    ).format(
        x=_n(x),
        y=_n(y),
        w=_n(width),
        h=_n(height),
        paper=PAPER,
        edge=EDGE,
        dash=DASHED if dashed else Markup(),
    )
    label = _text(x + 14, y + 27, name, size=18, bold=True)
    count = _text(x + 14, y + 49, words.count(len(found)), size=15, fill=MUTED)
    shapes = _shapes(found, x + 24, y + 76, x + width - 14, words)
    return frame + label + count + shapes, y + height + PAD


def _rows(found: Sequence[Item], width: float) -> int:
    per_row = max(int((width - 38) // 30), 1)
    return max(1, min(MAX_ROWS, math.ceil(len(found) / per_row)))


def _shapes(found: Sequence[Item], left: float, top: float, right: float, words: Words) -> Markup:
    """Shapes flowing in rows, most severe first; '+N' when they do not fit."""
    parts, x, y, drawn = [], left, top, 0
    for item in found:
        wide = item.judgement.severity is Severity.CRITICAL
        step = 36 if wide else 30
        if x + step / 2 > right:
            x, y = left, y + SHAPE_ROW
        if y > top + (MAX_ROWS - 1) * SHAPE_ROW:
            break
        parts.append(shape(item.judgement.severity, x + (6 if wide else 0), y))
        x, drawn = x + step, drawn + 1
    if drawn < len(found):
        parts.append(_text(x - 8, y + 5, words.more(len(found) - drawn), size=14, fill=INK))
    return Markup("").join(parts)


# Outlines: the districts' own shapes, fitted into the picture.


def _outlined(
    named: Mapping[str, Sequence[Item]], outlines: Mapping[str, Sequence[Ring]], words: Words
) -> tuple[list[Markup], float]:
    project, height = _projection([p for rings in outlines.values() for r in rings for p in r])
    parts = []
    for rings in outlines.values():
        path = " ".join(_ring_path([project(p) for p in ring]) for ring in rings if len(ring) > 2)
        parts.append(
            Markup('<path d="{d}" fill="{paper}" stroke="{edge}" stroke-width="1.5"/>').format(
                d=path, paper=PAPER, edge=EDGE
            )
        )
    for district, found in named.items():
        if district in outlines:
            parts.append(_outlined_label(district, found, outlines[district], project, words))
    return parts, PAD + height + PAD


def _outlined_label(
    district: str,
    found: Sequence[Item],
    rings: Sequence[Ring],
    project: Callable[[Point], Point],
    words: Words,
) -> Markup:
    ring = max(rings, key=lambda r: abs(_area(r)))
    cx, cy = project(_centroid(ring))
    label = _text(cx, cy - 8, district, size=16, bold=True, anchor="middle")
    count = _text(cx, cy + 10, words.count(len(found)), size=13, fill=MUTED, anchor="middle")
    shown = found[:8]
    left = cx - (len(shown) - 1) * 15
    shapes = _shapes(shown, left, cy + 30, cx + 130, words)
    more = _text(cx, cy + 54, words.more(len(found) - 8), size=13) if len(found) > 8 else Markup()
    return label + count + shapes + more


def _projection(points: Sequence[Point]) -> tuple[Callable[[Point], Point], float]:
    """Longitude/latitude to picture coordinates, north up, east-west scaled by latitude."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
    scale = (WIDTH - 2 * PAD) / span_x
    height = min(max(span_y * scale, 200.0), 560.0)
    scale = min(scale, height / span_y)

    def project(point: Point) -> Point:
        return (PAD + (point[0] - west) * squeeze * scale, PAD + (north - point[1]) * scale)

    return project, height


def _ring_path(points: Sequence[Point]) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z"


def _area(ring: Ring) -> float:
    return (
        sum(
            x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True)
        )
        / 2
    )


def _centroid(ring: Ring) -> Point:
    area = _area(ring)
    if abs(area) < 1e-15:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    pairs = list(zip(ring, [*ring[1:], ring[0]], strict=True))
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    return (cx, cy)


# Shapes and text.


def shape(severity: Severity, x: float, y: float) -> Markup:
    """The severity's shape centred on (x, y): ▲▲ critical, ▲ high, ● medium, ○ low, · info."""
    if severity is Severity.CRITICAL:
        return _triangle(x - 8, y, "#8b0000") + _triangle(x + 8, y, "#8b0000")
    if severity is Severity.HIGH:
        return _triangle(x, y, "#b00020")
    if severity is Severity.MEDIUM:
        return _circle(x, y, 8, "#ffd966", 1.8)
    if severity is Severity.LOW:
        return _circle(x, y, 7, "#ffffff", 2)
    return _circle(x, y, 3.5, MUTED, 0)


def _triangle(x: float, y: float, fill: str) -> Markup:
    points = f"{x:.1f},{y - 10:.1f} {x + 9:.1f},{y + 7:.1f} {x - 9:.1f},{y + 7:.1f}"
    return Markup('<polygon points="{p}" fill="{fill}" stroke="{ink}" stroke-width="1"/>').format(
        p=points, fill=fill, ink=INK
    )


def _circle(x: float, y: float, r: float, fill: str, stroke: float) -> Markup:
    return Markup(
        '<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="{ink}" stroke-width="{s}"/>'
    ).format(x=_n(x), y=_n(y), r=r, fill=fill, ink=INK, s=stroke)


def _legend(words: Words, y: float) -> tuple[Markup, float]:
    parts, x = [], float(PAD + 14)
    baseline = y + 10
    for severity, name in words.legend:
        wide = severity is Severity.CRITICAL
        parts.append(shape(severity, x + (6 if wide else 0), baseline))
        x += 30 if wide else 16
        parts.append(_text(x, baseline + 5, name, size=14, fill=INK))
        x += 12 + 8.5 * len(name) + 18
    return Markup("").join(parts), baseline + 22


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int,
    fill: str = INK,
    bold: bool = False,
    anchor: str = "start",
    halo: bool = False,
) -> Markup:
    return Markup(
        '<text x="{x}" y="{y}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
        "{font}{halo}{weight}>{text}</text>"
    ).format(
        halo=HALO if halo else Markup(),
        x=_n(x),
        y=_n(y),
        size=size,
        fill=fill,
        anchor=anchor,
        font=FONT,
        weight=BOLD if bold else Markup(),
        text=escape(text),
    )


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
