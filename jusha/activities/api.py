"""Activities for the WeChat mini-program and other clients: the same selectors and services as the
H5 pages. The list and one activity are public (no log-in); signing up, cancelling and "mine" need a
log-in. Refusals use the API's one error shape with a `code`: signup_closed, not_open_yet,
already_signed_up, overlap, not_in_audience, age_required, age_out_of_range, session_cancelled,
not_a_volunteer, skill_mismatch, no_volunteer_slots (sign-up); too_late, invalid_transition (cancel)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import selectors, services
from .models import Activity, SignUp

router = Router(tags=["activities"])

ID = Path(..., ge=1, le=2**62)


class ActivitySessionOut(Schema):
    id: int
    seq: int
    starts_at: datetime
    ends_at: datetime
    status: str
    seats: int
    seats_left: int


class ActivityOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    organiser: str
    community_id: int | None
    place_name: str
    lng: float | None
    lat: float | None
    min_age: int | None
    max_age: int | None
    seats: int
    signup_scope: str = Field(description="session: each session on its own; course: all remaining sessions "
                                          "at once")
    signup_opens_at: datetime | None
    signup_closes_at: datetime | None
    cancel_hours: int
    sessions: list[ActivitySessionOut]


class ActivityFilter(Schema):
    # Inline values, not the Kind enum: OpenAPI names enums by class name, and onboarding has a Kind too.
    kind: Literal["lecture", "course", "youth", "volunteer_service", "alliance"] | None = None
    community: int | None = Field(None, ge=1, le=2**62)
    q: str = Field("", max_length=selectors.SEARCH_MAX_LENGTH, description="words in the title or description")


class SignUpIn(Schema):
    as_volunteer: bool = Field(False, description="help as an approved volunteer instead of taking a seat")
    slot: int | None = Field(None, ge=1, le=2**62, description="the volunteer slot; empty: the first that fits")
    age: int | None = Field(None, ge=0, le=120, description="the age of the person coming, where the activity "
                                                            "has an age range")


class SignUpOut(Schema):
    id: int
    activity_id: int
    activity_title: str
    session: ActivitySessionOut
    role: str
    status: str = Field(description="confirmed or waitlisted (cancelled after a cancel)")
    position: int = Field(description="arrival number in the session: the waiting list's order")
    course_booking: str | None
    cancel_until: datetime


def _session(s) -> dict:
    return {"id": s.pk, "seq": s.seq, "starts_at": s.starts_at, "ends_at": s.ends_at, "status": s.status,
            "seats": s.seats, "seats_left": s.seats_left}


def _activity(a: Activity, sessions) -> dict:
    return {"id": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "title": a.title,
            "description": a.description, "organiser": a.organiser_name, "community_id": a.community_id,
            "place_name": a.place_name, "lng": a.lng, "lat": a.lat, "min_age": a.min_age, "max_age": a.max_age,
            "seats": a.seats, "signup_scope": a.signup_scope, "signup_opens_at": a.signup_opens_at,
            "signup_closes_at": a.signup_closes_at, "cancel_hours": a.cancel_hours,
            "sessions": [_session(s) for s in sessions]}


def _signup(s: SignUp) -> dict:
    activity = s.session.activity
    return {"id": s.pk, "activity_id": activity.pk, "activity_title": activity.title, "session": _session(s.session),
            "role": s.role, "status": s.status, "position": s.position,
            "course_booking": str(s.course_booking) if s.course_booking else None,
            "cancel_until": services.cancel_deadline(s)}


@router.get("", response={200: list[ActivityOut], 422: ValidationErrorOut})
def activity_list(request, filters: Query[ActivityFilter]):
    """Published activities with sessions to come, the soonest first (only those sessions). Public."""
    return [_activity(a, a.upcoming) for a in selectors.public_list(
        request.user, kind=filters.kind or "", community=filters.community, q=filters.q)]


@router.get("/mine", auth=django_auth, response={200: list[SignUpOut], 401: ErrorOut})
def mine(request):
    """The logged-in person's live sign-ups, the soonest first."""
    return [_signup(s) for s in selectors.my_signups(request.user)]


@router.get("/{activity_id}", response={200: ActivityOut, 404: ErrorOut, 422: ValidationErrorOut})
def one(request, activity_id: int = ID):
    """One published activity with all its sessions; 404 for one that is not public."""
    activity = selectors.public_activity(request.user, activity_id)
    return _activity(activity, activity.sessions.order_by("seq"))


@router.post("/sessions/{session_id}/sign-up", auth=django_auth,
             response={201: list[SignUpOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def sign_up(request, payload: SignUpIn, session_id: int = ID):
    """Sign up for a session (for a course booked as a whole: every remaining session). Each sign-up is
    `confirmed` or `waitlisted`; 400 with a code when refused (see above); 404 for a session that is
    not public."""
    made = services.signup_create(actor=request.user, session=session_id, as_volunteer=payload.as_volunteer,
                                  slot=payload.slot, age=payload.age)
    fresh = SignUp.objects.filter(pk__in=[s.pk for s in made]).select_related("session__activity").order_by(
        "session__starts_at")
    return Status(201, [_signup(s) for s in fresh])


@router.post("/sign-ups/{signup_id}/cancel", auth=django_auth,
             response={200: list[SignUpOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def cancel(request, signup_id: int = ID):
    """Give a place back (a whole-course booking: every session still ahead). 400 `too_late` after the
    cancellation deadline; 404 for someone else's sign-up."""
    ended = services.signup_cancel(actor=request.user, signup=signup_id)
    fresh = SignUp.objects.filter(pk__in=[s.pk for s in ended]).select_related("session__activity").order_by(
        "session__starts_at")
    return [_signup(s) for s in fresh]
