"""Service projects for the WeChat mini-program and other clients: the public summary everyone may
read (title, description, units and their bundled resources, communities, targets and progress — no people,
contact details, notes or photos)."""

from datetime import date

from ninja import Path, Query, Router, Schema
from ninja.security import django_auth

from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import selectors

router = Router(tags=["projects"])


class TargetOut(Schema):
    label: str
    measure: str
    quantity: int
    done: int
    percent: int


class BundledResourceOut(Schema):
    title: str
    unit: str
    kind: str
    kind_label: str
    retired: bool


class ProjectOut(Schema):
    id: int
    year: int
    kind: str
    kind_label: str
    number: int | None
    title: str
    description: str
    status: str
    status_label: str
    owner: str
    units: list[str]
    resources: list[BundledResourceOut]
    communities: list[str]
    starts_on: date
    ends_on: date
    targets: list[TargetOut]
    percent: int


@router.get("", auth=django_auth, response={200: list[ProjectOut], 401: ErrorOut, 422: ValidationErrorOut})
def public_list(request, year: int | None = Query(None, ge=2000, le=2100)):
    """The service items of a year (this year when `year` is left out) and its running or finished projects."""
    return selectors.public_projects(request.user, year=year or selectors.this_year())


@router.get("/{project_id}", auth=django_auth,
            response={200: ProjectOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def public_one(request, project_id: int = Path(..., ge=1, le=2**62)):
    """One project's public summary; 404 for a project that is not public (planned or cancelled)."""
    return selectors.public_project(request.user, project_id)
