"""Helpers for the points tests: 刘洋 (subdistrict staff of 下沙) sets the rules; 王芳 (智格) and 张伟 (滟澜)
earn and spend; 下沙医院 (郑丽 is its liaison) donates rewards."""

from itertools import count

from django.db.models import Sum

from jusha.points import services
from jusha.points.models import PointsAccount, PointsEntry, PointsRule, Reward, Trigger
from jusha.wishes.models import MicroWish

_names = count(1)


def rule(world, trigger=Trigger.NEED_FULFILLED, points=10, **kwargs) -> PointsRule:
    return services.points_rule_set(actor=world.liuyang, subdistrict=world.subdistrict, trigger=trigger,
                                    points=points, **kwargs)


def give(world, person, amount: int, reason: str = "测试奖励"):
    return services.points_manual_award(actor=world.liuyang, person=person, amount=amount, reason=reason)


def reward(world, *, cost=10, stock=5, per_person_limit=1, unit=..., community=None, actor=None, **kwargs) -> Reward:
    """A reward donated by 下沙医院 unless `unit` says otherwise (None: by the subdistrict or community)."""
    kwargs.setdefault("name", f"洗衣液{next(_names)}")
    kwargs.setdefault("pickup_place", "智格社区党群服务中心")
    return services.reward_create(actor=actor or world.liuyang, subdistrict=world.subdistrict,
                                  member_unit=world.hospital if unit is ... else unit, community=community,
                                  cost=cost, stock=stock, per_person_limit=per_person_limit, **kwargs)


def balance(person) -> int:
    account = PointsAccount.objects.filter(person=person).first()
    return account.balance if account else 0


def ledger_sum(person) -> int:
    return PointsEntry.objects.filter(account__person=person).aggregate(s=Sum("amount"))["s"] or 0


def assert_books_balance() -> None:
    """Every account's cached balance is the sum of its entries, no person is below 0, and all entries sum to 0."""
    assert (PointsEntry.objects.aggregate(s=Sum("amount"))["s"] or 0) == 0
    for account in PointsAccount.objects.all():
        total = PointsEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total, account
        if account.kind == PointsAccount.Kind.PERSON:
            assert account.balance >= 0
    for movement_id, total in (PointsEntry.objects.values_list("transaction").annotate(s=Sum("amount"))):
        assert total == 0, movement_id


def a_source(world) -> MicroWish:
    """Any saved row will do as the source of an award; a micro-wish of 智格 is handy."""
    from tests.wishes_helpers import collect

    return collect(world)
