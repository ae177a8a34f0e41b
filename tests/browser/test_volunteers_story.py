"""王芳 becomes a volunteer on a 320 px phone: from "Me" she opens Volunteering, fills in the application
(with a checksum-valid identity number), and sees it waiting; 李娜 approves it in the console; 王芳 sees
her volunteer number and the need board. axe-core runs on every page; no page scrolls sideways and the
full identity number is never shown to her after submitting."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in
from tests.volunteers_helpers import WANGFANG_ID

pytestmark = pytest.mark.browser

WIDTH = 320


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def test_a_resident_applies_and_is_approved(transactional_db, world, live_server, page_at, sent_texts, clock):
    base = live_server.url
    phone = page_at(WIDTH, 640)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.get_by_test_id("my-volunteer-record").click()
    phone.wait_for_url(f"{base}/volunteers/apply/")
    fits(phone)
    axe(phone)

    form = phone.get_by_test_id("volunteer-form")
    form.locator("#id_gender_0").check()
    form.locator("#id_birth_month").fill("1985-03")
    form.locator("#id_id_number").fill(WANGFANG_ID)
    form.locator("label[for='id_skills_0']").click()
    form.locator("label[for='id_availability_15']").click()
    shot(phone, "volunteers-01-apply")
    form.get_by_test_id("submit-application").click()
    phone.wait_for_url(f"{base}/volunteers/")
    expect(phone.get_by_test_id("volunteer-record")).to_have_attribute("data-status", "applied")
    assert WANGFANG_ID not in phone.content()
    fits(phone)
    axe(phone)
    shot(phone, "volunteers-02-applied")

    desk = page_at(1280, 800)
    staff_logs_in(desk, base, "lina")
    desk.goto(f"{base}/console/volunteers/")
    axe(desk)
    desk.get_by_test_id("volunteer-row").first.locator("a").click()
    axe(desk)
    desk.get_by_test_id("action-approve").locator("button").click()
    expect(desk.get_by_test_id("volunteer-status")).to_have_attribute("data-status", "approved")
    shot(desk, "volunteers-03-approved")

    phone.goto(f"{base}/volunteers/")
    expect(phone.get_by_test_id("volunteer-number")).not_to_be_empty()
    fits(phone)
    axe(phone)
    phone.goto(f"{base}/needs/board/")
    fits(phone)
    axe(phone)
    assert_clean(phone)
    assert_clean(desk)
