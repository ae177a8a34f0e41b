"""Boundary files: GeoJSON, KML/KMZ and zipped Shapefiles, read into shapely polygons in WGS-84.

The coordinate system comes from the file where it says (a Shapefile's .prj, a GeoJSON `crs`
member; KML is WGS-84 by definition) or from the person, who alone can know that a file is in GCJ-02
or BD-09 (those have no EPSG code and look like WGS-84). CGCS2000 and projected systems go through
pyproj; GCJ-02 and BD-09 through `places.coords`.
"""

import io
import json
import math
import struct
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from jusha.core.errors import DomainError
from jusha.places.coords import CRS as PhoneCRS
from jusha.places.coords import to_wgs84

from .files import check_size, open_zip, read_member

MAX_FEATURES = 5000
# Slivers smaller than this (square metres) are rounding noise between neighbours, not real overlaps/gaps.
MIN_PROBLEM_AREA_M2 = 1.0


class CRSChoice:
    """What the person may choose; "file" means the system the file itself declares."""

    FILE = "file"
    WGS84 = "wgs84"
    CGCS2000 = "cgcs2000"
    GCJ02 = "gcj02"
    BD09 = "bd09"
    ALL = (FILE, WGS84, CGCS2000, GCJ02, BD09)


@dataclass
class RawFeature:
    properties: dict
    geometry: BaseGeometry | None


@dataclass
class PlacesFile:
    features: list[RawFeature]
    attributes: list[str]
    # What the file declares, as pyproj understands it ("EPSG:4490", a WKT string …), or "".
    declared_crs: str = ""
    declared_label: str = ""
    notes: list[str] = field(default_factory=list)


def places_format(filename: str) -> str:
    name = filename.lower()
    for ext, fmt in ((".geojson", "geojson"), (".json", "geojson"), (".kml", "kml"), (".kmz", "kmz"),
                     (".zip", "shapefile")):
        if name.endswith(ext):
            return fmt
    raise DomainError(_("Upload a GeoJSON, KML/KMZ or zipped Shapefile (.zip with .shp, .dbf and .prj)."),
                      code="unsupported_format", field="file")


def read_places(filename: str, content: bytes) -> PlacesFile:
    check_size(content)
    fmt = places_format(filename)
    if fmt == "geojson":
        result = _read_geojson(content)
    elif fmt == "kml":
        result = _read_kml(content)
    elif fmt == "kmz":
        archive = open_zip(content)
        kml = [m for m in archive.infolist() if m.filename.lower().endswith(".kml")]
        if not kml:
            raise DomainError(_("The KMZ archive contains no .kml file."), code="unreadable_file", field="file")
        result = _read_kml(read_member(archive, kml[0]))
    else:
        result = _read_shapefile(content)
    if not result.features:
        raise DomainError(_("The file contains no places."), code="empty_file", field="file")
    if len(result.features) > MAX_FEATURES:
        raise DomainError(_("At most %(n)s places per file, please.") % {"n": MAX_FEATURES},
                          code="too_many_features", field="file")
    if result.declared_crs and not result.declared_label:
        result.declared_label = _crs_label(result.declared_crs)
    return result


def _geometry(geojson) -> BaseGeometry | None:
    try:
        geom = shape(geojson) if geojson else None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, shapely.errors.GEOSException):
        return None
    return geom


def _attributes(features: list[RawFeature]) -> list[str]:
    seen: dict[str, None] = {}
    for feature in features:
        for key in feature.properties:
            seen.setdefault(str(key), None)
    return list(seen)


def _read_geojson(content: bytes) -> PlacesFile:
    from .files import decode_text

    try:
        data = json.loads(decode_text(content))
    except (ValueError, RecursionError):
        raise DomainError(_("The GeoJSON file cannot be read."), code="unreadable_file", field="file") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DomainError(_("The GeoJSON file must be a FeatureCollection."), code="unreadable_file", field="file")
    features = []
    for item in data["features"][: MAX_FEATURES + 1]:
        if not isinstance(item, dict):
            continue
        props = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        features.append(RawFeature({str(k): v for k, v in props.items()}, _geometry(item.get("geometry"))))
    declared = ""
    crs = data.get("crs")
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        declared = str(crs["properties"].get("name") or "")[:200]
    return PlacesFile(features, _attributes(features), declared)


