"""The demo's year of cases: deterministic, across every state and source, each timeline consistent with its
stage times and clocks, and nothing in the future whatever the time of day it is seeded at."""

import datetime

import pytest
from django.db.models import Max, Q
from django.utils import timezone

from jusha.cases.demo import seed_cases
from jusha.cases.models import Case, CaseDeadline, CaseEvent, CaseRating, Report, Source
from jusha.devices.demo import seed_devices
from jusha.devices.models import Detection
from tests.cases_helpers import category

pytestmark = pytest.mark.django_db

STAGE_TIMES = ["reported_at", "accepted_at", "filed_at", "dispatched_at", "handled_at", "verified_at", "closed_at"]


def at(day: int, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, minute))


@pytest.fixture
def devices(world):
    category()
    seed_devices(world.subdistrict)


def test_a_year_of_cases_covers_every_state_and_source_consistently(world, devices):
    now = at(27, 14, 45)  # a Friday afternoon
    assert seed_cases(world.subdistrict, count=600, days=90, now=now) == 600
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    # Every source but Open311: the demo has no other city apps posting to it.
    assert set(Case.objects.values_list("source", flat=True)) == set(Source.values) - {Source.OPEN311}
    assert not Case.objects.filter(number__isnull=True).exists()
    for case in Case.objects.prefetch_related("events", "reports"):
        events = list(case.events.all())
        assert events[0].step == "report" and events[-1].to_status == case.status
        assert all(e.at <= now for e in events)
        times = [getattr(case, name) for name in STAGE_TIMES if getattr(case, name)]
        assert times == sorted(times) and times[-1] <= now
        if case.status == "merged":
            assert case.merged_into.status != "merged" and not case.reports.exists()
        else:
            assert case.reports.count() >= 1
        if case.assignee_id and not case.self_handled:
            assert case.dispatched_at is not None
    merged = Case.objects.filter(status="merged")
    assert Report.objects.filter(case__in=merged.values("merged_into")).count() > merged.count()

    # Stage clocks: one running for each case waiting on a stage; the sweep's flags where it would have.
    waiting = Case.objects.filter(status__in=["reported", "filed", "dispatched", "handling", "handled"])
    assert waiting.filter(deadline__ended_at=None).count() == waiting.count() > 0
    assert not Case.objects.filter(status__in=["closed", "parked", "cancelled", "merged"], deadline__isnull=False
                                   ).exists()
    in_time = CaseDeadline.objects.filter(met=True, overdue_at=None).count()
    late = CaseDeadline.objects.filter(met=True).exclude(overdue_at=None).count()
    assert in_time > 5 * late > 0  # most stages are done in time; some are supervised first
    assert CaseDeadline.objects.filter(ended_at=None).exclude(overdue_at=None).exists()  # overdue now (督办)
    assert CaseDeadline.objects.exclude(escalated_at=None).exists()
    assert CaseEvent.objects.filter(step="overdue").count() >= late
    assert Case.objects.filter(rework_count__gt=0).exists()
    assert CaseEvent.objects.filter(step="rework").count() == sum(Case.objects.values_list("rework_count", flat=True))
    assert CaseDeadline.objects.exclude(due_before_extension=None).exists()
    assert Case.objects.filter(self_handled=True, status="closed").exists()
    assert CaseEvent.objects.filter(step="return").exists() and CaseEvent.objects.filter(step="follow").exists()

    # Every source as it arrives: hotline tickets numbered once, devices' reports with their detections.
    tickets = list(Report.objects.filter(source="hotline").values_list("external_id", flat=True))
    assert all(tickets) and len(set(tickets)) == len(tickets)
    device_reports = Report.objects.filter(source__in=["camera", "sensor"])
    assert Detection.objects.exclude(report=None).count() == device_reports.count() > 0
    assert Detection.objects.filter(status="attached").count() == device_reports.filter(followed=True).count()
    assert not Report.objects.filter(source__in=["camera", "sensor", "hotline"], anonymous=True).exists()
    rated = CaseRating.objects.values_list("case", "by")
    assert rated and all(Report.objects.filter(case=c, reporter=by).exists() for c, by in rated)


def test_the_same_seed_and_time_give_the_same_cases(world, devices):
    now = at(27, 9, 30)
    seed_cases(world.subdistrict, count=150, days=30, now=now)
    first = list(Case.objects.order_by("pk").values_list("category__code", "status", "grid", "reported_at",
                                                         "closed_at"))
    Detection.objects.exclude(report=None).delete()
    Case.objects.filter(status="merged").delete()
    Case.objects.all().delete()
    assert CaseEvent.objects.count() == 0
    seed_cases(world.subdistrict, count=150, days=30, now=now)
    assert list(Case.objects.order_by("pk").values_list("category__code", "status", "grid", "reported_at",
                                                        "closed_at")) == first


@pytest.mark.parametrize("now", [at(27, 0, 5), at(27, 8, 31), at(27, 12, 0), at(27, 17, 59), at(28, 23, 59),
                                 at(29, 10, 0)], ids=["after midnight", "opening", "noon", "closing",
                                                      "saturday night", "sunday"])
def test_nothing_is_seeded_after_the_time_of_seeding(world, devices, now):
    seed_cases(world.subdistrict, count=200, days=7, now=now)
    latest = [
        CaseEvent.objects.aggregate(m=Max("at"))["m"],
        Report.objects.aggregate(m=Max("created_at"))["m"],
        CaseRating.objects.aggregate(m=Max("created_at"))["m"],
        CaseDeadline.objects.aggregate(m=Max("started_at"))["m"],
        CaseDeadline.objects.aggregate(m=Max("ended_at"))["m"],
        CaseDeadline.objects.aggregate(m=Max("overdue_at"))["m"],
        CaseDeadline.objects.aggregate(m=Max("escalated_at"))["m"],
        Detection.objects.exclude(report=None).aggregate(m=Max("received_at"))["m"],
        *(Case.objects.aggregate(m=Max(name))["m"] for name in [*STAGE_TIMES, "cancelled_at", "parked_at",
                                                              "spot_checked_at"]),
    ]
    assert all(moment is None or moment <= now for moment in latest)
    # What is overdue now was due before now, and what is due later is not flagged.
    assert not CaseDeadline.objects.filter(Q(due_at__gte=now) & ~Q(overdue_at=None)).exists()
