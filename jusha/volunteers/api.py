"""Volunteers for the mini-program and other clients: the same selectors and services as the pages.

A logged-in person applies (POST /api/volunteers/apply), reads, changes and withdraws their own record
(/api/volunteers/me); reviewing staff list the records of their community or subdistrict, read one,
and review it (POST /api/volunteers/{id}/review); a unit's liaison registers staff as the unit's
volunteer team (POST /api/volunteers/team). The identity number never leaves in full through the API
(staff reveal it on the console page, audited). Refusals use the API's one error shape with a `code`
(invalid_id_number, id_mismatch, consent_required, already_applied, invalid_transition, own_record …).
"""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.errors import DomainError, NotAllowed
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.places.models import Community

from . import idnumbers, selectors, services
from .models import EXTRA_VALUE_MAX_LENGTH, NAME_MAX_LENGTH, NOTE_MAX_LENGTH, Volunteer
from .skills import Skill
from .workflow import Step

router = Router(tags=["volunteers"])

_MONTH = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"
_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
# 403: a write without the CSRF token of the session it is made with.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class VolunteerSlotIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    start: str = Field(..., pattern=_TIME, examples=["09:00"])
    end: str = Field(..., pattern=_TIME, examples=["12:00"])


class VolunteerExtraIn(Schema):
    """Optional fields, kept only with `extra_consent`."""

    political_status: str = Field("", max_length=EXTRA_VALUE_MAX_LENGTH)
    education: str = Field("", max_length=EXTRA_VALUE_MAX_LENGTH)
    occupation: str = Field("", max_length=EXTRA_VALUE_MAX_LENGTH)
    emergency_contact: str = Field("", max_length=EXTRA_VALUE_MAX_LENGTH)


class VolunteerDetailsIn(Schema):
    """What a volunteer offers and how to reach them; changing the record sends all of it again."""

    skills: list[Skill] = Field(..., min_length=1, max_length=len(Skill.values))
    mobile: str = Field(..., min_length=1, max_length=20)
    availability: list[VolunteerSlotIn] = Field([], max_length=services.MAX_SLOTS)
    service_area: list[int] = Field([], max_length=services.MAX_SERVICE_AREA,
                                    description="community ids of the home community's subdistrict; empty: "
                                                "the home community")
    extra: VolunteerExtraIn | None = None
    extra_consent: bool = Field(False, description="explicit consent to keeping the optional fields")


class VolunteerIdentityIn(Schema):
    name: str = Field(..., min_length=1, max_length=NAME_MAX_LENGTH)
    gender: Volunteer.Gender
    birth_month: str = Field(..., pattern=_MONTH, examples=["1985-03"])
    id_type: Volunteer.IdType = Volunteer.IdType.RESIDENT_ID
    id_number: str = Field(..., min_length=1, max_length=30)
    community: int = Field(..., ge=1, le=2**62, description="the community the person lives in")


class VolunteerApplyIn(VolunteerIdentityIn, VolunteerDetailsIn):
    pass


class VolunteerTeamMemberIn(VolunteerIdentityIn):
    skills: list[Skill] = Field(..., min_length=1, max_length=len(Skill.values))
    mobile: str = Field(..., min_length=1, max_length=20)
    availability: list[VolunteerSlotIn] = Field([], max_length=services.MAX_SLOTS)


class VolunteerTeamIn(Schema):
    unit: int = Field(..., ge=1, le=2**62, description="your member unit")
    members: list[VolunteerTeamMemberIn] = Field(..., min_length=1, max_length=services.MAX_TEAM_SIZE)


class VolunteerReviewIn(Schema):
    step: str = Field(..., pattern="^(approve|reject|suspend|reinstate)$")
    reason: str = Field("", max_length=NOTE_MAX_LENGTH, description="required to reject or suspend")


class VolunteerWithdrawIn(Schema):
    reason: str = Field("", max_length=NOTE_MAX_LENGTH)


class VolunteerSlotOut(Schema):
    weekday: int
    start: str
    end: str


class VolunteerOut(Schema):
    id: int
    number: str | None = Field(..., description="given on approval")
    status: str
    status_label: str
    reason: str = Field(..., description="why rejected or suspended")
    name: str
    gender: str
    birth_month: str
    id_type: str
    id_number_masked: str = Field(..., description="only the last four characters are shown")
    mobile: str
    skills: list[str]
    availability: list[VolunteerSlotOut]
    community: int
    community_name: str
    service_area: list[int]
    unit: str | None = Field(..., description="the member unit whose volunteer team this is")
    extra: dict[str, str]
    applied_at: datetime
    reviewed_at: datetime | None


class VolunteerFilter(Schema):
    status: Volunteer.Status | None = None
    community: int | None = Field(None, ge=1, le=2**62)


def _out(v: Volunteer) -> dict:
    return {"id": v.pk, "number": v.number, "status": v.status, "status_label": v.get_status_display(),
            "reason": v.reject_reason, "name": v.name, "gender": v.gender,
            "birth_month": v.birth_month.strftime("%Y-%m"), "id_type": v.id_type,
            "id_number_masked": idnumbers.masked(v.id_number_last4), "mobile": v.mobile, "skills": v.skills,
            "availability": v.availability, "community": v.community_id, "community_name": v.community.name,
            "service_area": [c.pk for c in v.service_area.all()],
            "unit": v.member_unit.name if v.member_unit_id else None, "extra": v.extra,
            "applied_at": v.applied_at, "reviewed_at": v.reviewed_at}


