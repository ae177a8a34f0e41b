"""The Open311 console in a real browser: 刘洋 creates a key for an app and sees it once; the app posts a
request with only an address; 赵磊 places it on the map on a 320 px screen and it is in cases. axe-core
runs on every page visited."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from jusha.cases.models import Source
from jusha.open311.models import ApiClient, ServiceRequest
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.open311_helpers import BASE, IN_ZHIGE, category

pytestmark = pytest.mark.browser


def test_a_key_for_an_app_and_placing_its_address_only_request(transactional_db, world, live_server, page_at,
                                                               clock):
    base = live_server.url
    category()
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "liuyang")
    staff.goto(f"{base}/console/open311/")
    axe(staff)
    staff.fill("#id_name", "城市通 app")
    staff.get_by_test_id("key-form").locator("button[type=submit]").click()
    expect(staff.get_by_test_id("key-value")).to_be_visible()
    api_key = staff.get_by_test_id("key-value").inner_text()
    assert ApiClient.objects.get(name="城市通 app").prefix == api_key[:12]
    shot(staff, "open311-01-key")
    axe(staff)

    answer = Client().post(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "SJ0104",
                                                     "address_string": "下沙路 88 号"}).json()
    token = answer[0]["token"]

    operator = page_at(320, 700)
    staff_logs_in(operator, base, "zhaolei")
    operator.goto(f"{base}/console/open311/")
    axe(operator)
    row = operator.get_by_test_id("waiting-row").first
    row.locator("input[name=lng]").fill(str(IN_ZHIGE[0]))
    row.locator("input[name=lat]").fill(str(IN_ZHIGE[1]))
    shot(operator, "open311-02-place")
    width = operator.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 320, f"the Open311 page scrolls sideways: {width}"
    row.locator("button[type=submit]").click()
    operator.wait_for_url(f"{base}/console/open311/")
    expect(operator.get_by_test_id("waiting-row")).to_have_count(0)
    axe(operator)
    placed = ServiceRequest.objects.get(token=token)
    assert placed.report.case.source == Source.OPEN311
    assert_clean(operator)
    assert_clean(staff)
