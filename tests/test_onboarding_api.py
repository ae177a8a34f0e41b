"""The onboarding JSON API: upload, check, read progress and errors, download the error report, confirm,
list; only administrators and the subdistrict's staff, everyone else 404 (or 401 without a log-in)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jusha.onboarding.models import ImportJob
from jusha.orgs.models import MemberUnit
from tests.onboarding_helpers import read_workbook, workbook_bytes

URL = "/api/onboarding/jobs"
UNITS = [["单位名称", "单位类别"], ["下沙中学", "中学校"], ["钱塘物业", "企业"]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(client, world, content, *, kind="units", name="units.xlsx"):
    return client.post(URL, {"subdistrict": world.subdistrict.pk, "kind": kind,
                             "file": SimpleUploadedFile(name, content)})


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.mark.parametrize(("method", "url"), [("get", ""), ("post", ""), ("get", "/1"), ("post", "/1/check"),
                                             ("post", "/1/confirm"), ("get", "/1/errors")])
def test_everything_needs_a_log_in(client, world, method, url):
    assert getattr(client, method)(URL + url).status_code == 401


def test_upload_check_fix_and_import(client, world, commit):
    client.force_login(world.liuyang)
    made = upload(client, world, workbook_bytes(UNITS))
    assert made.status_code == 201, made.content
    job = made.json()
    assert job["status"] == "uploaded" and job["columns"] == ["单位名称", "单位类别"]
    assert job["options"]["mapping"] == {"name": "单位名称", "category": "单位类别"}
    assert post(client, f"{URL}/{job['id']}/confirm").status_code == 409  # not checked yet
    with commit():
        checked = post(client, f"{URL}/{job['id']}/check")
    assert checked.status_code == 202
    one = client.get(f"{URL}/{job['id']}").json()
    assert one["status"] == "checked" and one["error_total"] == 1 and one["bad_rows"] == 1
    assert [(e["row"], e["field"], e["code"]) for e in one["errors"]] == [(2, "category", "invalid_choice")]
    report = client.get(f"{URL}/{job['id']}/errors")
    assert report.status_code == 200 and read_workbook(report.content)[1][-1]
    refused = post(client, f"{URL}/{job['id']}/confirm")
    assert refused.status_code == 400 and refused.json()["code"] == "has_errors"
    assert not MemberUnit.objects.filter(name="下沙中学").exists()

    fixed = upload(client, world, workbook_bytes([UNITS[0], ["下沙中学", "学校"], UNITS[2]])).json()
    with commit():
        post(client, f"{URL}/{fixed['id']}/check", {"mapping": {"name": "单位名称", "category": "单位类别"}})
    assert client.get(f"{URL}/{fixed['id']}/errors").status_code == 404  # no errors, no report
    with commit():
        confirmed = post(client, f"{URL}/{fixed['id']}/confirm")
    assert confirmed.status_code == 202
    done = client.get(f"{URL}/{fixed['id']}").json()
    assert done["status"] == "done" and (done["created"], done["percent"]) == (2, 100)
    assert MemberUnit.objects.filter(name="下沙中学", category="school").exists()
    assert post(client, f"{URL}/{fixed['id']}/confirm").status_code == 409
    listed = client.get(URL, {"kind": "units"}).json()
    assert [j["id"] for j in listed] == [fixed["id"], job["id"]]


def test_bad_input_is_a_documented_error(client, world, settings):
    client.force_login(world.admin)
    bad = upload(client, world, b"not a workbook", name="units.xlsx")
    assert bad.status_code == 400
    assert client.post(URL, {"subdistrict": world.subdistrict.pk, "kind": "nonsense",
                             "file": SimpleUploadedFile("a.csv", b"a")}).status_code == 422
    job = upload(client, world, workbook_bytes(UNITS)).json()
    wrong = post(client, f"{URL}/{job['id']}/check", {"mapping": {"name": "没有这一列"}})
    assert wrong.status_code == 400 and wrong.json()["code"] == "unknown_column"
    settings.JUSHA_IMPORT_MAX_BYTES = 10
    too_big = upload(client, world, workbook_bytes(UNITS))
    assert too_big.status_code == 413 and too_big.json()["code"] == "file_too_large"


@pytest.mark.parametrize(("who", "may"), [("admin", True), ("liuyang", True), ("lina", False), ("wangfang", False),
                                          ("zhangwei", False)])
def test_only_administrators_and_subdistrict_staff(client, world, who, may):
    from jusha.onboarding import services

    job = services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="units", filename="u.xlsx",
                              content=workbook_bytes(UNITS))
    client.force_login(getattr(world, who))
    expected = 200 if may else 404
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}/{job.pk}").status_code == expected
    assert upload(client, world, workbook_bytes(UNITS)).status_code == (201 if may else 404)
    assert post(client, f"{URL}/{job.pk}/confirm").status_code == (409 if may else 404)
    assert ImportJob.objects.count() == (2 if may else 1)


def test_volunteers_through_the_api(client, world, commit):
    from tests.test_onboarding_volunteers import HEADER, _rows

    client.force_login(world.liuyang)
    job = upload(client, world, workbook_bytes([HEADER, *_rows(world)]), kind="volunteers", name="v.xlsx").json()
    with commit():
        post(client, f"{URL}/{job['id']}/check")
    with commit():
        assert post(client, f"{URL}/{job['id']}/confirm").status_code == 202
    assert client.get(f"{URL}/{job['id']}").json()["created"] == 3
