"""`cases.services.device_report`: a camera's or sensor's report joins the nearest open case of the same
category nearby without asking anyone, else opens a new case for the center; it names no reporter."""

import pytest
from django.db import transaction

from jusha.cases import services
from jusha.cases.models import Case, CaseEvent, Report, Source
from jusha.core.errors import DomainError
from tests.cases_helpers import IN_ZHIGE, ZHIGE_B, S, bring_to, category


def _report(at=IN_ZHIGE, source=Source.CAMERA, code="SJ0104"):
    with transaction.atomic():
        return services.device_report(source=source, category=category(code).pk, description="沿街晾晒（识别）",
                                      place=services.locate(*at))


def test_a_device_report_opens_a_case_without_a_reporter(world):
    case, report, attached = _report()
    assert not attached and case.status == S.REPORTED and case.source == Source.CAMERA
    assert report.reporter is None and case.number.startswith("SJ")
    assert CaseEvent.objects.get(case=case).step == "report"


def test_a_device_report_attaches_to_an_open_case_nearby(world):
    open_case = bring_to(world, S.DISPATCHED)
    case, report, attached = _report(source=Source.SENSOR)
    assert attached and case.pk == open_case.pk and report.followed
    assert Case.objects.get(pk=open_case.pk).status == S.DISPATCHED
    assert CaseEvent.objects.filter(case=open_case, step="follow", actor=None).count() == 1
    # Another place or another category is a case of its own.
    assert not _report(at=ZHIGE_B)[2]
    assert not _report(code="SJ0502")[2]
    assert Report.objects.filter(case=open_case).count() == 2


def test_a_closed_case_is_not_joined(world):
    closed = bring_to(world, S.CLOSED)
    case, _report_row, attached = _report()
    assert not attached and case.pk != closed.pk


def test_only_device_sources_are_accepted(world):
    with pytest.raises(ValueError):
        _report(source=Source.RESIDENT)
    with pytest.raises(DomainError):
        _report(code="SJ01")  # a top node, not a leaf
