"""Who hears about activities; every function runs after the change commits.

A person on the waiting list hears when they get a place; a confirmed person is reminded before the
session; everyone signed up hears when an activity or a session is cancelled; the organiser (who wrote
the activity) hears the review's outcome. Each message has a key, so a repeated call sends nothing new.
"""

from django.utils import timezone

from jusha.accounts.models import User
from jusha.notifications.services import notify

from .models import Activity, Session, SignUp


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _context(activity: Activity, session: Session | None = None, **more) -> dict:
    context = {"title": activity.title, "place": activity.place_name}
    if session is not None:
        context["when"] = _when(session.starts_at)
    context.update(more)
    return context


def promoted(signup_id: int) -> None:
    signup = SignUp.objects.select_related("session__activity", "person").filter(pk=signup_id).first()
    if signup is not None:
        activity = signup.session.activity
        notify(recipients=[signup.person], kind="activities.promoted", obj=activity,
               context=_context(activity, signup.session), community=activity.community,
               key=f"signup:{signup.pk}:promoted")


def reminder(signup_id: int) -> None:
    signup = SignUp.objects.select_related("session__activity", "person").filter(pk=signup_id).first()
    if signup is not None:
        activity = signup.session.activity
        notify(recipients=[signup.person], kind="activities.reminder", obj=activity,
               context=_context(activity, signup.session), community=activity.community,
               key=f"signup:{signup.pk}:reminder")


def cancelled(activity_id: int, people: list[int], *, key: str, session_id: int | None = None) -> None:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None or not people:
        return
    session = Session.objects.filter(pk=session_id).first() if session_id else activity.sessions.first()
    reason = session.cancel_reason if session_id and session else activity.cancel_reason
    notify(recipients=User.objects.filter(pk__in=people), kind="activities.cancelled", obj=activity,
           context=_context(activity, session, reason=reason), community=activity.community, key=key)


def reviewed(activity_id: int) -> None:
    activity = Activity.objects.select_related("created_by").filter(pk=activity_id).first()
    if activity is None:
        return
    outcome = "published" if activity.status == Activity.Status.PUBLISHED else "returned"
    notify(recipients=[activity.created_by], kind="activities.reviewed", obj=activity,
           context=_context(activity, outcome=outcome, note=activity.review_note),
           sender=activity.reviewed_by, community=activity.community,
           key=f"activity:{activity.pk}:reviewed:{activity.reviewed_at.isoformat()}")