# --- KML ------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kml_ring(element) -> list[tuple[float, float]]:
    for node in element.iter():
        if _local(node.tag) == "coordinates":
            points = []
            for chunk in (node.text or "").split():
                parts = chunk.split(",")
                if len(parts) >= 2:
                    points.append((float(parts[0]), float(parts[1])))
            return points
    return []


def _kml_polygon(element) -> shapely.Polygon | None:
    outer, inner = None, []
    for child in element:
        name = _local(child.tag)
        if name == "outerBoundaryIs":
            outer = _kml_ring(child)
        elif name == "innerBoundaryIs":
            inner.append(_kml_ring(child))
    if not outer:
        return None
    return shapely.Polygon(outer, [r for r in inner if len(r) >= 3])


def _kml_geometry(placemark) -> BaseGeometry | None:
    polygons = [_kml_polygon(node) for node in placemark.iter() if _local(node.tag) == "Polygon"]
    polygons = [p for p in polygons if p is not None]
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _read_kml(content: bytes) -> PlacesFile:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise DomainError(_("The file contains XML that is not allowed (entities or a DTD)."),
                          code="unsafe_xml", field="file") from None
    except (ParseError, ValueError):
        raise DomainError(_("The KML file cannot be read."), code="unreadable_file", field="file") from None
    features = []
    for placemark in root.iter():
        if _local(placemark.tag) != "Placemark":
            continue
        props: dict[str, str] = {}
        for node in placemark:
            if _local(node.tag) in {"name", "description"} and node.text:
                props[_local(node.tag)] = node.text.strip()
        for node in placemark.iter():
            tag = _local(node.tag)
            if tag == "Data" and node.get("name"):
                value = next((c.text for c in node if _local(c.tag) == "value"), "")
                props[node.get("name")] = (value or "").strip()
            elif tag == "SimpleData" and node.get("name"):
                props[node.get("name")] = (node.text or "").strip()
        try:
            geom = _kml_geometry(placemark)
        except (ValueError, shapely.errors.GEOSException):
            geom = None
        features.append(RawFeature(props, geom))
        if len(features) > MAX_FEATURES:
            break
    # KML coordinates are WGS-84 longitude/latitude by the standard.
    return PlacesFile(features, _attributes(features), "EPSG:4326")


# --- Shapefile ------------------------------------------------------------------------------------

def _read_shapefile(content: bytes) -> PlacesFile:
    import shapefile

    archive = open_zip(content)
    parts: dict[str, list] = {}
    for info in archive.infolist():
        name = info.filename.lower()
        if name.startswith("__macosx/") or info.is_dir():
            continue
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            if name.endswith(ext):
                parts.setdefault(ext, []).append(info)
    if len(parts.get(".shp", [])) != 1 or len(parts.get(".dbf", [])) != 1:
        raise DomainError(_("The zip must contain exactly one Shapefile (.shp with its .dbf and .prj)."),
                          code="unreadable_file", field="file")
    blobs = {ext: read_member(archive, infos[0]) for ext, infos in parts.items()}
    declared = (blobs.get(".cpg") or b"").decode("ascii", errors="ignore").strip()
    if declared.replace("-", "").lower() in {"936", "cp936"}:
        declared = "gbk"
    # Shapefiles from Chinese GIS desktops are usually GBK with no .cpg to say so.
    encodings = [declared] if declared else ["utf-8", "gbk"]
    prj = (blobs.get(".prj") or b"").decode("utf-8", errors="replace").strip()
    notes = [] if prj else [_("The Shapefile has no .prj; choose its coordinate system.")]

    def read(enc: str):
        reader = shapefile.Reader(shp=io.BytesIO(blobs[".shp"]), dbf=io.BytesIO(blobs[".dbf"]),
                                  shx=io.BytesIO(blobs[".shx"]) if ".shx" in blobs else None, encoding=enc)
        out = []
        for shape_record in reader.iterShapeRecords():
            geo = shape_record.shape.__geo_interface__ if shape_record.shape.shapeType else None
            out.append(RawFeature(shape_record.record.as_dict(), _geometry(geo)))
            if len(out) > MAX_FEATURES:
                break
        return out

    features = None
    for encoding in encodings:
        try:
            features = read(encoding)
            break
        except (shapefile.ShapefileException, ValueError, TypeError, struct.error, IndexError, LookupError):
            continue
    if features is None:
        raise DomainError(_("The Shapefile cannot be read."), code="unreadable_file", field="file")
    return PlacesFile(features, _attributes(features), prj, notes=notes)


