"""Every write about activities: the review workflow (`workflow.TRANSITIONS`), sessions, sign-ups,
the reminder job and the personal calendar feed's token.

Locks are always taken in the same order — the activity's row, then the person's row (a sign-up),
then the sessions' rows by id — so two services never wait on each other in a circle. A seat is
taken only while its session's row is locked, and the session's `confirmed_count` is capped by a
database check, so seats are never oversold however many people tap at once. People hear about what
happened to them only after commit (`notices`).
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import RoleAssignment, User
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs.models import Need
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from jusha.volunteers.selectors import active_volunteer

from . import notices, workflow
from .models import (
    MAX_AGE,
    MAX_SEATS,
    MAX_SESSIONS,
    NOTE_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Activity,
    FeedToken,
    Session,
    SignUp,
    VolunteerSlot,
)
from .workflow import Step

S = Activity.Status
SU = SignUp.Status
MAX_CANCEL_HOURS = 720
MAX_GEOFENCE_M = 5000
MAX_SESSION_HOURS = 24
MAX_NEEDS = 100


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _int(value, *, field: str, low: int, high: int, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise DomainError(_("Please fill this in."), code="required", field=field)
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(_("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high},
                          code="out_of_range", field=field)
    return value


def _moment(value, *, field: str, required: bool) -> datetime | None:
    if value is None:
        if required:
            raise DomainError(_("Choose a date and time."), code="required", field=field)
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise DomainError(_("Choose a date and time."), code="invalid_time", field=field)
    return value


def _choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", field=field)
    return value


def _reason(value) -> str:
    return _text(value, field="reason", limit=NOTE_MAX_LENGTH, required=True, missing=_("Please give a reason."))


ACTIVITY_FIELDS = ("kind", "title", "description", "place_name", "lng", "lat", "geofence_m", "min_age",
                   "max_age", "seats", "signup_scope", "signup_opens_at", "signup_closes_at", "cancel_hours")


def _clean(values: dict) -> dict:
    """The activity's own fields, checked together (a range's two ends, a point's two coordinates)."""
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    out = {
        "kind": _choice(values.get("kind"), Activity.Kind, field="kind"),
        "title": _text(values.get("title"), field="title", limit=TITLE_MAX_LENGTH, required=True,
                       missing=_("Give the activity a title.")),
        "description": _text(values.get("description"), field="description", limit=TEXT_MAX_LENGTH,
                             required=False),
        "place_name": _text(values.get("place_name"), field="place_name", limit=PLACE_MAX_LENGTH, required=True,
                            missing=_("Say where the activity takes place.")),
        "seats": _int(values.get("seats"), field="seats", low=1, high=MAX_SEATS, required=True),
        "signup_scope": _choice(values.get("signup_scope") or Activity.SignupScope.SESSION, Activity.SignupScope,
                                field="signup_scope"),
        "cancel_hours": _int(values.get("cancel_hours", 2), field="cancel_hours", low=0, high=MAX_CANCEL_HOURS,
                             required=True),
        "min_age": _int(values.get("min_age"), field="min_age", low=0, high=MAX_AGE, required=False),
        "max_age": _int(values.get("max_age"), field="max_age", low=0, high=MAX_AGE, required=False),
        "signup_opens_at": _moment(values.get("signup_opens_at"), field="signup_opens_at", required=False),
        "signup_closes_at": _moment(values.get("signup_closes_at"), field="signup_closes_at", required=False),
        "geofence_m": _int(values.get("geofence_m"), field="geofence_m", low=1, high=MAX_GEOFENCE_M, required=False),
    }
    lng, lat = values.get("lng"), values.get("lat")
    if lng is None and lat is None:
        out["lng"] = out["lat"] = None
    elif (not isinstance(lng, int | float) or not isinstance(lat, int | float) or isinstance(lng, bool)
          or isinstance(lat, bool) or not (-180 <= lng <= 180 and -90 <= lat <= 90)):
        raise DomainError(_("Choose the place on the map."), code="invalid_location", field="lng")
    else:
        out["lng"], out["lat"] = float(lng), float(lat)
    if out["geofence_m"] is not None and out["lng"] is None:
        raise DomainError(_("A check-in radius needs the place on the map."), code="geofence_without_point",
                          field="geofence_m")
    if out["min_age"] is not None and out["max_age"] is not None and out["max_age"] < out["min_age"]:
        raise DomainError(_("The maximum age is below the minimum age."), code="age_range", field="max_age")
    if (out["signup_opens_at"] and out["signup_closes_at"]
            and out["signup_closes_at"] <= out["signup_opens_at"]):
        raise DomainError(_("Sign-up must close after it opens."), code="window_order", field="signup_closes_at")
    return out


