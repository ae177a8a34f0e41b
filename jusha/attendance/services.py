"""Every write about attendance, service hours and certificates: one function per state change.

Check-in and check-out lock the person's confirmed sign-up; the organiser's steps lock the row they
change and ask `permissions` about it (ATTENDANCE_MANAGE: the activity's creator, its unit's liaisons,
its community's and subdistrict's staff). A refusal is a DomainError raised before anything is
written. People hear of verified and corrected hours, and of decisions on their requests, only after
commit (`notices`).
"""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.activities.models import Session, SignUp
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action
from jusha.places.coords import CRS, to_wgs84
from jusha.points.models import Trigger
from jusha.points.services import points_award_for, points_award_revise
from jusha.volunteers.models import Volunteer

from . import hours as hour_rules
from . import notices, tokens
from .models import NOTE_MAX_LENGTH, Attendance, Certificate, CorrectionRequest, ServiceRecord
from .tokens import Purpose

EARTH_RADIUS_M = 6_371_008.8
A = Attendance
R = ServiceRecord.Status
# What attending each kind of activity pays (docs/points.md), to the participant or volunteer present.
ATTENDANCE_TRIGGERS = {
    "lecture": Trigger.LECTURE,
    "course": Trigger.COURSE,
    "youth": Trigger.YOUTH_EXPERIENCE,
    "volunteer_service": Trigger.VOLUNTEER_SERVICE,
    "alliance": Trigger.ALLIANCE_ACTIVITY,
}


# --- checking input (before anything is written) -------------------------------------------------

@dataclass(frozen=True)
class Position:
    """Where the phone says it is, in the coordinate system it reports (WGS-84, GCJ-02 or BD-09)."""

    lng: float
    lat: float
    crs: str = CRS.WGS84


def position_from(lng, lat, crs=None) -> Position | None:
    """A Position from raw form or JSON values; None when the phone sent none; a DomainError when garbled."""
    if lng in (None, "") and lat in (None, ""):
        return None
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        lng = lat = math.nan
    crs = crs or CRS.WGS84
    if not (-180 <= lng <= 180 and -90 <= lat <= 90) or crs not in {c.value for c in CRS}:
        raise DomainError(_("Your phone sent a position we cannot read. Please try again."), code="invalid_position",
                          field="position")
    return Position(lng=lng, lat=lat, crs=crs)


def _reason(value, *, missing) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise DomainError(missing, code="required", field="reason")
    if len(value) > NOTE_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": NOTE_MAX_LENGTH, "count": len(value)}, code="too_long", field="reason")
    return value


def _hours(value, session: Session) -> Decimal:
    """Hours someone typed: a number from 0 to the session's length, to the hundredth."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        hours = None
    most = hour_rules.session_hours(session.starts_at, session.ends_at)
    if hours is None or not hours.is_finite() or hours < 0 or hours > most or hours != hours.quantize(Decimal("0.01")):
        raise DomainError(_("Enter the hours as a number from 0 to %(most)s (the session's length).") % {"most": most},
                          code="invalid_hours", field="hours")
    return hours


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine): plenty for a geofence of tens to hundreds of metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _inside_geofence(session: Session, position: Position | None) -> tuple[float, float] | None:
    """The phone's WGS-84 point when the activity checks positions; refused outside the radius."""
    activity = session.activity
    if activity.geofence_m is None:
        return None
    if position is None:
        raise DomainError(_("This activity checks that you are there. Please allow your phone to share its "
                            "location, then scan the code again."), code="position_required", field="position")
    lng, lat = to_wgs84(position.lng, position.lat, position.crs)
    away = distance_m(lng, lat, activity.lng, activity.lat)
    if away > activity.geofence_m:
        raise DomainError(_("You seem to be about %(away)s m from %(place)s; checking in works within %(radius)s m "
                            "of it.") % {"away": round(away), "place": activity.place_name,
                                         "radius": activity.geofence_m},
                          code="outside_geofence", field="position")
    return lng, lat


