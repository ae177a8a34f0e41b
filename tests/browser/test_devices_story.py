"""A camera joins the command center, in a real browser: 刘洋 registers it and sees its secret once, adds
the rule for clothes drying; the camera pushes a detection that is not confident enough; 赵磊 reviews it
on a 320 px screen and confirms it into cases. axe-core runs on every page visited."""

import json

import pytest
from playwright.sync_api import expect

from jusha.cases.models import Case, Source
from jusha.devices import services
from jusha.devices.models import Detection, Device
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.devices_helpers import IN_ZHIGE, body, category

pytestmark = pytest.mark.browser


def test_register_a_camera_and_review_its_detection(transactional_db, world, live_server, page_at, clock):
    base = live_server.url
    drying = category()
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "liuyang")
    staff.goto(f"{base}/console/devices/")
    axe(staff)
    staff.select_option("#id_kind", "camera")
    staff.fill("#id_code", "CAM-001")
    staff.fill("#id_name", "智格一号点位")
    staff.fill("#id_lng", str(IN_ZHIGE[0]))
    staff.fill("#id_lat", str(IN_ZHIGE[1]))
    staff.get_by_test_id("device-form").locator("button[type=submit]").click()
    expect(staff.get_by_test_id("secret-value")).to_be_visible()
    device = Device.objects.get(code="CAM-001")
    assert staff.get_by_test_id("secret-value").inner_text() == device.secret
    shot(staff, "devices-01-registered")
    axe(staff)

    staff.goto(f"{base}/console/devices/rules/")
    axe(staff)
    staff.fill("#id_detection_type", "clothes_drying")
    staff.select_option("#id_category", str(drying.pk))
    staff.fill("#id_threshold", "0.8")
    staff.get_by_test_id("rule-form").locator("button[type=submit]").click()
    expect(staff.get_by_test_id("rule-row")).to_have_count(1)
    axe(staff)

    detection, _created = services.detection_receive(device=device, idempotency_key="evt-1", signature="a" * 64,
                                                     push=services.parse_push(json.loads(body(0.6))))
    assert detection.status == Detection.Status.REVIEW

    operator = page_at(320, 700)
    staff_logs_in(operator, base, "zhaolei")
    operator.goto(f"{base}/console/devices/detections/")
    axe(operator)
    operator.get_by_test_id("review-row").first.locator("a").click()
    operator.wait_for_url(f"{base}/console/devices/detections/{detection.pk}/")
    axe(operator)
    shot(operator, "devices-02-review")
    width = operator.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 320, f"the detection page scrolls sideways: {width}"
    operator.locator("form[action$='/confirm/'] button").click()
    operator.wait_for_url(f"{base}/console/devices/detections/")
    detection.refresh_from_db()
    assert detection.status == Detection.Status.CONFIRMED
    assert Case.objects.get(pk=detection.case_id).source == Source.CAMERA
    assert_clean(operator)