def _audience(subdistrict_id: int, communities) -> list[Community]:
    ids = {c.pk if isinstance(c, Community) else c for c in communities or ()}
    found = list(Community.objects.filter(pk__in=ids, subdistrict_id=subdistrict_id)) if ids else []
    if len(found) != len(ids):
        raise DomainError(_("Choose communities of the activity's own subdistrict."), code="invalid_community",
                          field="audience_communities")
    return found


def _needs(actor, subdistrict_id: int, needs) -> list[Need]:
    """The needs a course is built from: ones the actor triages, of the activity's subdistrict."""
    ids = {n.pk if isinstance(n, Need) else n for n in needs or ()}
    if len(ids) > MAX_NEEDS:
        raise DomainError(_("Link at most %(n)s needs.") % {"n": MAX_NEEDS}, code="too_many_needs", field="needs")
    found = list(permissions.visible(actor, Action.NEED_TRIAGE, Need.objects.filter(
        pk__in=ids, community__subdistrict_id=subdistrict_id))) if ids else []
    if len(found) != len(ids):
        raise DomainError(_("Choose needs of the activity's subdistrict that you handle."), code="invalid_need",
                          field="needs")
    return found


# --- the activity and its review ------------------------------------------------------------------

def _audit(activity: Activity, action: str, *, actor, before=None, after=None) -> None:
    audit_record(actor=actor, action=f"activities.{action}", target=activity, before=before, after=after,
                 subdistrict_id=activity.subdistrict_id, community_id=activity.community_id)


def _lock(actor, action: Action, activity: Activity | int) -> Activity:
    """The activity's row, locked for this transaction, if the actor may do `action` to it (else a 404)."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    locked = Activity.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(activity: Activity, step: Step, *, actor, after: dict | None = None, **changes) -> Activity:
    """Change the status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = activity.status
    changes["status"] = workflow.target(activity, step)
    if not Activity.objects.filter(pk=activity.pk, status=from_status).update(**changes, updated_at=clock.now()):
        raise DomainError(_("Someone else changed this activity just now. Reload the page to see what changed."),
                          code="conflict")
    for name, value in changes.items():
        setattr(activity, name, value)
    _audit(activity, step, actor=actor, before={"status": from_status},
           after={"status": changes["status"], **(after or {})})
    return activity


def _organiser(organiser) -> dict:
    if isinstance(organiser, MemberUnit):
        return {"organiser_kind": Activity.Organiser.UNIT, "member_unit": organiser,
                "subdistrict_id": organiser.alliance.subdistrict_id}
    if isinstance(organiser, Community):
        return {"organiser_kind": Activity.Organiser.COMMUNITY, "community": organiser,
                "subdistrict_id": organiser.subdistrict_id}
    if isinstance(organiser, Subdistrict):
        return {"organiser_kind": Activity.Organiser.SUBDISTRICT, "subdistrict_id": organiser.pk}
    raise DomainError(_("Choose who organises the activity."), code="required", field="organiser")


