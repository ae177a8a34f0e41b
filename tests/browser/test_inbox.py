"""The inbox in a real browser: a resident on a phone sees the unread badge on 我的, opens 消息, reads
a message (the badge goes down), and sets her notification preferences; a community staff member sees
the console's bell and sends an announcement. axe-core runs on every page.

王芳 (resident of 智格) gets two announcements from 李娜 (community staff of 智格) before logging in.
"""

import pytest
from playwright.sync_api import expect

from jusha.notifications import services
from jusha.notifications.models import Message, Preference
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in

pytestmark = pytest.mark.browser


def tab_badge(page):
    return page.locator("nav.tabbar [data-testid=unread-badge]")


def no_sideways_scroll(page):
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: scrollWidth {width}"


def test_resident_sees_the_badge_and_reads_a_message(transactional_db, world, live_server, page, sent_texts):
    base = live_server.url
    services.announcement_send(actor=world.lina, community=world.zhige, title="停水通知",
                               body="5月7日9:00至12:00智格社区停水，请提前储水。")
    services.announcement_send(actor=world.lina, community=world.zhige, title="电梯检修", body="3号楼电梯周五检修。")

    resident_logs_in(page, base, "13800000001", sent_texts)
    expect(tab_badge(page)).to_be_visible()
    expect(tab_badge(page).locator("[aria-hidden=true]")).to_have_text("2")
    expect(page.get_by_test_id("my-messages")).to_contain_text("2")
    no_sideways_scroll(page)
    shot(page, "inbox-01-me-with-badge")
    axe(page)

    page.get_by_test_id("my-messages").click()
    page.wait_for_url(f"{base}/me/messages/")
    items = page.get_by_test_id("inbox-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("电梯检修")  # the newest first
    no_sideways_scroll(page)
    shot(page, "inbox-02-list")
    axe(page)

    items.filter(has_text="停水通知").click()
    expect(page.get_by_test_id("message")).to_contain_text("请提前储水")
    assert Message.objects.get(recipient=world.wangfang, context__title="停水通知").read_at is not None
    expect(tab_badge(page).locator("[aria-hidden=true]")).to_have_text("1")
    no_sideways_scroll(page)
    shot(page, "inbox-03-message")
    axe(page)

    page.get_by_test_id("back-to-inbox").click()
    page.wait_for_url(f"{base}/me/messages/")
    expect(page.locator(".inbox-list li.unread")).to_have_count(1)
    page.get_by_test_id("read-all").click()
    page.wait_for_url(f"{base}/me/messages/")
    expect(tab_badge(page)).to_have_count(0)
    expect(page.locator(".inbox-list li.unread")).to_have_count(0)

    page.get_by_test_id("notification-preferences").click()
    page.wait_for_url(f"{base}/me/notifications/")
    no_sideways_scroll(page)
    shot(page, "inbox-04-preferences")
    axe(page)
    page.locator("[data-kind='system.announcement'] input[name$='--sms']").check()
    page.get_by_test_id("save-preferences").click()
    page.wait_for_url(f"{base}/me/notifications/")
    expect(page.locator(".messages")).to_be_visible()
    assert Preference.objects.get(user=world.wangfang, kind="system.announcement").channels == ["sms", "wechat"]
    axe(page)
    assert_clean(page)


def test_staff_see_the_bell_and_send_an_announcement(transactional_db, world, live_server, desktop_page):
    page = desktop_page
    base = live_server.url
    services.announcement_send(actor=world.liuyang, community=world.zhige, title="街道通知", body="本周五开会。")
    services.notify(recipients=[world.lina], kind="account.role_granted",
                    context={"role": "community_staff", "scope": "智格社区"})
    staff_logs_in(page, base, "lina")
    bell = page.get_by_test_id("console-bell")
    expect(bell.get_by_test_id("unread-badge").locator("[aria-hidden=true]")).to_have_text("1")
    axe(page)

    bell.click()
    page.wait_for_url(f"{base}/console/messages/")
    expect(page.get_by_test_id("inbox-item")).to_have_count(1)
    shot(page, "console-inbox")
    axe(page)

    page.goto(f"{base}/console/messages/announcements/new/")
    page.locator("#id_community").select_option(label="智格社区")
    page.locator("#id_title").fill("电梯检修")
    page.locator("#id_body").fill("3号楼电梯周五检修。")
    shot(page, "console-announcement-new")
    axe(page)
    page.get_by_test_id("send-announcement").click()
    page.wait_for_url(f"{base}/console/messages/announcements/*/")
    expect(page.locator(".messages")).to_be_visible()
    shot(page, "console-announcement-sent")
    axe(page)
    page.goto(f"{base}/console/messages/announcements/")
    expect(page.locator("tbody tr")).to_have_count(2)
    axe(page)
    assert_clean(page)
