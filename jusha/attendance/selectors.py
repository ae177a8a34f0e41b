"""Reads about attendance and hours, each narrowed by `permissions` to what the person may see."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from jusha import permissions
from jusha.activities.models import Session, SignUp
from jusha.permissions import Action

from .models import Attendance, Certificate, CorrectionRequest, ServiceRecord

SESSION_LIST_LIMIT = 200


def organised_sessions(user) -> QuerySet:
    """Sessions whose attendance the person manages, the most recent first, with what waits for them."""
    return (permissions.visible(user, Action.ATTENDANCE_MANAGE, Session.objects.all())
            .select_related("activity")
            .annotate(flagged=Count("attendances", filter=Q(attendances__closed_by_rule=True), distinct=True),
                      to_verify=Count("service_records", filter=Q(service_records__status="pending"),
                                      distinct=True),
                      corrections=Count("service_records__correction_requests",
                                        filter=Q(service_records__correction_requests__status="pending"),
                                        distinct=True))
            .order_by("-starts_at", "-id"))


def managed_session(user, pk: int) -> Session:
    return permissions.fetch(user, Action.ATTENDANCE_MANAGE, Session.objects.select_related("activity"), pk=pk)


@dataclass
class RosterRow:
    signup: SignUp
    attendance: Attendance | None
    record: ServiceRecord | None


def roster(session: Session) -> list[RosterRow]:
    """Every confirmed sign-up of the session with its attendance and service record (a fixed number of
    queries): volunteers first, then participants, each in arrival order."""
    signups = (SignUp.objects.filter(session=session, status=SignUp.Status.CONFIRMED)
               .select_related("person", "attendance__service_record").order_by("-role", "position"))
    rows = []
    for signup in signups:
        attendance = getattr(signup, "attendance", None)
        rows.append(RosterRow(signup=signup, attendance=attendance,
                              record=getattr(attendance, "service_record", None) if attendance else None))
    return rows


def pending_corrections(session: Session) -> QuerySet:
    return (CorrectionRequest.objects.filter(record__session=session, status=CorrectionRequest.Status.PENDING)
            .select_related("record__volunteer", "requested_by"))


def my_records(user) -> QuerySet:
    """The person's own service records, newest first, with their correction requests."""
    if not getattr(user, "is_authenticated", False):
        return ServiceRecord.objects.none()
    return (ServiceRecord.objects.filter(volunteer__user=user)
            .select_related("session__activity__subdistrict", "session__activity__community",
                            "session__activity__member_unit")
            .prefetch_related(Prefetch("correction_requests", queryset=CorrectionRequest.objects.order_by("-pk")))
            .order_by("-session__starts_at", "-pk"))


def my_totals(user) -> dict:
    """Verified hours (what certificates show) and hours still awaiting verification."""
    sums = my_records(user).order_by().aggregate(
        verified=Sum("hours", filter=Q(status=ServiceRecord.Status.VERIFIED)),
        pending=Sum("hours", filter=Q(status=ServiceRecord.Status.PENDING)))
    # SQLite's sum drops the trailing zeros: give both the record's two places.
    return {key: Decimal(sums[key] or 0).quantize(Decimal("0.01")) for key in ("verified", "pending")}


def my_certificates(user) -> QuerySet:
    return permissions.visible(user, Action.CERTIFICATE_VIEW, Certificate.objects.all()).order_by("-issued_at")


def my_certificate(user, number: str) -> Certificate:
    return permissions.fetch(user, Action.CERTIFICATE_VIEW, Certificate.objects.all(), number=number)


def certificate_lookup(number: str) -> Certificate | None:
    """A certificate by its number, for anyone checking one they were shown (the public fields only)."""
    if not isinstance(number, str) or len(number) > 32:
        return None
    return Certificate.objects.filter(number=number.strip().upper()).first()
