"""Helpers for the attendance tests: 李娜 (智格's staff) runs a tai chi course at 智格社区's square.

Activities, sessions and sign-ups are written straight into the activities models (their services
are another capability's); 王芳 signs up as a volunteer (volunteer number V0001), 张伟 as a participant.
The square is at (120.305, 30.305) in WGS-84.
"""

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from jusha.activities.models import Activity, Session, SignUp, VolunteerSlot
from jusha.attendance import tokens
from jusha.core import clock
from jusha.volunteers.models import Volunteer

SQUARE = (120.305, 30.305)
_positions = count(1)


def at(*args) -> datetime:
    """A time in the deployment's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime(*args))


_ZHIGE = object()


def make_activity(world, *, by=None, organiser="community", community=_ZHIGE, unit=None, geofence_m=None,
                  title="太极拳晨练课") -> Activity:
    by = by or world.lina
    return Activity.objects.create(
        kind=Activity.Kind.COURSE, title=title, organiser_kind=organiser, subdistrict=world.subdistrict,
        community=world.zhige if community is _ZHIGE and organiser != "subdistrict" else (
            None if community is _ZHIGE else community),
        member_unit=unit, place_name="智格社区文化广场", lng=SQUARE[0], lat=SQUARE[1], geofence_m=geofence_m,
        seats=30, status=Activity.Status.PUBLISHED, created_by=by, created_at=clock.now())


def make_session(activity: Activity, *, starts_at: datetime, hours: float = 2.0) -> Session:
    seq = activity.sessions.count() + 1
    return Session.objects.create(activity=activity, seq=seq, starts_at=starts_at,
                                  ends_at=starts_at + timedelta(hours=hours), seats=activity.seats)


def sign_up(session: Session, person, *, role: str = SignUp.Role.PARTICIPANT, status=SignUp.Status.CONFIRMED) -> SignUp:
    slot = None
    if role == SignUp.Role.VOLUNTEER:
        slot = VolunteerSlot.objects.filter(activity=session.activity).first() or VolunteerSlot.objects.create(
            activity=session.activity, count=5)
    now = clock.now()
    return SignUp.objects.create(session=session, person=person, role=role, slot=slot, status=status,
                                 position=next(_positions), created_at=now,
                                 confirmed_at=now if status == SignUp.Status.CONFIRMED else None,
                                 cancelled_at=now if status == SignUp.Status.CANCELLED else None)


def make_volunteer(world, user, *, number: str = "V0001", name: str | None = None, last4: str = "1234") -> Volunteer:
    return Volunteer.objects.create(
        user=user, number=number, status=Volunteer.Status.APPROVED, name=name or user.name,
        gender=Volunteer.Gender.FEMALE, birth_month=datetime(1970, 3, 1).date(), id_number_last4=last4,
        mobile=user.mobile or "13800000009", community=world.zhige, applied_at=clock.now())


def token(session: Session, purpose: str = "in") -> str:
    return tokens.sign(session.pk, tokens.Purpose(purpose))
