"""Resources for the mini-program and other clients: the same selectors and services as the console.

GET /api/resources lists what the person may see (filters: community, category, kind, status);
a unit's liaison creates (POST), edits (PUT) and submits (POST /{id}/submit) their unit's resources;
subdistrict staff approve and reject them; either retires one. Refusals use the API's one error shape.
"""

from datetime import datetime

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha import permissions
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.needs.models import Need
from jusha.permissions import Action
from jusha.places.coords import CRS

from . import selectors, services
from .matching import suggest_for_need
from .models import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Resource

router = Router(tags=["resources"])


class SlotSchema(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    start: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])
    end: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["17:00"])


class ResourceFieldsIn(Schema):
    """What a liaison describes; editing sends all of it again."""

    kind: Resource.Kind
    title: str = Field(..., min_length=1, max_length=TITLE_MAX_LENGTH)
    description: str = Field("", max_length=DESCRIPTION_MAX_LENGTH)
    categories: list[int] = Field(..., min_length=1, max_length=50, description="need category ids")
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    capacity_period: Resource.Period = Resource.Period.WEEK
    availability: list[SlotSchema] = Field([], max_length=21)
    service_area: list[int] = Field([], max_length=200, description="community ids; empty: the unit's own")
    lng: float | None = Field(None, ge=-180, le=180, description="longitude in `crs`")
    lat: float | None = Field(None, ge=-90, le=90, description="latitude in `crs`")
    crs: CRS = CRS.WGS84
    contact_name: str = Field(..., min_length=1, max_length=50)
    contact_mobile: str = Field(..., min_length=1, max_length=20)


class ResourceIn(ResourceFieldsIn):
    unit: int = Field(..., ge=1, le=2**62, description="your member unit")


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=REASON_MAX_LENGTH)


class ResourceOut(Schema):
    id: int
    unit_id: int
    unit: str
    kind: str
    title: str
    description: str
    categories: list[int]
    capacity: int | None
    capacity_period: str
    availability: list[SlotSchema]
    service_area: list[int]
    lng: float | None = Field(None, description="WGS-84")
    lat: float | None = Field(None, description="WGS-84")
    contact_name: str
    contact_mobile: str
    status: str
    status_label: str
    reject_reason: str
    submitted_at: datetime | None
    reviewed_at: datetime | None


class ListFilter(Schema):
    community: int | None = Field(None, ge=1, le=2**62)
    category: int | None = Field(None, ge=1, le=2**62)
    kind: Resource.Kind | None = None
    status: Resource.Status | None = None


class ScorePartOut(Schema):
    code: str = Field(..., description="category, distance, availability, load or rating")
    weight: int
    value: float = Field(..., description="0–1")
    points: float = Field(..., description="weight × value")
    explanation: str


class SuggestionOut(Schema):
    candidate_kind: str = Field(..., description="member_unit or volunteer")
    candidate_id: int
    candidate: str
    total: float = Field(..., description="out of 100")
    resources: list[int] = Field(..., description="the unit's fitting resources (empty for a volunteer)")
    parts: list[ScorePartOut]


def _out(r: Resource) -> dict:
    return {"id": r.pk, "unit_id": r.member_unit_id, "unit": r.member_unit.name, "kind": r.kind, "title": r.title,
            "description": r.description, "categories": [c.pk for c in r.categories.all()], "capacity": r.capacity,
            "capacity_period": r.capacity_period, "availability": r.availability,
            "service_area": [c.pk for c in r.service_area.all()], "lng": r.lng, "lat": r.lat,
            "contact_name": r.contact_name, "contact_mobile": r.contact_mobile, "status": r.status,
            "status_label": r.get_status_display(), "reject_reason": r.reject_reason,
            "submitted_at": r.submitted_at, "reviewed_at": r.reviewed_at}