def _communities(ids) -> list[Community]:
    found = list(Community.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(_("Choose communities from the list."), code="invalid_choice", field="service_area")
    return found


def _community(pk: int) -> Community:
    found = Community.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("Choose your community from the list."), code="invalid_choice", field="community")
    return found


def _identity(payload: VolunteerIdentityIn) -> dict:
    year, month = map(int, payload.birth_month.split("-"))
    return {"name": payload.name, "gender": payload.gender, "birth_month": date(year, month, 1),
            "id_type": payload.id_type, "id_number": payload.id_number, "community": _community(payload.community)}


def _details(payload: VolunteerDetailsIn) -> dict:
    extra = {k: v for k, v in (payload.extra.dict() if payload.extra else {}).items() if v}
    return {"skills": [str(s) for s in payload.skills], "mobile": payload.mobile,
            "availability": [dict(s) for s in payload.availability],
            "service_area": _communities(payload.service_area), "extra": extra,
            "extra_consent": payload.extra_consent}


def _mine(request) -> Volunteer:
    record = selectors.my_record(request.user)
    if record is None:
        raise NotAllowed()
    return record


@router.post("/apply", auth=django_auth, response={201: VolunteerOut, **ERRORS})
def apply(request, payload: VolunteerApplyIn):
    """Apply to become a volunteer (for yourself). 400 `already_applied` when you have a live record;
    after a rejection or withdrawal the same record is reviewed again."""
    services.volunteer_apply(actor=request.user, **_identity(payload), **_details(payload))
    return Status(201, _out(_mine(request)))


@router.get("/me", auth=django_auth, response={200: VolunteerOut, 401: ErrorOut, 404: ErrorOut})
def me(request):
    """Your own volunteer record; 404 when you have never applied."""
    return _out(_mine(request))


@router.put("/me", auth=django_auth, response={200: VolunteerOut, **ERRORS})
def update(request, payload: VolunteerDetailsIn):
    """Change what you offer and how to reach you (name and identity stay as reviewed)."""
    record = _mine(request)
    services.volunteer_update(actor=request.user, volunteer=record, **_details(payload))
    return _out(_mine(request))


@router.post("/me/withdraw", auth=django_auth, response={200: VolunteerOut, **ERRORS})
def withdraw(request, payload: VolunteerWithdrawIn):
    """Stop volunteering (or take back the application); the number stays with the record."""
    services.volunteer_withdraw(actor=request.user, volunteer=_mine(request), reason=payload.reason)
    return _out(_mine(request))


@router.get("", auth=django_auth, response={200: list[VolunteerOut], 401: ErrorOut, 422: ValidationErrorOut})
def volunteer_list(request, filters: Query[VolunteerFilter]):
    """The records the person reviews (staff of a community or subdistrict), oldest application first,
    at most 500; empty for everyone else. Without `status`: every status."""
    parsed = selectors.ListFilter(status=filters.status or "", community=filters.community)
    return [_out(v) for v in selectors.review_queue(request.user, parsed).prefetch_related("service_area")[:500]]


@router.post("/team", auth=django_auth, response={201: list[VolunteerOut], **ERRORS})
def team(request, payload: VolunteerTeamIn):
    """A liaison registers staff of their unit as its volunteer team; each record waits for review. All
    or nothing: a refusal's `field` names the member, e.g. `members.2.id_number`."""
    members = [{**_identity(m), "skills": [str(s) for s in m.skills], "mobile": m.mobile,
                "availability": [dict(s) for s in m.availability]} for m in payload.members]
    made = services.volunteer_register_team(actor=request.user, unit=payload.unit, members=members)
    return Status(201, [_out(selectors.volunteer_detail(request.user, v.pk)) for v in made])


@router.get("/{volunteer_id}", auth=django_auth, response={200: VolunteerOut, **ERRORS})
def one(request, volunteer_id: int = Path(..., ge=1, le=2**62)):
    """One record, for its volunteer, the staff who review it and the liaison of its team; else 404."""
    return _out(selectors.volunteer_detail(request.user, volunteer_id))


@router.post("/{volunteer_id}/review", auth=django_auth, response={200: VolunteerOut, **ERRORS})
def review(request, payload: VolunteerReviewIn, volunteer_id: int = Path(..., ge=1, le=2**62)):
    """Approve, reject (with a reason), suspend (with a reason) or reinstate a record; 400
    `invalid_transition` when its status does not allow the step, 404 for records you do not review."""
    step = Step(payload.step)
    kwargs = {"actor": request.user, "volunteer": volunteer_id}
    if step == Step.APPROVE:
        services.volunteer_approve(**kwargs)
    elif step == Step.REJECT:
        services.volunteer_reject(**kwargs, reason=payload.reason)
    elif step == Step.SUSPEND:
        services.volunteer_suspend(**kwargs, reason=payload.reason)
    else:
        services.volunteer_reinstate(**kwargs)
    return _out(selectors.volunteer_detail(request.user, volunteer_id))
