"""Two hundred people tap "sign up" for 30 seats at the same moment: exactly 30 are confirmed and the
other 170 wait, numbered in the order they got in (the session's row lock hands out the arrival
numbers; the database's `session_never_oversold` check would refuse a 31st seat anyway). And
reminder sweeps running at once remind each person once.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
all 200 run; at most 40 hold a connection at a time, because the test server's max_connections (100)
is shared. On SQLite (one writer at a time) a smaller crowd proves the same.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from jusha.activities import services
from jusha.activities.models import Session, SignUp
from jusha.core.errors import DomainError
from tests.activities_helpers import first_session, published, residents

ON_POSTGRES = connection.vendor == "postgresql"
PEOPLE, SEATS = (200, 30) if ON_POSTGRES else (24, 5)
CONNECTIONS = 40


def _together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    gate = threading.Semaphore(CONNECTIONS)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    results[index] = work(index)
                finally:
                    connection.close()
        except DomainError as refused:
            results[index] = (refused.code, str(refused.message))
        except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
            results[index] = ("error", repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_oversell_and_wait_in_arrival_order(world):
    session = first_session(published(world, seats=SEATS))
    people = residents(world, PEOPLE)

    results = _together(PEOPLE, lambda i: services.signup_create(actor=people[i], session=session.pk)[0].status)
    assert not [r for r in results if isinstance(r, tuple)], results
    assert results.count(SignUp.Status.CONFIRMED) == SEATS
    assert results.count(SignUp.Status.WAITLISTED) == PEOPLE - SEATS

    rows = list(SignUp.objects.filter(session=session).order_by("position").values_list("position", "status"))
    assert [p for p, _ in rows] == list(range(1, PEOPLE + 1))
    # The first SEATS to arrive have the seats; everyone after them waits, in arrival order.
    assert [s for _, s in rows] == [SignUp.Status.CONFIRMED] * SEATS + [SignUp.Status.WAITLISTED] * (PEOPLE - SEATS)
    fresh = Session.objects.get(pk=session.pk)
    assert (fresh.confirmed_count, fresh.next_position) == (SEATS, PEOPLE + 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_person_once(world):
    session = first_session(published(world, seats=SEATS))
    people = residents(world, SEATS + 10)
    made = [services.signup_create(actor=p, session=session)[0] for p in people]

    results = _together(10, lambda i: len(services.signup_cancel(actor=people[i], signup=made[i].pk)))
    assert results == [1] * 10, results
    statuses = list(SignUp.objects.filter(session=session).order_by("position").values_list("status", flat=True))
    assert statuses == [SignUp.Status.CANCELLED] * 10 + [SignUp.Status.CONFIRMED] * SEATS
    assert Session.objects.get(pk=session.pk).confirmed_count == SEATS


@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_sweeps_remind_each_person_once(world, clock):
    from jusha.notifications.models import Message

    session = first_session(published(world, seats=5))
    for p in residents(world, 5):
        services.signup_create(actor=p, session=session)
    clock.current = session.starts_at - timedelta(hours=1)
    results = _together(4, lambda i: services.activities_remind_sweep())
    assert sum(results) == 5, results
    assert Message.objects.filter(kind="activities.reminder").count() == 5
