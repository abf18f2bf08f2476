"""Derive briefing/data/areas/ from SCB's RegSO GeoPackage (run by hand, not at run time).

    pip install -e ".[data]"
    python tools/build_areas.py RegSO_2025.gpkg briefing/data/scb-kommuner.csv \\
        --out briefing/data/areas

Reads the 3,363 RegSO polygons (SWEREF 99 TM, EPSG:3006), and writes:

- `KKKK.json.gz`, one per municipality: its RegSO areas (code, name, a label point inside,
  rings) and its boundary (the union of its areas), in WGS84 lon/lat as integers of
  1e-6 degree, each ring delta-encoded: [x0, y0, dx1, dy1, …], outer rings
  counter-clockwise, holes clockwise, closed (the last point repeats the first).
- `index.json`: per municipality its name, bounding box, number of areas and neighbours
  (with the length of the shared border in metres), plus the build's parameters and what
  the simplification cost.

Simplification: the whole country is simplified at once as one polygonal coverage
(GEOS coverage simplification, Visvalingam-Whyatt on shared arcs), so neighbouring areas
and municipalities keep identical shared edges: no slivers, no gaps. Neighbours are
computed on the unsimplified geometry. The run time (briefing.geo.areas) reads the
output with the standard library only; this script checks its own output through it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sqlite3
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon
from shapely.ops import polylabel

SCALE = 1_000_000  # integers of 1e-6 degree (≈ 0.1 m): far below the simplification
SOURCE_CRS, TARGET_CRS = "EPSG:3006", "EPSG:4326"
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


@dataclass
class Row:
    code: str
    name: str
    municipality: str
    geometry: Polygon


def read_gpkg(path: Path) -> list[Row]:
    """The RegSO layer of the GeoPackage (an SQLite file: GP header + WKB per row)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        srs = con.execute(
            "select srs_id from gpkg_geometry_columns where table_name = 'RegSO_2025'"
        ).fetchone()
        if srs is None or srs[0] != 3006:
            sys.exit(f"{path}: layer RegSO_2025 in EPSG:3006 expected, found srs {srs}")
        found = con.execute(
            "select regsokod, regsonamn, kommunkod, sp_geometry from RegSO_2025 order by regsokod"
        ).fetchall()
    finally:
        con.close()
    rows = []
    for code, name, municipality, blob in found:
        if blob[:2] != b"GP":
            sys.exit(f"{path}: {code}: not a GeoPackage geometry blob")
        envelope = _ENVELOPE_BYTES[(blob[3] >> 1) & 7]
        geometry = shapely.from_wkb(bytes(blob[8 + envelope :]))
        if geometry.geom_type != "Polygon" or not geometry.is_valid:
            sys.exit(f"{path}: {code}: a valid Polygon expected, found {geometry.geom_type}")
        rows.append(Row(code, name.strip(), municipality, geometry))
    return rows