# --- check-in and check-out by QR code -----------------------------------------------------------

def _my_signup(actor, session_id: int) -> SignUp:
    """The actor's confirmed sign-up for the session, locked; a clear refusal when there is none."""
    if not permissions.can(actor, Action.ATTENDANCE_CHECK_IN):
        raise NotAllowed()
    session = Session.objects.select_related("activity").filter(pk=session_id).first()
    if session is None:
        raise NotAllowed()
    signup = (SignUp.objects.select_for_update(of=("self",)).select_related("session__activity")
              .filter(session=session, person=actor, status=SignUp.Status.CONFIRMED).first())
    if signup is None or not permissions.can(actor, Action.ATTENDANCE_CHECK_IN, signup):
        raise DomainError(_("You do not have a confirmed place at this session, so you cannot check in here."),
                          code="not_signed_up")
    if session.is_cancelled:
        raise DomainError(_("This session was cancelled."), code="session_cancelled")
    return signup


def attendance_check_in(*, actor, session: Session | int, token: str, position: Position | None = None) -> Attendance:
    """A confirmed participant or volunteer scanned the organiser's check-in code: they are present from
    now (hours count from the session's start at the earliest). Refused with a clear code for an expired,
    forged or other session's code, no confirmed place, outside the opening window or the geofence, or
    when already checked in; nothing changes then."""
    session_id = session.pk if isinstance(session, Session) else session
    tokens.read(token, session_id=session_id, purpose=Purpose.IN)
    now = clock.now()
    with transaction.atomic():
        signup = _my_signup(actor, session_id)
        session = signup.session
        if now < session.starts_at - timedelta(minutes=settings.JUSHA_CHECKIN_EARLY_MINUTES):
            raise DomainError(_("Check-in opens %(minutes)s minutes before the session starts.")
                              % {"minutes": settings.JUSHA_CHECKIN_EARLY_MINUTES}, code="too_early")
        if now >= session.ends_at:
            raise DomainError(_("This session is over; check-in is closed. Ask the organiser to mark you."),
                              code="session_over")
        attendance = Attendance.objects.select_for_update().filter(signup=signup).first()
        if attendance is not None and attendance.checked_in_at is not None:
            raise DomainError(_("You already checked in at %(time)s.")
                              % {"time": timezone.localtime(attendance.checked_in_at).strftime("%H:%M")},
                              code="already_checked_in")
        point = _inside_geofence(session, position)
        fields = {"status": A.Status.PRESENT, "checked_in_at": now, "check_in_method": A.Method.QR,
                  "check_in_lng": point[0] if point else None, "check_in_lat": point[1] if point else None,
                  "updated_at": now}
        if attendance is None:
            attendance = Attendance.objects.create(signup=signup, session=session, person=actor, **fields)
        else:
            Attendance.objects.filter(pk=attendance.pk).update(**fields)
            attendance.refresh_from_db()
        _audit(attendance, "attendance.check_in", actor=actor, after={"at": now, "geofence": point is not None})
        _pay_attendance(attendance, actor=actor)
        return attendance


def attendance_check_out(*, actor, session: Session | int, token: str, position: Position | None = None) -> Attendance:
    """The person scanned the check-out code: their service ends now (counted to the session's end at
    the latest); a volunteer's hours are counted into a service record awaiting verification."""
    session_id = session.pk if isinstance(session, Session) else session
    tokens.read(token, session_id=session_id, purpose=Purpose.OUT)
    now = clock.now()
    with transaction.atomic():
        signup = _my_signup(actor, session_id)
        attendance = Attendance.objects.select_for_update().filter(signup=signup).first()
        if attendance is None or attendance.checked_in_at is None:
            raise DomainError(_("You have not checked in to this session yet."), code="not_checked_in")
        if attendance.checked_out_at is not None:
            raise DomainError(_("You already checked out at %(time)s.")
                              % {"time": timezone.localtime(attendance.checked_out_at).strftime("%H:%M")},
                              code="already_checked_out")
        _inside_geofence(signup.session, position)
        Attendance.objects.filter(pk=attendance.pk).update(checked_out_at=now, check_out_method=A.Method.QR,
                                                           updated_at=now)
        attendance.refresh_from_db()
        record = _count_hours(attendance, signup)
        _audit(attendance, "attendance.check_out", actor=actor,
               after={"at": now, "hours": record.counted_hours if record else None})
        return attendance


