"""Racing steps on one case: ten operators accept the same report, five brigade members take the same
case sent to their team, at the same moment. Exactly one wins; the case's row lock decides (on SQLite,
the single writer), and the losers are refused without a second timeline entry.

Real threads with their own connections, released together by a barrier.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.cases import services
from jusha.cases.models import Case, CaseEvent
from jusha.core.errors import DomainError
from tests.cases_helpers import VENDING, S, bring_to, category

RACERS = 10


def _race(people, action, case_id):
    barrier = threading.Barrier(len(people))
    results: list = [None] * len(people)

    def run(index, person):
        try:
            barrier.wait(timeout=30)
            action(person, case_id)
            results[index] = "won"
        except DomainError as refused:
            results[index] = refused.code
        except Exception as exc:  # noqa: BLE001 (reported by the assertions)
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_operators_accept_the_same_report_once(world):
    category()
    operators = [world.zhaolei]
    for i in range(RACERS - 1):
        person = User.objects.create_user(username=f"op{i}", name=f"值班员{i}")
        RoleAssignment.objects.create(user=person, role=Role.COMMAND_OPERATOR, subdistrict=world.subdistrict)
        operators.append(person)
    case = bring_to(world, S.REPORTED)
    results = _race(operators, lambda person, pk: services.case_accept(actor=person, case=pk), case.pk)
    assert results.count("won") == 1, results
    assert set(results) - {"won"} <= {"invalid_transition", "conflict"}, results
    assert CaseEvent.objects.filter(case=case, step="accept").count() == 1
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED


@pytest.mark.django_db(transaction=True)
def test_five_team_members_take_the_same_team_case_once(world):
    category()
    members = [world.wugang]
    for i in range(4):
        person = User.objects.create_user(username=f"tm{i}", name=f"队员{i}")
        RoleAssignment.objects.create(user=person, role=Role.TEAM_MEMBER, team=world.brigade)
        members.append(person)
    case = bring_to(world, S.FILED, code=VENDING)
    services.case_dispatch(actor=world.zhaolei, case=case, team=world.brigade)
    results = _race(members, lambda person, pk: services.case_take(actor=person, case=pk), case.pk)
    assert results.count("won") == 1, results
    # Once taken, the case is its taker's task: for the others it is no longer there to take.
    assert set(results) - {"won"} <= {"not_found", "invalid_transition", "conflict"}, results
    taken = Case.objects.get(pk=case.pk)
    assert taken.status == S.HANDLING and taken.assignee == members[results.index("won")]
    assert CaseEvent.objects.filter(case=case, step="take").count() == 1
