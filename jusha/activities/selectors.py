"""Reads about activities, narrowed by `jusha.permissions` and with a fixed number of queries.

The public list and an activity's page show published activities only (to everyone, anonymous too);
a session row says what the person looking may do there (sign up, cancel, or why not). The console
reads drafts, the review queue and rosters through the organisers' and reviewers' scopes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from jusha import permissions
from jusha.core import clock
from jusha.permissions import Action
from jusha.places.models import Community

from .models import Activity, Session, SignUp
from .services import cancel_deadline

SEARCH_MAX_LENGTH = 50


def for_community(community: Community | int) -> Q:
    """Activities a community's residents may come to: held there, opened to it by name, or held by the
    subdistrict (or a unit) for everyone in it."""
    pk = community.pk if isinstance(community, Community) else community
    subdistrict_id = Community.objects.filter(pk=pk).values_list("subdistrict_id", flat=True).first()
    through = Activity.audience_communities.through
    named = Exists(through.objects.filter(activity=OuterRef("pk"), community=pk))
    any_named = Exists(through.objects.filter(activity=OuterRef("pk")))
    return Q(community=pk) | Q(named) | (Q(subdistrict=subdistrict_id, community__isnull=True) & ~Q(any_named))


def _upcoming_sessions() -> Prefetch:
    return Prefetch("sessions", queryset=Session.objects.filter(
        status=Session.Status.SCHEDULED, ends_at__gt=clock.now()).order_by("starts_at"), to_attr="upcoming")


def public_list(user, *, kind: str = "", community: int | None = None, q: str = "") -> QuerySet:
    """Published activities with a session still to come, the soonest first."""
    now = clock.now()
    activities = permissions.visible(user, Action.ACTIVITY_VIEW_PUBLIC, Activity.objects.all())
    activities = activities.filter(Exists(Session.objects.filter(activity=OuterRef("pk"), ends_at__gt=now,
                                                                 status=Session.Status.SCHEDULED)))
    if kind in Activity.Kind.values:
        activities = activities.filter(kind=kind)
    if community:
        activities = activities.filter(for_community(community))
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if q:
        activities = activities.filter(Q(title__icontains=q) | Q(description__icontains=q))
    first = Session.objects.filter(activity=OuterRef("pk"), ends_at__gt=now, status=Session.Status.SCHEDULED)
    return (activities.select_related("community", "member_unit", "subdistrict")
            .prefetch_related(_upcoming_sessions())
            .annotate(next_start=first.order_by("starts_at").values("starts_at")[:1])
            .order_by("next_start", "pk"))


def public_activity(user, pk: int) -> Activity:
    return permissions.fetch(user, Action.ACTIVITY_VIEW_PUBLIC,
                             Activity.objects.select_related("community", "member_unit", "subdistrict"), pk=pk)


@dataclass
class SessionRow:
    """One session as the person looking sees it, with what they may do."""

    session: Session
    mine: SignUp | None
    can_sign_up: bool
    can_cancel: bool
    closed_reason: str  # "", "started", "cancelled", "not_open_yet", "closed"
    cancel_until: datetime | None
    # A course booked as a whole has one sign-up (or cancel) button: on the first row that can use it.
    lead: bool = False

    @property
    def pk(self) -> int:
        return self.session.pk


def session_rows(user, activity: Activity, *, only: int | None = None) -> list[SessionRow]:
    now = clock.now()
    sessions = activity.sessions.order_by("starts_at", "pk")
    if only is not None:
        sessions = sessions.filter(pk=only)
    mine = {}
    if user.is_authenticated:
        mine = {s.session_id: s for s in SignUp.objects.filter(person=user, session__activity=activity,
                                                               status__in=SignUp.LIVE).select_related("session")}
    opens = activity.signup_opens_at or activity.published_at
    rows = []
    for session in sessions:
        session.activity = activity
        signup = mine.get(session.pk)
        if session.status == Session.Status.CANCELLED:
            reason = "cancelled"
        elif now >= session.starts_at:
            reason = "started"
        elif opens and now < opens:
            reason = "not_open_yet"
        elif activity.signup_closes_at and now >= activity.signup_closes_at:
            reason = "closed"
        else:
            reason = ""
        until = None
        if signup is not None:
            signup.session = session
            until = cancel_deadline(signup)
        rows.append(SessionRow(
            session=session, mine=signup, closed_reason=reason, cancel_until=until,
            can_sign_up=signup is None and not reason and activity.status == Activity.Status.PUBLISHED,
            can_cancel=signup is not None and now < until))
    if activity.signup_scope == Activity.SignupScope.COURSE:
        first = next((r for r in rows if r.can_sign_up or r.can_cancel), None)
        if first is not None:
            first.lead = True
    return rows


def my_signups(user) -> QuerySet:
    """The person's own sign-ups that are still live, the soonest session first."""
    if not user.is_authenticated:
        return SignUp.objects.none()
    return (SignUp.objects.filter(person=user, status__in=SignUp.LIVE)
            .select_related("session__activity__community").order_by("session__starts_at", "pk"))


@dataclass
class ConsoleFilter:
    status: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query) -> "ConsoleFilter":
        status, kind = query.get("status", ""), query.get("kind", "")
        return cls(status=status if status in Activity.Status.values else "",
                   kind=kind if kind in Activity.Kind.values else "")


def managed(user, filters: ConsoleFilter) -> QuerySet:
    activities = permissions.visible(user, Action.ACTIVITY_VIEW, Activity.objects.all())
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    return activities.select_related("community", "member_unit", "subdistrict").order_by("-created_at", "-pk")


def review_queue(user) -> QuerySet:
    return (permissions.visible(user, Action.ACTIVITY_REVIEW, Activity.objects.filter(
        status=Activity.Status.SUBMITTED)).select_related("community", "member_unit", "subdistrict")
        .order_by("submitted_at", "pk"))


def console_activity(user, pk: int) -> Activity:
    return permissions.fetch(user, Action.ACTIVITY_VIEW, Activity.objects.select_related(
        "community", "member_unit", "subdistrict", "created_by", "reviewed_by"), pk=pk)


def roster(user, activity: Activity) -> list[tuple[Session, list[SignUp], list[SignUp]]]:
    """Per session: the confirmed people and the waiting list, in arrival order."""
    signups = permissions.visible(user, Action.ACTIVITY_VIEW, SignUp.objects.filter(
        session__activity=activity, status__in=SignUp.LIVE)).select_related("person", "slot").order_by("position")
    by_session: dict[int, list[SignUp]] = {}
    for s in signups:
        by_session.setdefault(s.session_id, []).append(s)
    return [(session, [s for s in by_session.get(session.pk, []) if s.status == SignUp.Status.CONFIRMED],
             [s for s in by_session.get(session.pk, []) if s.status == SignUp.Status.WAITLISTED])
            for session in activity.sessions.order_by("seq")]


def need_activities(user, need) -> QuerySet:
    """The activities built from a need (惠民课堂 from common needs), as the need's page shows them."""
    return permissions.visible(user, Action.ACTIVITY_VIEW, need.activities.all()).order_by("-created_at")
