"""Files shaped like the ones a subdistrict really has, written in the test: boundaries in GCJ-02,
KML from a desktop GIS, a zipped Shapefile in CGCS2000 with its .prj, and workbooks filled in by hand."""

import io
import json
import zipfile

import openpyxl
import shapefile
from django.test import TestCase

from jusha.onboarding import services
from jusha.places.coords import wgs84_to_gcj02

# The test world's 智格 community spans lng 120.30–120.32, lat 30.30–30.31; grids are 0.01° squares.
ZHIGE3 = "330114001001003"
CGCS2000_PRJ = ('GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,'
                '298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')


def ring(lng0, lat0, lng1, lat1):
    return [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]


def gcj_ring(points):
    return [list(wgs84_to_gcj02(lng, lat)) for lng, lat in points]


def geojson_bytes(features: list[tuple[dict, list]], *, crs: str | None = None, gcj: bool = False) -> bytes:
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": {"type": "Polygon", "coordinates": [gcj_ring(r) if gcj else r]}} for props, r in features]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data, ensure_ascii=False).encode()


def zhige_grids_gcj() -> bytes:
    """智格's two grids redrawn (one renamed), in GCJ-02 as AMap exports them, with Chinese attributes."""
    return geojson_bytes([
        ({"网格编码": "330114001001001", "网格名称": "智格一网格"}, ring(120.30, 30.30, 120.31, 30.31)),
        ({"网格编码": "330114001001002", "网格名称": "智格二"}, ring(120.31, 30.30, 120.32, 30.31)),
    ], gcj=True)


def kml_bytes(placemarks: list[tuple[str, str, list]], *, doctype: str = "") -> bytes:
    marks = "".join(
        f"<Placemark><name>{name}</name><ExtendedData><Data name=\"code\"><value>{code}</value></Data>"
        f"</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{x},{y},0" for x, y in r)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for code, name, r in placemarks)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{marks}</Document></kml>").encode()


def shapefile_zip(records: list[tuple[str, str, list]], *, prj: str | None = CGCS2000_PRJ,
                  encoding: str = "gbk") -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding) as writer:
        writer.field("WGBM", "C", 20)
        writer.field("WGMC", "C", 50)
        for code, name, r in records:
            writer.poly([r])
            writer.record(code, name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("grids.shp", shp.getvalue())
        archive.writestr("grids.shx", shx.getvalue())
        archive.writestr("grids.dbf", dbf.getvalue())
        if prj:
            archive.writestr("grids.prj", prj)
    return out.getvalue()


def workbook_bytes(rows: list[list], *, merged: list[str] = (), number_formats: dict | None = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for cells in merged:
        ws.merge_cells(cells)
    for coordinate, fmt in (number_formats or {}).items():
        ws[coordinate].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_workbook(content: bytes) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def run(actor, subdistrict, kind, filename, content, *, mapping=None, confirm=True, **options):
    """Upload, check with the guessed (or given) mapping and, when asked and clean, import: the wizard's steps."""
    job = services.job_upload(actor=actor, subdistrict=subdistrict, kind=kind, filename=filename, content=content)
    if kind == "places":
        options.setdefault("level", "grid")
        options.setdefault("crs", job.options.get("crs") or "wgs84")
    # The check and the import are enqueued after commit; the immediate task backend then runs them.
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_check(actor=actor, job=job, mapping=mapping or job.options["mapping"], **options)
    job.refresh_from_db()
    if confirm and job.status == "checked" and not job.error_count:
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = services.job_confirm(actor=actor, job=job)
        job.refresh_from_db()
    return job