def activity_create(*, actor, organiser: Subdistrict | Community | MemberUnit, host: Community | None = None,
                    audience_communities=(), needs=(), **fields) -> Activity:
    """Staff of a subdistrict or community, or a unit's liaison for their unit, write an activity as a
    draft. `host` is the community where a subdistrict's or unit's activity happens (its staff may
    review it). `needs` are the common needs a course (惠民课堂) answers; they are linked, not changed."""
    if organiser is None or not permissions.can(actor, Action.ACTIVITY_ORGANISE, organiser):
        raise DomainError(_("You can organise activities only for your own subdistrict, community or unit."),
                          code="not_your_organisation", field="organiser")
    values = _clean(fields)
    who = _organiser(organiser)
    if host is not None:
        if host.subdistrict_id != who["subdistrict_id"]:
            raise DomainError(_("Choose a community of the activity's own subdistrict."), code="invalid_community",
                              field="host")
        who.setdefault("community", host)
    audience = _audience(who["subdistrict_id"], audience_communities)
    linked = _needs(actor, who["subdistrict_id"], needs)
    with transaction.atomic():
        activity = Activity.objects.create(**values, **who, status=S.DRAFT, created_by=actor,
                                           created_at=clock.now())
        activity.audience_communities.set(audience)
        activity.needs.set(linked)
        _audit(activity, Step.CREATE, actor=actor,
               after={"status": S.DRAFT, "kind": activity.kind, "title": activity.title,
                      "needs": sorted(n.pk for n in linked)})
    return activity


def activity_update(*, actor, activity: Activity | int, audience_communities=None, needs=None,
                    **fields) -> Activity:
    """The organiser changes a draft or a returned activity (a published one is cancelled and written
    anew: people signed up for what was published)."""
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_MANAGE, activity)
        workflow.target(activity, Step.UPDATE)
        current = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        values = _clean({**current, **fields})
        changed = {k: v for k, v in values.items() if v != current[k]}
        Activity.objects.filter(pk=activity.pk).update(**values, updated_at=clock.now())
        for name, value in values.items():
            setattr(activity, name, value)
        if audience_communities is not None:
            activity.audience_communities.set(_audience(activity.subdistrict_id, audience_communities))
        if needs is not None:
            activity.needs.set(_needs(actor, activity.subdistrict_id, needs))
        if "seats" in changed:
            # Still a draft: nobody has signed up, so every session simply takes the new number.
            Session.objects.filter(activity=activity).update(seats=values["seats"])
        _audit(activity, Step.UPDATE, actor=actor, before={k: _plain(current[k]) for k in changed},
               after={k: _plain(v) for k, v in changed.items()})
        return activity


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def activity_submit(*, actor, activity: Activity | int) -> Activity:
    """The organiser sends the activity for review; the reviewers see it in their queue."""
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_MANAGE, activity)
        workflow.target(activity, Step.SUBMIT)
        upcoming = activity.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=clock.now())
        if not upcoming.exists():
            raise DomainError(_("Add at least one session in the future before submitting."), code="no_sessions")
        return _move(activity, Step.SUBMIT, actor=actor, submitted_at=clock.now())


def activity_publish(*, actor, activity: Activity | int) -> Activity:
    """A reviewer (subdistrict staff, or the community's staff) publishes the activity: it becomes
    public and open for sign-up; the organiser is told."""
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_REVIEW, activity)
        now = clock.now()
        _move(activity, Step.PUBLISH, actor=actor, reviewed_by=actor, reviewed_at=now, published_at=now,
              review_note="")
        transaction.on_commit(lambda: notices.reviewed(activity.pk), robust=True)
        return activity


def activity_reject(*, actor, activity: Activity | int, reason: str) -> Activity:
    """A reviewer returns the activity with a reason; the organiser may edit and submit it again."""
    reason = _reason(reason)
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_REVIEW, activity)
        _move(activity, Step.REJECT, actor=actor, reviewed_by=actor, reviewed_at=clock.now(), review_note=reason,
              after={"reason": reason})
        transaction.on_commit(lambda: notices.reviewed(activity.pk), robust=True)
        return activity


def activity_cancel(*, actor, activity: Activity | int, reason: str) -> Activity:
    """The organiser (or a reviewer) calls the whole activity off: every session is cancelled, every
    sign-up ends, and everyone who was signed up is told."""
    reason = _reason(reason)
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_MANAGE, activity)
        now = clock.now()
        _move(activity, Step.CANCEL, actor=actor, cancelled_at=now, cancel_reason=reason, after={"reason": reason})
        sessions = list(Session.objects.select_for_update().filter(activity=activity).order_by("pk"))
        people = _end_sessions(sessions, reason, now)
        transaction.on_commit(lambda: notices.cancelled(activity.pk, people, key=f"activity:{activity.pk}"),
                              robust=True)
        return activity


