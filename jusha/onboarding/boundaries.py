"""Checking a boundaries file before anything is saved: codes, names, parents, polygons, overlaps, gaps.

Errors (a missing code, a grid whose community does not exist, a polygon nothing can repair) stop the
import; warnings (a ring repaired, grids that overlap, parts of a community no grid covers) are shown
on the preview map and in the report, and the person decides.
"""

from django.utils.translation import gettext as _

from jusha.places.geometry import GeometryError, to_shape
from jusha.places.models import Community, Grid, Subdistrict

from . import geo
from .files import cell_text
from .sheets import Plan

LEVELS = {"community": 12, "grid": 15}


def attribute_guess(attributes: list[str], remembered: dict) -> dict:
    """name/code → attribute: the remembered choice when the file has it, else a likely-named one."""
    guesses = {"name": ("name", "名称", "NAME", "Name", "wgmc", "WGMC", "网格名称", "社区名称", "mc", "MC"),
               "code": ("code", "编码", "CODE", "Code", "wgbm", "WGBM", "网格编码", "社区编码", "bm", "BM", "dm")}
    mapping = {}
    for key, names in guesses.items():
        for candidate in (remembered.get(key), *names):
            if candidate and candidate in attributes:
                mapping[key] = candidate
                break
    return mapping


def check(*, subdistrict: Subdistrict, places_file: geo.PlacesFile, level: str, crs: str,
          mapping: dict) -> tuple[Plan, dict]:
    """(the plan, the preview: places and problems as GeoJSON FeatureCollections, plus warnings)."""
    plan = Plan()
    convert = geo.transformer_for(crs, places_file.declared_crs)
    length = LEVELS[level]
    parents = ({c.code: c for c in Community.objects.filter(subdistrict=subdistrict)} if level == "grid" else {})
    model = Community if level == "community" else Grid
    existing = {p.code: p for p in model.objects.filter(code__startswith=subdistrict.code)}
    warnings, features, problems = [], [], []
    seen: dict[str, int] = {}
    good: list[tuple[str, object]] = []
    for n, feature in enumerate(places_file.features, start=1):
        code = cell_text(feature.properties.get(mapping.get("code", "")))
        name = cell_text(feature.properties.get(mapping.get("name", "")))[:100]
        if not name:
            plan.error(n, "name", "required", _("This place has no name."))
        parent = None
        if not (code.isdigit() and len(code) == length and code.startswith(subdistrict.code)):
            plan.error(n, "code", "invalid_code", _("The code must be %(n)s digits starting with %(prefix)s.")
                       % {"n": length, "prefix": subdistrict.code})
        elif level == "grid":
            parent = parents.get(code[:12])
            if parent is None:
                plan.error(n, "code", "unknown_code", _("No community with code %(code)s in this subdistrict.")
                           % {"code": code[:12]})
        if code in seen:
            plan.error(n, "code", "duplicate_in_file", _("The same code is already in row %(row)s.")
                       % {"row": seen[code]})
        seen.setdefault(code, n)
        boundary = None
        if feature.geometry is None or feature.geometry.is_empty:
            plan.error(n, "geometry", "no_geometry", _("This place has no polygon."))
        else:
            try:
                shape = geo.transform(feature.geometry, convert)
            except Exception:  # noqa: BLE001  (pyproj and the converters fail in many ways on garbage)
                shape = None
            fixed, repaired = geo.repair(shape) if shape is not None else (None, False)
            if fixed is None:
                plan.error(n, "geometry", "invalid_geometry", _("The polygon is broken beyond repair."))
            else:
                boundary = geo.to_geojson(fixed)
                try:
                    fixed = to_shape(boundary)
                except GeometryError as exc:
                    plan.error(n, "geometry", "invalid_geometry", exc.message)
                    boundary = None
                if boundary and repaired:
                    warnings.append({"code": "repaired", "row": n, "places": [code],
                                     "message": _("The polygon of %(name)s crossed itself and was repaired.")
                                     % {"name": name or code}})
                    problems.append(_feature(fixed, {"problem": "repaired", "name": name, "code": code}))
        if boundary:
            features.append(_feature_json(boundary, {"code": code, "name": name}))
            good.append((code, fixed))
        current = existing.get(code)
        if current is None:
            plan.created += 1
        elif (current.name, current.boundary) == (name, boundary):
            plan.unchanged += 1
        else:
            plan.updated += 1
        plan.items.append({"row": n, "code": code, "name": name, "boundary": boundary,
                           "parent": parent.pk if parent else None})

    # Neighbours already saved and not in this file still count for overlaps and gaps.
    in_file = {c for c, _g in good}
    for code, place in existing.items():
        if code not in in_file and place.boundary:
            try:
                good.append((code, to_shape(place.boundary)))
            except GeometryError:
                continue
    for a, b, shared in geo.overlaps(good):
        warnings.append({"code": "overlap", "places": [a, b],
                         "message": _("%(a)s and %(b)s overlap by about %(m2)s m².")
                         % {"a": a, "b": b, "m2": round(geo.area_m2(shared))}})
        problems.append(_feature(shared, {"problem": "overlap", "name": f"{a} × {b}"}))
    containers = ([(c.code, c.boundary) for c in parents.values()] if level == "grid"
                  else [(subdistrict.code, subdistrict.boundary)])
    for parent_code, parent_boundary in containers:
        if not parent_boundary:
            continue
        try:
            outline = to_shape(parent_boundary)
        except GeometryError:
            continue
        children = [g for c, g in good if c.startswith(parent_code)]
        hole = geo.gaps(outline, children)
        if hole is not None:
            warnings.append({"code": "gap", "places": [parent_code],
                             "message": _("About %(m2)s m² of %(code)s is not covered by any place in it.")
                             % {"code": parent_code, "m2": round(geo.area_m2(hole))}})
            problems.append(_feature(hole, {"problem": "gap", "name": parent_code}))
    preview = {"places": {"type": "FeatureCollection", "features": features},
               "problems": {"type": "FeatureCollection", "features": problems},
               "warnings": warnings}
    return plan, preview


def _feature(geom, properties: dict) -> dict:
    return _feature_json(geo.to_geojson(geom), properties)


def _feature_json(geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}
