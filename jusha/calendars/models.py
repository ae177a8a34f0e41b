"""The service calendar (工作日历): when the deployment's service centre is open, for every clock.

One calendar serves the whole deployment (it serves one district): the opening periods of each
weekday (`ServiceHours`, e.g. Monday 08:30–12:00 and 13:30–17:30) and the dates that differ from
their weekday (`CalendarDay`: a statutory holiday 节假日, or a make-up working day 调休上班).
`CalendarVersion` is one row whose token every change replaces, so that other processes notice the
change with one cheap query (see selectors.py). Only the services in services.py write these rows.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 50


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ServiceHours(models.Model):
    """One opening period of one weekday; a weekday without periods is a day off."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="service_hours_close_after_open"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="service_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CalendarDay(models.Model):
    """A date that is not like its weekday: a holiday (closed) or a make-up working day (open)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKDAY = "workday", _("make-up working day")

    class Source(models.TextChoices):
        STATUTORY = "statutory", _("statutory (State Council)")
        LOCAL = "local", _("set by staff")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.LOCAL)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarVersion(models.Model):
    """One row whose token every calendar change replaces: the processes' cached calendars compare it.
    A random token rather than a counter, so that a change rolled back and another committed later
    can never show the same value."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return self.token
