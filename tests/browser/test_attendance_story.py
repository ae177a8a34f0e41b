"""Check-in by QR code in a real browser: 李娜 shows the check-in code of the tai chi session on the
console; 王芳, volunteering, opens its link on a 320 px phone and checks in, later checks out with the
check-out code; 李娜 verifies her hours; 王芳 sees them on "my service hours" and downloads her
certificate. axe-core runs on every page visited; no phone page scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jusha.activities.models import SignUp
from jusha.attendance.models import Attendance, Certificate, ServiceRecord
from tests.attendance_helpers import make_activity, make_session, make_volunteer, sign_up
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in

pytestmark = pytest.mark.browser

WIDTH = 320


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def test_a_volunteer_checks_in_by_the_codes_link_and_gets_a_certificate(transactional_db, world, live_server,
                                                                        page_at, sent_texts, clock):
    base = live_server.url
    clock.current = timezone.now()
    session = make_session(make_activity(world), starts_at=clock.current - timedelta(minutes=5))
    make_volunteer(world, world.wangfang)
    sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
    console_page = f"{base}/console/attendance/sessions/{session.pk}/"

    # 李娜 opens the session's attendance page: the check-in code is there.
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "lina")
    staff.goto(f"{base}/console/attendance/")
    staff.get_by_test_id("session-row").first.locator("a").click()
    staff.wait_for_url(console_page)
    expect(staff.get_by_test_id("qr-panel")).to_have_attribute("data-purpose", "in")
    axe(staff)
    shot(staff, "attendance-01-console")
    check_in = staff.get_by_test_id("qr-link").get_attribute("href")

    # 王芳 scans it (opens its link) on her phone and checks in.
    phone = page_at(WIDTH, 640)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.goto(check_in)
    fits(phone)
    axe(phone)
    phone.get_by_test_id("scan-form").locator("button").click()
    expect(phone.get_by_test_id("scan-done")).to_have_attribute("data-purpose", "in")
    assert Attendance.objects.get().checked_in_at is not None
    fits(phone)
    shot(phone, "attendance-02-checked-in")

    # Two hours later she checks out with the check-out code.
    clock.advance(hours=2)
    staff.goto(f"{console_page}?qr=out")
    check_out = staff.get_by_test_id("qr-link").get_attribute("href")
    phone.goto(check_out)
    phone.get_by_test_id("scan-form").locator("button").click()
    expect(phone.get_by_test_id("scan-done")).to_have_attribute("data-purpose", "out")

    # 李娜 verifies the hours.
    staff.goto(console_page)
    staff.get_by_test_id("verify-all").click()
    staff.wait_for_url(console_page)
    assert ServiceRecord.objects.get().status == "verified"
    axe(staff)
    assert_clean(staff)

    # 王芳 sees them and downloads her certificate.
    phone.goto(f"{base}/me/")
    phone.get_by_test_id("my-hours").click()
    phone.wait_for_url(f"{base}/attendance/hours/")
    expect(phone.get_by_test_id("verified-hours")).to_have_text("1.50")
    fits(phone)
    axe(phone)
    shot(phone, "attendance-03-hours")
    with phone.expect_download() as download:
        phone.get_by_test_id("get-certificate").click()
    assert download.value.suggested_filename == f"{Certificate.objects.get().number}.pdf"
    assert_clean(phone)
