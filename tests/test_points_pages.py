"""The points pages and API through the test client: my points and the opt-out, the catalogue and
redeeming (plain and htmx), my redemptions with the QR code, the console's rules, awards, rewards,
pickup by code and leaderboards, and the API's answers and codes."""

import json

import pytest
from django.urls import reverse

from jusha.points import services
from jusha.points.models import PointsAccount, PointsRule, Redemption, Reward
from tests.points_helpers import balance, give, reward


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def as_user(client, user):
    client.force_login(user)
    return client


pytestmark = pytest.mark.django_db


def test_my_points_shows_balance_and_history_and_the_opt_out(client, world):
    give(world, world.wangfang, 40, reason="社区清洁")
    services.points_manual_award(actor=world.lina, person=world.wangfang, amount=-5, reason="重复登记")
    page = as_user(client, world.wangfang).get(reverse("points:mine"))
    assert page.status_code == 200
    assert 'data-balance="35"' in page.text
    assert page.text.count('data-testid="points-movement"') == 2
    assert "社区清洁" in page.text and "重复登记" in page.text
    assert client.post(reverse("points:visibility"), {"hidden": "on"}).status_code == 302
    assert PointsAccount.objects.get(person=world.wangfang).hide_from_leaderboards is True


def test_my_points_needs_a_log_in(client, world):
    assert client.get(reverse("points:mine")).status_code == 302


