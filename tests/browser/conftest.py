"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Everything under tests/browser is marked `browser` (`pytest -m browser` runs only these,
`-m "not browser"` skips them). There is no skipping when Chromium is missing: the tests fail and
say what to install, because CI must never go green without having run them.

Fixtures: `browser` (one headless Chromium per session), `page` (a phone, 375×812), `desktop_page`
(1440×900), `page_at(width, height)` for other sizes; every page speaks zh-CN, and records the
JavaScript errors and failed requests it saw (`assert_clean(page)`). Helpers: `shot(page, name)` saves
test-output/screenshots/<name>.png; `axe(page)` runs axe-core and fails on serious or critical
violations (both in tests/browser/helpers.py).
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import SCREENSHOTS, shot

# Sync Playwright runs an asyncio event loop in the test thread; Django would otherwise refuse ORM
# calls from it (the fixtures and assertions query the database in that same thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ASSET_TYPES = {"script", "stylesheet", "image", "font", "fetch", "manifest"}
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


_reports_key = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: the browser tests need Debian's chromium "
                    "(apt-get install chromium fonts-noto-cjk, or scripts/setup --system).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open_page(browser, request, viewport: dict):
    (SCREENSHOTS / f"FAILED-{request.node.name}.png").unlink(missing_ok=True)  # from an earlier run
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  device_scale_factor=1)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = []  # JavaScript errors, console errors and failed requests, for assert_clean()
    page.on("pageerror", lambda exc: page.problems.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console error: {msg.text}"))
    # net::ERR_ABORTED is a request cut short by navigating on (a favicon, say): not a fault.
    page.on("requestfailed", lambda req: "ERR_ABORTED" not in (req.failure or "")
            and page.problems.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda resp: resp.status >= 400 and resp.request.resource_type in ASSET_TYPES
            and page.problems.append(f"HTTP {resp.status} for {resp.request.resource_type} {resp.url}"))
    return context, page


def _close_page(context, page, request):
    report = request.node.stash.get(_reports_key, {}).get("call")
    if report is not None and report.failed and not page.is_closed():
        try:
            shot(page, f"FAILED-{request.node.name}")
        except Exception as exc:  # noqa: BLE001 (the test failed already; the screenshot is a bonus)
            print(f"could not take the failure screenshot: {exc}")
    context.close()


@pytest.fixture
def page_at(browser, request):
    """A factory: page_at(320, 640) opens a page of that viewport (closed after the test)."""
    opened = []

    def open_page(width: int, height: int):
        context, page = _open_page(browser, request, {"width": width, "height": height})
        opened.append((context, page))
        return page

    yield open_page
    for context, page in opened:
        _close_page(context, page, request)


@pytest.fixture
def page(page_at):
    """A phone: 375×812, zh-CN."""
    return page_at(**PHONE)


@pytest.fixture
def desktop_page(page_at):
    """A desktop browser: 1440×900, zh-CN."""
    return page_at(**DESKTOP)