def _end_sessions(sessions: list[Session], reason: str, now) -> list[int]:
    """Cancel the (locked) sessions and their live sign-ups; the ids of the people who were signed up."""
    ids = [s.pk for s in sessions if s.status == Session.Status.SCHEDULED]
    live = SignUp.objects.filter(session_id__in=ids, status__in=SignUp.LIVE)
    people = sorted(set(live.values_list("person_id", flat=True)))
    live.update(status=SU.CANCELLED, cancelled_at=now, cancel_reason=reason)
    Session.objects.filter(pk__in=ids).update(status=Session.Status.CANCELLED, cancelled_at=now,
                                              cancel_reason=reason, confirmed_count=0)
    return people


# --- sessions --------------------------------------------------------------------------------------

def session_add(*, actor, activity: Activity | int, starts_at: datetime, ends_at: datetime, weeks: int = 1,
                seats: int | None = None) -> list[Session]:
    """Add one session, or the same time weekly for `weeks` weeks (a 6-week tai chi course). A session
    may end after midnight; each gets the activity's seats unless `seats` says otherwise."""
    starts_at = _moment(starts_at, field="starts_at", required=True)
    ends_at = _moment(ends_at, field="ends_at", required=True)
    weeks = _int(weeks, field="weeks", low=1, high=MAX_SESSIONS, required=True)
    if ends_at <= starts_at:
        raise DomainError(_("A session must end after it starts."), code="ends_before_start", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise DomainError(_("A session lasts at most %(n)s hours; add several sessions instead.")
                          % {"n": MAX_SESSION_HOURS}, code="too_long", field="ends_at")
    if starts_at <= clock.now():
        raise DomainError(_("The session must start in the future."), code="in_the_past", field="starts_at")
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_MANAGE, activity)
        if activity.status not in workflow.SESSIONS_EDITABLE:
            raise DomainError(_("Sessions cannot be changed while the activity is “%(status)s”.")
                              % {"status": activity.get_status_display()}, code="invalid_transition")
        seats = _int(seats, field="seats", low=1, high=MAX_SEATS, required=False) or activity.seats
        last = activity.sessions.aggregate(m=Max("seq"))["m"] or 0
        if last + weeks > MAX_SESSIONS:
            raise DomainError(_("An activity has at most %(n)s sessions.") % {"n": MAX_SESSIONS},
                              code="too_many_sessions", field="weeks")
        created = Session.objects.bulk_create([
            Session(activity=activity, seq=last + 1 + week, seats=seats, starts_at=_weekly(starts_at, week),
                    ends_at=_weekly(ends_at, week))
            for week in range(weeks)
        ])
        _audit(activity, "session_add", actor=actor,
               after={"sessions": [[s.seq, s.starts_at.isoformat()] for s in created], "seats": seats})
        return created


def _weekly(moment: datetime, weeks: int) -> datetime:
    """The same local wall time `weeks` weeks later (the same in Asia/Shanghai, which has no daylight
    saving; right elsewhere too)."""
    local = timezone.localtime(moment)
    return timezone.make_aware(local.replace(tzinfo=None) + timedelta(weeks=weeks), local.tzinfo)


def session_set_seats(*, actor, session: Session | int, seats: int) -> Session:
    """Change one session's seats (a bigger room). Never below the people already confirmed; new
    seats go to the waiting list in arrival order, and those promoted are told."""
    seats = _int(seats, field="seats", low=1, high=MAX_SEATS, required=True)
    with transaction.atomic():
        session = _lock_session(actor, session)
        if seats < session.confirmed_count:
            raise DomainError(_("%(n)s people are already confirmed; the session needs at least that many seats.")
                              % {"n": session.confirmed_count}, code="below_confirmed", field="seats")
        before = session.seats
        Session.objects.filter(pk=session.pk).update(seats=seats)
        session.seats = seats
        _promote(session)
        _audit(session.activity, "session_seats", actor=actor, before={"session": session.seq, "seats": before},
               after={"session": session.seq, "seats": seats})
        return session


