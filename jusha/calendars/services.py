"""Every write to the service calendar: one function per change, each audited.

Administrators and subdistrict staff (Action.CALENDAR_CHANGE) edit it in the console; the statutory
holidays are seeded by the data migration and by `jusha calendar_seed <year>`.
"""

from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action

from . import selectors, statutory
from .models import NAME_MAX_LENGTH, CalendarDay, CalendarVersion, ServiceHours, Weekday


def _require(actor) -> None:
    if not permissions.can(actor, Action.CALENDAR_CHANGE):
        raise NotAllowed()


def _changed() -> None:
    """Replace the version token other processes compare, and forget this process's copy at once (and again
    after commit, so that a copy loaded inside the transaction is not kept)."""
    statutory.bump(CalendarVersion)
    selectors.invalidate()
    transaction.on_commit(selectors.invalidate)


def calendar_day_set(*, actor, day: date | None, kind: str, name: str = "") -> CalendarDay:
    """Mark a date as a holiday (closed) or a make-up working day (open); replaces what the date had."""
    _require(actor)
    if not isinstance(day, date):
        raise DomainError(_("Enter a valid date."), code="invalid_date", field="date")
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Choose a holiday or a make-up working day."), code="invalid_choice", field="kind")
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": NAME_MAX_LENGTH, "count": len(name)}, code="too_long", field="name")
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=day).first()
        old = {"kind": before.kind, "name": before.name, "source": before.source} if before else None
        row, _created = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "source": CalendarDay.Source.LOCAL})
        audit_record(actor=actor, action="calendars.day_set", target=row, before=old,
                     after={"date": day, "kind": kind, "name": name})
        _changed()
        return row


def calendar_day_remove(*, actor, day: date) -> None:
    """The date is like its weekday again."""
    _require(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise DomainError(_("This date has no entry any more. Reload the page."), code="not_found")
        audit_record(actor=actor, action="calendars.day_remove", target=row,
                     before={"date": row.date, "kind": row.kind, "name": row.name, "source": row.source})
        row.delete()
        _changed()


def service_hours_set(*, actor, weekday: int, periods: list[tuple[time, time]]) -> list[ServiceHours]:
    """Replace the opening periods of one weekday (none: the weekday is a day off)."""
    _require(actor)
    if weekday not in Weekday.values:
        raise DomainError(_("Choose a weekday."), code="invalid_choice", field="weekday")
    cleaned = sorted(periods)
    for opens, closes in cleaned:
        if not (isinstance(opens, time) and isinstance(closes, time)) or closes <= opens:
            raise DomainError(_("Each period must close after it opens."), code="invalid_period", field="periods")
    for (_o1, c1), (o2, _c2) in zip(cleaned, cleaned[1:], strict=False):
        if o2 < c1:
            raise DomainError(_("The periods of a day must not overlap."), code="overlapping_periods",
                              field="periods")
    with transaction.atomic():
        if not ServiceHours.objects.exists():
            # The calendar runs on the default hours while the table is empty: edit those, not nothing.
            ServiceHours.objects.bulk_create(ServiceHours(weekday=w, opens=o, closes=c)
                                             for w, periods in selectors.DEFAULT_HOURS.items() for o, c in periods)
        rows = ServiceHours.objects.select_for_update()
        before = [(h.opens, h.closes) for h in rows.filter(weekday=weekday)]
        if not cleaned and not rows.exclude(weekday=weekday).exists():
            # Without any opening time no clock could ever run out.
            raise DomainError(_("At least one weekday must have service hours."), code="no_service_hours",
                              field="periods")
        ServiceHours.objects.filter(weekday=weekday).delete()
        created = [ServiceHours.objects.create(weekday=weekday, opens=o, closes=c) for o, c in cleaned]
        audit_record(actor=actor, action="calendars.hours_set", target=None,
                     before={"weekday": weekday, "periods": [[o, c] for o, c in before]},
                     after={"weekday": weekday, "periods": [[o, c] for o, c in cleaned]})
        _changed()
        return created


def calendar_seed_statutory(*, actor, year: int) -> tuple[int, int]:
    """Store the year's statutory holidays and make-up working days (from chinese-calendar). Running it
    again changes nothing; dates staff entered themselves are kept. `actor` None is the system (the
    `jusha calendar_seed` command). Returns (added, changed)."""
    if actor is not None:
        _require(actor)
    with transaction.atomic():
        try:
            added, changed = statutory.store(CalendarDay, CalendarVersion, year)
        except statutory.UnknownYear:
            raise DomainError(_("The statutory holidays of %(year)s are not known yet: update the "
                                "chinese-calendar package, or enter the days by hand.") % {"year": year},
                              code="unknown_year", field="year") from None
        if added or changed:
            audit_record(actor=actor, action="calendars.seed_statutory", target=None,
                         after={"year": year, "added": added, "changed": changed})
            selectors.invalidate()
            transaction.on_commit(selectors.invalidate)
        return added, changed
