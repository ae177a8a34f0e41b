"""Reviewers deciding the same submitted resource at the same moment: exactly one decision stands,
the others are told the resource changed, and exactly one audit entry is written.

Real threads with their own connections, released together by a barrier; on PostgreSQL the row lock
decides, on SQLite the single writer does.
"""

import threading

import pytest
from django.db import connection

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError
from jusha.resources import services
from jusha.resources.models import Resource
from tests.needs_helpers import category
from tests.resources_helpers import make

REVIEWERS = 12


def _decide(reviewer, resource_id: int, approve: bool, barrier, results: list, index: int) -> None:
    try:
        barrier.wait(timeout=30)
        if approve:
            services.resource_approve(actor=reviewer, resource=resource_id)
        else:
            services.resource_reject(actor=reviewer, resource=resource_id, reason="请补充")
        results[index] = "won"
    except DomainError as refused:
        results[index] = refused.code
    except Exception as exc:  # noqa: BLE001 (reported by the assertions below)
        results[index] = repr(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_have_exactly_one_winner(world):
    category("health")  # the flush between transactional tests removed the seeded categories
    reviewers = [world.liuyang]
    for i in range(REVIEWERS - 1):
        person = User.objects.create_user(username=f"reviewer{i:02d}", name=f"街道干部{i:02d}")
        RoleAssignment.objects.create(user=person, role=Role.SUBDISTRICT_STAFF, subdistrict=world.subdistrict)
        reviewers.append(person)
    resource = make(world, Resource.Status.SUBMITTED)

    barrier = threading.Barrier(REVIEWERS)
    results: list = [None] * REVIEWERS
    threads = [threading.Thread(target=_decide, args=(reviewers[i], resource.pk, i % 2 == 0, barrier, results, i))
               for i in range(REVIEWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads)
    assert results.count("won") == 1, results
    assert set(results) - {"won"} <= {"invalid_transition", "conflict"}, results
    resource.refresh_from_db()
    assert resource.status in (Resource.Status.APPROVED, Resource.Status.REJECTED)
    assert AuditEntry.objects.filter(action__in=["resources.approve", "resources.reject"]).count() == 1
