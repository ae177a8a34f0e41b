"""Fifty member units claim the same need from the board at the same moment: exactly one wins, and
every other one is told clearly that the need was just taken.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
the need's row lock decides (and the one-live-claim unique index would); on SQLite (a file in WAL
mode with IMMEDIATE transactions, as in production) the single writer does.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core.errors import DomainError
from jusha.needs import services
from jusha.needs.models import Claim, Need, NeedEvent
from jusha.orgs.models import MemberUnit
from tests.needs_helpers import submit

CLAIMERS = 50


def _claim(liaison, need_id: int, barrier: threading.Barrier, results: list, index: int) -> None:
    try:
        barrier.wait(timeout=30)
        services.need_claim(actor=liaison, need=need_id)
        results[index] = "won"
    except DomainError as refused:
        results[index] = (refused.code, str(refused.message))
    except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
        results[index] = ("error", repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_have_exactly_one_winner(world):
    liaisons = []
    for i in range(CLAIMERS):
        unit = MemberUnit.objects.create(alliance=world.alliance, name=f"共建单位{i:02d}",
                                         category=MemberUnit.Category.ENTERPRISE)
        liaison = User.objects.create_user(username=f"liaison{i:02d}", name=f"联络员{i:02d}")
        RoleAssignment.objects.create(user=liaison, role=Role.UNIT_LIAISON, member_unit=unit)
        liaisons.append(liaison)
    need = submit(world.wangfang)
    services.need_accept(actor=world.lina, need=need)

    barrier = threading.Barrier(CLAIMERS)
    results: list = [None] * CLAIMERS
    threads = [threading.Thread(target=_claim, args=(liaisons[i], need.pk, barrier, results, i))
               for i in range(CLAIMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads), "a claim never finished"
    winners = [i for i, r in enumerate(results) if r == "won"]
    losers = [r for r in results if r != "won"]
    assert len(winners) == 1, results
    assert {code for code, _ in losers} == {"already_claimed"}, losers
    assert {message for _, message in losers} == {str(services._already_taken().message)}

    claim = Claim.objects.get(need=need)
    assert claim.status == Claim.Status.ACTIVE
    assert claim.claimant == liaisons[winners[0]]
    assert Need.objects.get(pk=need.pk).status == Need.Status.IN_PROGRESS
    assert NeedEvent.objects.filter(need=need, step="claim").count() == 1
