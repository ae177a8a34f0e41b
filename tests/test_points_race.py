"""Redemptions racing each other: a reward is never oversold, a balance never overdrawn, a per-person
limit never exceeded, a pickup code used once, an award paid once.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
the reward's and the account's row locks decide (with the stock and balance check constraints behind
them); on SQLite (WAL, IMMEDIATE transactions, as in production) the single writer does — with fewer
threads there, since a hundred writers queueing behind one outwait SQLite's busy timeout (5 s).
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core.errors import DomainError
from jusha.points import services
from jusha.points.models import PointsTransaction, Redemption, Reward, Trigger
from tests.points_helpers import a_source, assert_books_balance, balance, give, reward, rule


def _together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work(index)
        except DomainError as refused:
            results[index] = refused.code
        except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


def _residents(world, n: int) -> list[User]:
    people = []
    for i in range(n):
        person = User.objects.create_user(username=f"resident{i:03d}", name=f"居民{i:03d}")
        RoleAssignment.objects.create(user=person, role=Role.RESIDENT, community=world.zhige)
        people.append(person)
    return people


def _attempt(person, item) -> int | str:
    try:
        return services.redemption_create(actor=person, reward=item.pk).pk
    except DomainError as refused:
        return refused.code


@pytest.mark.django_db(transaction=True)
def test_a_hundred_people_racing_for_ten_in_stock_get_exactly_ten(world):
    # A hundred requests from a hundred people; on PostgreSQL 40 connections send them at once (the
    # server allows 100 connections in all, shared with the test itself), on SQLite 10.
    senders = 40 if connection.vendor == "postgresql" else 10
    people = _residents(world, 100)
    item = reward(world, cost=20, stock=10)
    # Two in three can afford it; the others are refused for their balance whatever the stock.
    for i, person in enumerate(people):
        give(world, person, 30 if i % 3 else 10)

    batches = _together(senders, lambda i: [_attempt(p, item) for p in people[i::senders]])
    results = [r for batch in batches for r in (batch if isinstance(batch, list) else [batch])]
    assert len(results) == 100
    won = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if not isinstance(r, int)]
    assert len(won) == 10, results
    assert set(refused) <= {"out_of_stock", "insufficient_points"}, refused
    assert Reward.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.filter(reward=item).count() == 10
    assert all(balance(r.person) == 10 for r in Redemption.objects.filter(reward=item).select_related("person"))
    # Nobody who could not afford it got one.
    assert not Redemption.objects.filter(reward=item, person__in=people[::3]).exists()
    assert_books_balance()


@pytest.mark.django_db(transaction=True)
def test_one_person_firing_fifty_redemptions_with_balance_for_three_gets_three(world):
    item = reward(world, cost=10, stock=100, per_person_limit=100)
    give(world, world.wangfang, 35)
    results = _together(50, lambda i: services.redemption_create(actor=world.wangfang, reward=item.pk).pk)
    won = [r for r in results if isinstance(r, int)]
    assert len(won) == 3, results
    assert {r for r in results if not isinstance(r, int)} == {"insufficient_points"}
    assert balance(world.wangfang) == 5
    assert Reward.objects.get(pk=item.pk).stock == 97
    assert_books_balance()


@pytest.mark.django_db(transaction=True)
def test_the_per_person_limit_holds_under_concurrent_requests(world):
    item = reward(world, cost=1, stock=100, per_person_limit=2)
    give(world, world.wangfang, 100)
    results = _together(20, lambda i: services.redemption_create(actor=world.wangfang, reward=item.pk).pk)
    assert len([r for r in results if isinstance(r, int)]) == 2, results
    assert {r for r in results if not isinstance(r, int)} == {"limit_reached"}


@pytest.mark.django_db(transaction=True)
def test_a_pickup_code_scanned_at_two_desks_at_once_works_once(world):
    item = reward(world)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)
    staff = [world.lina, world.liuyang, world.zhengli, world.admin] * 3
    results = _together(len(staff), lambda i: services.redemption_pickup(actor=staff[i], code=made.code).pk)
    assert results.count(made.pk) == 1, results
    assert set(results) - {made.pk} == {"code_used"}


@pytest.mark.django_db(transaction=True)
def test_cancel_and_pickup_racing_do_not_both_happen(world):
    item = reward(world, cost=10)
    give(world, world.wangfang, 10)
    made = services.redemption_create(actor=world.wangfang, reward=item)

    def act(i):
        if i % 2:
            return services.redemption_cancel(actor=world.wangfang, redemption=made.pk).status
        return services.redemption_pickup(actor=world.lina, code=made.code).status

    results = _together(10, act)
    assert len([r for r in results if r in ("cancelled", "picked_up")]) == 1, results
    final = Redemption.objects.get(pk=made.pk)
    assert balance(world.wangfang) == (10 if final.status == "cancelled" else 0)
    assert_books_balance()


@pytest.mark.django_db(transaction=True)
def test_the_same_award_racing_pays_once(world):
    rule(world, Trigger.NEED_FULFILLED, points=7)
    source = a_source(world)

    def award(i):
        movement = services.points_award_for(actor=None, person=world.wangfang, trigger="need_fulfilled",
                                             source=source)
        return movement.pk

    results = _together(20, award)
    assert len(set(results)) == 1, results
    assert PointsTransaction.objects.filter(person=world.wangfang).count() == 1
    assert balance(world.wangfang) == 7
