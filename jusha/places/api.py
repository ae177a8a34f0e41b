from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jusha import permissions
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import Action

from . import selectors
from .coords import CRS
from .models import Community, Grid

router = Router(tags=["places"])


class PlaceRef(Schema):
    id: int
    code: str
    name: str


class LocationOut(Schema):
    inside: bool
    lng: float = Field(description="WGS-84 longitude")
    lat: float = Field(description="WGS-84 latitude")
    grid: PlaceRef | None
    community: PlaceRef | None
    message: str


@router.get("/locate", response={200: LocationOut, 422: ValidationErrorOut})
def locate_point(request, lng: float = Query(..., ge=-180, le=180), lat: float = Query(..., ge=-90, le=90),
                 crs: CRS = CRS.WGS84):
    """Which grid and community contain a point given in WGS-84, GCJ-02 (WeChat) or BD-09 (Baidu)."""
    location = selectors.locate_in_crs(lng, lat, crs)
    grid = Grid.objects.filter(pk=location.grid_id).first() if location.grid_id else None
    community = Community.objects.filter(pk=location.community_id).first() if location.community_id else None
    return {
        "inside": location.inside,
        "lng": location.lng,
        "lat": location.lat,
        "grid": grid,
        "community": community,
        "message": _("Inside %(name)s.") % {"name": community.name} if community else
        _("This place is outside the area Jusha serves."),
    }


class CommunityOut(Schema):
    id: int
    code: str
    name: str
    subdistrict_id: int


@router.get("/communities", response=list[CommunityOut])
def communities(request):
    return permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code"))


@router.get("/grids.geojson", response={200: dict, 400: ErrorOut, 422: ValidationErrorOut})
def grids_geojson(request, community: int | None = Query(None, ge=1, le=2**62)):
    """The grids as a GeoJSON FeatureCollection (WGS-84), for maps."""
    return selectors.grids_feature_collection(request.user, community_id=community)

