from jusha import permissions
from jusha.permissions import Action

from .coords import to_wgs84
from .lookup import Location, locate
from .models import Community, Grid


def locate_in_crs(lng: float, lat: float, crs: str) -> Location:
    return locate(*to_wgs84(lng, lat, crs))


def grids_feature_collection(user, *, community_id: int | None = None) -> dict:
    grids = permissions.visible(user, Action.PLACE_VIEW, Grid.objects.filter(boundary__isnull=False))
    if community_id is not None:
        grids = grids.filter(community_id=community_id)
    rows = grids.order_by("code").values("id", "code", "name", "boundary", "community_id", "community__name")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": row["boundary"],
                "properties": {"code": row["code"], "name": row["name"], "community_id": row["community_id"],
                               "community": row["community__name"]},
            }
            for row in rows
        ],
    }


def communities_feature_collection(user) -> dict:
    rows = permissions.visible(user, Action.PLACE_VIEW, Community.objects.filter(boundary__isnull=False)).order_by(
        "code").values("id", "code", "name", "boundary")
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": r["id"], "geometry": r["boundary"],
                      "properties": {"code": r["code"], "name": r["name"]}} for r in rows],
    }
