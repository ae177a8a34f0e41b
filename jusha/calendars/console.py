"""The console page where administrators and subdistrict staff keep the service calendar: the weekly
service hours, and the year's holidays and make-up working days (added, changed and removed with htmx).
Every change goes through services.py, which audits it."""

import re
from datetime import date, time

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.web.console import console_view
from jusha.web.params import int_param

from . import selectors, services
from .models import CalendarDay, Weekday

PERIOD = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*[-–~]\s*([01]?\d|2[0-3]):([0-5]\d)$")
MIN_YEAR, MAX_YEAR = 2004, 2100


def _year(raw) -> int:
    year = int_param(raw)
    return year if year and MIN_YEAR <= year <= MAX_YEAR else clock.now().year


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def parse_periods(text: str) -> list[tuple[time, time]]:
    """"08:30-12:00, 13:30-17:30" → the periods; empty text → none (a day off)."""
    periods = []
    for part in re.split(r"[,，;；\s]+(?=\d)", (text or "").strip()):
        if not part:
            continue
        found = PERIOD.match(part.strip())
        if found is None:
            raise DomainError(_("Write the periods like 08:30-12:00, 13:30-17:30."), code="invalid_period",
                              field="periods")
        h1, m1, h2, m2 = map(int, found.groups())
        periods.append((time(h1, m1), time(h2, m2)))
    return periods


def _context(request, year: int, **extra) -> dict:
    hours = {}
    for period in selectors.weekly_hours():
        hours.setdefault(period.weekday, []).append(period)
    return {
        "section": "calendar",
        "year": year,
        "years": [year - 1, year, year + 1],
        "days": list(selectors.year_days(year)),
        "kinds": CalendarDay.Kind.choices,
        "weekdays": [(value, label, ", ".join(f"{p.opens:%H:%M}-{p.closes:%H:%M}" for p in hours.get(value, [])))
                     for value, label in Weekday.choices],
        "url": reverse("calendars_console:page"),
        **extra,
    }


def _respond(request, year: int, *, partial: str, error: str = ""):
    """After a change: the changed part when htmx asked, else the whole page again."""
    status = 400 if error else 200
    context = _context(request, year, error=error, error_in=partial)
    if request.headers.get("HX-Request"):
        return TemplateResponse(request, f"calendars/console/calendar.html#{partial}", context, status=status)
    if error:
        return TemplateResponse(request, "calendars/console/calendar.html", context, status=status)
    return redirect(f"{reverse('calendars_console:page')}?year={year}")


@console_view
def page(request):
    permissions.require(request.user, Action.CALENDAR_CHANGE)
    year = _year(request.GET.get("year"))
    return TemplateResponse(request, "calendars/console/calendar.html", _context(request, year))


@console_view
@require_POST
def day_save(request):
    """Add a date, or change what a date is (the same form, keyed by the date)."""
    permissions.require(request.user, Action.CALENDAR_CHANGE)
    day = _date(request.POST.get("date"))
    year = day.year if day and MIN_YEAR <= day.year <= MAX_YEAR else _year(request.POST.get("year"))
    try:
        services.calendar_day_set(actor=request.user, day=day, kind=request.POST.get("kind", ""),
                                  name=request.POST.get("name", ""))
    except DomainError as exc:
        return _respond(request, year, partial="days", error=str(exc.message))
    return _respond(request, year, partial="days")


@console_view
@require_POST
def day_remove(request):
    permissions.require(request.user, Action.CALENDAR_CHANGE)
    day = _date(request.POST.get("date"))
    if day is None:
        raise Http404
    try:
        services.calendar_day_remove(actor=request.user, day=day)
    except DomainError as exc:
        return _respond(request, day.year, partial="days", error=str(exc.message))
    return _respond(request, day.year, partial="days")


@console_view
@require_POST
def seed(request):
    """Add the statutory holidays of the year shown (kept as they are where staff changed a date)."""
    permissions.require(request.user, Action.CALENDAR_CHANGE)
    year = _year(request.POST.get("year"))
    try:
        services.calendar_seed_statutory(actor=request.user, year=year)
    except DomainError as exc:
        return _respond(request, year, partial="days", error=str(exc.message))
    return _respond(request, year, partial="days")


@console_view
@require_POST
def hours_save(request):
    permissions.require(request.user, Action.CALENDAR_CHANGE)
    year = _year(request.POST.get("year"))
    weekday = int_param(request.POST.get("weekday"))
    try:
        services.service_hours_set(actor=request.user, weekday=weekday if weekday is not None else -1,
                                   periods=parse_periods(request.POST.get("periods", "")))
    except DomainError as exc:
        return _respond(request, year, partial="hours", error=str(exc.message))
    return _respond(request, year, partial="hours")
