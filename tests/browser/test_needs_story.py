"""The eye-drops story in a real browser: 王芳 asks for eye drops on a 375 px phone; 李娜 (智格's
community staff) matches 下沙医院 ten minutes later; 郑丽, the hospital's liaison, accepts and half a
day later records the delivery; 王芳 confirms and gives five stars. axe-core runs on every page.
"""

import pytest
from playwright.sync_api import expect

from jusha.needs.models import Need
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in
from tests.needs_helpers import EYE_DROPS, category

pytestmark = pytest.mark.browser


def test_eye_drops_from_asking_to_rating(transactional_db, world, live_server, page, page_at, sent_texts, clock):
    base = live_server.url
    errands = category("errands")

    # 王芳 asks for help from the 办事 tab.
    resident_logs_in(page, base, "13800000001", sent_texts)
    page.goto(f"{base}/services/")
    axe(page)
    page.get_by_test_id("ask-for-help").click()
    page.wait_for_url(f"{base}/needs/new/")
    expect(page.locator("#id_community")).to_have_value(str(world.zhige.pk))
    page.select_option("#id_category", str(errands.pk))
    page.fill("#id_text", EYE_DROPS)
    page.fill("#id_address", "5幢1单元302")
    page.locator("label[for='id_urgency_1']").click()
    shot(page, "needs-01-ask")
    axe(page)
    page.get_by_test_id("submit-need").click()
    need = Need.objects.get()
    page.wait_for_url(f"{base}/needs/{need.pk}/")
    expect(page.get_by_test_id("need-text")).to_have_text(EYE_DROPS)
    expect(page.locator("[data-step='submit']")).to_be_visible()
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the tracking page scrolls sideways: {width}"
    shot(page, "needs-02-tracking")
    axe(page)

    # Ten minutes later 李娜 finds it at the top of her queue and matches the hospital.
    clock.advance(minutes=10)
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "lina")
    staff.goto(f"{base}/console/needs/")
    row = staff.get_by_test_id("queue-row").first
    expect(row).to_contain_text("眼药水")
    axe(staff)
    row.locator("a").click()
    staff.wait_for_url(f"{base}/console/needs/{need.pk}/")
    axe(staff)
    match = staff.get_by_test_id("action-match")
    match.locator("select[name=unit]").select_option(str(world.hospital.pk))
    match.locator("button[type=submit]").click()
    expect(staff.get_by_test_id("need-status")).to_have_attribute("data-status", "matched")
    shot(staff, "needs-03-console-matched")
    need.refresh_from_db()
    assert (need.first_response_at - need.submitted_at).total_seconds() == pytest.approx(600, abs=1)

    # 郑丽 accepts for the hospital and, half a day later, records the delivery.
    liaison = page_at(1280, 900)
    staff_logs_in(liaison, base, "zhengli")
    liaison.goto(f"{base}/console/needs/unit/")
    axe(liaison)
    liaison.get_by_test_id("unit-row").first.locator("a").click()
    liaison.get_by_test_id("action-match_accept").locator("button[type=submit]").click()
    expect(liaison.get_by_test_id("resident-mobile")).to_have_text("13800000001")
    clock.advance(hours=12)
    complete = liaison.get_by_test_id("action-complete")
    complete.locator("textarea[name=resolution]").fill("下午已把眼药水送到王阿姨家，并教她使用方法。")
    complete.locator("button[type=submit]").click()
    expect(liaison.get_by_test_id("need-status")).to_have_attribute("data-status", "completed")
    axe(liaison)
    shot(liaison, "needs-04-console-completed")

    # 王芳 sees it done, confirms and rates five stars.
    page.reload()
    expect(page.get_by_test_id("resolution")).to_contain_text("眼药水送到")
    form = page.get_by_test_id("confirm-form")
    form.locator("label[for='id_stars_0']").click()
    form.locator("textarea[name=comment]").fill("半天就送到了，谢谢！")
    shot(page, "needs-05-confirm")
    axe(page)
    form.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("need-status")).to_have_attribute("data-status", "closed")
    shot(page, "needs-06-closed")
    axe(page)
    need.refresh_from_db()
    rating = need.ratings.get()
    assert (need.status, rating.stars, rating.member_unit) == ("closed", 5, world.hospital)
    assert [e.step for e in need.events.all()] == ["submit", "match", "match_accept", "complete", "confirm"]
    for p in (page, staff, liaison):
        assert_clean(p)