def read_municipalities(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {r["municipality_code"]: r["municipality_name"] for r in csv.DictReader(handle)}


def measure(original: np.ndarray, simplified: np.ndarray, rows: list[Row]) -> dict[str, Any]:
    """What the simplification costs, per RegSO area, in metres and shares of area."""
    hausdorff = shapely.hausdorff_distance(original, simplified)
    area = shapely.area(original)
    change = np.abs(shapely.area(simplified) - area) / area
    symdiff = shapely.area(shapely.symmetric_difference(original, simplified)) / area
    worst = np.argsort(hausdorff)[::-1][:5]
    return {
        "vertices_before": int(shapely.get_num_coordinates(original).sum()),
        "vertices_after": int(shapely.get_num_coordinates(simplified).sum()),
        "hausdorff_m": {
            "max": round(float(hausdorff.max()), 1),
            "p99": round(float(np.percentile(hausdorff, 99)), 1),
            "median": round(float(np.median(hausdorff)), 1),
            "mean": round(float(hausdorff.mean()), 1),
        },
        "area_change": {
            "max": round(float(change.max()), 5),
            "mean": round(float(change.mean()), 6),
        },
        "symmetric_difference_share": {
            "max": round(float(symdiff.max()), 5),
            "mean": round(float(symdiff.mean()), 6),
        },
        "worst_hausdorff": [f"{rows[i].code} {rows[i].name}: {hausdorff[i]:.0f} m" for i in worst],
    }


def neighbours(
    unions: dict[str, Any], tolerance: float, min_shared: float
) -> dict[str, dict[str, float]]:
    """Municipalities whose unsimplified areas share more than `min_shared` metres of border.

    Borders within `tolerance` metres count as shared (the coverage is edge-matched, so this
    only absorbs rounding); a contact in a single point is not a border.
    """
    codes = sorted(unions)
    geoms = [unions[c] for c in codes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    found: dict[str, dict[str, float]] = {c: {} for c in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = shapely.intersection(geoms[i].boundary, geoms[j].boundary.buffer(tolerance)).length
        if shared > min_shared:
            found[codes[i]][codes[j]] = found[codes[j]][codes[i]] = round(shared)
        else:
            print(f"not neighbours: {codes[i]} and {codes[j]} meet along only {shared:.1f} m")
    return found


def encode_ring(coords: np.ndarray) -> list[int]:
    """Rounded to 1e-6 degree, consecutive duplicates dropped, closed, delta-encoded."""
    points = np.rint(coords * SCALE).astype(np.int64)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    points = points[keep]
    if not np.array_equal(points[0], points[-1]):
        points = np.vstack([points, points[:1]])
    deltas = np.vstack([points[:1], np.diff(points, axis=0)])
    return [int(v) for v in deltas.ravel()]


def box_of(rings: list[list[int]]) -> list[int]:
    """[west, south, east, north] of the outer ring, in the same integers."""
    points = np.cumsum(np.array(rings[0]).reshape(-1, 2), axis=0)
    return [int(v) for v in (*points.min(axis=0), *points.max(axis=0))]


def encode_polygon(polygon: Polygon) -> list[list[int]]:
    polygon = shapely.orient_polygons(polygon)  # outer counter-clockwise, holes clockwise
    rings = [polygon.exterior, *polygon.interiors]
    return [encode_ring(np.asarray(ring.coords)) for ring in rings]


def polygons_of(geometry: Any) -> list[Polygon]:
    return list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]


def label_point(projected: Polygon, wgs84: Polygon) -> list[int]:
    """A point well inside (pole of inaccessibility, to 1 m), still inside once rounded."""
    for candidate in (polylabel(projected, 1.0), projected.point_on_surface()):
        lon, lat = _to_wgs84.transform(candidate.x, candidate.y)
        point = [round(lon * SCALE), round(lat * SCALE)]
        if wgs84.contains(shapely.Point(point[0] / SCALE, point[1] / SCALE)):
            return point
    raise SystemExit(f"no label point inside {projected.wkt[:80]}")


_to_wgs84 = Transformer.from_crs(SOURCE_CRS, TARGET_CRS, always_xy=True)


def to_wgs84(geometry: Any) -> Any:
    return shapely.transform(
        geometry, lambda xy: np.column_stack(_to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )


def verify(out: Path, rows: list[Row]) -> None:
    """Read the output back through the run time: every area there, every label inside its
    own area, every municipality's areas dissolving into exactly its boundary."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from briefing.geo import areas  # the run-time reader, standard library only

    atlas = areas.Atlas(out)
    problems = []
    count = 0
    started = time.perf_counter()
    for code in atlas.codes:
        municipality = atlas.municipality(code)
        count += len(municipality.areas)
        for area in municipality.areas:
            if municipality.locate(*area.label) is not area:
                problems.append(f"{area.code}: the label point is not in the area")
        dissolved = areas.dissolve(area.polygon for area in municipality.areas)
        if sorted(map(_ring_key, dissolved)) != sorted(map(_ring_key, municipality.boundary)):
            problems.append(f"{code}: its areas do not dissolve into its boundary")
    if count != len(rows):
        problems.append(f"{count} areas written, {len(rows)} read")
    if problems:
        sys.exit("verification failed:\n" + "\n".join(problems))
    print(
        f"verified {count} areas through briefing.geo.areas "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _ring_key(polygon: Any) -> tuple[int, frozenset[Any]]:
    return len(polygon.outer), frozenset(polygon.outer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gpkg", type=Path, help="RegSO_2025.gpkg (SCB, EPSG:3006)")
    parser.add_argument("municipalities", type=Path, help="briefing/data/scb-kommuner.csv")
    parser.add_argument("--out", type=Path, default=Path("briefing/data/areas"))
    parser.add_argument("--tolerance", type=float, default=10.0, help="metres (default 10)")
    parser.add_argument("--border-tolerance", type=float, default=1.0, help="metres (default 1)")
    parser.add_argument("--min-shared", type=float, default=10.0, help="metres (default 10)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    rows = read_gpkg(args.gpkg)
    names = read_municipalities(args.municipalities)
    by_municipality: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row.municipality not in names:
            sys.exit(
                f"{args.gpkg}: {row.code}: kommunkod {row.municipality} "
                f"not in {args.municipalities}"
            )
        by_municipality[row.municipality].append(index)
    missing = sorted(set(names) - set(by_municipality))
    if missing:
        sys.exit(f"{args.gpkg}: no RegSO for {', '.join(missing)}")
    print(f"read {len(rows)} RegSO in {len(by_municipality)} municipalities")

    original = np.array([row.geometry for row in rows], dtype=object)
    if not shapely.coverage_is_valid(original):
        sys.exit(f"{args.gpkg}: the RegSO do not form a valid coverage (overlaps or gaps)")
    simplified = shapely.coverage_simplify(original, args.tolerance)
    if not (shapely.is_valid(simplified).all() and shapely.coverage_is_valid(simplified)):
        sys.exit("the simplified coverage is not valid")
    print(f"simplified in {time.monotonic() - started:.0f} s")
    cost = measure(original, simplified, rows)
    print(f"simplified at {args.tolerance} m: {json.dumps(cost, ensure_ascii=False, indent=1)}")

    unsimplified_unions = {
        code: shapely.coverage_union_all(original[idx]) for code, idx in by_municipality.items()
    }
    print(f"measured in {time.monotonic() - started:.0f} s")
    borders = neighbours(unsimplified_unions, args.border_tolerance, args.min_shared)

    print(f"neighbours in {time.monotonic() - started:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    index: dict[str, Any] = {}
    total_bytes = 0
    for code in sorted(by_municipality):
        idx = by_municipality[code]
        areas = []
        for i in idx:
            wgs84 = to_wgs84(simplified[i])
            rings = encode_polygon(wgs84)
            areas.append(
                {
                    "code": rows[i].code,
                    "name": rows[i].name,
                    "label": label_point(simplified[i], wgs84),
                    "box": box_of(rings),
                    "rings": rings,
                }
            )
        boundary = to_wgs84(shapely.coverage_union_all(simplified[idx]))
        outline = [encode_polygon(p) for p in polygons_of(boundary)]
        boxes = np.array([box_of(rings) for rings in outline])
        document = {
            "municipality": code,
            "name": names[code],
            "scale": SCALE,
            "areas": areas,
            "box": [int(v) for v in (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))],
            "boundary": outline,
        }
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        (args.out / f"{code}.json.gz").write_bytes(packed)
        total_bytes += len(packed)
        west, south, east, north = boundary.bounds
        index[code] = {
            "name": names[code],
            "areas": len(idx),
            "bbox": [round(west, 6), round(south, 6), round(east, 6), round(north, 6)],
            "neighbours": dict(sorted(borders[code].items())),
        }
    meta = {
        "source": "SCB, Regionala statistikområden (RegSO) 2025, CC BY 4.0. Källa: SCB",
        "source_crs": SOURCE_CRS,
        "tolerance_m": args.tolerance,
        "border_tolerance_m": args.border_tolerance,
        "min_shared_border_m": args.min_shared,
        "scale": SCALE,
        "cost": cost,
    }
    text = json.dumps({"meta": meta, "municipalities": index}, ensure_ascii=False, indent=1)
    (args.out / "index.json").write_text(text + "\n", encoding="utf-8")
    verify(args.out, rows)
    print(f"wrote {len(index)} municipalities, {total_bytes / 1e6:.2f} MB gzip, to {args.out}")
    print(f"took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
