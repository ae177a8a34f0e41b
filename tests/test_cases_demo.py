"""The demo cases: deterministic, spread across states and sources, each timeline consistent."""

import pytest
from django.utils import timezone

from jusha.cases.demo import seed_cases
from jusha.cases.models import Case, CaseDeadline, CaseEvent
from tests.cases_helpers import category

pytestmark = pytest.mark.django_db


def test_seed_cases_spreads_over_states_and_sources_consistently(world):
    category()
    now = timezone.now()
    assert seed_cases(world.subdistrict, count=120, now=now) == 120
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "reported"} <= statuses and len(statuses) >= 6
    assert set(Case.objects.values_list("source", flat=True)) >= {"resident", "patrol"}
    assert Case.objects.filter(number__isnull=True).count() == 0
    for case in Case.objects.prefetch_related("events"):
        steps = [e for e in case.events.all() if e.step != "rate"]
        assert steps[0].step == "report" and steps[-1].to_status == case.status
        assert all(e.at <= now for e in case.events.all())
        assert case.reports.count() == 1
        if case.assignee_id:
            assert case.dispatched_at is not None
    # Stage clocks: one running for each case waiting on a stage, some of them supervised (督办).
    waiting = Case.objects.filter(status__in=["reported", "filed", "dispatched", "handling", "handled"])
    assert waiting.filter(deadline__ended_at=None).count() == waiting.count() > 0
    assert not Case.objects.filter(status="closed", deadline__isnull=False).exists()
    assert CaseDeadline.objects.filter(met=True).exclude(overdue_at=None).exists()
    assert CaseDeadline.objects.filter(met=True, overdue_at=None).count() > CaseDeadline.objects.exclude(
        overdue_at=None).count()
    first = list(Case.objects.order_by("pk").values_list("category__code", "status", "grid"))
    Case.objects.all().delete()
    assert CaseEvent.objects.count() == 0
    seed_cases(world.subdistrict, count=120, now=now)
    assert list(Case.objects.order_by("pk").values_list("category__code", "status", "grid")) == first
