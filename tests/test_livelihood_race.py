"""The same respondent sending the same survey many times at once (a double tap, a retry on a slow
network, two liaisons of one unit): exactly one response is saved, every other one is told it was
already answered, and no half-saved answers are left.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL the
survey's row lock and the one-response partial unique indexes decide; on SQLite (WAL, IMMEDIATE
transactions, as in production) the single writer does.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core.errors import DomainError
from jusha.livelihood.models import Answer, Response
from tests.livelihood_helpers import Built, submit

SENDERS = 12


def _together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)
            results[index] = "saved"
        except DomainError as refused:
            results[index] = refused.code
        except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


def _exactly_one(results, built) -> None:
    assert results.count("saved") == 1, results
    assert set(results) == {"saved", "already_answered"}, results
    assert Response.objects.filter(survey=built.survey).count() == 1
    assert Answer.objects.filter(response__survey=built.survey).count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_residents_concurrent_submissions_save_exactly_one_response(world):
    built = Built(world)
    _exactly_one(_together(SENDERS, lambda i: submit(built, world.wangfang)), built)


@pytest.mark.django_db(transaction=True)
def test_a_units_liaisons_submitting_at_once_save_one_response_for_the_unit(world):
    built = Built(world)
    liaisons = []
    for i in range(SENDERS):
        liaison = User.objects.create_user(username=f"hospital{i:02d}", name=f"联络员{i:02d}")
        RoleAssignment.objects.create(user=liaison, role=Role.UNIT_LIAISON, member_unit=world.hospital)
        liaisons.append(liaison)
    results = _together(SENDERS, lambda i: submit(built, liaisons[i], respond_as="unit", unit=world.hospital.pk))
    _exactly_one(results, built)
    assert Response.objects.get(survey=built.survey).member_unit == world.hospital


@pytest.mark.django_db(transaction=True)
def test_one_device_submitting_anonymously_at_once_saves_one_response(world):
    built = Built(world, allow_anonymous=True)
    results = _together(SENDERS, lambda i: submit(built, None, respond_as="anonymous", device="d" * 32))
    _exactly_one(results, built)
