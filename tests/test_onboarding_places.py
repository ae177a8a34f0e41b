"""Importing boundaries: GeoJSON in GCJ-02, KML, a zipped Shapefile in CGCS2000; repairs, overlaps and gaps
are reported before anything is saved; codes are the natural key, so a second import changes nothing."""

import io
import zipfile

import pytest
import shapely
from shapely.geometry import shape

from jusha.audit.models import AuditEntry
from jusha.onboarding.models import ColumnMapping
from jusha.places.lookup import locate
from jusha.places.models import Grid
from tests.onboarding_helpers import (
    ZHIGE3,
    geojson_bytes,
    kml_bytes,
    ring,
    run,
    shapefile_zip,
    zhige_grids_gcj,
)


def _bounds(grid):
    return shape(Grid.objects.get(code=grid).boundary).bounds


def test_gcj02_geojson_is_converted_to_wgs84_and_updates_grids_by_code(world):
    job = run(world.liuyang, world.subdistrict, "places", "grids.geojson", zhige_grids_gcj(), crs="gcj02")
    assert job.status == "done"
    assert Grid.objects.get(code="330114001001001").name == "智格一网格"
    # GCJ-02 moves a point ~500 m in Hangzhou; converted back, the corners are where they were drawn.
    assert _bounds("330114001001001") == pytest.approx((120.30, 30.30, 120.31, 30.31), abs=1e-6)
    assert Grid.objects.filter(community=world.zhige).count() == 2
    assert locate(120.305, 30.305).grid_id == world.zhige1.pk
    assert AuditEntry.objects.filter(action="places.import", subdistrict=world.subdistrict).count() == 1


def test_importing_the_same_file_again_changes_nothing(world):
    run(world.liuyang, world.subdistrict, "places", "grids.geojson", zhige_grids_gcj(), crs="gcj02")
    before = list(Grid.objects.order_by("code").values_list("code", "name", "boundary", "updated_at"))
    job = run(world.liuyang, world.subdistrict, "places", "grids.geojson", zhige_grids_gcj(), crs="gcj02")
    assert job.status == "done"
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (0, 0, 2)
    assert list(Grid.objects.order_by("code").values_list("code", "name", "boundary", "updated_at")) == before


def test_without_gcj02_chosen_the_offset_would_be_visible(world):
    job = run(world.liuyang, world.subdistrict, "places", "grids.geojson", zhige_grids_gcj(), crs="wgs84")
    assert _bounds("330114001001001")[0] > 120.303  # shifted east by the GCJ-02 offset
    assert job.status == "done"


def test_kml_placemarks_with_extended_data_create_a_new_grid(world):
    world.zhige.boundary = {"type": "Polygon", "coordinates": [ring(120.30, 30.30, 120.33, 30.31)]}
    world.zhige.save()
    content = kml_bytes([(ZHIGE3, "智格三", ring(120.32, 30.30, 120.33, 30.31))])
    job = run(world.liuyang, world.subdistrict, "places", "grids.kml", content, crs="file")
    assert job.status == "done", job.report
    grid = Grid.objects.get(code=ZHIGE3)
    assert (grid.name, grid.community) == ("智格三", world.zhige)
    assert job.report["warnings"] == []


def test_zipped_shapefile_in_cgcs2000_with_gbk_names_detects_its_crs_from_the_prj(world):
    content = shapefile_zip([("330114001001001", "智格一", ring(120.30, 30.30, 120.31, 30.31))])
    job = run(world.admin, world.subdistrict, "places", "grids.zip", content, confirm=False)
    assert job.source["declared_crs"].startswith("GEOGCS")
    assert "4490" in job.source["declared_label"]
    assert job.options["crs"] == "file"
    assert job.options["mapping"] == {"name": "WGMC", "code": "WGBM"}
    assert job.status == "checked" and job.error_count == 0
    assert job.report["places"]["features"][0]["properties"]["name"] == "智格一"


def test_projected_shapefile_is_transformed_with_pyproj(world):
    import pyproj

    # CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), what a city surveying office hands out.
    to_plane = pyproj.Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True)
    plane = [list(to_plane.transform(x, y)) for x, y in ring(120.30, 30.30, 120.31, 30.31)]
    content = shapefile_zip([("330114001001001", "智格一", plane)], prj=pyproj.CRS("EPSG:4549").to_wkt("WKT1_ESRI"))
    job = run(world.liuyang, world.subdistrict, "places", "grids.zip", content)
    assert job.status == "done", job.report
    assert _bounds("330114001001001") == pytest.approx((120.30, 30.30, 120.31, 30.31), abs=1e-6)


def test_a_shapefile_without_prj_needs_the_crs_chosen(world):
    from jusha.core.errors import DomainError
    from jusha.onboarding import services

    content = shapefile_zip([("330114001001001", "智格一", ring(120.30, 30.30, 120.31, 30.31))], prj=None)
    job = services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="places",
                              filename="grids.zip", content=content)
    assert job.options["crs"] == "" and job.source["notes"]
    with pytest.raises(DomainError) as refused:
        services.job_check(actor=world.liuyang, job=job, mapping=job.options["mapping"], crs="file", level="grid")
    assert refused.value.code == "crs_required"