def session_cancel(*, actor, session: Session | int, reason: str) -> Session:
    """Call one session off (the teacher is ill): its sign-ups end and the people are told."""
    reason = _reason(reason)
    with transaction.atomic():
        session = _lock_session(actor, session)
        if session.status != Session.Status.SCHEDULED:
            raise DomainError(_("This session is already cancelled."), code="invalid_transition")
        now = clock.now()
        people = _end_sessions([session], reason, now)
        session.status = Session.Status.CANCELLED
        _audit(session.activity, "session_cancel", actor=actor, after={"session": session.seq, "reason": reason})
        transaction.on_commit(lambda: notices.cancelled(session.activity_id, people, key=f"session:{session.pk}",
                                                        session_id=session.pk), robust=True)
        return session


def _lock_session(actor, session: Session | int) -> Session:
    pk = session.pk if isinstance(session, Session) else session
    activity_id = Session.objects.filter(pk=pk).values_list("activity_id", flat=True).first() \
        if isinstance(pk, int) else None
    activity = _lock(actor, Action.ACTIVITY_MANAGE, activity_id or 0)
    if activity.status not in workflow.SESSIONS_EDITABLE:
        raise DomainError(_("Sessions cannot be changed while the activity is “%(status)s”.")
                          % {"status": activity.get_status_display()}, code="invalid_transition")
    locked = Session.objects.select_for_update().get(pk=pk)
    locked.activity = activity
    return locked


def volunteer_slot_add(*, actor, activity: Activity | int, count: int, skill: str = "",
                       session: Session | int | None = None) -> VolunteerSlot:
    """The organiser asks for `count` volunteers (of one skill, or any) per session, or for one session."""
    from jusha.volunteers.skills import Skill

    count = _int(count, field="count", low=1, high=MAX_SEATS, required=True)
    if skill and skill not in Skill.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", field="skill")
    with transaction.atomic():
        activity = _lock(actor, Action.ACTIVITY_MANAGE, activity)
        if activity.status not in workflow.SESSIONS_EDITABLE:
            raise DomainError(_("Volunteer slots cannot be changed while the activity is “%(status)s”.")
                              % {"status": activity.get_status_display()}, code="invalid_transition")
        if session is not None:
            pk = session.pk if isinstance(session, Session) else session
            session = activity.sessions.filter(pk=pk).first()
            if session is None:
                raise DomainError(_("Choose a session of this activity."), code="invalid_session", field="session")
        slot = VolunteerSlot.objects.create(activity=activity, session=session, skill=skill or "", count=count)
        _audit(activity, "slot_add", actor=actor,
               after={"slot": slot.pk, "skill": slot.skill, "count": count,
                      "session": session.seq if session else None})
        return slot


# --- signing up ------------------------------------------------------------------------------------

def _window(activity: Activity, session: Session, now) -> None:
    opens = activity.signup_opens_at or activity.published_at
    if opens and now < opens:
        raise DomainError(_("Sign-up opens on %(when)s.") % {"when": _local(opens)}, code="not_open_yet")
    closes = min(filter(None, [activity.signup_closes_at, session.starts_at]))
    if now >= closes:
        raise DomainError(_("Sign-up for this session has closed."), code="signup_closed")


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _check_audience(actor, activity: Activity, age) -> int | None:
    audience = set(activity.audience_communities.values_list("pk", flat=True))
    if audience:
        mine = set(RoleAssignment.objects.filter(user=actor, community__isnull=False)
                   .values_list("community_id", flat=True))
        if not mine & audience:
            raise DomainError(_("This activity is for residents of other communities."), code="not_in_audience")
    if activity.min_age is None and activity.max_age is None:
        return None
    age = _int(age, field="age", low=0, high=MAX_AGE, required=True)
    if (activity.min_age is not None and age < activity.min_age) or \
            (activity.max_age is not None and age > activity.max_age):
        raise DomainError(_("This activity is for ages %(low)s to %(high)s.")
                          % {"low": activity.min_age if activity.min_age is not None else 0,
                             "high": activity.max_age if activity.max_age is not None else MAX_AGE},
                          code="age_out_of_range", field="age")
    return age


