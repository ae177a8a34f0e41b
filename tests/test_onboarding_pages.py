"""The setup wizard in the console and `jusha import`: upload, map, report, confirm, progress; bad files
get a translated error and a 400, never a 500; people who may not import see nothing (404)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jusha.onboarding.models import ImportJob
from jusha.orgs.models import MemberUnit
from jusha.places.models import District, Grid, Subdistrict
from tests.conftest import PASSWORD
from tests.onboarding_helpers import read_workbook, workbook_bytes, zhige_grids_gcj

UNITS = [["单位名称", "单位类别"], ["下沙中学", "学校"], ["钱塘物业", "火星"]]


def login(client, username):
    assert client.post("/login/staff/", {"username": username, "password": PASSWORD}).status_code == 302


def upload(client, world, kind, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/console/onboarding/upload/", {"subdistrict": world.subdistrict.pk, "kind": kind,
                                                       "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_wizard_units_one_bad_row_then_fixed_and_imported(client, world, commit):
    login(client, "liuyang")
    assert client.get("/console/onboarding/").status_code == 200
    response = upload(client, world, "units", "units.xlsx", workbook_bytes(UNITS))
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    page = client.get(response.url)
    assert page.status_code == 200 and b'data-testid="mapping-form"' in page.content
    with commit():
        response = client.post(f"/console/onboarding/{job.pk}/check/",
                               {"map_name": "单位名称", "map_category": "单位类别"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "checked" and [e["code"] for e in job.report["errors"]] == ["invalid_choice"]
    page = client.get(f"/console/onboarding/{job.pk}/").content.decode()
    assert 'data-code="invalid_choice"' in page and 'data-testid="confirm-import"' not in page
    report = client.get(f"/console/onboarding/{job.pk}/errors/")
    assert report.status_code == 200 and read_workbook(report.content)[2][-1]
    assert client.post(f"/console/onboarding/{job.pk}/confirm/").status_code == 400
    assert not MemberUnit.objects.filter(name="下沙中学").exists()

    fixed = workbook_bytes([UNITS[0], UNITS[1], ["钱塘物业", "企业"]])
    response = upload(client, world, "units", "units.xlsx", fixed)
    job = ImportJob.objects.latest("id")
    assert job.options["mapping"] == {"name": "单位名称", "category": "单位类别"}
    with commit():
        client.post(f"/console/onboarding/{job.pk}/check/", {"map_name": "单位名称", "map_category": "单位类别"})
    with commit():
        assert client.post(f"/console/onboarding/{job.pk}/confirm/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert MemberUnit.objects.get(name="钱塘物业").category == "enterprise"


def test_wizard_places_shows_the_preview_map_and_progress_polls(client, world, commit):
    login(client, "admin")
    upload(client, world, "places", "grids.geojson", zhige_grids_gcj())
    job = ImportJob.objects.latest("id")
    with commit():
        client.post(f"/console/onboarding/{job.pk}/check/", {"map_name": "网格名称", "map_code": "网格编码",
                                                             "level": "grid", "crs": "gcj02"})
    page = client.get(f"/console/onboarding/{job.pk}/").content.decode()
    assert 'data-testid="preview-map"' in page and "data-problems-url" in page
    places = client.get(f"/console/onboarding/{job.pk}/preview/places.geojson").json()
    assert len(places["features"]) == 2
    assert client.get(f"/console/onboarding/{job.pk}/preview/other.geojson").status_code == 404
    # Finished jobs tell the poller to reload; running ones render the bar.
    assert client.get(f"/console/onboarding/{job.pk}/progress/").headers.get("HX-Refresh") == "true"
    ImportJob.objects.filter(pk=job.pk).update(status="importing", phase="checking", progress_done=5,
                                               progress_total=10)
    bar = client.get(f"/console/onboarding/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert b'value="50"' in bar.content and b"<html" not in bar.content


@pytest.mark.parametrize(("name", "content", "code"), [
    ("grids.zip", b"not a zip", "not_a_zip"),
    ("grids.kml", b'<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml>&x;</kml>', "unsafe_xml"),
    ("grids.exe", b"MZ", "unsupported_format"),
])
def test_bad_uploads_are_a_400_with_a_code(client, world, name, content, code):
    login(client, "liuyang")
    response = upload(client, world, "places", name, content)
    assert response.status_code == 400
    assert f'data-code="{code}"'.encode() in response.content


def test_a_huge_upload_is_refused_before_it_is_read(client, world, settings):
    settings.JUSHA_IMPORT_MAX_BYTES = 100
    login(client, "liuyang")
    response = upload(client, world, "units", "u.csv", b"a" * 101)
    assert response.status_code == 400 and b'data-code="file_too_large"' in response.content
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("person", ["lina", "zhaolei", "sunmin", "zhengli", "zhouqiang"])
def test_other_staff_see_no_wizard_and_no_jobs(client, world, person):
    job = ImportJob.objects.create(subdistrict=world.subdistrict, kind="units", filename="a.xlsx", content=b"x",
                                   created_at=world.admin.date_joined)
    login(client, person)
    for url in ("/console/onboarding/", f"/console/onboarding/{job.pk}/", "/console/onboarding/templates/units.xlsx",
                f"/console/onboarding/export/{world.subdistrict.pk}/residents.xlsx"):
        assert client.get(url).status_code == 404, url
    assert upload(client, world, "units", "u.csv", b"a,b\n").status_code == 404


def test_staff_of_another_subdistrict_cannot_import_into_this_one(client, world):
    from jusha.accounts.models import Role, RoleAssignment, User

    other = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    stranger = User.objects.create_user(username="stranger", password=PASSWORD, name="外人")
    RoleAssignment.objects.create(user=stranger, role=Role.SUBDISTRICT_STAFF, subdistrict=other)
    login(client, "stranger")
    assert upload(client, world, "units", "u.csv", "单位名称,单位类别\n甲,企业\n".encode()).status_code == 404
    assert client.get(f"/console/onboarding/export/{world.subdistrict.pk}/units.xlsx").status_code == 404


def test_only_administrators_create_subdistricts(client, world):
    login(client, "liuyang")
    data = {"district_code": "330100", "district_name": "测试区", "code": "330100001", "name": "测试街道"}
    assert client.post("/console/onboarding/subdistricts/", data).status_code == 404
    client.logout()
    login(client, "admin")
    assert client.post("/console/onboarding/subdistricts/", data).status_code == 302
    assert Subdistrict.objects.get(code="330100001").district == District.objects.get(code="330100")
    again = client.post("/console/onboarding/subdistricts/", data)
    assert again.status_code == 400 and b'data-code="duplicate"' in again.content
    bad = client.post("/console/onboarding/subdistricts/", {**data, "code": "12"})
    assert bad.status_code == 400 and b'data-code="invalid_place"' in bad.content


def test_template_and_export_downloads(client, world):
    login(client, "liuyang")
    template = client.get("/console/onboarding/templates/residents.xlsx")
    assert template.status_code == 200 and read_workbook(template.content)[0][0] == "姓名*"
    export = client.get(f"/console/onboarding/export/{world.subdistrict.pk}/residents.xlsx")
    rows = read_workbook(export.content)
    assert ["王芳", "13800000001", "330114001001", None] in rows
    volunteers = client.get("/console/onboarding/templates/volunteers.xlsx")
    assert volunteers.status_code == 200 and read_workbook(volunteers.content)[0][0] == "姓名*"
    assert client.get("/console/onboarding/templates/places.xlsx").status_code == 404


def test_import_command_checks_writes_the_error_report_and_imports(world, tmp_path):
    grids = tmp_path / "grids.geojson"
    grids.write_bytes(zhige_grids_gcj())
    out = io.StringIO()
    call_command("import", "places", str(grids), "--subdistrict", "330114001", "--user", "liuyang", "--crs", "gcj02",
                 "--map", "name=网格名称", "--map", "code=网格编码", stdout=out)
    assert Grid.objects.get(code="330114001001001").name == "智格一网格"
    bad = tmp_path / "units.xlsx"
    bad.write_bytes(workbook_bytes(UNITS))
    with pytest.raises(CommandError):
        call_command("import", "units", str(bad), "--subdistrict", "330114001", "--user", "liuyang",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert (tmp_path / "units-errors.xlsx").exists()
    assert not MemberUnit.objects.filter(name="下沙中学").exists()
    with pytest.raises(CommandError):
        call_command("import", "units", str(bad), "--subdistrict", "330114001", "--user", "lina",
                     stdout=io.StringIO(), stderr=io.StringIO())
