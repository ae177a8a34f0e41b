"""The points ledger: awards by rule (once per source), manual awards and corrections, redemptions,
cancellations, pickup codes and expiry; and, property-based, that any sequence of them keeps every
balance equal to the sum of its entries, never below zero, with all entries summing to zero."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.points import services
from jusha.points.models import PointsAccount, PointsEntry, PointsTransaction, Redemption, Reward, Trigger
from tests.points_helpers import a_source, assert_books_balance, balance, give, ledger_sum, reward, rule

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
K = PointsTransaction.Kind


def test_a_rule_pays_once_per_source_and_person(world):
    rule(world, Trigger.WISH_FULFILLED, points=20)
    wish = a_source(world)
    first = services.points_award_for(actor=world.lina, person=world.wangfang, trigger="wish_fulfilled", source=wish)
    again = services.points_award_for(actor=world.lina, person=world.wangfang, trigger="wish_fulfilled", source=wish)
    assert first is not None and again.pk == first.pk
    assert balance(world.wangfang) == 20 == ledger_sum(world.wangfang)
    assert PointsTransaction.objects.filter(person=world.wangfang).count() == 1
    assert AuditEntry.objects.filter(action="points.award").count() == 1
    # Another person, or another trigger, for the same source is paid separately.
    services.points_award_for(actor=None, person=world.zhangwei, trigger="wish_fulfilled", source=wish)
    assert balance(world.zhangwei) == 20
    assert_books_balance()


def test_the_database_refuses_a_second_award_for_the_same_source(world):
    rule(world, Trigger.NEED_FULFILLED, points=5)
    wish = a_source(world)
    movement = services.points_award_for(actor=None, person=world.wangfang, trigger="need_fulfilled", source=wish)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsTransaction.objects.create(kind=K.AWARD, person=world.wangfang, amount=5, trigger="need_fulfilled",
                                         source_type=movement.source_type, source_id=movement.source_id,
                                         lot_year=2026, reason="x", created_at=movement.created_at)


def test_hours_pay_per_verified_hour_rounded_down(world):
    rule(world, Trigger.HOURS, points=10)
    wish = a_source(world)
    services.points_award_for(actor=None, person=world.wangfang, trigger="hours", quantity=Decimal("2.75"),
                              source=wish)
    assert balance(world.wangfang) == 27


def test_no_rule_or_an_inactive_rule_pays_nothing(world):
    wish = a_source(world)
    assert services.points_award_for(actor=None, person=world.wangfang, trigger="lecture", source=wish) is None
    rule(world, Trigger.LECTURE, points=5, is_active=False)
    assert services.points_award_for(actor=None, person=world.wangfang, trigger="lecture", source=wish) is None
    assert balance(world.wangfang) == 0 and not PointsEntry.objects.exists()


def test_an_unknown_trigger_is_refused(world):
    with pytest.raises(DomainError) as refused:
        services.points_award_for(actor=None, person=world.wangfang, trigger="birthday", source=a_source(world))
    assert refused.value.code == "invalid_trigger"


def test_a_rule_is_changed_not_duplicated_and_bonuses_are_named(world):
    rule(world, Trigger.LECTURE, points=5)
    rule(world, Trigger.LECTURE, points=8)
    assert [(r.trigger, r.points) for r in world.subdistrict.points_rules.all()] == [("lecture", 8)]
    with pytest.raises(DomainError) as refused:
        rule(world, Trigger.BONUS, points=50)
    assert refused.value.code == "required"
    bonus = rule(world, Trigger.BONUS, points=50, name="优秀志愿者")
    services.points_manual_award(actor=world.lina, person=world.wangfang, amount=0, reason="年度表彰", bonus=bonus)
    assert balance(world.wangfang) == 50


def test_only_subdistrict_staff_set_rules(world):
    with pytest.raises(NotAllowed):
        services.points_rule_set(actor=world.lina, subdistrict=world.subdistrict, trigger="lecture", points=5)


def test_manual_award_and_correction_need_a_reason_and_never_go_below_zero(world):
    with pytest.raises(DomainError) as refused:
        services.points_manual_award(actor=world.lina, person=world.wangfang, amount=10, reason=" ")
    assert refused.value.code == "required"
    give(world, world.wangfang, 10)
    services.points_manual_award(actor=world.lina, person=world.wangfang, amount=-4, reason="重复登记")
    assert balance(world.wangfang) == 6
    with pytest.raises(DomainError) as refused:
        services.points_manual_award(actor=world.lina, person=world.wangfang, amount=-7, reason="重复登记")
    assert refused.value.code == "insufficient_points"
    assert balance(world.wangfang) == 6 == ledger_sum(world.wangfang)
    assert_books_balance()


def test_community_staff_award_only_their_communitys_people(world):
    with pytest.raises(NotAllowed):
        services.points_manual_award(actor=world.lina, person=world.zhangwei, amount=5, reason="帮忙")
    with pytest.raises(NotAllowed):
        services.points_manual_award(actor=world.wangfang, person=world.wangfang, amount=5, reason="自己")


def test_entries_are_never_changed_or_deleted(world):
    give(world, world.wangfang, 10)
    entry = PointsEntry.objects.first()
    entry.amount = 1000
    for attempt in (entry.save, entry.delete, lambda: PointsEntry.objects.update(amount=1),
                    lambda: PointsEntry.objects.all().delete()):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "append_only"
    assert ledger_sum(world.wangfang) == 10


def test_the_database_refuses_a_negative_balance_and_stock(world):
    give(world, world.wangfang, 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(person=world.wangfang).update(balance=-1)
    item = reward(world, stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reward.objects.filter(pk=item.pk).update(stock=-1)


def test_redeeming_moves_points_takes_stock_and_gives_a_code(world):
    item = reward(world, cost=30, stock=2)
    give(world, world.wangfang, 50)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    assert made.status == "ready" and len(made.code) == 8 and made.cost == 30
    assert balance(world.wangfang) == 20
    assert Reward.objects.get(pk=item.pk).stock == 1
    assert PointsTransaction.objects.get(redemption=made).kind == K.REDEMPTION
    assert_books_balance()


@pytest.mark.parametrize(("setup", "code"), [
    ({"cost": 100}, "insufficient_points"),
    ({"stock": 0}, "out_of_stock"),
    ({"is_active": True, "per_person_limit": 1, "_twice": True}, "limit_reached"),
])
def test_a_redemption_is_refused_without_changing_anything(world, setup, code):
    twice = setup.pop("_twice", False)
    item = reward(world, **{"cost": 10, "stock": 5, **setup})
    give(world, world.wangfang, 50)
    if twice:
        services.redemption_create(actor=world.wangfang, reward=item)
    before = (balance(world.wangfang), Reward.objects.get(pk=item.pk).stock, Redemption.objects.count())
    with pytest.raises(DomainError) as refused:
        services.redemption_create(actor=world.wangfang, reward=item)
    assert refused.value.code == code
    assert (balance(world.wangfang), Reward.objects.get(pk=item.pk).stock, Redemption.objects.count()) == before


def test_a_reward_outside_its_window_or_for_another_community_cannot_be_redeemed(world, clock):
    give(world, world.wangfang, 50)
    later = reward(world, available_from=clock() + timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        services.redemption_create(actor=world.wangfang, reward=later)
    assert refused.value.code == "not_available"
    yanlan_only = reward(world, community=world.yanlan)
    with pytest.raises(NotAllowed):
        services.redemption_create(actor=world.wangfang, reward=yanlan_only)
    inactive = reward(world, is_active=False)
    with pytest.raises(NotAllowed):
        services.redemption_create(actor=world.wangfang, reward=inactive)


def test_cancelling_returns_the_points_and_the_stock_once(world):
    item = reward(world, cost=30, stock=1)
    give(world, world.wangfang, 30)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    services.redemption_cancel(actor=world.wangfang, redemption=made)
    assert balance(world.wangfang) == 30 and Reward.objects.get(pk=item.pk).stock == 1
    assert Redemption.objects.get(pk=made.pk).status == "cancelled"
    with pytest.raises(DomainError) as refused:
        services.redemption_cancel(actor=world.wangfang, redemption=made)
    assert refused.value.code == "invalid_transition"
    assert balance(world.wangfang) == 30
    # A cancelled redemption no longer counts against the per-person limit.
    services.redemption_create(actor=world.wangfang, reward=item)
    assert_books_balance()


def test_staff_cancel_with_a_reason_and_others_cannot_cancel(world):
    item = reward(world)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    with pytest.raises(NotAllowed):
        services.redemption_cancel(actor=world.zhangwei, redemption=made)
    with pytest.raises(DomainError) as refused:
        services.redemption_cancel(actor=world.zhengli, redemption=made)
    assert refused.value.code == "required"
    services.redemption_cancel(actor=world.zhengli, redemption=made, reason="物品已发完")
    assert balance(world.wangfang) == 10


def test_a_pickup_code_works_once(world):
    item = reward(world)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    typed = f" {made.code[:4].lower()}-{made.code[4:]} "
    picked = services.redemption_pickup(actor=world.lina, code=typed)
    assert picked.pk == made.pk and picked.status == "picked_up" and picked.picked_up_by == world.lina
    with pytest.raises(DomainError) as refused:
        services.redemption_pickup(actor=world.zhengli, code=made.code)
    assert refused.value.code == "code_used"
    with pytest.raises(DomainError) as refused:
        services.redemption_cancel(actor=world.wangfang, redemption=made)
    assert refused.value.code == "invalid_transition"


def test_a_code_from_elsewhere_or_wrong_looks_like_not_found(world):
    item = reward(world, community=world.zhige)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    with pytest.raises(NotAllowed):
        services.redemption_pickup(actor=world.chenjing, code=made.code)
    with pytest.raises(NotAllowed):
        services.redemption_pickup(actor=world.lina, code="ABCDEFGH" if made.code != "ABCDEFGH" else "HGFEDCBA")
    with pytest.raises(DomainError) as refused:
        services.redemption_pickup(actor=world.lina, code="AB")
    assert refused.value.code == "invalid_code"


def test_codes_are_unique_and_drawn_from_the_unambiguous_alphabet(world):
    codes = {services._new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(set(c) <= set(services.CODE_ALPHABET) and len(c) == 8 for c in codes)


# --- expiry --------------------------------------------------------------------------------------

def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def test_points_expire_fifo_only_what_is_left_of_the_old_lot(world, clock, settings):
    settings.JUSHA_POINTS_EXPIRE_ON = "06-30"
    item = reward(world, cost=30, stock=5, per_person_limit=5)
    clock.current = at(2025, 3, 1)
    give(world, world.wangfang, 100)                      # lot 2025
    clock.current = at(2026, 2, 1)
    give(world, world.wangfang, 50)                       # lot 2026
    services.redemption_create(actor=world.wangfang, reward=item)  # spends 30 of the 2025 lot first
    clock.current = at(2026, 6, 30, 23)
    assert services.points_expire_due() == 0              # the last day still counts
    clock.current = at(2026, 7, 1, 1)
    assert services.points_expire_due() == 1
    assert balance(world.wangfang) == 50                  # 70 of 2025 expired, 2026's 50 stay
    expiry = PointsTransaction.objects.get(kind=K.EXPIRY)
    assert (expiry.amount, expiry.lot_year) == (70, 2025)
    assert services.points_expire_due() == 0              # idempotent
    assert balance(world.wangfang) == 50
    assert_books_balance()


def test_nothing_expires_when_the_old_lot_was_spent(world, clock, settings):
    settings.JUSHA_POINTS_EXPIRE_ON = "06-30"
    item = reward(world, cost=40, stock=5)
    clock.current = at(2025, 3, 1)
    give(world, world.wangfang, 40)
    services.redemption_create(actor=world.wangfang, reward=item)
    clock.current = at(2026, 1, 5)
    give(world, world.wangfang, 25)
    clock.current = at(2026, 7, 2)
    assert services.points_expire_due() == 0
    assert balance(world.wangfang) == 25


def test_points_never_expire_when_switched_off(world, clock, settings):
    settings.JUSHA_POINTS_EXPIRE_ON = ""
    clock.current = at(2024, 3, 1)
    give(world, world.wangfang, 40)
    clock.current = at(2026, 8, 1)
    assert services.points_expire_due() == 0 and balance(world.wangfang) == 40


# --- the invariant, for any sequence ---------------------------------------------------------------

STEP = st.one_of(
    st.tuples(st.just("award"), st.integers(0, 2), st.integers(1, 60)),
    st.tuples(st.just("deduct"), st.integers(0, 2), st.integers(1, 60)),
    st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("pickup"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("days"), st.integers(0, 2), st.integers(1, 200)),
    st.tuples(st.just("rule"), st.integers(0, 2), st.integers(0, 3)),
)


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, max_size=25))
def test_any_sequence_keeps_the_books_balanced(world, clock, settings, steps):
    settings.JUSHA_POINTS_EXPIRE_ON = "03-31"
    with transaction.atomic():
        clock.current = at(2025, 1, 10)
        people = [world.wangfang, world.zhangwei, world.admin]
        from jusha.accounts.models import Role, RoleAssignment

        RoleAssignment.objects.get_or_create(user=world.admin, role=Role.RESIDENT, community=world.zhige)
        rewards = [reward(world, cost=c, stock=s, per_person_limit=2) for c, s in ((10, 3), (25, 1), (40, 5))]
        rule(world, Trigger.NEED_FULFILLED, points=15)
        sources = [a_source(world) for _ in range(4)]
        for op, who, n in steps:
            person = people[who]
            try:
                match op:
                    case "award":
                        give(world, person, n)
                    case "deduct":
                        services.points_manual_award(actor=world.liuyang, person=person, amount=-n, reason="更正")
                    case "redeem":
                        services.redemption_create(actor=person, reward=rewards[n])
                    case "cancel" | "pickup":
                        mine = list(Redemption.objects.filter(person=person).order_by("pk"))
                        if mine:
                            chosen = mine[n % len(mine)]
                            if op == "cancel":
                                services.redemption_cancel(actor=person, redemption=chosen)
                            else:
                                services.redemption_pickup(actor=world.liuyang, code=chosen.code)
                    case "days":
                        clock.advance(days=n)
                        services.points_expire_due()
                    case "rule":
                        services.points_award_for(actor=None, person=person, trigger="need_fulfilled",
                                                  source=sources[n])
            except DomainError:
                pass  # a refusal changes nothing; the books are checked below either way
            assert_books_balance()
        for item in Reward.objects.all():
            live = Redemption.objects.filter(reward=item).exclude(status="cancelled").count()
            assert item.stock + live == {10: 3, 25: 1, 40: 5}[item.cost]
        transaction.set_rollback(True)


def test_the_person_hears_when_a_redemption_is_ready_picked_up_or_cancelled(world, django_capture_on_commit_callbacks):
    from jusha.notifications.models import Message

    item = reward(world, cost=5, stock=5, per_person_limit=2)
    give(world, world.wangfang, 10)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.redemption_create(actor=world.wangfang, reward=item)
        second = services.redemption_create(actor=world.wangfang, reward=item)
        services.redemption_pickup(actor=world.lina, code=first.code)
        services.redemption_cancel(actor=world.lina, redemption=second, reason="物品损坏")
    kinds = sorted(Message.objects.filter(recipient=world.wangfang).values_list("kind", flat=True))
    assert kinds == ["points.redemption_cancelled", "points.redemption_picked_up", "points.redemption_ready",
                     "points.redemption_ready"]
    assert all(first.code not in str(m.context) for m in Message.objects.all())
