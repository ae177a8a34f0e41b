"""The issue's whole story on a 375 px phone: 王芳 finds the tai chi course, signs up for it with one
tap, checks in at its first session by opening the link of the QR code 李娜's console shows, and sees
the points the "course" rule pays for attending on her points page. axe-core runs on every page
visited; no phone page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from jusha.activities.models import Activity, SignUp
from jusha.attendance.models import Attendance
from jusha.points.models import PointsTransaction
from tests.activities_helpers import at_start, local, published
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in
from tests.points_helpers import rule

pytestmark = pytest.mark.browser

WIDTH = 375


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def test_a_resident_signs_up_for_tai_chi_checks_in_by_the_code_and_sees_points(transactional_db, world, live_server,
                                                                                page_at, sent_texts, clock):
    at_start(clock)
    rule(world, "course", points=5)
    course = published(world, weeks=6, seats=20, title="太极拳入门", description="六周太极拳课程，适合零基础。",
                       signup_scope=Activity.SignupScope.COURSE, first=local("2026-05-09T07:00"), hours=1)
    base = live_server.url

    # 王芳 finds the course and signs up for all six sessions.
    phone = page_at(WIDTH, 700)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.goto(f"{base}/activities/")
    phone.get_by_test_id("activity-search").fill("太极")
    phone.get_by_test_id("activity-search").press("Enter")
    expect(phone.get_by_test_id("activity-item")).to_have_count(1)
    fits(phone)
    axe(phone)
    phone.get_by_test_id("activity-open").click()
    phone.wait_for_url(f"{base}/activities/{course.pk}/")
    phone.get_by_test_id("sign-up").click()
    expect(phone.get_by_test_id("my-status")).to_have_count(6)
    assert SignUp.objects.filter(person=world.wangfang, status="confirmed").count() == 6
    fits(phone)
    axe(phone)
    shot(phone, "capability-01-signed-up")

    # Saturday morning, just before the first session: 李娜's console shows the check-in code.
    first = course.sessions.order_by("starts_at").first()
    clock.current = local("2026-05-09T06:55")
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "lina")
    staff.goto(f"{base}/console/attendance/sessions/{first.pk}/")
    expect(staff.get_by_test_id("qr-panel")).to_have_attribute("data-purpose", "in")
    check_in = staff.get_by_test_id("qr-link").get_attribute("href")

    # 王芳 scans it: the link opens on her phone, and she confirms.
    phone.goto(check_in)
    fits(phone)
    axe(phone)
    phone.get_by_test_id("scan-form").locator("button").click()
    expect(phone.get_by_test_id("scan-done")).to_have_attribute("data-purpose", "in")
    attendance = Attendance.objects.get(person=world.wangfang, session=first)
    assert attendance.status == "present"
    fits(phone)
    axe(phone)
    shot(phone, "capability-02-checked-in")

    # Being there paid the course rule's points, once, for this attendance.
    award = PointsTransaction.objects.get(person=world.wangfang)
    assert (award.trigger, award.amount, award.source_id) == ("course", 5, str(attendance.pk))
    phone.goto(f"{base}/me/")
    phone.get_by_test_id("my-points").click()
    phone.wait_for_url(f"{base}/points/")
    expect(phone.get_by_test_id("points-balance")).to_have_attribute("data-balance", "5")
    fits(phone)
    axe(phone)
    shot(phone, "capability-03-points")
    assert_clean(phone)
