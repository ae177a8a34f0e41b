"""Who manages devices and reviews detections, person by person, and the console pages.

下沙's staff 刘洋 (and the administrator) register devices and keep the rules; 下沙's command operator 赵磊
(and 刘洋) review detections; 白杨's staff 何勇 sees none of 下沙's; residents, community staff, supervisors,
grid workers and liaisons have nothing to do with devices (404, like a page that does not exist).
"""

import pytest

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.cases.models import Case, Source
from jusha.core.errors import DomainError, NotAllowed
from jusha.devices import services
from jusha.devices.models import Detection, DetectionRule, Device
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from tests.conftest import rect
from tests.devices_helpers import IN_ZHIGE, body, camera, category, push, rule

D = Detection.Status
PEOPLE = ["wangfang", "lina", "liuyang", "zhaolei", "sunmin", "zhouqiang", "wugang", "zhengli", "admin", "heyong"]
MANAGE = {"liuyang": "X", "admin": "XY", "heyong": "Y"}
REVIEW = {"liuyang": "X", "zhaolei": "X", "admin": "XY", "heyong": "Y"}


@pytest.fixture
def setup(world, clock, client, django_capture_on_commit_callbacks):
    baiyang = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道",
                                         boundary=rect(120.40, 30.30, 120.42, 30.32))
    Community.objects.create(subdistrict=baiyang, code="330114002001", name="白杨社区",
                             boundary=rect(120.40, 30.30, 120.42, 30.32))
    world.heyong = User.objects.create_user(username="heyong", name="何勇")
    RoleAssignment.objects.create(user=world.heyong, role=Role.SUBDISTRICT_STAFF, subdistrict=baiyang)
    rule(world, threshold=0.9)
    services.rule_save(actor=world.heyong, subdistrict=baiyang, detection_type="clothes_drying",
                       category=category().pk, threshold=0.9)
    x, x_secret = camera(world)
    y, y_secret = services.device_register(actor=world.heyong, kind="camera", code="BY-1", name="白杨一号",
                                           lng=120.41, lat=30.31)
    with django_capture_on_commit_callbacks(execute=True):
        push(client, x, x_secret, body(0.5), key="x")
        push(client, y, y_secret, body(0.5), key="y")
    return {"X": x, "Y": y, "baiyang": baiyang}


@pytest.mark.parametrize("action, table, model, via", [
    (Action.DEVICE_MANAGE, MANAGE, Device, lambda d: d.pk),
    (Action.DEVICE_MANAGE, MANAGE, DetectionRule, lambda d: DetectionRule.objects.get(subdistrict=d.subdistrict).pk),
    (Action.DETECTION_REVIEW, REVIEW, Detection, lambda d: d.detections.get().pk),
])
def test_the_matrix(world, setup, action, table, model, via):
    for name in PEOPLE:
        seen = set(permissions.visible(getattr(world, name), action, model.objects.all()).values_list("pk", flat=True))
        expected = {via(setup[k]) for k in table.get(name, "")}
        assert seen == expected, (name, action)
        assert permissions.can(getattr(world, name), action) == bool(table.get(name)), name


def test_confirming_a_detection_reports_it_into_cases(world, setup):
    detection = setup["X"].detections.get()
    confirmed = services.detection_confirm(actor=world.zhaolei, detection=detection)
    assert confirmed.status == D.CONFIRMED and confirmed.reviewed_by == world.zhaolei
    case = Case.objects.get(pk=confirmed.case_id)
    assert case.source == Source.CAMERA and case.reports.get().reporter is None
    assert AuditEntry.objects.filter(action="devices.detection_confirm", actor=world.zhaolei).count() == 1
    with pytest.raises(DomainError) as refused:
        services.detection_dismiss(actor=world.zhaolei, detection=detection, reason="误报")
    assert refused.value.code == "already_reviewed"


def test_dismissing_needs_a_reason_and_sends_nothing_to_cases(world, setup):
    detection = setup["X"].detections.get()
    with pytest.raises(DomainError) as refused:
        services.detection_dismiss(actor=world.zhaolei, detection=detection, reason=" ")
    assert refused.value.code == "required"
    dismissed = services.detection_dismiss(actor=world.zhaolei, detection=detection, reason="晾衣架上没有衣物")
    assert dismissed.status == D.DISMISSED and Case.objects.count() == 0


def test_others_cannot_review_or_manage(world, setup):
    detection = setup["X"].detections.get()
    for person in (world.heyong, world.lina, world.sunmin, world.wangfang):
        with pytest.raises(NotAllowed):
            services.detection_confirm(actor=person, detection=detection)
        with pytest.raises(NotAllowed):
            services.device_rotate_secret(actor=person, device=setup["X"])
    with pytest.raises(NotAllowed):
        services.device_register(actor=world.zhaolei, kind="camera", code="Z", name="Z", lng=IN_ZHIGE[0],
                                 lat=IN_ZHIGE[1])
    with pytest.raises(DomainError) as refused:
        services.device_register(actor=world.heyong, kind="camera", code="Z", name="Z", lng=IN_ZHIGE[0],
                                 lat=IN_ZHIGE[1])
    assert refused.value.code == "outside_area"


def test_a_device_registered_in_gcj02_is_stored_in_wgs84(world, clock):
    from jusha.places.coords import wgs84_to_gcj02

    lng, lat = wgs84_to_gcj02(*IN_ZHIGE)
    device, _secret = services.device_register(actor=world.liuyang, kind="sensor", code="MH-9", name="井盖",
                                               lng=lng, lat=lat, crs="gcj02")
    assert abs(device.lng - IN_ZHIGE[0]) < 1e-5 and abs(device.lat - IN_ZHIGE[1]) < 1e-5
    assert device.grid == world.zhige1


