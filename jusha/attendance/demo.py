"""Demo attendance for `jusha demo`: who came to the sessions that already took place, and the
volunteers' hours — most verified, some still waiting, a few forgotten check-outs closed by rule.

Drawn from a fixed seed, so every machine gets the same attendance for the same sessions. Rows are
written directly (one bulk insert per table) rather than through the services, which refuse to write
history for someone else's past; the hours still come from `hours.counted_hours`, the one rule. Works
on whatever past sessions with confirmed sign-ups exist, and leaves alone sign-ups that already have
attendance, so running it again adds nothing.

Points are the exception: `pay_attendance_points` pays them through `points.services.points_award_for`,
the one writer of the ledger, exactly as checking in and verifying would have (idempotent, so running
it again pays nothing twice).
"""

import random
from datetime import timedelta

from jusha.activities.models import Session, SignUp
from jusha.core import clock
from jusha.points.models import PointsTransaction, Trigger
from jusha.points.services import points_award_for
from jusha.volunteers.models import Volunteer

from . import hours as hour_rules
from .models import Attendance, ServiceRecord
from .services import ATTENDANCE_TRIGGERS

SEED = 2026
ABSENT = 0.1  # share of confirmed people who did not come
FORGOT = 0.05  # share of those present who forgot to check out
VERIFIED = 0.8  # share of volunteers' records the organiser has verified


def seed_attendance(subdistrict=None, *, seed: int = SEED) -> int:
    """Attendance for every confirmed sign-up of the sessions (of `subdistrict`, or all) that ended
    before now; return how many attendance rows were added."""
    rng = random.Random(seed)
    now = clock.now()
    sessions = Session.objects.filter(ends_at__lte=now, status=Session.Status.SCHEDULED)
    if subdistrict is not None:
        sessions = sessions.filter(activity__subdistrict=subdistrict)
    signups = list(SignUp.objects.filter(session__in=sessions, status=SignUp.Status.CONFIRMED, attendance__isnull=True)
                   .select_related("session__activity").order_by("session__starts_at", "session_id", "position"))
    volunteers = dict(Volunteer.objects.filter(
        user__in={s.person_id for s in signups if s.role == SignUp.Role.VOLUNTEER}, number__isnull=False)
        .values_list("user_id", "pk"))
    attendances = []
    for signup in signups:
        session = signup.session
        if rng.random() < ABSENT:
            attendances.append(Attendance(signup=signup, session=session, person_id=signup.person_id,
                                          status=Attendance.Status.ABSENT, marked_by_id=session.activity.created_by_id,
                                          check_in_method=Attendance.Method.HAND, updated_at=session.ends_at))
            continue
        came = session.starts_at + timedelta(minutes=rng.randint(-20, 15))
        forgot = rng.random() < FORGOT
        left = session.ends_at if forgot else session.ends_at + timedelta(minutes=rng.randint(-40, 10))
        attendances.append(Attendance(
            signup=signup, session=session, person_id=signup.person_id, status=Attendance.Status.PRESENT,
            checked_in_at=came, checked_out_at=max(left, came), check_in_method=Attendance.Method.QR,
            check_out_method=Attendance.Method.RULE if forgot else Attendance.Method.QR, closed_by_rule=forgot,
            updated_at=max(left, came)))
    Attendance.objects.bulk_create(attendances)
    records = []
    for attendance in Attendance.objects.filter(signup__in=[s.pk for s in signups], status=Attendance.Status.PRESENT,
                                                signup__role=SignUp.Role.VOLUNTEER).select_related("session"):
        volunteer_id = volunteers.get(attendance.person_id)
        if volunteer_id is None:
            continue
        session = attendance.session
        counted = hour_rules.counted_hours(attendance.checked_in_at, attendance.checked_out_at, session.starts_at,
                                           session.ends_at)
        verified = not attendance.closed_by_rule and rng.random() < VERIFIED
        records.append(ServiceRecord(
            volunteer_id=volunteer_id, session=session, attendance=attendance, counted_hours=counted, hours=counted,
            status=ServiceRecord.Status.VERIFIED if verified else ServiceRecord.Status.PENDING,
            created_at=attendance.checked_out_at, verified_at=session.ends_at + timedelta(days=1) if verified else None,
            verified_by_id=session.activity.created_by_id if verified else None))
    ServiceRecord.objects.bulk_create(records)
    return len(attendances)


def pay_attendance_points(subdistrict=None) -> int:
    """Pay what the rules give for the attendance and verified hours already there (of `subdistrict`,
    or all): the activity kind's trigger for each person present, "hours" for each verified record, in
    the organiser's name. Returns how many awards were posted (none the second time)."""
    attendances = Attendance.objects.filter(status=Attendance.Status.PRESENT).select_related(
        "session__activity__created_by", "person").order_by("pk")
    records = ServiceRecord.objects.filter(status=ServiceRecord.Status.VERIFIED).select_related(
        "session__activity", "verified_by", "volunteer__user").order_by("pk")
    if subdistrict is not None:
        attendances = attendances.filter(session__activity__subdistrict=subdistrict)
        records = records.filter(session__activity__subdistrict=subdistrict)
    before = PointsTransaction.objects.count()
    for attendance in attendances:
        activity = attendance.session.activity
        points_award_for(actor=activity.created_by, person=attendance.person,
                         trigger=ATTENDANCE_TRIGGERS[activity.kind], quantity=1, source=attendance)
    for record in records:
        points_award_for(actor=record.verified_by, person=record.volunteer.user, trigger=Trigger.HOURS,
                         quantity=record.hours, source=record)
    return PointsTransaction.objects.count() - before
