"""The service calendar and the needs' clocks in a real browser: 刘洋 (subdistrict staff) adds a
holiday and edits Saturday's hours with htmx; on a 320 px phone the needs queue shows the overdue
badge, filters the overdue needs and offers the Excel export. axe-core runs on every page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from jusha.calendars import selectors as calendar
from jusha.calendars import services as calendar_services
from jusha.calendars.models import CalendarDay, ServiceHours
from jusha.needs import services
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.needs_helpers import submit

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def test_staff_keep_the_calendar(transactional_db, world, live_server, desktop_page):
    page = desktop_page
    base = live_server.url
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    staff_logs_in(page, base, "liuyang")
    page.goto(f"{base}/console/calendar/?year=2026")
    expect(page.locator("[data-testid=day-row][data-date='2026-10-01']")).to_have_attribute("data-kind", "holiday")
    axe(page)
    add = page.get_by_test_id("day-add")
    add.locator("input[name=date]").fill("2026-11-30")
    add.locator("select[name=kind]").select_option("holiday")
    add.locator("input[name=name]").fill("街道运动会")
    add.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=day-row][data-date='2026-11-30']")).to_have_count(1)
    assert CalendarDay.objects.get(date="2026-11-30").name == "街道运动会"
    row = page.get_by_test_id("weekday-5")
    row.locator("input[name=periods]").fill("09:00-12:00")
    with page.expect_response("**/console/calendar/hours/"):
        row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("weekday-5").locator("input[name=periods]")).to_have_value("09:00-12:00")
    assert ServiceHours.objects.filter(weekday=5).count() == 1
    assert ServiceHours.objects.filter(weekday=0).count() == 2
    assert_clean(page)
    # A refusal answers 400 (which the browser logs) and shows the reason next to the form.
    row = page.get_by_test_id("weekday-0")
    row.locator("input[name=periods]").fill("nonsense")
    row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("hours-error")).to_be_visible()
    shot(page, "console-calendar")
    axe(page)


def test_the_queue_chases_overdue_needs_on_a_phone(transactional_db, world, live_server, page_at, clock):
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    calendar.invalidate()
    clock.current = datetime(2026, 9, 30, 17, 25, tzinfo=SH)
    submit(world.wangfang)
    clock.current = datetime(2026, 10, 8, 9, tzinfo=SH)
    services.needs_overdue_sweep()
    page = page_at(320, 640)
    base = live_server.url
    staff_logs_in(page, base, "liuyang")
    page.goto(f"{base}/console/needs/?status=open")
    expect(page.get_by_test_id("overdue")).to_have_count(1)
    page.locator("input[name=overdue]").check()
    expect(page).to_have_url(f"{base}/console/needs/?status=open&community=&category=&overdue=1")
    expect(page.get_by_test_id("export")).to_have_attribute("href", "/console/needs/export.xlsx?status=open&overdue=1")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 320
    shot(page, "console-needs-overdue-320")
    axe(page)
    assert_clean(page)