def _audit(attendance: Attendance, action: str, *, actor, before=None, after=None) -> None:
    activity = attendance.session.activity
    audit_record(actor=actor, action=action, target=attendance, before=before, after=after,
                 subdistrict_id=activity.subdistrict_id, community_id=activity.community_id)


def _pay_attendance(attendance: Attendance, *, actor) -> None:
    """Attending pays the activity kind's points once per attendance (`points_award_for` is idempotent,
    so checking in and being marked again pay once); struck off (marked absent), the attendance gives
    them back, and marked present again after that it pays again (`points_award_revise`)."""
    trigger = ATTENDANCE_TRIGGERS[attendance.session.activity.kind]
    person = attendance.person
    if attendance.status == A.Status.PRESENT:
        points_award_for(actor=actor, person=person, trigger=trigger, quantity=1, source=attendance)
        points_award_revise(actor=actor, person=person, trigger=trigger, quantity=1, source=attendance)
    else:
        points_award_revise(actor=actor, person=person, trigger=trigger, quantity=0, source=attendance)


def _count_hours(attendance: Attendance, signup: SignUp) -> ServiceRecord | None:
    """Count a volunteer's finished attendance into their service record for the session (participants
    earn no hours). A verified record is never recounted: hours change then only by correction."""
    if signup.role != SignUp.Role.VOLUNTEER or attendance.checked_out_at is None:
        return None
    volunteer = Volunteer.objects.filter(user=attendance.person_id).first()
    if volunteer is None:
        return None
    session = attendance.session
    counted = hour_rules.counted_hours(attendance.checked_in_at, attendance.checked_out_at, session.starts_at,
                                       session.ends_at)
    record = ServiceRecord.objects.select_for_update().filter(attendance=attendance).first()
    if record is None:
        return ServiceRecord.objects.create(volunteer=volunteer, session=session, attendance=attendance,
                                            counted_hours=counted, hours=counted, created_at=clock.now())
    if record.status == R.PENDING:
        ServiceRecord.objects.filter(pk=record.pk).update(counted_hours=counted, hours=counted, corrected_at=None,
                                                          correction_reason="")
        record.refresh_from_db()
    return record


# --- the organiser's steps -------------------------------------------------------------------------