def _check_overlap(actor, sessions: list[Session]) -> None:
    """Refuse a second place at the same time: a live sign-up whose session intersects one of these."""
    overlap = Q()
    for s in sessions:
        overlap |= Q(session__starts_at__lt=s.ends_at, session__ends_at__gt=s.starts_at)
    clash = (SignUp.objects.filter(overlap, person=actor, status__in=SignUp.LIVE,
                                   session__status=Session.Status.SCHEDULED)
             .exclude(session__in=[s.pk for s in sessions])
             .select_related("session__activity").order_by("session__starts_at").first())
    if clash is not None:
        raise DomainError(
            _("You have already signed up for “%(title)s” at %(when)s, which is at the same time. Cancel that "
              "sign-up first if you would rather come to this one.")
            % {"title": clash.session.activity.title, "when": _local(clash.session.starts_at)},
            code="overlap")


def _volunteer_slot(actor, activity: Activity, session: Session, slot) -> VolunteerSlot:
    volunteer = active_volunteer(actor)
    if volunteer is None:
        raise DomainError(_("Only approved volunteers can sign up to help. Apply to become a volunteer first."),
                          code="not_a_volunteer")
    slots = list(VolunteerSlot.objects.filter(Q(session__isnull=True) | Q(session=session), activity=activity)
                 .order_by("pk"))
    if slot is not None:
        pk = slot.pk if isinstance(slot, VolunteerSlot) else slot
        slots = [s for s in slots if s.pk == pk]
        if not slots:
            raise DomainError(_("Choose a volunteer slot of this session."), code="invalid_slot", field="slot")
    if not slots:
        raise DomainError(_("This session does not need volunteers."), code="no_volunteer_slots")
    matching = [s for s in slots if not s.skill or s.skill in (volunteer.skills or [])]
    if not matching:
        raise DomainError(_("This help needs a skill your volunteer record does not list."),
                          code="skill_mismatch", field="slot")
    with_room = [s for s in matching if _slot_taken(s, session) < s.count]
    return (with_room or matching)[0]


def _slot_taken(slot: VolunteerSlot, session: Session) -> int:
    return SignUp.objects.filter(slot=slot, session=session, status=SU.CONFIRMED).count()


def _sessions_to_book(activity: Activity, session: Session, role: str, now) -> list[Session]:
    if role == SignUp.Role.PARTICIPANT and activity.signup_scope == Activity.SignupScope.COURSE:
        # A course is booked as a whole: every session still to come.
        return list(activity.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=now).order_by("pk"))
    return [session]


def signup_create(*, actor, session: Session | int, as_volunteer: bool = False, slot=None,
                  age: int | None = None) -> list[SignUp]:
    """A person signs up for a session — or for every remaining session of a course booked as a whole —
    as a participant or, if an approved volunteer, to help. While seats remain they are confirmed;
    after that they wait in arrival order and move up by themselves when someone cancels. Refused
    outside the sign-up window, twice for the same session, outside the audience, and when it would
    overlap another of their sign-ups."""
    if not permissions.can(actor, Action.SIGNUP_CREATE):
        raise NotAllowed()
    pk = session.pk if isinstance(session, Session) else session
    found = Session.objects.filter(pk=pk).values_list("activity_id", flat=True).first() \
        if isinstance(pk, int) else None
    role = SignUp.Role.VOLUNTEER if as_volunteer else SignUp.Role.PARTICIPANT
    with transaction.atomic():
        activity = Activity.objects.select_for_update().filter(pk=found or 0).first()
        if activity is None or not permissions.can(actor, Action.SIGNUP_CREATE, activity):
            raise NotAllowed()
        User.objects.select_for_update().filter(pk=actor.pk).first()
        now = clock.now()
        first = Session.objects.get(pk=pk)
        if first.status != Session.Status.SCHEDULED:
            raise DomainError(_("This session was cancelled."), code="session_cancelled")
        targets = _sessions_to_book(activity, first, role, now)
        if not targets:
            raise DomainError(_("Sign-up for this session has closed."), code="signup_closed")
        targets = list(Session.objects.select_for_update().filter(pk__in=[s.pk for s in targets]).order_by("pk"))
        _window(activity, min(targets, key=lambda s: s.starts_at), now)
        if SignUp.objects.filter(session__in=targets, person=actor, status__in=SignUp.LIVE).exists():
            raise DomainError(_("You have already signed up for this."), code="already_signed_up")
        if role == SignUp.Role.PARTICIPANT:
            age = _check_audience(actor, activity, age)
            chosen = None
        else:
            age, chosen = None, _volunteer_slot(actor, activity, first, slot)
        _check_overlap(actor, targets)
        booking = uuid.uuid4() if len(targets) > 1 else None
        created = []
        try:
            with transaction.atomic():
                for s in targets:
                    created.append(_take_place(s, actor, role, chosen, age, booking, now))
        except IntegrityError:
            raise DomainError(_("You have already signed up for this."), code="already_signed_up") from None
        _audit(activity, "sign_up", actor=actor,
               after={"role": role, "sessions": {s.session.seq: s.status for s in created},
                      "booking": str(booking) if booking else None})
        return created


