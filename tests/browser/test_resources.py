"""Resources in a real browser: 郑丽 describes her hospital's service on a 320 px phone and submits it;
刘洋 approves it; 李娜 sees the hospital suggested on 王芳's need and matches it with one click. Every
page passes axe-core, and the liaison's pages do not scroll sideways at 320 px."""

import pytest
from playwright.sync_api import expect

from jusha.needs.models import Claim
from jusha.resources.models import Resource
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.needs_helpers import category, submit

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: scrollWidth {width}"


def test_a_liaison_describes_a_resource_at_320_px_and_staff_match_it(transactional_db, world, live_server, page_at):
    base = live_server.url
    category("health")
    need = submit(world.wangfang, category=category("health"), text="想请医生上门量血压")

    phone = page_at(320, 640)
    staff_logs_in(phone, base, "zhengli")
    phone.goto(f"{base}/console/resources/mine/")
    phone.get_by_test_id("new-resource").click()
    form = phone.get_by_test_id("resource-form")
    expect(form).to_be_visible()
    no_sideways_scroll(phone)
    axe(phone)
    phone.fill("#id_title", "上门测血压")
    phone.fill("#id_description", "护士上门测血压，每周二、四上午")
    phone.locator(f"input[name=categories][value='{category('health').pk}']").check()
    phone.locator("input[name=weekdays][value='1']").check()
    phone.locator("input[name=weekdays][value='3']").check()
    phone.fill("#id_time_from", "09:00")
    phone.fill("#id_time_until", "11:30")
    phone.fill("#id_capacity", "20")
    phone.fill("#id_contact_mobile", "13900000003")
    shot(phone, "resources-01-form-320")
    form.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("resource-status")).to_have_attribute("data-status", "draft")
    no_sideways_scroll(phone)
    axe(phone)
    phone.get_by_test_id("action-submit").locator("button").click()
    expect(phone.get_by_test_id("resource-status")).to_have_attribute("data-status", "submitted")
    resource = Resource.objects.get()
    assert resource.availability == [{"weekday": 1, "start": "09:00", "end": "11:30"},
                                     {"weekday": 3, "start": "09:00", "end": "11:30"}]
    assert_clean(phone)

    desk = page_at(1280, 900)
    staff_logs_in(desk, base, "liuyang")
    desk.goto(f"{base}/console/resources/?status=submitted")
    axe(desk)
    desk.get_by_role("link", name="上门测血压").click()
    desk.get_by_test_id("action-approve").locator("button").click()
    expect(desk.get_by_test_id("resource-status")).to_have_attribute("data-status", "approved")
    assert_clean(desk)

    lina = page_at(320, 640)
    staff_logs_in(lina, base, "lina")
    lina.goto(f"{base}/console/needs/{need.pk}/")
    suggestion = lina.get_by_test_id("suggestion").first
    expect(suggestion).to_have_attribute("data-unit", str(world.hospital.pk))
    shot(lina, "resources-02-suggestions-320")
    axe(lina)
    suggestion.get_by_test_id("match-suggestion").click()
    expect(lina.get_by_test_id("need-status")).to_have_attribute("data-status", "matched")
    assert Claim.objects.get(need=need).member_unit == world.hospital
    assert_clean(lina)