@pytest.mark.parametrize("values, code", [
    ({"kind": "drone"}, "invalid_kind"), ({"code": "a b"}, "invalid_code"), ({"code": "CAM-001"}, "duplicate_code"),
    ({"lng": 120.45, "lat": 30.45}, "outside_area"), ({"name": ""}, "required"),
])
def test_registering_refuses_bad_input(world, setup, values, code):
    args = {"kind": "camera", "code": "NEW-1", "name": "新点位", "lng": IN_ZHIGE[0], "lat": IN_ZHIGE[1], **values}
    with pytest.raises(DomainError) as refused:
        services.device_register(actor=world.liuyang, **args)
    assert refused.value.code == code


@pytest.mark.parametrize("values, code", [
    ({"threshold": "1.5"}, "invalid_threshold"), ({"threshold": "nan"}, "invalid_threshold"),
    ({"detection_type": "Bad!"}, "invalid_type"), ({"category": 999999}, "invalid_category"),
    ({"detection_type": "clothes_drying"}, "duplicate_type"),
])
def test_rules_refuse_bad_input(world, setup, values, code):
    args = {"detection_type": "street_vending", "category": category().pk, "threshold": "0.7", **values}
    with pytest.raises(DomainError) as refused:
        services.rule_save(actor=world.liuyang, subdistrict=world.subdistrict, **args)
    assert refused.value.code == code


def test_console_pages_render_for_staff(world, setup, client):
    client.force_login(world.liuyang)
    x = setup["X"]
    detection = x.detections.get()
    for url in ("/console/devices/", f"/console/devices/{x.pk}/", "/console/devices/detections/",
                f"/console/devices/detections/{detection.pk}/", "/console/devices/rules/",
                f"/console/devices/rules/{DetectionRule.objects.get(subdistrict=world.subdistrict).pk}/"):
        assert client.get(url).status_code == 200, url
    # Another subdistrict's device, detection and rule look like nothing at all.
    y = setup["Y"]
    for url in (f"/console/devices/{y.pk}/", f"/console/devices/detections/{y.detections.get().pk}/",
                f"/console/devices/rules/{DetectionRule.objects.get(subdistrict=setup['baiyang']).pk}/"):
        assert client.get(url).status_code == 404, url


def test_register_shows_the_secret_once_and_rotate_issues_a_new_one(world, setup, client):
    client.force_login(world.liuyang)
    response = client.post("/console/devices/", {"kind": "camera", "code": "CAM-9", "name": "新点位",
                                                 "lng": str(IN_ZHIGE[0]), "lat": str(IN_ZHIGE[1]), "crs": "wgs84"})
    device = Device.objects.get(code="CAM-9")
    assert response.status_code == 200 and device.secret in response.content.decode()
    assert device.secret not in client.get(f"/console/devices/{device.pk}/").content.decode()
    old = device.secret
    response = client.post(f"/console/devices/{device.pk}/rotate/")
    device.refresh_from_db()
    assert device.secret != old and device.secret in response.content.decode()
    client.post(f"/console/devices/{device.pk}/active/", {"active": "0"})
    device.refresh_from_db()
    assert device.is_active is False
    bad = client.post("/console/devices/", {"kind": "camera", "code": "", "name": "", "lng": "x", "lat": ""})
    assert bad.status_code == 400


def test_review_pages_confirm_and_dismiss(world, setup, client):
    client.force_login(world.zhaolei)
    detection = setup["X"].detections.get()
    assert client.post(f"/console/devices/detections/{detection.pk}/dismiss/", {"reason": ""}).status_code == 400
    assert client.post(f"/console/devices/detections/{detection.pk}/nonsense/").status_code == 404
    assert client.post(f"/console/devices/detections/{detection.pk}/confirm/").status_code == 302
    assert Detection.objects.get(pk=detection.pk).status == D.CONFIRMED
    # The operator does not manage devices.
    assert client.get("/console/devices/").status_code == 404
    assert client.get("/console/devices/rules/").status_code == 404


def test_rules_page_saves_a_rule(world, setup, client):
    client.force_login(world.liuyang)
    response = client.post("/console/devices/rules/", {"detection_type": "street_vending",
                                                       "category": str(category("SJ0502").pk), "threshold": "0.75"})
    assert response.status_code == 302
    assert DetectionRule.objects.get(subdistrict=world.subdistrict, detection_type="street_vending").threshold == 0.75
    assert client.post("/console/devices/rules/", {"detection_type": "x", "category": "", "threshold": "2"}
                       ).status_code == 400


@pytest.mark.parametrize("name", ["wangfang", "lina", "sunmin", "zhouqiang", "zhengli"])
def test_pages_are_not_there_for_others(world, setup, client, name):
    client.force_login(getattr(world, name))
    for url in ("/console/devices/", "/console/devices/detections/", "/console/devices/rules/",
                f"/console/devices/{setup['X'].pk}/"):
        assert client.get(url).status_code in (404, 302), (name, url)


def test_list_pages_run_a_fixed_number_of_queries(world, setup, client, django_assert_max_num_queries):
    for n in range(10):
        camera(world, code=f"MORE-{n}")
    services.rule_save(actor=world.liuyang, subdistrict=world.subdistrict, detection_type="street_vending",
                       category=category("SJ0502").pk, threshold=0.9)
    client.force_login(world.liuyang)
    for url in ("/console/devices/", "/console/devices/detections/", "/console/devices/rules/"):
        client.get(url)
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_the_admin_lists_devices_without_their_secret(world, setup, client):
    client.force_login(world.admin)
    x = setup["X"]
    for url in ("/admin/devices/device/", f"/admin/devices/device/{x.pk}/change/", "/admin/devices/detection/",
                "/admin/devices/detectionrule/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert x.secret not in response.content.decode()