def _take_place(session: Session, person, role: str, slot: VolunteerSlot | None, age, booking, now) -> SignUp:
    """One sign-up on a locked session: confirmed if a seat (or the slot) has room, else waitlisted."""
    if role == SignUp.Role.PARTICIPANT:
        has_room = session.confirmed_count < session.seats
    else:
        has_room = _slot_taken(slot, session) < slot.count
    status = SU.CONFIRMED if has_room else SU.WAITLISTED
    position = session.next_position
    changes = {"next_position": F("next_position") + 1}
    if has_room and role == SignUp.Role.PARTICIPANT:
        changes["confirmed_count"] = F("confirmed_count") + 1
        session.confirmed_count += 1
    Session.objects.filter(pk=session.pk).update(**changes)
    session.next_position += 1
    return SignUp.objects.create(session=session, person=person, role=role, slot=slot, status=status,
                                 position=position, course_booking=booking, attendee_age=age, created_at=now,
                                 confirmed_at=now if has_room else None)


def _promote(session: Session) -> list[int]:
    """Give free seats (and volunteer places) of a locked session to the waiting list, first come first
    served; the people promoted are told after commit."""
    now = clock.now()
    promoted = []
    free = session.seats - session.confirmed_count
    if free > 0:
        waiting = list(SignUp.objects.filter(session=session, role=SignUp.Role.PARTICIPANT, status=SU.WAITLISTED)
                       .order_by("position").values_list("pk", flat=True)[:free])
        if waiting:
            SignUp.objects.filter(pk__in=waiting).update(status=SU.CONFIRMED, confirmed_at=now, promoted_at=now)
            Session.objects.filter(pk=session.pk).update(confirmed_count=F("confirmed_count") + len(waiting))
            session.confirmed_count += len(waiting)
            promoted += waiting
    for slot in VolunteerSlot.objects.filter(Q(session__isnull=True) | Q(session=session),
                                             activity_id=session.activity_id):
        free = slot.count - _slot_taken(slot, session)
        if free > 0:
            waiting = list(SignUp.objects.filter(session=session, slot=slot, status=SU.WAITLISTED)
                           .order_by("position").values_list("pk", flat=True)[:free])
            SignUp.objects.filter(pk__in=waiting).update(status=SU.CONFIRMED, confirmed_at=now, promoted_at=now)
            promoted += waiting
    for signup_id in promoted:
        transaction.on_commit(lambda pk=signup_id: notices.promoted(pk), robust=True)
    return promoted


def cancel_deadline(signup: SignUp) -> datetime:
    """Until when a confirmed place can be given back (a waiting-list place: until the session starts)."""
    if signup.status == SU.WAITLISTED:
        return signup.session.starts_at
    return signup.session.starts_at - timedelta(hours=signup.session.activity.cancel_hours)


