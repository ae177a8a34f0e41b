"""The demo subdistrict's map: an irregular boundary cut into communities, each cut into grids.

Pure shapely, no database. Voronoi cells of relaxed seed points give plausible, compact shapes. Every
line of both levels is noded together once on a 1e-6° lattice (about 0.1 m) and polygonised, so
neighbouring grids and communities share exactly the same vertices: no gaps, no slivers, and the
grids of a community add up to exactly that community.
"""

import math
import random
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

PRECISION = 1e-6  # degrees; 6 decimals
CENTRE = (120.350, 30.305)  # near Xiasha, Hangzhou
HALF_WIDTH = 0.042  # ° longitude: about 8 km east–west in all
HALF_HEIGHT = 0.027  # ° latitude: about 6 km north–south in all


@dataclass
class Area:
    """One community or grid being drawn: its seed point now, its final polygon once tiled."""

    seed: tuple[float, float]
    cell: BaseGeometry | None = None
    shape: BaseGeometry | None = None


@dataclass
class Map:
    boundary: BaseGeometry
    communities: list[Area]
    grids: list[list[Area]]  # grids[i] lie in communities[i], in code order


def draw_map(rng: random.Random, grid_counts: list[int]) -> Map:
    """Communities in rows from north-west to south-east, `grid_counts[i]` grids in the i-th one."""
    boundary = _boundary(rng)
    communities = [Area(seed) for seed in _relaxed_seeds(rng, boundary, len(grid_counts), rounds=4)]
    _cut(boundary, communities)
    grids = []
    for community, count in zip(communities, grid_counts, strict=True):
        inside = [Area(seed) for seed in _relaxed_seeds(rng, community.cell, count, rounds=3)]
        _cut(community.cell, inside)
        grids.append(inside)
    _tile(boundary, communities, grids)
    # Noding may bend the outline by a fraction of PRECISION where a line meets it: the subdistrict
    # is exactly what its communities cover.
    outline = shapely.union_all([c.shape for c in communities], grid_size=PRECISION)
    drawn = Map(outline, communities, grids)
    _check(drawn)
    return drawn


def to_geojson(geom: BaseGeometry) -> dict:
    """GeoJSON with lists (JSON-ready), exterior rings counter-clockwise as RFC 7946 asks."""
    geom = shapely.orient_polygons(geom, exterior_cw=False)

    def rings(polygon):
        return [[[round(x, 6), round(y, 6)] for x, y in ring.coords]
                for ring in (polygon.exterior, *polygon.interiors)]

    if geom.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": rings(geom)}
    return {"type": "MultiPolygon", "coordinates": [rings(p) for p in geom.geoms]}


def _check(drawn: Map) -> None:
    """Refuse a map whose stored form would not tile (a change of constants or of GEOS could cause one)."""
    communities = [shapely.geometry.shape(to_geojson(c.shape)) for c in drawn.communities]
    if not all(c.geom_type == "Polygon" and c.is_valid for c in communities):
        raise ValueError("a demo community is not one valid polygon")
    if not shapely.coverage_is_valid(communities):
        raise ValueError("the demo communities overlap or do not share their borders exactly")
    every_grid = []
    for community, inside in zip(communities, drawn.grids, strict=True):
        grids = [shapely.geometry.shape(to_geojson(g.shape)) for g in inside]
        every_grid += grids
        if not all(g.geom_type == "Polygon" and g.is_valid and community.covers(g) for g in grids):
            raise ValueError("a demo grid is not one valid polygon inside its community")
        if not shapely.coverage_is_valid(grids) or shapely.union_all(grids).symmetric_difference(community).area:
            raise ValueError("the demo grids of a community do not tile it exactly")
    if not shapely.coverage_is_valid(every_grid):
        raise ValueError("demo grids of neighbouring communities overlap")


def _boundary(rng: random.Random) -> Polygon:
    # A star-shaped, gently irregular outline: an ellipse whose radius wobbles by ±12 %.
    corners = 22
    points = []
    for i in range(corners):
        angle = 2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / corners
        r = rng.uniform(0.88, 1.12)
        points.append((CENTRE[0] + HALF_WIDTH * r * math.cos(angle), CENTRE[1] + HALF_HEIGHT * r * math.sin(angle)))
    return shapely.set_precision(Polygon(points), PRECISION)


def _random_point_in(rng: random.Random, area: BaseGeometry) -> tuple[float, float]:
    minx, miny, maxx, maxy = area.bounds
    while True:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(point):
            return point.x, point.y


def _voronoi(area: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area, ordered=True)
    return [cell.intersection(area) for cell in cells.geoms]


def _relaxed_seeds(rng: random.Random, area: BaseGeometry, count: int, rounds: int) -> list[tuple[float, float]]:
    """`count` points spread evenly over `area` (Lloyd's relaxation), sorted in reading order."""
    seeds = [_random_point_in(rng, area) for _ in range(count)]
    for _ in range(rounds):
        seeds = [(c.centroid.x, c.centroid.y) for c in _voronoi(area, seeds)]
    # Reading order: rows from north to south, west to east within a row.
    rows = max(1, round(math.sqrt(count * 0.7)))
    by_lat = sorted(seeds, key=lambda s: -s[1])
    per_row = math.ceil(count / rows)
    ordered = []
    for r in range(rows):
        ordered.extend(sorted(by_lat[r * per_row:(r + 1) * per_row]))
    return ordered


def _cut(area: BaseGeometry, parts: list[Area]) -> None:
    for part, cell in zip(parts, _voronoi(area, [p.seed for p in parts]), strict=True):
        part.cell = cell


def _tile(boundary: BaseGeometry, communities: list[Area], grids: list[list[Area]]) -> None:
    lines = [boundary.exterior]
    lines += [a.cell.boundary for a in communities]
    lines += [g.cell.boundary for inside in grids for g in inside]
    noded = shapely.union_all(lines, grid_size=PRECISION)
    faces = list(shapely.polygonize(shapely.get_parts(noded)).geoms)

    flat = [g for inside in grids for g in inside]
    tree = shapely.STRtree([g.cell for g in flat])
    owned: list[list[BaseGeometry]] = [[] for _ in flat]
    for face in faces:
        candidates = tree.query(face, predicate="intersects")
        best = max(candidates, key=lambda i: flat[i].cell.intersection(face).area)
        owned[best].append(face)

    for grid, pieces in zip(flat, owned, strict=True):
        grid.shape = shapely.union_all(pieces, grid_size=PRECISION)
    for community, inside in zip(communities, grids, strict=True):
        community.shape = shapely.union_all([g.shape for g in inside], grid_size=PRECISION)
