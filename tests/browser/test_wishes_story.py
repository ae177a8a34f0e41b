"""The school-bag wish in a real browser on a 320 px phone: 郑丽, 下沙医院's liaison, claims 欧阳小明's
wish on the wish wall for her unit, records the contact with 李娜, delivers with a photo; 李娜 confirms
for the family in the console; the wish shows on the thank-you wall naming the hospital. axe-core
runs on every page visited; no page scrolls sideways or shows the family's name, phone or address.
"""

import pytest
from playwright.sync_api import expect

from jusha.wishes.models import MicroWish, WishClaim
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.needs_helpers import png_bytes
from tests.wishes_helpers import PRIVATE, SCHOOL_BAG, published

pytestmark = pytest.mark.browser

WIDTH = 320


def fits_and_private(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}"
    text = page.content()
    for secret in PRIVATE:
        assert secret not in text, f"{secret!r} shown on {page.url}"


def test_a_unit_makes_a_school_bag_wish_come_true(transactional_db, world, live_server, page_at, settings,
                                                  tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    wish = published(world)

    # 郑丽 logs in on her phone and opens the wish wall from the 办事 tab.
    phone = page_at(WIDTH, 640)
    staff_logs_in(phone, base, "zhengli")
    phone.goto(f"{base}/services/")
    phone.get_by_test_id("wish-wall").click()
    phone.wait_for_url(f"{base}/wishes/")
    expect(phone.get_by_test_id("wall-item")).to_contain_text(SCHOOL_BAG)
    fits_and_private(phone)
    axe(phone)
    shot(phone, "wishes-01-wall")
    phone.get_by_test_id("wish-open").first.click()
    phone.wait_for_url(f"{base}/wishes/{wish.pk}/")
    fits_and_private(phone)
    axe(phone)

    # She claims it for the hospital and agrees to be named on the thank-you wall.
    form = phone.get_by_test_id("claim-form")
    expect(form.locator(f"#as-unit-{world.hospital.pk}")).to_be_checked()
    form.locator("label[for='show-name']").click()
    shot(phone, "wishes-02-claim")
    form.get_by_test_id("claim").click()
    phone.wait_for_url(f"{base}/wishes/claims/")
    item = phone.get_by_test_id("claim-item").first
    expect(item.get_by_test_id("claim-status")).to_have_attribute("data-status", "active")
    expect(item.get_by_test_id("community-contact")).to_contain_text("13900000001")
    fits_and_private(phone)
    axe(phone)

    # Two days later she has called 李娜 and records it; on Saturday she delivers the bag.
    clock.advance(days=2)
    contact = item.get_by_test_id("contact-form")
    contact.locator("textarea").fill("已电话联系李娜，约定周六上午送到社区。")
    contact.locator("button[type=submit]").click()
    item = phone.get_by_test_id("claim-item").first
    expect(item.get_by_test_id("claim-status")).to_have_attribute("data-status", "contacted")
    axe(phone)
    photo = tmp_path / "bag.png"
    photo.write_bytes(png_bytes((120, 90), (30, 90, 200)))
    deliver = item.get_by_test_id("deliver-form")
    deliver.locator("textarea").fill("新书包已送到，孩子很开心。")
    deliver.locator("input[type=file]").set_input_files(str(photo))
    shot(phone, "wishes-03-deliver")
    deliver.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("claim-item").first.get_by_test_id("claim-status")).to_have_attribute(
        "data-status", "delivered")
    fits_and_private(phone)
    axe(phone)

    # 李娜 confirms for the family in the console.
    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "lina")
    staff.goto(f"{base}/console/wishes/?status=delivered")
    row = staff.get_by_test_id("wish-row").first
    expect(row).to_have_attribute("data-status", "delivered")
    axe(staff)
    row.locator("a").click()
    staff.wait_for_url(f"{base}/console/wishes/{wish.pk}/")
    axe(staff)
    staff.get_by_test_id("action-confirm").locator("button[type=submit]").click()
    expect(staff.get_by_test_id("wish-status")).to_have_attribute("data-status", "fulfilled")
    shot(staff, "wishes-04-console-confirmed")

    # The wish is on the thank-you wall, thanking the hospital.
    phone.goto(f"{base}/wishes/thanks/")
    thanked = phone.get_by_test_id("thanks-item").first
    expect(thanked).to_contain_text(SCHOOL_BAG)
    expect(thanked.get_by_test_id("thanked")).to_contain_text("下沙医院")
    fits_and_private(phone)
    axe(phone)
    shot(phone, "wishes-05-thanks")

    # In elderly mode (larger text) the walls still fit the phone and pass axe.
    phone.get_by_test_id("elderly-toggle").click()
    expect(phone.get_by_test_id("elderly-toggle")).to_have_attribute("aria-pressed", "true")
    fits_and_private(phone)
    axe(phone)
    phone.goto(f"{base}/wishes/")
    fits_and_private(phone)
    shot(phone, "wishes-06-wall-elderly")

    wish.refresh_from_db()
    claim = WishClaim.objects.get(wish=wish)
    assert (wish.status, claim.status, claim.member_unit, claim.show_name) == (
        MicroWish.Status.FULFILLED, WishClaim.Status.DONE, world.hospital, True)
    assert wish.photos.filter(stage="delivery").count() == 1
    for p in (phone, staff):
        assert_clean(p)