def _lock(actor, model, pk, *, related=()):
    """The row, locked for this transaction, if the actor may manage its attendance (else a 404)."""
    pk = getattr(pk, "pk", pk)
    locked = (model.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=pk).first()
              if isinstance(pk, int) else None)
    if locked is None or not permissions.can(actor, Action.ATTENDANCE_MANAGE, locked):
        raise NotAllowed()
    return locked


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def attendance_mark(*, actor, signup: SignUp | int, present: bool, checked_in_at: datetime | None = None,
                    checked_out_at: datetime | None = None) -> Attendance:
    """The organiser marks a confirmed sign-up present (with times; by default the whole session) or
    absent, by hand: for someone without a phone, or to fix a forgotten or wrong scan. A volunteer's
    hours are recounted unless already verified (then only a correction changes them)."""
    now = clock.now()
    with transaction.atomic():
        signup = _lock(actor, SignUp, signup, related=("session__activity",))
        session = signup.session
        if signup.status != SignUp.Status.CONFIRMED:
            raise DomainError(_("Only confirmed sign-ups can be marked."), code="not_confirmed")
        attendance = Attendance.objects.select_for_update().filter(signup=signup).first()
        record = ServiceRecord.objects.filter(attendance=attendance).first() if attendance else None
        if record is not None and record.is_verified:
            raise DomainError(_("These hours are already verified; correct them with a reason instead."),
                              code="already_verified")
        if present:
            checked_in_at = _aware(checked_in_at) or session.starts_at
            checked_out_at = _aware(checked_out_at) or (session.ends_at if now >= session.ends_at else None)
            if checked_out_at is not None and checked_out_at < checked_in_at:
                raise DomainError(_("The check-out time must not be before the check-in time."),
                                  code="times_out_of_order", field="checked_out_at")
            if checked_in_at > now or (checked_out_at is not None and checked_out_at > now):
                raise DomainError(_("The times must not be in the future."), code="times_in_future",
                                  field="checked_in_at")
            fields = {"status": A.Status.PRESENT, "checked_in_at": checked_in_at, "checked_out_at": checked_out_at,
                      "check_in_method": A.Method.HAND,
                      "check_out_method": A.Method.HAND if checked_out_at else ""}
        else:
            fields = {"status": A.Status.ABSENT, "checked_in_at": None, "checked_out_at": None,
                      "check_in_method": "", "check_out_method": "", "check_in_lng": None, "check_in_lat": None}
        fields.update(closed_by_rule=False, marked_by=actor, updated_at=now)
        before = _times(attendance) if attendance else None
        if attendance is None:
            attendance = Attendance.objects.create(signup=signup, session=session, person_id=signup.person_id,
                                                   **fields)
        else:
            Attendance.objects.filter(pk=attendance.pk).update(**fields)
            attendance.refresh_from_db()
        if record is not None and not present:
            record.delete()
        record = _count_hours(attendance, signup)
        _audit(attendance, "attendance.mark", actor=actor, before=before,
               after={**_times(attendance), "hours": record.counted_hours if record else None})
        _pay_attendance(attendance, actor=actor)
        return attendance


def _times(attendance: Attendance) -> dict:
    return {"status": attendance.status, "in": attendance.checked_in_at, "out": attendance.checked_out_at}


def service_record_verify(*, actor, record: ServiceRecord | int) -> ServiceRecord:
    """The organiser confirms a volunteer's hours for the session. From this moment the hours count:
    in the volunteer's total, on certificates and for points. Each record is verified once."""
    with transaction.atomic():
        record = _lock(actor, ServiceRecord, record, related=("session__activity",))
        now = clock.now()
        if not ServiceRecord.objects.filter(pk=record.pk, status=R.PENDING).update(
                status=R.VERIFIED, verified_at=now, verified_by=actor):
            raise DomainError(_("These hours are already verified."), code="already_verified")
        record.refresh_from_db()
        _audit_record(record, "attendance.verify", actor=actor, after={"hours": record.hours})
        points_award_for(actor=actor, person=record.volunteer.user, trigger=Trigger.HOURS, quantity=record.hours,
                         source=record)
        transaction.on_commit(lambda: notices.verified(record.pk), robust=True)
        return record


def _audit_record(record: ServiceRecord, action: str, *, actor, before=None, after=None) -> None:
    activity = record.session.activity
    audit_record(actor=actor, action=action, target=record, before=before, after=after,
                 subdistrict_id=activity.subdistrict_id, community_id=activity.community_id)


def _correct(record: ServiceRecord, hours: Decimal, reason: str, *, actor) -> ServiceRecord:
    before = {"hours": record.hours}
    ServiceRecord.objects.filter(pk=record.pk).update(hours=hours, corrected_at=clock.now(), correction_reason=reason)
    record.refresh_from_db()
    _audit_record(record, "attendance.correct", actor=actor, before=before, after={"hours": hours, "reason": reason})
    if record.is_verified:
        # Verified hours have been paid for: the points follow the correction (pending ones pay on verifying).
        points_award_revise(actor=actor, person=record.volunteer.user, trigger=Trigger.HOURS, quantity=hours,
                            source=record, note=reason)
    return record


