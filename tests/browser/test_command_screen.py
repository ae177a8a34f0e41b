"""The command screen in a real browser at 1920×1080: 赵磊 opens it, a resident's report sent through the
cases service appears in the live stream within 3 s, and he dispatches a filed case from its map popup and
another from the stream with the suggested grid worker. axe-core runs on the screen; it also fits 320 px."""

import pytest
from playwright.sync_api import expect

from jusha.cases.models import Case
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.cases_helpers import bring_to, report
from tests.needs_helpers import IN_YANLAN

pytestmark = pytest.mark.browser
S = Case.Status


def test_the_command_screen_live(transactional_db, world, live_server, page_at):
    on_map = bring_to(world, S.FILED)
    base = live_server.url
    screen = page_at(1920, 1080)
    staff_logs_in(screen, base, "zhaolei")
    screen.goto(f"{base}/console/command/")
    expect(screen.get_by_test_id("command-map")).to_have_attribute("data-ready", "true")
    expect(screen.get_by_test_id("command-screen")).to_have_attribute("data-live", "true")
    for chart in ("trend", "categories"):
        expect(screen.locator(f'[data-chart="{chart}"]')).to_have_attribute("data-ready", "true")
    expect(screen.locator('[data-kpi="new"]')).to_have_text("1")
    expect(screen.get_by_test_id("command-league").locator("tbody tr")).to_have_count(1)
    axe(screen)
    shot(screen, "command-01-screen-1920")

    # A resident reports; the open screen shows it within 3 s, without a reload.
    fresh = report(world.zhangwei, at=IN_YANLAN)
    expect(screen.locator(f'[data-testid=command-stream] li[data-case="{fresh.pk}"]')).to_have_count(1, timeout=3000)
    expect(screen.locator('[data-kpi="new"]')).to_have_text("2")

    # One click from the map popup: the suggestion (周强, the grid's worker) and its reasons are shown.
    screen.locator("path.cmd-case").first.click()
    popup = screen.locator(f'.cmd-popup[data-case="{on_map.pk}"]')
    expect(popup.locator(".cmd-suggestion")).to_contain_text("周强")
    popup.get_by_role("button").click()
    expect(popup.locator(".cmd-dispatch-message")).to_have_attribute("data-code", "dispatched")
    assert Case.objects.get(pk=on_map.pk).status == S.DISPATCHED
    screen.keyboard.press("Escape")

    # A case filed meanwhile shows up in the stream with its own dispatch button.
    filed = bring_to(world, S.FILED)
    item = screen.locator(f'[data-testid=command-stream] li[data-case="{filed.pk}"][data-step="file"]')
    expect(item).to_have_count(1, timeout=3000)
    item.get_by_role("button").click()
    expect(item.locator(".cmd-suggestion")).to_contain_text("周强")
    item.locator("[data-testid=command-dispatch] button").click()
    expect(item.locator(".cmd-dispatch-message")).to_have_attribute("data-code", "dispatched")
    assert Case.objects.get(pk=filed.pk).status == S.DISPATCHED
    axe(screen)
    shot(screen, "command-02-after-dispatch")
    assert_clean(screen)


def test_the_command_screen_fits_a_phone(transactional_db, world, live_server, page_at):
    bring_to(world, S.FILED)
    phone = page_at(320, 700)
    staff_logs_in(phone, live_server.url, "sunmin")
    phone.goto(f"{live_server.url}/console/command/")
    expect(phone.get_by_test_id("command-map")).to_have_attribute("data-ready", "true")
    assert phone.evaluate("() => document.scrollingElement.scrollWidth") <= 320
    axe(phone)
    shot(phone, "command-03-phone")
    assert_clean(phone)
