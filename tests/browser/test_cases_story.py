"""The clothes-drying story in a real browser: 王芳 reports clothes drying along the street (沿街晾晒)
on a 375 px phone, with her phone's position; 赵磊 accepts, files and dispatches it with one click to
周强, the grid's worker; 周强 takes it, handles it with a photo on his phone; 孙敏 verifies; 赵磊
closes it; 王芳 rates it. axe-core runs on every page visited.
"""

import pytest
from playwright.sync_api import expect

from jusha.cases.models import Case
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in
from tests.cases_helpers import DRYING, IN_ZHIGE, category
from tests.needs_helpers import png_bytes

pytestmark = pytest.mark.browser


def test_clothes_drying_from_report_to_rating(transactional_db, world, live_server, page, page_at, sent_texts,
                                              clock):
    base = live_server.url
    drying = category(DRYING)

    # 王芳 reports from the 办事 tab, with the position of her phone.
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"longitude": IN_ZHIGE[0], "latitude": IN_ZHIGE[1]})
    resident_logs_in(page, base, "13800000001", sent_texts)
    page.goto(f"{base}/services/")
    axe(page)
    page.get_by_test_id("report-problem").click()
    page.wait_for_url(f"{base}/cases/new/")
    expect(page.locator("[data-case-pick]")).to_have_attribute("data-ready", "true")
    page.select_option("#id_category", str(drying.pk))
    page.fill("#id_description", "3幢楼下沿街晾晒被子和衣物，占用人行道。")
    page.locator("[data-locate-button]").click()
    expect(page.locator("input[name=lng]")).not_to_have_value("")
    shot(page, "cases-01-report")
    axe(page)
    page.get_by_test_id("submit-report").click()
    case = Case.objects.get()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "reported")
    assert (case.grid, case.category) == (world.zhige1, drying)
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the tracking page scrolls sideways: {width}"
    axe(page)

    # 赵磊 accepts, files and dispatches it with one click.
    clock.advance(minutes=5)
    operator = page_at(1280, 900)
    staff_logs_in(operator, base, "zhaolei")
    operator.goto(f"{base}/console/cases/")
    axe(operator)
    operator.get_by_test_id("case-row").first.locator("a").click()
    operator.wait_for_url(f"{base}/console/cases/{case.pk}/")
    axe(operator)
    operator.get_by_test_id("action-accept").locator("button[type=submit]").click()
    expect(operator.get_by_test_id("case-status")).to_have_attribute("data-status", "accepted")
    operator.get_by_test_id("action-file").locator("button[type=submit]").click()
    expect(operator.get_by_test_id("one-click-dispatch")).to_be_visible()
    axe(operator)
    shot(operator, "cases-02-dispatch")
    operator.get_by_test_id("one-click-dispatch").click()
    expect(operator.get_by_test_id("case-status")).to_have_attribute("data-status", "dispatched")
    expect(operator.get_by_test_id("assigned")).to_contain_text("周强")

    # 周强 takes it on his phone and reports it handled, with a photo.
    clock.advance(minutes=20)
    worker = page_at(375, 812)
    staff_logs_in(worker, base, "zhouqiang")
    worker.goto(f"{base}/cases/tasks/")
    axe(worker)
    worker.get_by_test_id("task-row").first.locator("a").click()
    worker.wait_for_url(f"{base}/cases/tasks/{case.pk}/")
    axe(worker)
    worker.get_by_test_id("do-take").click()
    expect(worker.get_by_test_id("case-status")).to_have_attribute("data-status", "handling")
    handle = worker.get_by_test_id("task-handle")
    handle.locator("textarea[name=note]").fill("已劝导住户收回衣物被褥。")
    handle.locator("input[type=file]").set_input_files(
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": png_bytes()}])
    shot(worker, "cases-03-handle")
    axe(worker)
    worker.get_by_test_id("do-handle").click()
    expect(worker.get_by_test_id("case-status")).to_have_attribute("data-status", "handled")

    # 孙敏 verifies from her queue; 赵磊 closes the case.
    supervisor = page_at(1280, 900)
    staff_logs_in(supervisor, base, "sunmin")
    supervisor.goto(f"{base}/console/cases/verify/")
    axe(supervisor)
    supervisor.get_by_test_id("verify-row").first.locator("a").click()
    supervisor.get_by_test_id("action-verify").locator("button[type=submit]").click()
    expect(supervisor.get_by_test_id("case-status")).to_have_attribute("data-status", "verified")
    axe(supervisor)
    operator.reload()
    operator.get_by_test_id("action-close").locator("button[type=submit]").click()
    expect(operator.get_by_test_id("case-status")).to_have_attribute("data-status", "closed")

    # 王芳 sees it closed and rates it.
    page.reload()
    expect(page.get_by_test_id("handling-note")).to_contain_text("收回")
    form = page.get_by_test_id("rate-form")
    form.locator("label[for='id_stars_0']").click()
    axe(page)
    form.get_by_test_id("rate").click()
    expect(page.get_by_test_id("my-rating")).to_be_visible()
    shot(page, "cases-04-rated")
    axe(page)
    case.refresh_from_db()
    assert case.status == "closed" and case.ratings.get().stars == 5
    assert [e.step for e in case.events.all()] == ["report", "accept", "file", "dispatch", "take", "handle",
                                                   "verify", "close", "rate"]
    for p in (page, operator, worker, supervisor):
        assert_clean(p)


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_case_pages_fit_a_320px_phone(transactional_db, world, live_server, page_at, sent_texts, elderly):
    from tests.cases_helpers import S, bring_to

    base = live_server.url
    case = bring_to(world, S.DISPATCHED)
    for person, paths in ((None, ("/cases/new/", f"/cases/{case.pk}/", "/cases/")),
                          ("zhouqiang", ("/cases/tasks/", f"/cases/tasks/{case.pk}/", "/cases/patrol/"))):
        page = page_at(320, 640)
        if elderly:
            page.context.add_cookies([{"name": "jusha_elderly", "value": "1", "url": base}])
        if person is None:
            resident_logs_in(page, base, "13800000001", sent_texts)
        else:
            staff_logs_in(page, base, person)
        for path in paths:
            page.goto(f"{base}{path}")
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert width <= 320, f"{path} scrolls sideways at 320 px: scrollWidth {width}"
            axe(page)
        assert_clean(page)
