"""The period an indicator table covers, and the buckets a trend is cut into.

A period is a half-open range of local time [start, end): a day, an ISO week (Monday to Sunday), a month, a
quarter, a year, or a custom range of whole days. Boundaries are local midnights in the deployment's time
zone (Asia/Shanghai), so "November" means what the subdistrict means by it, whatever the database's zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import clock
from jusha.core.errors import DomainError

KINDS = ("day", "week", "month", "quarter", "year", "custom")
BUCKETS = ("day", "week", "month", "quarter", "year")
# The trend's default step for each kind of period (the custom range picks by its length).
DEFAULT_BUCKET = {"day": "day", "week": "day", "month": "day", "quarter": "month", "year": "month"}
MAX_CUSTOM_DAYS = 3 * 366
# More points than this make an unreadable chart and a table nobody scrolls: pick a longer step.
MAX_BUCKETS = 400


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day in the period
    last: date  # the last day in the period (inclusive)

    @property
    def start(self) -> datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        return _midnight(self.last + timedelta(days=1))

    @property
    def default_bucket(self) -> str:
        if self.kind != "custom":
            return DEFAULT_BUCKET[self.kind]
        return "day" if (self.last - self.first).days < 62 else "month"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _day = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()} – {self.last.isoformat()}"

    @property
    def query(self) -> dict[str, str]:
        """The query parameters that give this period back (for links and the export)."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.first.isoformat(), "end": self.last.isoformat()}
        return {"period": self.kind, "date": self.first.isoformat()}


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def today() -> date:
    return timezone.localdate(clock.now())


def bucket_start(day: date, bucket: str) -> date:
    """The first day of the bucket containing `day` (weeks start on Monday, as ISO and 中国 calendars do)."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def next_bucket(day: date, bucket: str) -> date:
    """The first day of the bucket after the one starting at `day`."""
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return day + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_label(day: date, bucket: str) -> str:
    return Period(kind=bucket, first=day, last=day).label


def buckets(period: Period, bucket: str) -> list[date]:
    """The first day of every bucket that overlaps the period, in order."""
    days, day = [], bucket_start(period.first, bucket)
    while day <= period.last:
        days.append(day)
        day = next_bucket(day, bucket)
    return days


def period_of(kind: str, day: date) -> Period:
    """The day, week, month, quarter or year that contains `day`."""
    first = bucket_start(day, kind)
    return Period(kind=kind, first=first, last=next_bucket(first, kind) - timedelta(days=1))


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Give the date as YYYY-MM-DD."), code="invalid_date", field=field) from None


def parse(kind: str = "month", day: str = "", start: str = "", end: str = "") -> Period:
    """The period from query parameters; a refusal is a DomainError naming the field."""
    if kind not in KINDS:
        raise DomainError(_("Choose a day, week, month, quarter, year or a custom range."), code="invalid_period",
                          field="period")
    if kind != "custom":
        return period_of(kind, _date(day, "date") if day else today())
    if not start or not end:
        raise DomainError(_("A custom range needs a first and a last day."), code="invalid_period", field="start")
    first, last = _date(start, "start"), _date(end, "end")
    if last < first:
        raise DomainError(_("The last day comes before the first."), code="invalid_period", field="end")
    if (last - first).days >= MAX_CUSTOM_DAYS:
        raise DomainError(_("A custom range can cover at most three years."), code="invalid_period", field="end")
    return Period(kind="custom", first=first, last=last)


def check_buckets(period: Period, bucket: str) -> None:
    if bucket not in BUCKETS:
        raise DomainError(_("Choose a day, week, month, quarter or year as the step."), code="invalid_bucket",
                          field="bucket")
    if len(buckets(period, bucket)) > MAX_BUCKETS:
        raise DomainError(_("That is too many points for one chart: choose a longer step."),
                          code="too_many_buckets", field="bucket")