# --- coordinate systems ----------------------------------------------------------------------------

def _pyproj_crs(declared: str):
    import pyproj

    try:
        return pyproj.CRS.from_user_input(declared)
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        return None


def _crs_label(declared: str) -> str:
    crs = _pyproj_crs(declared)
    if crs is None:
        return _("unknown (%(text)s)") % {"text": declared[:40]}
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else crs.name


def transformer_for(choice: str, declared: str):
    """A function mapping an (N, 2) array of x, y in the chosen system to WGS-84 lng, lat."""
    if choice == CRSChoice.FILE:
        if not declared:
            raise DomainError(_("The file does not say which coordinate system it uses; choose one."),
                              code="crs_required", field="crs")
        source = _pyproj_crs(declared)
        if source is None:
            raise DomainError(_("The file's coordinate system is not one Jusha knows; choose one."),
                              code="crs_unknown", field="crs")
        return _pyproj_transform(source)
    if choice in (CRSChoice.GCJ02, CRSChoice.BD09):
        crs = PhoneCRS.GCJ02 if choice == CRSChoice.GCJ02 else PhoneCRS.BD09

        def convert(coords: np.ndarray) -> np.ndarray:
            return np.array([to_wgs84(x, y, crs) for x, y in coords]).reshape(coords.shape)

        return convert
    if choice == CRSChoice.CGCS2000:
        return _pyproj_transform(_pyproj_crs("EPSG:4490"))
    if choice == CRSChoice.WGS84:
        return lambda coords: coords
    raise DomainError(_("Choose a coordinate system."), code="crs_required", field="crs")


def _pyproj_transform(source):
    import pyproj

    if source.to_epsg() == 4326:
        return lambda coords: coords
    transformer = pyproj.Transformer.from_crs(source, "EPSG:4326", always_xy=True)

    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return convert


# --- checking polygons ----------------------------------------------------------------------------

def polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """Only the areas of a geometry (make_valid may add stray lines or points), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
        if not polys:
            return None
        return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    return None


def repair(geom: BaseGeometry) -> tuple[BaseGeometry | None, bool]:
    """(the polygon, whether it had to be repaired); None when nothing polygonal is left."""
    if geom.is_valid:
        return polygonal(geom), False
    fixed = polygonal(shapely.make_valid(geom))
    if fixed is None or not fixed.is_valid:
        return None, True
    return fixed, True


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres, by the local scale at the polygon's latitude: good to a few percent at
    the size of a subdistrict, which is all a warning needs."""
    if geom.is_empty:
        return 0.0
    lat = geom.centroid.y
    return geom.area * 111_320.0 * 110_574.0 * math.cos(math.radians(lat))


def overlaps(places: list[tuple[str, BaseGeometry]]) -> list[tuple[str, str, BaseGeometry]]:
    """Pairs of places whose areas overlap by more than a sliver: (code, code, the shared area)."""
    geoms = [g for _c, g in places]
    tree = shapely.STRtree(geoms)
    found = []
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = polygonal(geoms[i].intersection(geoms[j]))
        if shared is not None and area_m2(shared) > MIN_PROBLEM_AREA_M2:
            found.append((places[i][0], places[j][0], shared))
    return found


def gaps(parent: BaseGeometry, children: list[BaseGeometry]) -> BaseGeometry | None:
    """The part of `parent` no child covers, when it is more than slivers."""
    if not children:
        return None
    rest = polygonal(parent.difference(shapely.union_all(children)))
    if rest is None:
        return None
    pieces = [p for p in (rest.geoms if rest.geom_type == "MultiPolygon" else [rest])
              if area_m2(p) > MIN_PROBLEM_AREA_M2]
    if not pieces:
        return None
    return pieces[0] if len(pieces) == 1 else shapely.MultiPolygon(pieces)


def to_geojson(geom: BaseGeometry) -> dict:
    # Rounded to about a centimetre: keeps stored boundaries small without moving a border visibly.
    return json.loads(json.dumps(mapping(shapely.set_precision(geom, 1e-7))))


def transform(geom: BaseGeometry, convert) -> BaseGeometry:
    return shapely.transform(geom, convert)
