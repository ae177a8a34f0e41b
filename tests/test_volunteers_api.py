"""The volunteers' JSON API: apply, read and change one's own record, staff list and review, a unit's
team. The identity number never comes back in full."""

import json

import pytest

from jusha.volunteers.models import Volunteer
from tests.volunteers_helpers import WANGFANG_ID, S, apply, id_number

URL = "/api/volunteers"


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def body(world, **overrides) -> dict:
    data = {"name": "王芳", "gender": "female", "birth_month": "1985-03", "id_type": "resident_id",
            "id_number": WANGFANG_ID, "community": world.zhige.pk, "skills": ["elderly_care"],
            "mobile": "13800000001", "availability": [{"weekday": 5, "start": "09:00", "end": "12:00"}],
            "service_area": [world.zhige.pk, world.yanlan.pk]}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("method", "url"), [("get", "/me"), ("get", ""), ("post", "/apply"), ("get", "/1")])
def test_everything_needs_a_log_in(client, world, method, url):
    assert getattr(client, method)(URL + url).status_code == 401


def test_a_resident_applies_and_reads_their_record_without_the_full_number(client, world):
    client.force_login(world.wangfang)
    assert client.get(f"{URL}/me").status_code == 404
    made = post(client, f"{URL}/apply", body(world))
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == S.APPLIED and data["number"] is None
    assert data["id_number_masked"].endswith(WANGFANG_ID[-4:]) and WANGFANG_ID not in made.content.decode()
    assert client.get(f"{URL}/me").json()["id"] == data["id"]
    again = post(client, f"{URL}/apply", body(world))
    assert (again.status_code, again.json()["code"]) == (400, "already_applied")


@pytest.mark.parametrize(("overrides", "status", "code"), [
    ({"id_number": WANGFANG_ID[:-1] + ("1" if WANGFANG_ID[-1] != "1" else "2")}, 400, "invalid_id_number"),
    ({"extra": {"occupation": "教师"}}, 400, "consent_required"),
    ({"community": 999999}, 400, "invalid_choice"),
    ({"service_area": [999999]}, 400, "invalid_choice"),
    ({"birth_month": "1985-13"}, 422, "invalid"),
    ({"skills": ["juggling"]}, 422, "invalid"),
])
def test_bad_applications_are_refused_and_nothing_is_kept(client, world, overrides, status, code):
    client.force_login(world.wangfang)
    refused = post(client, f"{URL}/apply", body(world, **overrides))
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert not Volunteer.objects.exists()


def test_extras_with_consent_are_kept(client, world):
    client.force_login(world.wangfang)
    made = post(client, f"{URL}/apply", body(world, extra={"occupation": "教师"}, extra_consent=True))
    assert made.json()["extra"] == {"occupation": "教师"}


def test_the_volunteer_changes_and_withdraws_their_record(client, world):
    apply(world)
    client.force_login(world.wangfang)
    changed = client.put(f"{URL}/me", json.dumps({"skills": ["repair"], "mobile": "13800000009"}),
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["skills"] == ["repair"]
    left = post(client, f"{URL}/me/withdraw", {"reason": "搬家"})
    assert left.json()["status"] == S.WITHDRAWN


def test_staff_list_and_review_their_communitys_records(client, world):
    volunteer = apply(world)
    client.force_login(world.chenjing)
    assert client.get(URL).json() == []
    assert post(client, f"{URL}/{volunteer.pk}/review", {"step": "approve"}).status_code == 404
    client.force_login(world.lina)
    assert [r["id"] for r in client.get(URL, {"status": "applied"}).json()] == [volunteer.pk]
    no_reason = post(client, f"{URL}/{volunteer.pk}/review", {"step": "reject"})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "required")
    done = post(client, f"{URL}/{volunteer.pk}/review", {"step": "approve"})
    assert done.status_code == 200 and done.json()["status"] == S.APPROVED and done.json()["number"]
    twice = post(client, f"{URL}/{volunteer.pk}/review", {"step": "approve"})
    assert (twice.status_code, twice.json()["code"]) == (400, "invalid_transition")
    assert post(client, f"{URL}/{volunteer.pk}/review", {"step": "explode"}).status_code == 422


def test_a_liaison_registers_a_team_all_or_nothing(client, world):
    client.force_login(world.zhengli)
    member = {"name": "钱医生", "gender": "male", "birth_month": "1980-01", "id_number": id_number("19800101", "011"),
              "community": world.zhige.pk, "skills": ["medical"], "mobile": "13700000001"}
    bad = {**member, "mobile": "13700000002", "id_number": "330114198001010110"}
    refused = post(client, f"{URL}/team", {"unit": world.hospital.pk, "members": [member, bad]})
    assert (refused.status_code, refused.json()["field"]) == (400, "members.1.id_number")
    assert not Volunteer.objects.exists()
    made = post(client, f"{URL}/team", {"unit": world.hospital.pk, "members": [member]})
    assert made.status_code == 201 and made.json()[0]["unit"] == world.hospital.name
    record = Volunteer.objects.get()
    assert record.user.mobile == "13700000001" and record.status == S.APPLIED
    client.force_login(world.wangfang)
    assert post(client, f"{URL}/team", {"unit": world.hospital.pk, "members": [member]}).status_code == 404


def test_a_team_member_already_registered_by_document_is_refused(client, world):
    apply(world)
    client.force_login(world.zhengli)
    member = {"name": "王芳", "gender": "female", "birth_month": "1985-03", "id_number": WANGFANG_ID,
              "community": world.zhige.pk, "skills": ["medical"], "mobile": "13700000001"}
    refused = post(client, f"{URL}/team", {"unit": world.hospital.pk, "members": [member]})
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (400, "id_taken",
                                                                                      "members.0.id_number")
    assert Volunteer.objects.count() == 1
