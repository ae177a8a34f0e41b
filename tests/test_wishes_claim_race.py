"""Fifty member units claim the same micro-wish at the same moment: exactly one wins, and every other
one is told clearly that it was just taken. And sweeps running at once lapse an overdue claim once.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
the wish's row lock decides (and the one-live-claim unique index would); on SQLite (a file in WAL
mode with IMMEDIATE transactions, as in production) the single writer does.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError
from jusha.notifications.models import Message
from jusha.orgs.models import MemberUnit
from jusha.wishes import services
from jusha.wishes.models import MicroWish, WishClaim
from tests.wishes_helpers import published

CLAIMERS = 50


def _together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except DomainError as refused:
            results[index] = (refused.code, str(refused.message))
        except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_have_exactly_one_winner(world):
    liaisons, units = [], []
    for i in range(CLAIMERS):
        unit = MemberUnit.objects.create(alliance=world.alliance, name=f"共建单位{i:02d}",
                                         category=MemberUnit.Category.ENTERPRISE)
        liaison = User.objects.create_user(username=f"liaison{i:02d}", name=f"联络员{i:02d}")
        RoleAssignment.objects.create(user=liaison, role=Role.UNIT_LIAISON, member_unit=unit)
        liaisons.append(liaison)
        units.append(unit)
    wish = published(world)

    def claim(i):
        services.wish_claim(actor=liaisons[i], wish=wish.pk, unit=units[i].pk)
        return "won"

    results = _together(CLAIMERS, claim)
    winners = [i for i, r in enumerate(results) if r == "won"]
    losers = [r for r in results if r != "won"]
    assert len(winners) == 1, results
    assert {code for code, _ in losers} == {"already_claimed"}, losers
    assert {message for _, message in losers} == {str(services._already_taken().message)}
    claim_row = WishClaim.objects.get(wish=wish)
    assert (claim_row.claimant, claim_row.member_unit) == (liaisons[winners[0]], units[winners[0]])
    assert MicroWish.objects.get(pk=wish.pk).status == MicroWish.Status.CLAIMED
    assert AuditEntry.objects.filter(action="wishes.claim", target_id=str(wish.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_lapse_an_overdue_claim_once(world, clock):
    wish = published(world)
    services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    clock.advance(days=8)
    results = _together(4, lambda i: services.wishes_lapse_sweep())
    assert sorted(results) == [0, 0, 0, 1], results
    assert MicroWish.objects.get(pk=wish.pk).status == MicroWish.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="wishes.lapse").count() == 1
    assert Message.objects.filter(kind="wishes.lapsed", recipient=world.zhengli).count() == 1