def service_record_correct(*, actor, record: ServiceRecord | int, hours, reason: str) -> ServiceRecord:
    """The organiser corrects a volunteer's hours (before or after verifying them), saying why; the
    audit keeps the hours before and after, and the volunteer is told."""
    reason = _reason(reason, missing=_("Please say why the hours are corrected."))
    with transaction.atomic():
        record = _lock(actor, ServiceRecord, record, related=("session__activity",))
        hours = _hours(hours, record.session)
        if hours == record.hours:
            raise DomainError(_("These are already the recorded hours."), code="same_hours", field="hours")
        before = str(record.hours)
        record = _correct(record, hours, reason, actor=actor)
        transaction.on_commit(lambda: notices.corrected(record.pk, before), robust=True)
        return record


def correction_request(*, actor, record: ServiceRecord | int, hours, reason: str) -> CorrectionRequest:
    """A volunteer asks the organiser to correct the hours of one of their own records, saying why.
    One open request per record at a time."""
    reason = _reason(reason, missing=_("Please say why the hours should be different."))
    with transaction.atomic():
        pk = getattr(record, "pk", record)
        record = (ServiceRecord.objects.select_for_update(of=("self",)).select_related("session__activity")
                  .filter(pk=pk).first() if isinstance(pk, int) else None)
        if record is None or not permissions.can(actor, Action.CORRECTION_REQUEST, record):
            raise NotAllowed()
        hours = _hours(hours, record.session)
        if hours == record.hours:
            raise DomainError(_("These are already the recorded hours."), code="same_hours", field="hours")
        try:
            with transaction.atomic():
                request = CorrectionRequest.objects.create(record=record, requested_by=actor, hours=hours,
                                                           reason=reason, created_at=clock.now())
        except IntegrityError:
            raise DomainError(_("You already asked for a correction of these hours; please wait for the decision."),
                              code="correction_pending") from None
        _audit_record(record, "attendance.correction_request", actor=actor,
                      after={"hours": hours, "reason": reason, "request": request.pk})
        return request


def _decide(actor, correction, status: str, note: str) -> tuple[CorrectionRequest, ServiceRecord]:
    pk = getattr(correction, "pk", correction)
    record_id = (CorrectionRequest.objects.filter(pk=pk).values_list("record_id", flat=True).first()
                 if isinstance(pk, int) else None)
    record = _lock(actor, ServiceRecord, record_id, related=("session__activity",))
    if not CorrectionRequest.objects.filter(pk=pk, status=CorrectionRequest.Status.PENDING).update(
            status=status, decided_at=clock.now(), decided_by=actor, decision_note=note):
        raise DomainError(_("This request was already decided."), code="already_decided")
    return CorrectionRequest.objects.get(pk=pk), record


def correction_accept(*, actor, correction: CorrectionRequest | int, note: str = "") -> CorrectionRequest:
    """The organiser accepts a volunteer's request: the hours become what they asked for (audited as a
    correction with the volunteer's reason), and the volunteer is told."""
    note = note.strip()[:NOTE_MAX_LENGTH] if isinstance(note, str) else ""
    with transaction.atomic():
        request, record = _decide(actor, correction, CorrectionRequest.Status.ACCEPTED, note)
        _correct(record, request.hours, request.reason, actor=actor)
        transaction.on_commit(lambda: notices.decided(request.pk), robust=True)
        return request


def correction_reject(*, actor, correction: CorrectionRequest | int, reason: str) -> CorrectionRequest:
    """The organiser turns a request down, saying why; the hours stay as they were."""
    reason = _reason(reason, missing=_("Please say why the request is turned down."))
    with transaction.atomic():
        request, record = _decide(actor, correction, CorrectionRequest.Status.REJECTED, reason)
        _audit_record(record, "attendance.correction_reject", actor=actor,
                      after={"request": request.pk, "reason": reason})
        transaction.on_commit(lambda: notices.decided(request.pk), robust=True)
        return request


# --- the worker's job --------------------------------------------------------------------------------

