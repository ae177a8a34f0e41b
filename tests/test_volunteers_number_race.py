"""Forty applications (ten on SQLite) approved at the same moment by two reviewers: every volunteer gets a
different number, and the numbers are exactly 1..n of the subdistrict's sequence for the year.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL the
sequence row's lock decides (the first approval of the year also races to create that row; the loser
falls back to the lock), with the number's unique index behind it; on SQLite the single writer does,
with fewer reviewers at once: each approval also writes its message and runs the delivery task after
commit, and forty of those queued behind one writer outlast SQLite's five-second busy timeout.
"""

import threading
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.volunteers import services
from jusha.volunteers.models import NumberSequence, Volunteer
from tests.volunteers_helpers import application, id_number


def applicants() -> int:
    return 40 if connection.vendor == "postgresql" else 10


def _approve(reviewer, volunteer_id: int, barrier: threading.Barrier, results: list, index: int) -> None:
    try:
        barrier.wait(timeout=30)
        services.volunteer_approve(actor=reviewer, volunteer=volunteer_id)
        results[index] = "ok"
    except DomainError as refused:
        results[index] = (refused.code, str(refused.message))
    except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
        results[index] = ("error", repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_hand_out_distinct_consecutive_numbers(world):
    count = applicants()
    ids = []
    for i in range(count):
        person = User.objects.create_user(username=None, mobile=f"137{i:08d}", name=f"志愿者{i:02d}")
        RoleAssignment.objects.create(user=person, role=Role.RESIDENT, community=world.zhige)
        volunteer = services.volunteer_apply(actor=person, **application(
            world, name=f"志愿者{i:02d}", gender="male", birth_month=date(1990, 1, 1), mobile=f"137{i:08d}",
            id_number=id_number("19900101", f"{i:02d}1")))
        ids.append(volunteer.pk)
    reviewers = [world.lina, world.liuyang]

    barrier = threading.Barrier(count)
    results: list = [None] * count
    threads = [threading.Thread(target=_approve, args=(reviewers[i % 2], ids[i], barrier, results, i))
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads), "an approval never finished"
    assert results == ["ok"] * count, results
    year = timezone.localtime(clock.now()).year
    numbers = sorted(Volunteer.objects.values_list("number", flat=True))
    assert numbers == [f"{world.subdistrict.code}{year}{n:05d}" for n in range(1, count + 1)]
    assert NumberSequence.objects.get(subdistrict=world.subdistrict, year=year).last == count
