"""Twelve planners add the fifth required item of a year at the same moment: exactly one is
planned, and every other one is told the year already has five.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
the alliance's row lock decides (and the unique index on the item number would); on SQLite the
single writer does.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core.errors import DomainError
from jusha.projects.models import ServiceProject
from tests.projects_helpers import K, plan

PLANNERS = 12


def _plan(world, planner, number: int, barrier: threading.Barrier, results: list, index: int) -> None:
    try:
        barrier.wait(timeout=30)
        plan(world, actor=planner, number=number, title=f"第五项 {index}")
        results[index] = "won"
    except DomainError as refused:
        results[index] = refused.code
    except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
        results[index] = repr(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_planners_never_make_a_sixth_required_item(world):
    from tests.needs_helpers import category

    category("health")
    for n in range(1, 5):
        plan(world, number=n)
    planners = []
    for i in range(PLANNERS):
        person = User.objects.create_user(username=f"planner{i:02d}", name=f"街道{i:02d}")
        RoleAssignment.objects.create(user=person, role=Role.SUBDISTRICT_STAFF, subdistrict=world.subdistrict)
        planners.append(person)

    barrier = threading.Barrier(PLANNERS)
    results: list = [None] * PLANNERS
    # Half ask for number 5, half for number 3 (taken): only one fifth item can exist.
    threads = [threading.Thread(target=_plan, args=(world, planners[i], 5 if i % 2 else 3, barrier, results, i))
               for i in range(PLANNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads), "a planner never finished"
    assert results.count("won") == 1, results
    assert set(results) - {"won"} <= {"items_full", "item_number_taken"}, results
    assert ServiceProject.objects.filter(kind=K.REQUIRED).count() == 5
    assert sorted(ServiceProject.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
