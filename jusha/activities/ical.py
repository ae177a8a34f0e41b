"""iCalendar feeds (RFC 5545) with icalendar: a community's public activities, and one person's own.

Times are written in Asia/Shanghai with its VTIMEZONE, so a phone's calendar shows the local hour
wherever the server's clock runs. Each event's UID is the session's, so a calendar app updates an
event in place when a session moves or is cancelled.
"""

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from jusha.core import clock

from .models import Activity, Session, SignUp

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Jusha//activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _event(session: Session, *, base_url: str, tentative: bool = False) -> Event:
    activity = session.activity
    event = Event()
    event.add("uid", f"activity-session-{session.pk}@jusha")
    event.add("dtstamp", clock.now())
    event.add("dtstart", session.starts_at.astimezone(SHANGHAI))
    event.add("dtend", session.ends_at.astimezone(SHANGHAI))
    event.add("summary", activity.title)
    event.add("location", activity.place_name)
    if activity.lat is not None:
        event.add("geo", (activity.lat, activity.lng))
    event.add("description", activity.description)
    event.add("url", base_url + activity.get_absolute_url())
    if session.status == Session.Status.CANCELLED or activity.status == Activity.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return event


def community_feed(name: str, sessions, *, base_url: str) -> bytes:
    cal = _calendar(name)
    for session in sessions:
        cal.add_component(_event(session, base_url=base_url))
    cal.add_missing_timezones()
    return cal.to_ical()


def person_feed(name: str, signups, *, base_url: str) -> bytes:
    """The person's own sign-ups; a place on the waiting list is a tentative event."""
    cal = _calendar(name)
    for signup in signups:
        cal.add_component(_event(signup.session, base_url=base_url,
                                 tentative=signup.status == SignUp.Status.WAITLISTED))
    cal.add_missing_timezones()
    return cal.to_ical()
