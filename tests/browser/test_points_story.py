"""Points in a real browser: 李娜, who also lives in 智格, opens her points on a 320 px phone, redeems a
bag of rice with htmx and sees her pickup code as a QR code (in elderly mode too); 刘洋 at the desk types
the code in the console and hands the rice out; the console's points pages are checked as well. axe-core
runs on every page visited and no phone page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from jusha.accounts.models import Role, RoleAssignment
from jusha.points.models import Redemption
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.points_helpers import give, reward, rule

pytestmark = pytest.mark.browser

WIDTH = 320


def fits(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"


def test_a_resident_redeems_rice_and_the_desk_hands_it_out(transactional_db, world, live_server, page_at, clock):
    base = live_server.url
    RoleAssignment.objects.create(user=world.lina, role=Role.RESIDENT, community=world.zhige)
    rice = reward(world, name="东北大米5斤", cost=80, stock=3, description="当季新米。")
    rule(world, "need_fulfilled", points=30)
    give(world, world.lina, 100, reason="参加社区清洁日")

    phone = page_at(WIDTH, 640)
    staff_logs_in(phone, base, "lina")
    phone.goto(f"{base}/me/")
    phone.get_by_test_id("my-points").click()
    phone.wait_for_url(f"{base}/points/")
    expect(phone.get_by_test_id("points-balance")).to_have_attribute("data-balance", "100")
    fits(phone)
    axe(phone)
    shot(phone, "points-01-mine")
    phone.get_by_test_id("rewards-link").click()
    phone.wait_for_url(f"{base}/points/rewards/")
    fits(phone)
    axe(phone)
    phone.locator(f"[data-reward='{rice.pk}'] a").click()
    phone.wait_for_url(f"{base}/points/rewards/{rice.pk}/")
    fits(phone)
    axe(phone)
    phone.get_by_test_id("redeem").click()
    expect(phone.get_by_test_id("redeemed")).to_be_visible()
    assert phone.url == f"{base}/points/rewards/{rice.pk}/"  # swapped by htmx, no reload
    made = Redemption.objects.get(person=world.lina)
    expect(phone.get_by_test_id("redeemed")).to_have_attribute("data-code", made.code)
    axe(phone)
    shot(phone, "points-02-redeemed")

    phone.goto(f"{base}/points/redemptions/")
    expect(phone.get_by_test_id("pickup-code")).to_have_text(made.code)
    expect(phone.get_by_test_id("pickup-qr").locator("svg")).to_be_visible()
    fits(phone)
    axe(phone)
    phone.get_by_test_id("elderly-toggle").click()
    expect(phone.get_by_test_id("pickup-qr").locator("svg")).to_be_visible()
    fits(phone)
    axe(phone)
    shot(phone, "points-03-code-elderly")
    assert_clean(phone)

    desk = page_at(1280, 800)
    staff_logs_in(desk, base, "liuyang")
    for path in ("/console/points/", "/console/points/award/", "/console/points/rewards/",
                 f"/console/points/rewards/{rice.pk}/", "/console/points/rewards/new/",
                 f"/console/points/leaderboards/?community={world.zhige.pk}", "/console/points/redemptions/"):
        desk.goto(f"{base}{path}")
        axe(desk)
    desk.get_by_test_id("pickup-form").locator("input[name=code]").fill(made.code.lower())
    desk.get_by_test_id("pickup-form").locator("button[type=submit]").click()
    expect(desk.get_by_test_id("picked-up")).to_have_attribute("data-redemption", str(made.pk))
    axe(desk)
    shot(desk, "points-04-handed-out")
    assert Redemption.objects.get(pk=made.pk).status == "picked_up"
    assert_clean(desk)
