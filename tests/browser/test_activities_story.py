"""A resident finds a tai chi course on a 320 px phone and signs up with one tap: 王芳 logs in by code,
opens the Activities tab, searches 太极, opens the course, signs up for the whole course (htmx swaps the
sessions in place), sees her place in My activities, and gives it back. axe-core runs on every page
visited; no page scrolls sideways.
"""

import re

import pytest
from playwright.sync_api import expect

from jusha.activities.models import Activity, SignUp
from tests.activities_helpers import at_start, local, published
from tests.browser.helpers import axe, shot
from tests.browser.test_foundation import resident_logs_in

pytestmark = pytest.mark.browser

WIDTH = 320


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def test_a_resident_finds_a_tai_chi_course_and_signs_up(transactional_db, world, live_server, page_at, sent_texts,
                                                        clock):
    at_start(clock)
    course = published(world, weeks=6, seats=20, title="太极拳入门", description="六周太极拳课程，适合零基础。",
                       signup_scope=Activity.SignupScope.COURSE, first=local("2026-05-09T07:00"), hours=1)
    published(world, title="手机摄影", first=local("2026-05-10T19:00"))
    base = live_server.url

    phone = page_at(WIDTH, 640)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.goto(f"{base}/activities/")
    expect(phone.get_by_test_id("activity-item")).to_have_count(2)
    fits(phone)
    axe(phone)
    phone.get_by_test_id("activity-search").fill("太极")
    phone.get_by_test_id("activity-search").press("Enter")
    expect(phone.get_by_test_id("activity-item")).to_have_count(1)
    shot(phone, "activities-01-find")
    phone.get_by_test_id("activity-open").click()
    phone.wait_for_url(f"{base}/activities/{course.pk}/")
    expect(phone.get_by_test_id("activity-title")).to_have_text("太极拳入门")
    fits(phone)
    axe(phone)

    phone.get_by_test_id("sign-up").click()
    expect(phone.get_by_test_id("session").first).to_have_attribute("data-state", "confirmed")
    expect(phone.get_by_test_id("my-status")).to_have_count(6)
    assert SignUp.objects.filter(person=world.wangfang, status="confirmed").count() == 6
    fits(phone)
    axe(phone)
    shot(phone, "activities-02-signed-up")

    phone.goto(f"{base}/activities/mine/")
    expect(phone.get_by_test_id("my-signup")).to_have_count(6)
    phone.get_by_test_id("feed-make").click()
    expect(phone.get_by_test_id("feed-url")).to_have_value(re.compile(r"/activities/feeds/[\w-]+\.ics$"))
    fits(phone)
    axe(phone)

    phone.goto(f"{base}/activities/{course.pk}/")
    phone.get_by_test_id("cancel").click()
    expect(phone.get_by_test_id("session").first).to_have_attribute("data-state", "open")
    assert not SignUp.objects.filter(person=world.wangfang, status="confirmed").exists()
    axe(phone)
