"""The statutory holidays and make-up working days of a year, as the State Council announced them.

Read from the `chinese-calendar` package (pinned in pyproject.toml; a new release each December adds
the next year). Shared by the data migration and `calendar_seed_statutory`, so both store the same.
"""

import uuid
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday


class UnknownYear(LookupError):
    """chinese-calendar has no data for the year (not announced yet, or the package is too old)."""


def statutory_days(year: int) -> list[tuple[date, str, str]]:
    """(date, "holiday" | "workday", Chinese name) for every named day of `year`: each day of a holiday
    period (weekends included, so the console shows the whole period) and each make-up working day."""
    days, day = [], date(year, 1, 1)
    while day.year == year:
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError as exc:
            raise UnknownYear(str(exc)) from None
        if name:
            days.append((day, "holiday" if is_holiday else "workday", Holiday(name).chinese))
        day += timedelta(days=1)
    return days


def store(CalendarDay, CalendarVersion, year: int) -> tuple[int, int]:
    """Write the year's statutory days with the given model classes (the migration passes its
    historical models). Dates staff entered themselves are kept. Returns (added, changed)."""
    added = changed = 0
    local = set(CalendarDay.objects.filter(date__year=year, source="local").values_list("date", flat=True))
    existing = {d.date: d for d in CalendarDay.objects.filter(date__year=year, source="statutory")}
    for day, kind, name in statutory_days(year):
        if day in local:
            continue
        row = existing.get(day)
        if row is None:
            CalendarDay.objects.create(date=day, kind=kind, name=name, source="statutory")
            added += 1
        elif (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            row.save(update_fields=["kind", "name"])
            changed += 1
    if added or changed:
        bump(CalendarVersion)
    return added, changed


def bump(CalendarVersion) -> None:
    """Tell every process that the calendar changed (a new token in the one version row)."""
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