def attendance_close_forgotten() -> int:
    """Check-outs still open JUSHA_CHECKOUT_GRACE_MINUTES after their session ended are closed by
    JUSHA_CHECKOUT_RULE (at the session's end, or at the check-in: no hours until fixed by hand) and
    flagged for the organiser. Idempotent: each is closed by a conditional update on an open check-out."""
    now = clock.now()
    cutoff = now - timedelta(minutes=settings.JUSHA_CHECKOUT_GRACE_MINUTES)
    closed = 0
    for pk in Attendance.objects.filter(checked_in_at__isnull=False, checked_out_at__isnull=True,
                                        session__ends_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            attendance = (Attendance.objects.select_for_update(of=("self",))
                          .select_related("session__activity", "signup")
                          .filter(pk=pk, checked_out_at__isnull=True).first())
            if attendance is None:
                continue
            session = attendance.session
            out = session.ends_at if settings.JUSHA_CHECKOUT_RULE == "session_end" else attendance.checked_in_at
            out = max(out, attendance.checked_in_at)
            Attendance.objects.filter(pk=pk).update(checked_out_at=out, check_out_method=A.Method.RULE,
                                                    closed_by_rule=True, updated_at=now)
            attendance.refresh_from_db()
            record = _count_hours(attendance, attendance.signup)
            _audit(attendance, "attendance.close_forgotten", actor=None,
                   after={"out": out, "rule": settings.JUSHA_CHECKOUT_RULE,
                          "hours": record.counted_hours if record else None})
            closed += 1
    return closed


# --- certificates -------------------------------------------------------------------------------------

def _masked_id(volunteer: Volunteer) -> str:
    return f"{'*' * 14}{volunteer.id_number_last4}" if volunteer.id_number_last4 else "—"


def _new_number(now: datetime) -> str:
    """A certificate number nobody can guess from another: JSZM, the date and 8 random characters."""
    return f"JSZM{timezone.localtime(now):%Y%m%d}{secrets.token_hex(4).upper()}"


def certificate_issue(*, actor) -> Certificate:
    """A volunteer asks for a certificate of their verified hours (志愿服务证明): the identity block,
    every verified service (date, activity, organiser, hours) and the total, issued in the name of
    their subdistrict with a new certificate number. What it says is frozen in the row."""
    volunteer = (Volunteer.objects.select_related("community__subdistrict")
                 .filter(user=actor, number__isnull=False).first() if getattr(actor, "pk", None) else None)
    if volunteer is None:
        raise DomainError(_("Only registered volunteers can get a certificate of service hours."),
                          code="not_a_volunteer")
    records = list(ServiceRecord.objects.filter(volunteer=volunteer, status=R.VERIFIED)
                   .select_related("session__activity__subdistrict", "session__activity__community",
                                   "session__activity__member_unit").order_by("session__starts_at", "pk"))
    if not records:
        raise DomainError(_("You have no verified service hours yet."), code="no_verified_hours")
    now = clock.now()
    total = sum((r.hours for r in records), Decimal("0.00"))
    issuer = volunteer.community.subdistrict.name
    content = {
        "name": volunteer.name, "volunteer_number": volunteer.number, "id_type": volunteer.id_type,
        "id_number": _masked_id(volunteer), "issuer": issuer, "total_hours": str(total),
        "issued_on": timezone.localtime(now).date().isoformat(),
        "services": [{"date": timezone.localtime(r.session.starts_at).date().isoformat(),
                      "activity": r.session.activity.title, "organiser": r.session.activity.organiser_name,
                      "hours": str(r.hours)} for r in records],
    }
    with transaction.atomic():
        Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
        for _attempt in range(5):
            number = _new_number(now)
            try:
                with transaction.atomic():
                    certificate = Certificate.objects.create(number=number, volunteer=volunteer, issuer=issuer,
                                                             total_hours=total, content={**content, "number": number},
                                                             issued_at=now)
                break
            except IntegrityError:
                continue
        else:
            raise DomainError(_("Please try again."), code="conflict")
        certificate.records.set(records)
        audit_record(actor=actor, action="attendance.certificate_issue", target=certificate,
                     after={"number": certificate.number, "hours": total, "services": len(records)},
                     community_id=volunteer.community_id)
        return certificate