def test_redeeming_from_the_catalogue_with_htmx_swaps_the_card(client, world):
    item = reward(world, cost=10, stock=3)
    give(world, world.wangfang, 15)
    as_user(client, world.wangfang)
    listing = client.get(reverse("points:rewards"))
    assert f'data-reward="{item.pk}"' in listing.text
    answer = client.post(reverse("points:redeem", args=[item.pk]), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    made = Redemption.objects.get(person=world.wangfang)
    assert f'data-code="{made.code}"' in answer.text and "<html" not in answer.text
    refused = client.post(reverse("points:redeem", args=[item.pk]), HTTP_HX_REQUEST="true")
    assert refused.status_code == 409 and 'data-testid="redeem-error"' in refused.text
    assert balance(world.wangfang) == 5


def test_redeeming_without_htmx_goes_to_my_redemptions_with_the_qr_code(client, world):
    item = reward(world, cost=10)
    give(world, world.wangfang, 10)
    as_user(client, world.wangfang)
    assert client.post(reverse("points:redeem", args=[item.pk])).url == reverse("points:redemptions")
    page = client.get(reverse("points:redemptions"))
    made = Redemption.objects.get(person=world.wangfang)
    assert made.code in page.text and "<svg" in page.text
    assert client.post(reverse("points:cancel", args=[made.pk])).status_code == 302
    assert balance(world.wangfang) == 10


def test_a_reward_for_another_community_and_someone_elses_redemption_are_not_found(client, world):
    elsewhere = reward(world, community=world.yanlan)
    give(world, world.zhangwei, 10)
    theirs = services.redemption_create(actor=world.zhangwei, reward=elsewhere)
    as_user(client, world.wangfang)
    assert client.get(reverse("points:reward", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("points:redeem", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("points:cancel", args=[theirs.pk])).status_code == 404
    assert Redemption.objects.get(pk=theirs.pk).status == "ready"


def test_console_rules_page_sets_a_rule(client, world):
    as_user(client, world.liuyang)
    assert client.get(reverse("points_console:rules")).status_code == 200
    answer = client.post(reverse("points_console:rules"), {"trigger": "hours", "points": "10", "is_active": "on"})
    assert answer.status_code == 302
    assert PointsRule.objects.get(trigger="hours").points == 10
    assert as_user(client, world.lina).get(reverse("points_console:rules")).status_code == 404


def test_console_manual_award_by_mobile(client, world):
    as_user(client, world.lina)
    answer = client.post(reverse("points_console:award"), {"mobile": "13800000001", "amount": "20",
                                                             "reason": "志愿服务"})
    assert answer.status_code == 302 and answer.url == reverse("points_console:person", args=[world.wangfang.pk])
    assert balance(world.wangfang) == 20
    # 张伟 lives in 滟澜: 李娜 may not award him, and the form says so without a 500.
    refused = client.post(reverse("points_console:award"), {"mobile": "13800000002", "amount": "20",
                                                              "reason": "志愿服务"})
    assert refused.status_code == 400 and 'data-testid="error-mobile"' in refused.text
    missing_reason = client.post(reverse("points_console:award"), {"mobile": "13800000001", "amount": "5"})
    assert missing_reason.status_code == 400
    assert balance(world.wangfang) == 20
    assert client.get(reverse("points_console:person", args=[world.wangfang.pk])).status_code == 200
    assert client.get(reverse("points_console:person", args=[world.zhangwei.pk])).status_code == 404


def test_a_liaison_adds_and_edits_their_units_reward(client, world):
    as_user(client, world.zhengli)
    assert client.get(reverse("points_console:reward_new")).status_code == 200
    answer = client.post(reverse("points_console:reward_new"), {
        "name": "体检套餐", "member_unit": world.hospital.pk, "cost": "200", "stock": "5", "per_person_limit": "1",
        "is_active": "on"})
    assert answer.status_code == 302, answer.content
    made = Reward.objects.get(name="体检套餐")
    assert made.member_unit == world.hospital and made.subdistrict == world.subdistrict
    edit = client.post(reverse("points_console:reward", args=[made.pk]), {
        "name": "体检套餐", "cost": "180", "stock": "8", "per_person_limit": "1", "is_active": "on"})
    assert edit.status_code == 302
    assert (Reward.objects.get(pk=made.pk).cost, Reward.objects.get(pk=made.pk).stock) == (180, 8)
    # Not for another unit.
    refused = client.post(reverse("points_console:reward_new"), {
        "name": "课本", "member_unit": world.school.pk, "cost": "10", "stock": "5", "per_person_limit": "1"})
    assert refused.status_code == 400 and not Reward.objects.filter(name="课本").exists()
    assert as_user(client, world.wangfang).get(reverse("points_console:rewards")).status_code == 404


def test_pickup_by_scanned_link_then_typed_again(client, world):
    item = reward(world)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    as_user(client, world.lina)
    scanned = client.get(reverse("points_console:pickup"), {"code": made.code})
    assert scanned.status_code == 200 and 'data-testid="pending"' in scanned.text
    done = client.post(reverse("points_console:pickup"), {"code": made.code.lower()})
    assert done.status_code == 200 and f'data-redemption="{made.pk}"' in done.text
    again = client.post(reverse("points_console:pickup"), {"code": made.code})
    assert again.status_code == 400 and 'data-testid="pickup-error"' in again.text
    elsewhere = as_user(client, world.chenjing).post(reverse("points_console:pickup"), {"code": made.code})
    assert elsewhere.status_code == 404


def test_console_redemptions_list_and_cancel_with_reason(client, world):
    item = reward(world)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    as_user(client, world.zhengli)
    listing = client.get(reverse("points_console:redemptions"), {"status": "ready"})
    assert listing.text.count('data-testid="redemption-row"') == 1
    client.post(reverse("points_console:cancel", args=[made.pk]), {"reason": ""})
    assert Redemption.objects.get(pk=made.pk).status == "ready"
    client.post(reverse("points_console:cancel", args=[made.pk]), {"reason": "已发完"})
    assert Redemption.objects.get(pk=made.pk).status == "cancelled" and balance(world.wangfang) == 10


def test_leaderboards_hide_people_who_opted_out(client, world, django_assert_max_num_queries):
    give(world, world.wangfang, 30)
    give(world, world.zhangwei, 50)
    from jusha.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.zhangwei, role=Role.RESIDENT, community=world.zhige)
    as_user(client, world.lina)
    url = reverse("points_console:leaderboards")
    page = client.get(url, {"community": world.zhige.pk})
    rows = [(p, e) for p, e in _rows(page.text)]
    assert rows == [(world.zhangwei.pk, 50), (world.wangfang.pk, 30)]
    services.points_hide_from_leaderboards(actor=world.zhangwei, hidden=True)
    with django_assert_max_num_queries(15):
        page = client.get(url, {"community": world.zhige.pk})
    assert list(_rows(page.text)) == [(world.wangfang.pk, 30)]
    # 李娜 has no leaderboard for 滟澜.
    page = client.get(url, {"community": world.yanlan.pk})
    assert world.yanlan.name not in page.text.split('id="results"')[1]


def test_unit_leaderboard_for_the_liaison(client, world):
    give(world, world.zhengli, 12)
    page = as_user(client, world.zhengli).get(reverse("points_console:leaderboards"), {"unit": world.hospital.pk})
    assert list(_rows(page.text)) == [(world.zhengli.pk, 12)]


def _rows(text: str):
    import re

    for person, earned in re.findall(r'data-testid="leaderboard-row" data-person="(\d+)" data-earned="(\d+)"', text):
        yield int(person), int(earned)


# --- the API -------------------------------------------------------------------------------------

def test_api_balance_history_rewards_redeem_and_cancel(client, world):
    item = reward(world, cost=10, stock=1)
    give(world, world.wangfang, 25, reason="活动")
    as_user(client, world.wangfang)
    assert client.get("/api/points/balance").json() == {"balance": 25, "hidden_from_leaderboards": False}
    assert [m["points"] for m in client.get("/api/points/history").json()] == [25]
    assert [r["id"] for r in client.get("/api/points/rewards").json()] == [item.pk]
    made = client.post(f"/api/points/rewards/{item.pk}/redeem")
    assert made.status_code == 201 and made.json()["status"] == "ready" and len(made.json()["code"]) == 8
    again = client.post(f"/api/points/rewards/{item.pk}/redeem")
    assert again.status_code == 400 and again.json()["code"] in ("out_of_stock", "limit_reached")
    rid = made.json()["id"]
    assert [r["id"] for r in client.get("/api/points/redemptions").json()] == [rid]
    cancelled = client.post(f"/api/points/redemptions/{rid}/cancel", json.dumps({}), content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["code"] == ""
    twice = client.post(f"/api/points/redemptions/{rid}/cancel", json.dumps({}), content_type="application/json")
    assert twice.status_code == 400 and twice.json()["code"] == "invalid_transition"
    assert client.get("/api/points/balance").json()["balance"] == 25


def test_api_needs_a_log_in_and_hides_other_peoples_things(client, world):
    assert client.get("/api/points/balance").status_code == 401
    item = reward(world, community=world.yanlan)
    give(world, world.zhangwei, 10)
    theirs = services.redemption_create(actor=world.zhangwei, reward=item)
    as_user(client, world.wangfang)
    assert client.post(f"/api/points/rewards/{item.pk}/redeem").status_code == 404
    assert client.post(f"/api/points/redemptions/{theirs.pk}/cancel", "{}",
                       content_type="application/json").status_code == 404
    assert client.post("/api/points/rewards/0/redeem").status_code == 422


def test_a_reward_photo_is_cleaned_and_served_to_who_may_redeem_or_keep_it(client, world):
    from tests.needs_helpers import png_bytes, upload

    item = reward(world, photo=upload(png_bytes()))
    assert item.photo.name.startswith("rewards/")
    url = reverse("points:photo", args=[item.pk])
    assert as_user(client, world.wangfang).get(url).status_code == 200
    assert as_user(client, world.zhengli).get(url).status_code == 200
    elsewhere = reward(world, community=world.yanlan, photo=upload(png_bytes()))
    assert as_user(client, world.wangfang).get(reverse("points:photo", args=[elsewhere.pk])).status_code == 404
    with pytest.raises(services.DomainError):
        reward(world, photo=upload(b"not a picture"))
