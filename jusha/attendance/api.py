"""Attendance for the WeChat mini-program and other clients: the same services as the H5 pages.

Check-in and check-out take the token from the scanned QR code and, where the activity has a
geofence, the phone's position (`crs`: wgs84, gcj02 as WeChat's wx.getLocation returns, or bd09).
Refusals use the API's one error shape with a `code`: token_invalid, token_expired,
token_wrong_session, token_wrong_purpose, not_signed_up, session_cancelled, too_early, session_over,
already_checked_in, not_checked_in, already_checked_out, position_required, invalid_position,
outside_geofence. A certificate is looked up by its number without logging in (public fields only).
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Path, Router, Schema
from ninja.security import django_auth

from jusha.core.errors import NotAllowed
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.places.coords import CRS

from . import selectors, services
from .tokens import MAX_TOKEN_LENGTH

router = Router(tags=["attendance"])


class ScanIn(Schema):
    token: str = Field(..., max_length=MAX_TOKEN_LENGTH, description="the `t` parameter of the scanned QR code's URL")
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: CRS = Field(CRS.WGS84, description="the coordinate system of lng/lat")


class AttendanceOut(Schema):
    session: int
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class ServiceRecordOut(Schema):
    id: int
    session: int
    activity: str
    organiser: str
    date: date
    counted_hours: Decimal
    hours: Decimal
    status: str
    status_label: str
    correction_reason: str
    correction_pending: bool


class CertificateLookupOut(Schema):
    number: str
    name: str = Field(description="the holder's surname and a mask, e.g. 王*")
    issuer: str
    total_hours: Decimal
    issued_on: date


def _attendance(a) -> dict:
    return {"session": a.session_id, "status": a.status, "checked_in_at": a.checked_in_at,
            "checked_out_at": a.checked_out_at}


def _scan(request, session_id: int, payload: ScanIn, step) -> dict:
    position = services.position_from(payload.lng, payload.lat, payload.crs)
    return _attendance(step(actor=request.user, session=session_id, token=payload.token, position=position))


# 403: a session POST without its CSRF token.
SCAN_RESPONSES = {200: AttendanceOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                  422: ValidationErrorOut}


@router.post("/sessions/{session_id}/check-in", auth=django_auth, response=SCAN_RESPONSES)
def check_in(request, payload: ScanIn, session_id: int = Path(..., ge=1, le=2**62)):
    """Check in with the token of the organiser's check-in code. 400 with a `code` when refused."""
    return _scan(request, session_id, payload, services.attendance_check_in)


@router.post("/sessions/{session_id}/check-out", auth=django_auth, response=SCAN_RESPONSES)
def check_out(request, payload: ScanIn, session_id: int = Path(..., ge=1, le=2**62)):
    """Check out with the token of the organiser's check-out code. 400 with a `code` when refused."""
    return _scan(request, session_id, payload, services.attendance_check_out)


@router.get("/records", auth=django_auth, response={200: list[ServiceRecordOut], 401: ErrorOut})
def my_records(request):
    """The logged-in volunteer's service records, newest first."""
    out = []
    for r in selectors.my_records(request.user):
        activity = r.session.activity
        out.append({"id": r.pk, "session": r.session_id, "activity": activity.title,
                    "organiser": activity.organiser_name, "date": timezone.localtime(r.session.starts_at).date(),
                    "counted_hours": r.counted_hours, "hours": r.hours, "status": r.status,
                    "status_label": r.get_status_display(), "correction_reason": r.correction_reason,
                    "correction_pending": any(c.status == "pending" for c in r.correction_requests.all())})
    return out


@router.get("/certificates/{number}", response={200: CertificateLookupOut, 404: ErrorOut, 422: ValidationErrorOut})
def certificate_lookup(request, number: str = Path(..., max_length=32)):
    """Check a certificate someone shows you: who (surname only), how many hours, issued by whom and when."""
    found = selectors.certificate_lookup(number)
    if found is None:
        raise NotAllowed()
    c = found.content
    return {"number": found.number, "name": c["name"][:1] + "*" * max(len(c["name"]) - 1, 1), "issuer": found.issuer,
            "total_hours": found.total_hours, "issued_on": date.fromisoformat(c["issued_on"])}