def signup_cancel(*, actor, signup: SignUp | int, reason: str = "") -> list[SignUp]:
    """The person gives their place back, before the activity's cancellation deadline; a course booked
    as a whole is cancelled for every session still ahead. A freed seat goes to the first person on
    the waiting list at once, who is told."""
    reason = _text(reason, field="reason", limit=NOTE_MAX_LENGTH, required=False)
    pk = signup.pk if isinstance(signup, SignUp) else signup
    own = permissions.visible(actor, Action.SIGNUP_CANCEL, SignUp.objects.filter(pk=pk)).first() \
        if isinstance(pk, int) else None
    if own is None:
        raise NotAllowed()
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=own.session.activity_id)
        group = SignUp.objects.filter(course_booking=own.course_booking) if own.course_booking else \
            SignUp.objects.filter(pk=own.pk)
        sessions = {s.pk: s for s in Session.objects.select_for_update()
                    .filter(pk__in=group.values("session_id")).order_by("pk")}
        now = clock.now()
        live = [s for s in group.select_related("session").filter(status__in=SignUp.LIVE).order_by("session__pk")
                if s.session.starts_at > now]
        if not live:
            raise DomainError(_("This sign-up has already ended."), code="invalid_transition")
        for s in live:
            s.session.activity = activity
        open_ = [s for s in live if now < cancel_deadline(s)]
        if not open_:
            raise DomainError(_("Places can be given back only until %(n)s hours before the start. Please tell "
                                "the organiser if you cannot come.") % {"n": activity.cancel_hours},
                              code="too_late")
        for s in open_:
            SignUp.objects.filter(pk=s.pk).update(status=SU.CANCELLED, cancelled_at=now, cancel_reason=reason)
            session = sessions[s.session_id]
            if s.status == SU.CONFIRMED and s.role == SignUp.Role.PARTICIPANT:
                Session.objects.filter(pk=session.pk).update(confirmed_count=F("confirmed_count") - 1)
                session.confirmed_count -= 1
            if s.status == SU.CONFIRMED:
                _promote(session)
            s.status, s.cancelled_at = SU.CANCELLED, now
        _audit(activity, "sign_up_cancel", actor=actor,
               after={"sessions": [s.session.seq for s in open_], "reason": reason})
        return open_


# --- the worker's job ------------------------------------------------------------------------------

def activities_remind_sweep() -> int:
    """Remind confirmed people JUSHA_ACTIVITY_REMIND_HOURS before their session, once: the sign-up is
    marked by a conditional update, so a second or concurrent run reminds nobody twice."""
    now = clock.now()
    soon = now + timedelta(hours=settings.JUSHA_ACTIVITY_REMIND_HOURS)
    due = list(SignUp.objects.filter(status=SU.CONFIRMED, reminded_at__isnull=True,
                                     session__status=Session.Status.SCHEDULED,
                                     session__activity__status=S.PUBLISHED,
                                     session__starts_at__gt=now, session__starts_at__lte=soon)
               .values_list("pk", flat=True))
    reminded = 0
    for pk in due:
        if SignUp.objects.filter(pk=pk, reminded_at__isnull=True, status=SU.CONFIRMED).update(reminded_at=now):
            notices.reminder(pk)
            reminded += 1
    return reminded


# --- the personal calendar feed -------------------------------------------------------------------

def feed_token_get(*, actor) -> FeedToken:
    """The secret of the person's own calendar feed, made on first use."""
    if not permissions.can(actor, Action.SIGNUP_CREATE):
        raise NotAllowed()
    token = FeedToken.objects.filter(user=actor).first()
    if token is not None:
        return token
    with transaction.atomic():
        token, made = FeedToken.objects.get_or_create(user=actor, defaults={"created_at": clock.now()})
        if made:
            audit_record(actor=actor, action="activities.feed_token", target=actor, after={"made": True})
    return token


def feed_token_reset(*, actor) -> FeedToken:
    """A new secret: the old feed address stops working at once (a calendar app shared by mistake)."""
    if not permissions.can(actor, Action.SIGNUP_CREATE):
        raise NotAllowed()
    with transaction.atomic():
        FeedToken.objects.filter(user=actor).delete()
        token = FeedToken.objects.create(user=actor, created_at=clock.now())
        audit_record(actor=actor, action="activities.feed_token", target=actor, after={"reset": True})
    return token
