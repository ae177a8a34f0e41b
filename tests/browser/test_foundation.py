"""The foundation in a real browser: resident log-in by code, elderly mode, the scoped people list,
the grid map, axe-core on each page, and a 320 px phone without horizontal scrolling.

The live server runs in this process, so `sent_texts` (tests/conftest.py) captures the code that
the console sender would have logged, and `clock` moves the time the services read.
"""

import re

import pytest
from playwright.sync_api import expect

from jusha.accounts.models import User
from jusha.places.models import Grid
from tests.browser.helpers import assert_clean, axe, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


LABELS_ON_THEIR_GRIDS = """(el) => {
  const map = el.jushaMap;
  if (!map || el.classList.contains("leaflet-zoom-anim")) return false;
  const box = el.getBoundingClientRect();
  let labelled = 0, placed = 0;
  map.eachLayer((layer) => {
    const tooltip = layer.getTooltip && layer.getTooltip();
    if (!tooltip || !layer.getCenter) return;
    labelled += 1;
    const label = tooltip.getElement() && tooltip.getElement().getBoundingClientRect();
    const centre = map.latLngToContainerPoint(layer.getCenter());
    if (label && Math.hypot(label.left + label.width / 2 - box.left - centre.x,
                            label.top + label.height / 2 - box.top - centre.y) < 12) placed += 1;
  });
  return labelled === 4 && placed === labelled;
}"""


def body_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p') || document.body)"
                         ".fontSize)")


def is_elderly(page) -> bool:
    return page.evaluate("() => document.documentElement.classList.contains('elderly')")


def resident_logs_in(page, base: str, mobile: str, sent_texts: list) -> None:
    """Open /login/, ask for a code, read it from the captured text message, log in."""
    page.goto(f"{base}/login/")
    page.fill("#id_mobile", mobile)
    already = len(sent_texts)
    page.get_by_test_id("send-code").click()
    expect(page.locator("#code-status")).not_to_be_empty()
    expect(page.locator("#code-status")).not_to_have_class(re.compile(r"\berror\b"))
    assert len(sent_texts) == already + 1, "no text message was sent"
    message = sent_texts[-1]
    assert message.to == mobile
    code = CODE.search(message.body)
    assert code, f"no 6-digit code in {message.body!r}"
    page.fill("#id_code", code.group(1))
    page.get_by_test_id("login").click()
    page.wait_for_url(f"{base}/me/")


def staff_logs_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/staff/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/console/")


def test_resident_logs_in_by_code_and_elderly_mode_sticks(transactional_db, world, live_server, page, sent_texts,
                                                          clock):
    base = live_server.url
    page.goto(f"{base}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    shot(page, "resident-01-login")
    axe(page)

    resident_logs_in(page, base, "13800000001", sent_texts)
    expect(page.get_by_test_id("my-community")).to_contain_text("智格社区")
    assert not is_elderly(page)
    shot(page, "resident-02-me")
    axe(page)

    # The header's switch turns elderly mode on; it is stored on the person and survives a reload.
    toggle = page.get_by_test_id("elderly-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation():  # the form posts and is redirected back to /me/
        toggle.click()
    assert page.url == f"{base}/me/"
    page.reload()
    assert is_elderly(page)
    expect(page.get_by_test_id("elderly-toggle")).to_have_attribute("aria-pressed", "true")
    assert body_font_px(page) >= 24, f"elderly body text is {body_font_px(page)}px"
    assert User.objects.get(mobile="13800000001").elderly_mode
    shot(page, "resident-03-me-elderly")
    axe(page)

    page.goto(f"{base}/")
    assert is_elderly(page)
    shot(page, "resident-04-home-elderly")
    axe(page)

    # Log out: the browser remembers the choice (cookie) ...
    page.goto(f"{base}/me/")
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(f"{base}/")
    assert is_elderly(page)
    # ... and so does the account: a browser without the cookie gets it back on logging in.
    page.context.clear_cookies()
    page.goto(f"{base}/")
    assert not is_elderly(page)
    clock.advance(minutes=2)  # past the one-code-per-minute limit
    resident_logs_in(page, base, "13800000001", sent_texts)
    assert is_elderly(page)
    assert body_font_px(page) >= 24
    shot(page, "resident-05-me-elderly-again")
    assert_clean(page)


def test_community_staff_see_only_their_community(transactional_db, world, live_server, desktop_page):
    page = desktop_page
    base = live_server.url
    page.goto(f"{base}/login/staff/")
    shot(page, "staff-01-login")
    axe(page)
    staff_logs_in(page, base, "lina")
    shot(page, "staff-02-console")
    axe(page)

    page.goto(f"{base}/console/people/")
    rows = page.get_by_test_id("person-row")
    expect(rows.first).to_be_visible()
    names = rows.locator("td:first-child").all_inner_texts()
    assert "王芳" in names
    assert "张伟" not in names and "陈静" not in names
    assert "张伟" not in page.content() and "陈静" not in page.content()
    expect(page.get_by_text("138****0001")).to_be_visible()  # numbers are masked
    assert "13800000001" not in page.content()
    shot(page, "staff-03-people")
    axe(page)
    assert_clean(page)


def test_places_map_draws_every_grid(transactional_db, world, live_server, desktop_page):
    page = desktop_page
    base = live_server.url
    staff_logs_in(page, base, "zhaolei")  # the command operator sees every place of 下沙
    page.goto(f"{base}/console/places/")
    grid_map = page.locator("[data-jusha-map]")
    expect(grid_map).to_have_attribute("data-ready", "true")
    assert grid_map.get_attribute("data-feature-count") == str(Grid.objects.count()) == "4"
    expect(grid_map.locator(".leaflet-interactive")).to_have_count(4)  # one drawn polygon per grid
    expect(grid_map).to_contain_text("智格一")
    # Each grid's name label sits on its grid once the map has settled (fitBounds may still be zooming).
    page.wait_for_function(LABELS_ON_THEIR_GRIDS, arg=grid_map.element_handle(), timeout=5_000)
    shot(page, "console-places-map")
    axe(page)
    assert_clean(page)


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_home_fits_a_320px_phone(transactional_db, world, live_server, page_at, elderly):
    page = page_at(320, 640)
    base = live_server.url
    if elderly:
        page.context.add_cookies([{"name": "jusha_elderly", "value": "1", "url": base}])
    for path in ("/", "/login/"):
        page.goto(f"{base}{path}")
        assert is_elderly(page) == elderly
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        name = "home" if path == "/" else "login"
        shot(page, f"phone-320-{name}-{'elderly' if elderly else 'standard'}")
        assert width <= 320, f"{path} scrolls sideways at 320 px: scrollWidth {width}"
    assert_clean(page)
