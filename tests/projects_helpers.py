"""Helpers for the service project tests: plan an item or a project in the test world (tests/conftest.py)."""

from datetime import date

from jusha.projects import services
from jusha.projects.models import ProjectTarget, ServiceProject
from jusha.projects.services import TargetIn
from tests.needs_helpers import category

YEAR = 2026
K = ServiceProject.Kind


def target(label="服务人次", quantity=100, measure=ProjectTarget.Measure.PERSON_TIMES, id=None) -> TargetIn:
    return TargetIn(label=label, measure=measure, quantity=quantity, id=id)


def plan(world, *, actor=None, kind=K.REQUIRED, number=1, title=None, communities=None, owner="hospital",
         units=(), targets=None, year=YEAR, **kwargs) -> ServiceProject:
    """刘洋 (subdistrict staff) plans a project; by default 下沙医院 owns it and it covers 智格."""
    kwargs.setdefault("categories", [category("health")])
    return services.project_create(
        actor=actor or world.liuyang, alliance=world.alliance, year=year, kind=kind,
        number=number if kind != K.OTHER else None, title=title or f"{kind} {number}",
        owner=getattr(world, owner) if owner else None, units=list(units),
        communities=communities if communities is not None else [world.zhige],
        starts_on=kwargs.pop("starts_on", date(year, 1, 1)), ends_on=kwargs.pop("ends_on", date(year, 12, 31)),
        targets=targets if targets is not None else [target()], **kwargs)


def started(world, **kwargs) -> ServiceProject:
    project = plan(world, **kwargs)
    return services.project_start(actor=world.liuyang, project=project)
