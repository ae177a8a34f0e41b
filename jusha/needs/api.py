"""Needs for the WeChat mini-program and other clients: the same services as the H5 pages.

POST /api/needs takes multipart form data (the fields plus up to six `photos`), so a phone can send
the pictures with the need in one request. Every refusal is the API's one error shape with a `code`
(outside_area, photo_not_image, photo_too_large, photo_too_many_pixels, too_many_photos, …).
"""

from datetime import datetime

from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from jusha import permissions
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import Action
from jusha.places.coords import CRS
from jusha.places.models import Community

from . import selectors, services
from .models import ADDRESS_MAX_LENGTH, TEXT_MAX_LENGTH, Need
from .workflow import STEP_LABELS, Step

router = Router(tags=["needs"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str = Field(description="Chinese name")
    name_en: str
    parent_id: int | None


class NeedIn(Schema):
    category: int = Field(..., ge=1, le=2**62, description="a category id from GET /api/needs/categories")
    text: str = Field(..., min_length=1, max_length=TEXT_MAX_LENGTH)
    lng: float | None = Field(None, ge=-180, le=180, description="longitude in `crs`")
    lat: float | None = Field(None, ge=-90, le=90, description="latitude in `crs`")
    crs: CRS = Field(CRS.WGS84, description="wgs84 (GPS), gcj02 (WeChat, AMap) or bd09 (Baidu)")
    community: int | None = Field(None, ge=1, le=2**62, description="used when no location is given")
    address: str = Field("", max_length=ADDRESS_MAX_LENGTH)
    urgency: Need.Urgency = Need.Urgency.NORMAL
    preferred_from: datetime | None = None
    preferred_until: datetime | None = None
    contact: Need.Contact = Need.Contact.CALL


class EventOut(Schema):
    at: datetime
    step: str
    label: str
    status: str
    unit: str | None
    note: str


class NeedSummaryOut(Schema):
    id: int
    status: str
    status_label: str
    category: str
    community: str
    text: str
    urgency: int
    submitted_at: datetime


class NeedOut(NeedSummaryOut):
    duplicate: bool = Field(False, description="true when this is the need the same person sent moments ago")
    grid: str | None
    address: str
    lng: float | None = Field(None, description="WGS-84")
    lat: float | None = Field(None, description="WGS-84")
    contact: str
    preferred_from: datetime | None
    preferred_until: datetime | None
    resolution: str
    first_response_due_at: datetime | None = Field(None, description="the first-response target, in service time")
    completion_due_at: datetime | None = Field(None, description="the completion target, in service time")
    overdue: bool = Field(False, description="a target passed and is still unmet")
    photos: list[str]
    timeline: list[EventOut]


class BoardItemOut(Schema):
    id: int
    community: str
    category: str
    text: str
    urgency: int
    submitted_at: datetime


def _summary(need: Need) -> dict:
    return {"id": need.pk, "status": need.status, "status_label": need.get_status_display(),
            "category": need.category.label, "community": need.community.name, "text": need.text,
            "urgency": need.urgency, "submitted_at": need.submitted_at}


def _full(request, need: Need, *, duplicate: bool = False) -> dict:
    # Staff (as on the console page) read the notes between staff and units; residents and units do not.
    staff = permissions.can(request.user, Action.NEED_TRIAGE)
    return {
        **_summary(need), "duplicate": duplicate, "grid": need.grid.name if need.grid else None,
        "address": need.address, "lng": need.lng, "lat": need.lat, "contact": need.contact,
        "preferred_from": need.preferred_from, "preferred_until": need.preferred_until,
        "resolution": need.resolution, "first_response_due_at": need.first_response_due_at,
        "completion_due_at": need.completion_due_at, "overdue": need.is_overdue,
        "photos": [request.build_absolute_uri(p.get_absolute_url()) for p in need.photos.all()],
        "timeline": [{"at": e.at, "step": e.step, "label": str(STEP_LABELS.get(Step(e.step), e.step)),
                      "status": e.to_status, "unit": e.member_unit.name if e.member_unit else None,
                      "note": e.note if staff or not e.note_is_internal else ""} for e in need.events.all()],
    }


@router.get("/categories", response=list[CategoryOut])
def categories(request):
    """The active need categories (a tree: `parent_id` is null for the top ones)."""
    return selectors.categories()


@router.post("", auth=django_auth,
             response={201: NeedOut, 200: NeedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def submit(request, payload: Form[NeedIn], photos: File[list[UploadedFile]] = None):
    """Ask for help. Routed to the community whose area contains the location (or `community`).
    Sending near-identical text again within minutes returns the need already sent (200, duplicate)."""
    community = Community.objects.filter(pk=payload.community).first() if payload.community else None
    if payload.community and community is None:
        return Status(400, {"detail": str(_no_such_community()), "code": "invalid_community", "field": "community"})
    need, created = services.need_submit(
        actor=request.user, category=payload.category, text=payload.text, community=community, lng=payload.lng,
        lat=payload.lat, crs=payload.crs, address=payload.address, urgency=payload.urgency,
        preferred_from=payload.preferred_from, preferred_until=payload.preferred_until, contact=payload.contact,
        photo_files=photos or [])
    need = selectors.need_detail(request.user, need.pk)
    return Status(201 if created else 200, _full(request, need, duplicate=not created))


def _no_such_community():
    from django.utils.translation import gettext as _

    return _("Choose your community from the list.")


@router.get("", auth=django_auth, response={200: list[NeedSummaryOut], 401: ErrorOut})
def mine(request):
    """The logged-in person's own needs, newest first."""
    return [_summary(n) for n in selectors.my_needs(request.user)]


@router.get("/board", auth=django_auth, response={200: list[BoardItemOut], 401: ErrorOut})
def board(request):
    """Open needs anyone may help with; never a name, phone number or exact place."""
    return [{"id": i.id, "community": i.community, "category": i.category, "text": i.text, "urgency": i.urgency,
             "submitted_at": i.submitted_at} for i in selectors.board(request.user)]


@router.get("/{need_id}", auth=django_auth,
            response={200: NeedOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def one(request, need_id: int = Path(..., ge=1, le=2**62)):
    """One need with its timeline, if the person may see it; otherwise 404, as if it did not exist."""
    return _full(request, selectors.need_detail(request.user, need_id))
