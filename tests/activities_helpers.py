"""Helpers for the activity tests: 李娜 (智格's staff) runs a tai chi course in 智格社区's hall.

Time: the `clock` fixture is set to Wednesday 2026-05-06 09:00 in Asia/Shanghai by `at_start`; the first
session is three days later, Saturday 09:00-10:30.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.activities import services
from jusha.activities.models import Activity, Session, SignUp
from jusha.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)


def at_start(moving_clock) -> None:
    moving_clock.current = START


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def draft(world, *, actor=None, organiser=None, **fields) -> Activity:
    fields.setdefault("kind", Activity.Kind.COURSE)
    fields.setdefault("title", "太极拳入门")
    fields.setdefault("place_name", "智格社区活动室")
    fields.setdefault("seats", 3)
    fields.setdefault("lng", 120.305)
    fields.setdefault("lat", 30.305)
    return services.activity_create(actor=actor or world.lina, organiser=organiser or world.zhige, **fields)


def with_sessions(world, activity, *, weeks=1, first=None, hours=1.5) -> list[Session]:
    starts = first or clock.now() + timedelta(days=3)
    return services.session_add(actor=world.lina, activity=activity, starts_at=starts,
                                ends_at=starts + timedelta(hours=hours), weeks=weeks)


def published(world, *, weeks=1, first=None, hours=1.5, **fields) -> Activity:
    activity = draft(world, **fields)
    with_sessions(world, activity, weeks=weeks, first=first, hours=hours)
    services.activity_submit(actor=world.lina, activity=activity)
    return services.activity_publish(actor=world.liuyang, activity=activity)


def residents(world, n: int, prefix: str = "居民") -> list[User]:
    people = []
    for i in range(n):
        user = User.objects.create_user(mobile=f"137{i:08d}", name=f"{prefix}{i:03d}")
        RoleAssignment.objects.create(user=user, role=Role.RESIDENT, community=world.zhige)
        people.append(user)
    return people


def statuses(session) -> list[tuple[str, str, int]]:
    """(person's name, status, arrival number) in arrival order."""
    return [(s.person.name, s.status, s.position)
            for s in SignUp.objects.filter(session=session).select_related("person").order_by("position")]


def first_session(activity) -> Session:
    return activity.sessions.order_by("seq").first()
