"""/api/needs: what a WeChat mini-program uses to ask for help and follow it."""

import pytest
from django.test import Client

from jusha.needs import services
from jusha.needs.models import Need
from tests.needs_helpers import EYE_DROPS, IN_YANLAN, IN_ZHIGE, OUTSIDE, category, png_bytes, submit, upload

URL = "/api/needs"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(**overrides):
    data = {"category": category().pk, "text": EYE_DROPS, "lng": IN_ZHIGE[0], "lat": IN_ZHIGE[1], "crs": "wgs84",
            "urgency": 2, "contact": "text"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def wangfang(client, world):
    client.force_login(world.wangfang)
    return client


def test_categories_are_public_and_a_tree(client, db):
    rows = client.get(f"{URL}/categories").json()
    assert [r["code"] for r in rows][:3] == ["errands", "elderly_disabled", "health"]
    assert rows[0]["name"] == "生活帮扶/跑腿代办" and rows[0]["parent_id"] is None


def test_submitting_needs_a_log_in(client, world):
    assert client.post(URL, body()).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/board").status_code == 401


def test_a_resident_submits_with_photos_and_gets_the_need_back(wangfang, world):
    response = wangfang.post(URL, body(photos=[upload(png_bytes()), upload(png_bytes(), "b.png")]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["community"], data["urgency"], data["duplicate"]) == ("submitted", "智格社区", 2,
                                                                                       False)
    assert len(data["photos"]) == 2 and data["photos"][0].startswith("http://testserver/needs/photos/")
    assert [e["step"] for e in data["timeline"]] == ["submit"]
    assert wangfang.get(data["photos"][0].removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_wechat_and_baidu_coordinates_are_routed_too(wangfang, world, crs):
    from jusha.places.coords import gcj02_to_bd09, wgs84_to_gcj02

    lng, lat = wgs84_to_gcj02(*IN_YANLAN)
    if crs == "bd09":
        lng, lat = gcj02_to_bd09(lng, lat)
    data = wangfang.post(URL, body(lng=lng, lat=lat, crs=crs)).json()
    assert data["community"] == "滟澜社区"


def test_the_same_need_again_returns_the_first_with_200(wangfang, world):
    first = wangfang.post(URL, body()).json()
    again = wangfang.post(URL, body())
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["duplicate"] is True


def test_a_place_outside_is_refused_with_a_translated_message(wangfang, world):
    response = wangfang.post(URL, body(lng=OUTSIDE[0], lat=OUTSIDE[1]))
    assert response.status_code == 400
    data = response.json()
    assert (data["code"], data["field"]) == ("outside_area", "location")
    english = wangfang.post(URL, body(lng=OUTSIDE[0], lat=OUTSIDE[1]), headers={"Accept-Language": "en"}).json()
    assert "outside the area" in english["detail"]


@pytest.mark.parametrize(("photo", "code"), [
    (upload(b"this is a text file", "note.jpg", "image/jpeg"), "photo_not_image"),
    (upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "photo_not_image"),
])
def test_bad_photos_are_refused_with_a_code(wangfang, world, photo, code):
    response = wangfang.post(URL, body(photos=[photo]))
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Need.objects.exists()


def test_schema_errors_are_422_with_fields(wangfang, world):
    response = wangfang.post(URL, body(text="药" * 501, urgency=7))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"text", "urgency"}


def test_an_unknown_community_is_a_clear_400(wangfang, world):
    response = wangfang.post(URL, body(lng=None, lat=None, community=999999))
    assert response.status_code == 400 and response.json()["code"] == "invalid_community"


def test_a_post_without_the_csrf_token_is_refused(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.wangfang)
    assert strict.post(URL, body()).status_code == 403
    assert not Need.objects.exists()


def test_list_and_get_are_scoped_and_not_allowed_looks_like_missing(wangfang, world):
    mine = submit(world.wangfang)
    theirs = submit(world.zhangwei, at=IN_YANLAN, text="张伟的需求")
    assert [n["id"] for n in wangfang.get(URL).json()] == [mine.pk]
    assert wangfang.get(f"{URL}/{mine.pk}").status_code == 200
    hidden, missing = wangfang.get(f"{URL}/{theirs.pk}"), wangfang.get(f"{URL}/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_internal_notes_are_not_in_the_residents_timeline_but_a_rejection_reason_is(wangfang, world):
    escalated = submit(world.wangfang)
    services.need_escalate(actor=world.lina, need=escalated, reason="内部原因")
    rejected = submit(world.wangfang, text="另一个需求")
    services.need_reject(actor=world.lina, need=rejected, reason="请拨打12345")
    assert [e["note"] for e in wangfang.get(f"{URL}/{escalated.pk}").json()["timeline"]] == ["", ""]
    assert wangfang.get(f"{URL}/{rejected.pk}").json()["timeline"][-1]["note"] == "请拨打12345"
    wangfang.force_login(world.lina)
    assert wangfang.get(f"{URL}/{escalated.pk}").json()["timeline"][-1]["note"] == "内部原因"


def test_the_board_has_no_personal_details(wangfang, world):
    need = submit(world.wangfang, address="5幢1单元302")
    services.need_accept(actor=world.lina, need=need)
    items = wangfang.get(f"{URL}/board").json()
    assert [i["id"] for i in items] == [need.pk]
    assert set(items[0]) == {"id", "community", "category", "text", "urgency", "submitted_at"}
