"""/api/resources: the same list, review and forms as the console, for other clients."""

import json

import pytest

from jusha.resources.models import Resource
from tests.needs_helpers import category
from tests.resources_helpers import make

URL = "/api/resources"
S = Resource.Status


def body(world, **overrides):
    data = {"unit": world.hospital.pk, "kind": "service", "title": "上门测血压", "categories": [category("health").pk],
            "capacity": 20, "capacity_period": "week",
            "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
            "contact_name": "郑丽", "contact_mobile": "13900000003"}
    data.update(overrides)
    return data


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_everything_needs_a_log_in(client, world):
    assert client.get(URL).status_code == 401
    assert post(client, URL, body(world)).status_code == 401


def test_the_liaison_creates_edits_and_submits_and_the_reviewer_approves(client, world):
    client.force_login(world.zhengli)
    created = post(client, URL, body(world, lng=120.305, lat=30.305))
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["unit_id"], data["service_area"]) == ("draft", world.hospital.pk, [world.zhige.pk])
    url = f"{URL}/{data['id']}"
    edited = client.put(url, json.dumps(body(world, title="上门测血压（周二）")), content_type="application/json")
    assert edited.status_code == 200 and edited.json()["title"] == "上门测血压（周二）"
    assert post(client, f"{url}/submit").json()["status"] == "submitted"
    assert post(client, f"{url}/approve").status_code == 404  # not hers to review
    client.force_login(world.liuyang)
    assert post(client, f"{url}/reject", {"reason": ""}).status_code == 422
    assert post(client, f"{url}/approve").json()["status"] == "approved"
    assert post(client, f"{url}/approve").json()["code"] == "invalid_transition"
    assert post(client, f"{url}/retire").json()["status"] == "retired"


def test_the_list_is_scoped_and_filtered(client, world):
    bp = make(world, S.APPROVED)
    make(world, S.DRAFT, title="草稿")
    hall = make(world, S.SUBMITTED, title="会议室", kind="venue", service_area=[world.yanlan])
    client.force_login(world.chenjing)
    assert [r["id"] for r in client.get(URL).json()] == [hall.pk]
    client.force_login(world.liuyang)
    assert {r["id"] for r in client.get(URL).json()} == {bp.pk, hall.pk}
    assert [r["id"] for r in client.get(URL, {"kind": "venue"}).json()] == [hall.pk]
    assert [r["id"] for r in client.get(URL, {"status": "approved"}).json()] == [bp.pk]
    assert client.get(URL, {"status": "nonsense"}).status_code == 422
    assert client.get(f"{URL}/{make(world).pk}").status_code == 404  # a draft


@pytest.mark.parametrize(("overrides", "status", "code"), [
    ({"unit": 999999}, 400, "invalid_unit"),
    ({"categories": [999999]}, 400, "invalid_category"),
    ({"categories": []}, 422, "invalid"),
    ({"availability": [{"weekday": 9, "start": "09:00", "end": "10:00"}]}, 422, "invalid"),
    ({"availability": [{"weekday": 1, "start": "11:00", "end": "10:00"}]}, 400, "invalid_availability"),
    ({"kind": "spaceship"}, 422, "invalid"),
    ({"lng": 120.3}, 400, "invalid_location"),
    ({"contact_mobile": "abc"}, 400, "invalid_mobile"),
    ({"title": "x" * 500}, 422, "invalid"),
])
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, world, overrides, status, code):
    client.force_login(world.zhengli)
    response = post(client, URL, body(world, **overrides))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Resource.objects.exists()


def test_ids_out_of_range_are_refused_not_a_500(client, world):
    client.force_login(world.liuyang)
    assert client.get(f"{URL}/0").status_code == 422
    assert client.get(f"{URL}/99999999999999999999999").status_code == 422
    assert post(client, f"{URL}/123456/approve").status_code == 404
