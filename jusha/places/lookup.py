"""Which grid and community contain a point: the one answer every report and need is routed by.

Polygons are loaded once per process into shapely STRtrees, so a lookup costs a tree query, not a
table scan. The trees are rebuilt when places change: at once in the process that saved the place
(`Place.save()` calls `invalidate()`), and in every other process at the next lookup after
JUSHA_PLACES_RECHECK_SECONDS, when one aggregate query (the grids' and communities' counts and latest
`updated_at`) shows that something changed, e.g. an import or another server process.
"""

import threading
import time
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db.models import Count, Max
from shapely import STRtree

from .geometry import GeometryError, to_shape
from .models import Community, Grid


@dataclass(frozen=True)
class Location:
    """Where a WGS-84 point falls. `inside` is False when no community of the deployment covers it."""

    lng: float
    lat: float
    grid_id: int | None = None
    community_id: int | None = None
    subdistrict_id: int | None = None

    @property
    def inside(self) -> bool:
        return self.community_id is not None


@dataclass
class _Index:
    version: tuple
    grid_tree: STRtree
    grid_rows: list[tuple[str, int, int, int]]  # (code, grid id, community id, subdistrict id)
    community_tree: STRtree
    community_rows: list[tuple[str, int, int]]  # (code, community id, subdistrict id)


_lock = threading.Lock()
_index: _Index | None = None
_checked_at = float("-inf")


def invalidate() -> None:
    """Forget the trees; the next lookup in this process rebuilds them."""
    global _index
    _index = None


def _version() -> tuple:
    g = Grid.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    c = Community.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (g["n"], g["at"], c["n"], c["at"])


def _shapes(rows):
    shapes, kept = [], []
    for boundary, *rest in rows:
        try:
            shapes.append(to_shape(boundary))
        except GeometryError:
            continue  # an unreadable boundary is refused on save; skip legacy rows rather than fail
        kept.append(tuple(rest))
    return shapes, kept


def _build(version: tuple) -> _Index:
    grid_shapes, grid_rows = _shapes(
        Grid.objects.filter(boundary__isnull=False).values_list("boundary", "code", "id", "community_id",
                                                        "community__subdistrict_id")
    )
    com_shapes, com_rows = _shapes(
        Community.objects.filter(boundary__isnull=False).values_list("boundary", "code", "id", "subdistrict_id")
    )
    for geom in grid_shapes + com_shapes:
        shapely.prepare(geom)
    return _Index(version, STRtree(grid_shapes), grid_rows, STRtree(com_shapes), com_rows)


def _current_index() -> _Index:
    global _index, _checked_at
    index = _index
    if index is not None and time.monotonic() - _checked_at < settings.JUSHA_PLACES_RECHECK_SECONDS:
        return index
    version = _version()
    if index is None or index.version != version:
        with _lock:
            if _index is None or _index.version != version:
                _index = _build(version)
            index = _index
    _checked_at = time.monotonic()
    return index


def locate(lng: float, lat: float) -> Location:
    """Locate a WGS-84 point. A point on a shared border belongs to the grid with the lowest code,
    so the answer is the same on every call and every machine."""
    index = _current_index()
    point = shapely.Point(lng, lat)
    grid_hits = index.grid_tree.query(point, predicate="covered_by")
    if len(grid_hits):
        _code, grid_id, community_id, subdistrict_id = min(index.grid_rows[i] for i in grid_hits)
        return Location(lng, lat, grid_id, community_id, subdistrict_id)
    community_hits = index.community_tree.query(point, predicate="covered_by")
    if len(community_hits):
        _code, community_id, subdistrict_id = min(index.community_rows[i] for i in community_hits)
        return Location(lng, lat, None, community_id, subdistrict_id)
    return Location(lng, lat)