def test_overlaps_gaps_and_repairs_are_reported_on_the_map_before_saving(world):
    bow_tie = [[120.31, 30.30], [120.32, 30.31], [120.32, 30.30], [120.31, 30.31], [120.31, 30.30]]
    content = geojson_bytes([
        ({"code": "330114001001001", "name": "智格一"}, ring(120.30, 30.30, 120.3105, 30.31)),  # 50 m too far east
        ({"code": "330114001001002", "name": "智格二"}, bow_tie),  # crosses itself: leaves gaps north and south
    ])
    before = list(Grid.objects.values_list("boundary", flat=True))
    job = run(world.liuyang, world.subdistrict, "places", "grids.geojson", content, confirm=False)
    assert job.status == "checked" and job.error_count == 0
    codes = {w["code"] for w in job.report["warnings"]}
    assert codes == {"repaired", "overlap", "gap"}
    overlap = next(w for w in job.report["warnings"] if w["code"] == "overlap")
    assert overlap["places"] == ["330114001001001", "330114001001002"]
    problems = {f["properties"]["problem"] for f in job.report["problems"]["features"]}
    assert problems == {"repaired", "overlap", "gap"}
    assert list(Grid.objects.values_list("boundary", flat=True)) == before  # nothing saved yet
    gap = next(f for f in job.report["problems"]["features"] if f["properties"]["problem"] == "gap")
    assert shapely.area(shape(gap["geometry"])) > 0


def test_bad_codes_missing_parents_and_duplicates_are_row_errors_and_nothing_is_saved(world):
    content = geojson_bytes([
        ({"code": "330114001009001", "name": "无主网格"}, ring(120.30, 30.30, 120.31, 30.31)),  # no community 009
        ({"code": "12345", "name": "短码"}, ring(120.30, 30.30, 120.31, 30.31)),
        ({"code": ZHIGE3, "name": ""}, ring(120.30, 30.30, 120.31, 30.31)),
        ({"code": ZHIGE3, "name": "重复"}, ring(120.30, 30.30, 120.31, 30.31)),
    ])
    count = Grid.objects.count()
    job = run(world.liuyang, world.subdistrict, "places", "grids.geojson", content)
    assert job.status == "checked"
    assert {(e["row"], e["code"]) for e in job.report["errors"]} == {
        (1, "unknown_code"), (2, "invalid_code"), (3, "required"), (4, "duplicate_in_file")}
    assert Grid.objects.count() == count


def test_communities_import_and_the_mapping_is_remembered(world):
    content = geojson_bytes([({"SQBM": "330114001003", "SQMC": "新湾社区"}, ring(120.30, 30.32, 120.32, 30.33))],
                            crs="urn:ogc:def:crs:EPSG::4490")
    job = run(world.liuyang, world.subdistrict, "places", "c.geojson", content, level="community", crs="file",
              mapping={"code": "SQBM", "name": "SQMC"})
    assert job.status == "done"
    assert world.subdistrict.communities.filter(code="330114001003", name="新湾社区").exists()
    remembered = ColumnMapping.objects.get(subdistrict=world.subdistrict, kind="places").mapping
    assert remembered["code"] == "SQBM" and remembered["level"] == "community"
    again = run(world.liuyang, world.subdistrict, "places", "c.geojson", content, confirm=False, level="community")
    assert again.options["mapping"] == {"code": "SQBM", "name": "SQMC"}


@pytest.mark.parametrize(("filename", "content", "code"), [
    ("grids.zip", b"PK\x03\x04 not really a zip", "not_a_zip"),
    ("grids.geojson", b"{not json", "unreadable_file"),
    ("grids.geojson", b'{"type": "FeatureCollection", "features": []}', "empty_file"),
    ("grids.kml", kml_bytes([], doctype='<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'),
     "unsafe_xml"),
    ("grids.kml", kml_bytes([], doctype='<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), "unsafe_xml"),
    ("grids.shp", b"whatever", "unsupported_format"),
    ("grids.kml", b"<kml><unclosed>", "unreadable_file"),
])
def test_bad_boundary_files_are_refused_with_a_code(world, filename, content, code):
    from jusha.core.errors import DomainError
    from jusha.onboarding import services

    with pytest.raises(DomainError) as refused:
        services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="places", filename=filename,
                            content=content)
    assert refused.value.code == code


def test_a_zip_bomb_is_refused_before_it_is_expanded(world):
    from jusha.core.errors import DomainError
    from jusha.onboarding import services

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("grids.shp", b"\0" * 20_000_000)
        archive.writestr("grids.dbf", b"\0")
    with pytest.raises(DomainError) as refused:
        services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="places", filename="g.zip",
                            content=out.getvalue())
    assert refused.value.code == "zip_bomb"


def test_a_file_over_the_size_limit_is_refused(world, settings):
    from jusha.core.errors import DomainError
    from jusha.onboarding import services

    settings.JUSHA_IMPORT_MAX_BYTES = 1000
    with pytest.raises(DomainError) as refused:
        services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="places", filename="g.geojson",
                            content=b" " * 1001)
    assert refused.value.code == "file_too_large"
