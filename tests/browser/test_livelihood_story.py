"""The yearly survey in a real browser: 刘洋 builds a three-question survey in the console and opens it;
王芳 answers it on a 320 px phone in elderly mode; the results page charts her answer. axe-core runs on
every page visited, and the phone pages never scroll sideways. Then he records a field visit.
"""

import pytest
from playwright.sync_api import expect

from jusha.livelihood.models import FieldVisit, Response, Survey
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in

pytestmark = pytest.mark.browser

WIDTH = 320


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def add_question(page, kind: str, text: str, options: str = "") -> None:
    form = page.get_by_test_id("question-form")
    form.locator("#id_kind").select_option(kind)
    form.locator("#id_text").fill(text)
    if options:
        form.locator("#id_options").fill(options)
    form.get_by_test_id("add-question").click()
    page.wait_for_load_state()


def test_staff_build_a_survey_a_resident_answers_it_and_the_chart_shows_it(
        transactional_db, world, live_server, page_at, desktop_page, sent_texts, clock):
    base = live_server.url

    # 刘洋 starts this year's survey in the console.
    staff = desktop_page
    staff_logs_in(staff, base, "liuyang")
    staff.goto(f"{base}/console/livelihood/")
    axe(staff)
    staff.get_by_test_id("new-survey").click()
    staff.locator("#id_title").fill("民生实事征集")
    axe(staff)
    staff.get_by_test_id("save-survey").click()
    survey = Survey.objects.get()
    staff.wait_for_url(f"{base}/console/livelihood/{survey.pk}/")

    # Three questions: one choice, one rating, one open text; then open it.
    add_question(staff, "single", "您最关心哪方面？", "养老\n教育\n环境")
    add_question(staff, "rating", "您对社区服务的满意度")
    add_question(staff, "text", "其他建议")
    expect(staff.get_by_test_id("console-question")).to_have_count(3)
    axe(staff)
    staff.get_by_test_id("step-open").click()
    expect(staff.get_by_test_id("survey-status")).to_have_attribute("data-status", "open")
    shot(staff, "livelihood-01-builder")
    share_url = staff.get_by_test_id("share-url").get_attribute("href")
    staff.get_by_test_id("poster-link").click()
    expect(staff.get_by_test_id("poster-qr").locator("svg")).to_be_visible()
    axe(staff)
    shot(staff, "livelihood-02-poster")

    # 王芳 opens the link on her phone, switches to elderly mode and answers.
    phone = page_at(WIDTH, 640)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.goto(share_url)
    phone.get_by_test_id("elderly-toggle").click()
    expect(phone.locator("html")).to_have_class("elderly")
    fits(phone)
    axe(phone)
    questions = phone.get_by_test_id("question")
    questions.nth(0).get_by_text("养老").click()
    # Send without the rating and the text (both required) first: refused, with a message at each of
    # the two questions, her choice kept, and nothing saved.
    phone.get_by_test_id("survey-submit").click()
    expect(phone.get_by_test_id("question-error")).to_have_count(2)
    expect(phone.get_by_test_id("question").nth(0).locator("input[type=radio]").first).to_be_checked()
    assert Response.objects.count() == 0
    phone.problems.clear()  # the refusal's own 400, which Chromium logs as a console error
    fits(phone)
    axe(phone)
    phone.get_by_test_id("question").nth(1).locator("label.survey-place").nth(3).click()
    phone.get_by_test_id("question").nth(2).locator("textarea").fill("希望多建停车位")
    shot(phone, "livelihood-03-answer")
    phone.get_by_test_id("survey-submit").click()
    expect(phone.get_by_test_id("survey-thanks")).to_be_visible()
    fits(phone)
    axe(phone)
    assert_clean(phone)

    # The results chart her answer.
    staff.goto(f"{base}/console/livelihood/{survey.pk}/results/")
    expect(staff.get_by_test_id("total-responses")).to_have_attribute("data-total", "1")
    first = staff.get_by_test_id("question-result").nth(0)
    expect(first.get_by_test_id("chart")).to_have_attribute("data-ready", "true")
    expect(first.locator("[data-testid=result-row][data-label='养老']")).to_have_attribute("data-count", "1")
    expect(staff.get_by_test_id("question-result").nth(1).get_by_test_id("mean")).to_have_attribute(
        "data-mean", "4.0")
    expect(staff.locator("[data-testid=keyword][data-word='停车位']")).to_have_attribute("data-count", "1")
    axe(staff)
    shot(staff, "livelihood-04-results")

    # 刘洋 records a field visit with the point where it took place.
    staff.get_by_test_id("visits-link").click()
    form = staff.get_by_test_id("visit-form")
    form.locator("#id_community").select_option(str(world.zhige.pk))
    form.locator("#id_visitors").fill("刘洋、李娜")
    form.locator("#id_notes").fill("居民反映停车难")
    form.locator("#id_lat").fill("30.305")
    form.locator("#id_lng").fill("120.305")
    axe(staff)
    form.get_by_test_id("save-visit").click()
    expect(staff.get_by_test_id("visit-row")).to_have_count(1)
    visit = FieldVisit.objects.get()
    assert (visit.community, visit.lat, visit.lng) == (world.zhige, 30.305, 120.305)
    shot(staff, "livelihood-05-visits")
    assert_clean(staff)
