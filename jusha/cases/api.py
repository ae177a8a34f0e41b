"""Cases for the WeChat mini-program and other clients: the same services as the H5 pages.

POST /api/cases takes multipart form data (the fields plus up to six `photos`). When open cases of the
same category were reported nearby, the answer is 409 with code `nearby_open_case` and the cases in
`nearby`: send again with `follow` set to one of them, or with `new_anyway=true`.
"""

from datetime import datetime

from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from jusha import permissions
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import Action
from jusha.places.coords import CRS

from . import selectors, services
from .models import ADDRESS_MAX_LENGTH, TEXT_MAX_LENGTH, Case
from .workflow import STEP_LABELS, Step

router = Router(tags=["cases"])


class CaseCategoryOut(Schema):
    id: int
    code: str
    name: str = Field(description="Chinese name")
    name_en: str
    kind: str
    parent_id: int | None
    photo_required: bool


class ReportIn(Schema):
    category: int = Field(..., ge=1, le=2**62, description="a leaf category id from GET /api/cases/categories")
    description: str = Field(..., min_length=1, max_length=TEXT_MAX_LENGTH)
    lng: float = Field(..., ge=-180, le=180, description="longitude in `crs`")
    lat: float = Field(..., ge=-90, le=90, description="latitude in `crs`")
    crs: CRS = Field(CRS.WGS84, description="wgs84 (GPS), gcj02 (WeChat, AMap) or bd09 (Baidu)")
    address: str = Field("", max_length=ADDRESS_MAX_LENGTH)
    anonymous: bool = False
    follow: int | None = Field(None, ge=1, le=2**62, description="the id of a nearby open case to follow")
    new_anyway: bool = False


class NearbyOut(Schema):
    id: int
    number: str
    status: str
    reported_at: datetime


class NearbyErrorOut(ErrorOut):
    nearby: list[NearbyOut]


class CaseEventOut(Schema):
    at: datetime
    step: str
    label: str
    status: str
    note: str


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    category: str
    category_code: str
    community: str
    grid: str | None
    source: str
    reported_at: datetime


class CaseOut(CaseSummaryOut):
    followed: bool = Field(False, description="true when the report joined an open case nearby")
    description: str
    address: str
    lng: float = Field(description="WGS-84")
    lat: float = Field(description="WGS-84")
    handling_note: str
    due_at: datetime | None = Field(description="when the running stage is due; null when no stage clock runs")
    overdue: bool = Field(description="the running stage is past its due time and under supervision (督办)")
    photos: list[str]
    timeline: list[CaseEventOut]


def _summary(case: Case) -> dict:
    return {"id": case.pk, "number": case.number or "", "status": case.status,
            "status_label": case.get_status_display(), "category": case.category.label,
            "category_code": case.category.code, "community": case.community.name,
            "grid": case.grid.name if case.grid else None, "source": case.source, "reported_at": case.reported_at}


def _full(request, case: Case, *, followed: bool = False) -> dict:
    staff = permissions.can(request.user, Action.CASE_VIEW) and permissions.actor_of(request.user).is_staff_member
    return {
        **_summary(case), "followed": followed, "description": case.description, "address": case.address,
        "lng": case.lng, "lat": case.lat, "handling_note": case.handling_note,
        "due_at": case.due_at, "overdue": case.is_overdue,
        "photos": [request.build_absolute_uri(p.get_absolute_url()) for p in case.photos.all()],
        "timeline": [{"at": e.at, "step": e.step, "label": str(STEP_LABELS.get(Step(e.step), e.step)),
                      "status": e.to_status, "note": e.note if staff or not e.note_is_internal else ""}
                     for e in case.events.all()],
    }


@router.get("/categories", response=list[CaseCategoryOut])
def categories(request):
    """The active leaf categories residents may report (each with its top class as `parent_id`)."""
    return selectors.categories()


@router.post("", auth=django_auth,
             response={201: CaseOut, 200: CaseOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       409: NearbyErrorOut, 422: ValidationErrorOut})
def report(request, payload: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    """Report a problem. Routed to the grid and community containing the point; outside: 400 outside_area."""
    try:
        case, _report, created = services.report_submit(
            actor=request.user, category=payload.category, description=payload.description, lng=payload.lng,
            lat=payload.lat, crs=payload.crs, address=payload.address, anonymous=payload.anonymous,
            photo_files=photos or [], follow=payload.follow, new_anyway=payload.new_anyway)
    except services.NearbyOpenCase as exc:
        return Status(409, {"detail": str(exc.message), "code": exc.code, "field": exc.field,
                            "nearby": [{"id": c.pk, "number": c.number or "", "status": c.status,
                                        "reported_at": c.reported_at} for c in exc.cases]})
    case = selectors.case_detail(request.user, case.pk)
    return Status(201 if created else 200, _full(request, case, followed=not created))


@router.get("", auth=django_auth, response={200: list[CaseSummaryOut], 401: ErrorOut})
def listing(request, mine: bool = True, limit: int = Query(50, ge=1, le=200)):
    """The cases the person reported (`mine`, the default), or all the cases they may see (staff)."""
    if mine:
        qs = selectors.my_cases(request.user)
    else:
        qs = selectors.command_queue(request.user, selectors.CaseFilter(status="all"))
    return [_summary(c) for c in qs[:limit]]


@router.get("/{case_id}", auth=django_auth,
            response={200: CaseOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def one(request, case_id: int = Path(..., ge=1, le=2**62)):
    """One case with its timeline, if the person may see it; otherwise 404, as if it did not exist."""
    return _full(request, selectors.case_detail(request.user, case_id))