def _fields(payload: ResourceFieldsIn) -> dict:
    data = payload.dict(exclude={"unit"})
    data["availability"] = [dict(s) for s in data["availability"]]
    return data


def _one(request, pk: int) -> dict:
    return _out(selectors.resource_detail(request.user, pk))


# 403: a write without the CSRF token of the session it is made with.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("", auth=django_auth, response={200: list[ResourceOut], 401: ErrorOut, 422: ValidationErrorOut})
def resource_list(request, filters: Query[ListFilter]):
    """The resources the person may see (a liaison: their unit's; staff: those of their community or
    subdistrict, drafts excepted), at most 500, by unit and title."""
    parsed = selectors.ResourceFilter(community=filters.community, category=filters.category,
                                      kind=filters.kind or "", status=filters.status or "")
    return [_out(r) for r in selectors.resource_list(request.user, parsed)[:500]]


@router.get("/suggestions", auth=django_auth, response={200: list[SuggestionOut], **ERRORS})
def suggestions(request, need: int = Query(..., ge=1, le=2**62), limit: int = Query(10, ge=1, le=50)):
    """The ranked units for a need the person may match (as on the need's console page), with the score's
    parts; 404 when the person may not decide on the need."""
    found = permissions.fetch(request.user, Action.NEED_TRIAGE,
                              Need.objects.select_related("community", "category"), pk=need)
    return [{"candidate_kind": s.candidate_kind, "candidate_id": s.candidate.pk, "candidate": s.candidate.name,
             "total": s.total, "resources": [r.pk for r in s.resources],
             "parts": [{"code": p.code, "weight": p.weight, "value": p.value, "points": p.points,
                        "explanation": p.explanation} for p in s.parts]}
            for s in suggest_for_need(actor=request.user, need=found, limit=limit)]


@router.get("/{resource_id}", auth=django_auth, response={200: ResourceOut, **ERRORS})
def one(request, resource_id: int = Path(..., ge=1, le=2**62)):
    """One resource, if the person may see it; otherwise 404, as if it did not exist."""
    return _one(request, resource_id)


@router.post("", auth=django_auth, response={201: ResourceOut, **ERRORS})
def create(request, payload: ResourceIn):
    """A liaison describes a resource of their unit; it is saved as a draft."""
    resource = services.resource_create(actor=request.user, unit=payload.unit, **_fields(payload))
    return Status(201, _one(request, resource.pk))


@router.put("/{resource_id}", auth=django_auth, response={200: ResourceOut, **ERRORS})
def update(request, payload: ResourceFieldsIn, resource_id: int = Path(..., ge=1, le=2**62)):
    """The liaison changes the resource; an approved one goes back for review."""
    services.resource_update(actor=request.user, resource=resource_id, **_fields(payload))
    return _one(request, resource_id)


@router.post("/{resource_id}/submit", auth=django_auth, response={200: ResourceOut, **ERRORS})
def submit(request, resource_id: int = Path(..., ge=1, le=2**62)):
    services.resource_submit(actor=request.user, resource=resource_id)
    return _one(request, resource_id)


@router.post("/{resource_id}/approve", auth=django_auth, response={200: ResourceOut, **ERRORS})
def approve(request, resource_id: int = Path(..., ge=1, le=2**62)):
    services.resource_approve(actor=request.user, resource=resource_id)
    return _one(request, resource_id)


@router.post("/{resource_id}/reject", auth=django_auth, response={200: ResourceOut, **ERRORS})
def reject(request, payload: ReasonIn, resource_id: int = Path(..., ge=1, le=2**62)):
    services.resource_reject(actor=request.user, resource=resource_id, reason=payload.reason)
    return _one(request, resource_id)


@router.post("/{resource_id}/retire", auth=django_auth, response={200: ResourceOut, **ERRORS})
def retire(request, resource_id: int = Path(..., ge=1, le=2**62)):
    services.resource_retire(actor=request.user, resource=resource_id)
    return _one(request, resource_id)
