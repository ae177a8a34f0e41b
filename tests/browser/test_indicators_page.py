"""The indicators page in a real browser, on the hand-built November (tests/indicators_helpers.py): 赵磊
reads the weekly trend with both charts drawn by ECharts, regroups by community, and 李娜 reads her
community's figures on a 320 px phone in elderly mode. axe-core runs on every page visited."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.indicators_helpers import NOW, november

pytestmark = pytest.mark.browser


def test_indicator_charts_and_table(transactional_db, world, live_server, page_at, clock):
    clock.current = NOW
    november(world)
    base = live_server.url
    operator = page_at(1280, 900)
    staff_logs_in(operator, base, "zhaolei")
    operator.locator('nav a[href="/console/indicators/"]').click()  # the sidebar entry
    operator.wait_for_url(f"{base}/console/indicators/")
    operator.goto(f"{base}/console/indicators/?period=month&date=2026-11-01&group=period&bucket=week")
    expect(operator.get_by_test_id("indicator-row")).to_have_count(6)
    charts = operator.locator("[data-jusha-chart]")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index)).to_have_attribute("data-ready", "true")
        expect(charts.nth(index).locator("svg")).to_have_count(1)
    axe(operator)
    shot(operator, "indicators-01-weekly-trend")

    operator.select_option("select[name=group]", "community")
    operator.get_by_test_id("indicator-filters").locator("button[type=submit]").click()
    expect(operator.get_by_test_id("indicator-row")).to_have_count(2)
    expect(operator.get_by_test_id("indicator-total").locator('[data-code="filing_rate"]')).to_have_text("85.71%")
    expect(charts.first).to_have_attribute("data-ready", "true")
    axe(operator)
    assert_clean(operator)

    world.lina.elderly_mode = True  # elderly mode sticks to the person once logged in
    world.lina.save(update_fields=["elderly_mode"])
    staff = page_at(320, 700)
    staff_logs_in(staff, base, "lina")
    staff.goto(f"{base}/console/indicators/?period=month&date=2026-11-01&group=source")
    expect(staff.get_by_test_id("indicator-total").locator('[data-code="accepted"]')).to_have_text("5")
    expect(staff.locator("[data-jusha-chart]").first).to_have_attribute("data-ready", "true")
    width = staff.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 320
    axe(staff)
    assert staff.evaluate("() => document.documentElement.classList.contains('elderly')")
    shot(staff, "indicators-02-community-phone-elderly")
    assert_clean(staff)
