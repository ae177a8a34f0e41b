"""Working time: which days are working days, and how service time adds up across the calendar.

Every clock in Jusha (a need's first response and completion, later a case's time limit) counts
service time: only the opening periods (`ServiceHours`) of working days. A date is a working day when
a `CalendarDay` says so (a make-up working day), or when its weekday has opening periods and no
`CalendarDay` makes it a holiday. A make-up working day has the hours of a normal working day: those
of the first weekday (Monday first) that has any.

The calendar is loaded once per process. A process re-checks the version token at most every
JUSHA_CALENDAR_RECHECK_SECONDS and reloads when another process changed the calendar; the process
that made the change reloads at once (`invalidate()`, called by the services).
"""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import CalendarDay, CalendarVersion, ServiceHours

# Used while the table is empty (a fresh database before its data migration, a flushed test database),
# so that no clock can run for ever. The data migration stores the same periods.
DEFAULT_HOURS: dict[int, tuple[tuple[dtime, dtime], ...]] = {
    day: ((dtime(8, 30), dtime(12, 0)), (dtime(13, 30), dtime(17, 30))) for day in range(5)
}
# A search for the next opening gives up after this many days without one (a calendar of holidays only).
MAX_DAYS = 3 * 366


class CalendarError(ValueError):
    """The calendar has no working time within MAX_DAYS of the start."""


@dataclass(frozen=True)
class Calendar:
    version: str
    hours: dict[int, tuple[tuple[dtime, dtime], ...]]
    days: dict[date, str]  # date → CalendarDay.Kind
    zone: ZoneInfo

    def is_working_day(self, day: date) -> bool:
        kind = self.days.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        return bool(self.hours.get(day.weekday()))

    def periods(self, day: date) -> tuple[tuple[dtime, dtime], ...]:
        """The opening periods of `day` (empty on a day off)."""
        if not self.is_working_day(day):
            return ()
        own = self.hours.get(day.weekday())
        if own:
            return own
        return next((self.hours[w] for w in range(7) if self.hours.get(w)), ())

    def intervals(self, day: date):
        """The opening periods of `day` as UTC datetimes, in order."""
        for opens, closes in self.periods(day):
            yield (datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC),
                   datetime.combine(day, closes, tzinfo=self.zone).astimezone(UTC))

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


_lock = threading.Lock()
_calendar: Calendar | None = None
_checked_at = float("-inf")


def invalidate() -> None:
    """Forget the cached calendar; the next question in this process reloads it."""
    global _calendar
    _calendar = None


def _version() -> str:
    return CalendarVersion.objects.order_by("pk").values_list("token", flat=True).first() or ""


def _load(version: str) -> Calendar:
    hours: dict[int, list[tuple[dtime, dtime]]] = {}
    for weekday, opens, closes in ServiceHours.objects.order_by("weekday", "opens").values_list(
            "weekday", "opens", "closes"):
        hours.setdefault(weekday, []).append((opens, closes))
    frozen = {w: tuple(p) for w, p in hours.items()} if hours else DEFAULT_HOURS
    days = dict(CalendarDay.objects.values_list("date", "kind"))
    return Calendar(version, frozen, days, ZoneInfo(settings.TIME_ZONE))


def calendar() -> Calendar:
    """The deployment's calendar as this process knows it (re-checked as the module docstring says)."""
    global _calendar, _checked_at
    current = _calendar
    if current is not None and time.monotonic() - _checked_at < settings.JUSHA_CALENDAR_RECHECK_SECONDS:
        return current
    version = _version()
    if current is None or current.version != version:
        with _lock:
            if _calendar is None or _calendar.version != version:
                _calendar = _load(version)
            current = _calendar
    _checked_at = time.monotonic()
    return current


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("working time needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def add_working_time(start: datetime, delta: timedelta) -> datetime:
    """The moment `delta` of service time after `start`. A start outside the opening periods starts
    counting at the next opening; the result is always inside (or at the end of) an opening period.
    Returned in the current time zone (Asia/Shanghai)."""
    if delta < timedelta(0):
        raise ValueError("working time cannot be negative")
    cal = calendar()
    cursor = _aware(start)
    if delta == timedelta(0):
        return timezone.localtime(cursor)
    remaining = delta
    day = cal.local_date(cursor)
    for _ in range(MAX_DAYS):
        for opens, closes in cal.intervals(day):
            if closes <= cursor:
                continue
            begin = max(opens, cursor)
            if remaining <= closes - begin:
                return timezone.localtime(begin + remaining)
            remaining -= closes - begin
        day += timedelta(days=1)
    raise CalendarError(f"no working time within {MAX_DAYS} days of {start.isoformat()}")


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """How much service time lies between `start` and `end` (zero when end is not after start)."""
    cal = calendar()
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    day, last = cal.local_date(start), cal.local_date(end)
    while day <= last:
        for opens, closes in cal.intervals(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def year_days(year: int):
    """The dates of `year` that differ from their weekday, for the console page."""
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def weekly_hours():
    return ServiceHours.objects.order_by("weekday", "opens")
