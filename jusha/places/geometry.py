"""GeoJSON ↔ shapely, with the validation every stored boundary goes through."""

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry


class GeometryError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def to_shape(geojson: dict) -> BaseGeometry:
    """A valid (Multi)Polygon from a GeoJSON geometry, or GeometryError saying what is wrong."""
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(_("A boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geom = shape(geojson)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, shapely.errors.GEOSException):
        raise GeometryError(_("The boundary's coordinates cannot be read.")) from None
    if geom.is_empty or not geom.is_valid:
        raise GeometryError(_("The boundary is not a valid polygon (it may cross itself)."))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(_("The boundary's coordinates are not longitude/latitude in degrees."))
    return geom
