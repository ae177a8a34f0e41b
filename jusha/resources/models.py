"""Resources (资源): what a member unit offers the community — a service, a venue, a skill, goods or funds.

A unit's liaison describes the resource and submits it; subdistrict staff approve it (or reject it with a
reason, after which the liaison edits and resubmits). Only approved resources appear in matching
suggestions. The status changes only through `services.py`, as `workflow.TRANSITIONS` allows.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 500
MAX_SLOTS = 21  # three slots a day is plenty; a longer list is a mistake, not a schedule

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_availability(value) -> None:
    """Weekly availability: a list of {"weekday": 0–6 (Monday = 0), "start": "HH:MM", "end": "HH:MM"}."""
    if not isinstance(value, list) or len(value) > MAX_SLOTS:
        raise ValidationError(_("Availability must be a list of at most %(n)s weekly time slots.") % {"n": MAX_SLOTS},
                              code="invalid_availability")
    for slot in value:
        if not (isinstance(slot, dict) and set(slot) == {"weekday", "start", "end"}
                and isinstance(slot["weekday"], int) and not isinstance(slot["weekday"], bool)
                and 0 <= slot["weekday"] <= 6
                and isinstance(slot["start"], str) and isinstance(slot["end"], str)
                and _TIME.match(slot["start"]) and _TIME.match(slot["end"]) and slot["start"] < slot["end"]):
            raise ValidationError(_("Each time slot needs a weekday and a start before its end (HH:MM)."),
                                  code="invalid_availability")


class Resource(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("service")
        VENUE = "venue", _("venue")
        SKILL = "skill", _("skill or expertise")
        GOODS = "goods", _("goods")
        FUNDS = "funds", _("funds")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        RETIRED = "retired", _("retired")

    class Period(models.TextChoices):
        WEEK = "week", _("per week")
        TOTAL = "total", _("in total")

    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, related_name="resources",
                                    verbose_name=_("member unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.CharField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    categories = models.ManyToManyField("needs.NeedCategory", related_name="resources", blank=True,
                                        verbose_name=_("need categories served"))
    # e.g. 20 people per week, 3 rooms in total, 5000 yuan in total: the unit of the number is the description's.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_period = models.CharField(_("capacity per"), max_length=10, choices=Period.choices,
                                       default=Period.WEEK)
    availability = models.JSONField(_("weekly availability"), default=list, blank=True,
                                    validators=[validate_availability])
    service_area = models.ManyToManyField("places.Community", related_name="resources", blank=True,
                                          verbose_name=_("service area"))
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["member_unit", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(lng__isnull=True, lat__isnull=True)
                                   | Q(lng__isnull=False, lat__isnull=False, lng__gte=-180, lng__lte=180,
                                       lat__gte=-90, lat__lte=90),
                                   name="resource_place_is_a_point"),
            models.CheckConstraint(condition=~Q(title=""), name="resource_title_not_empty"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reject_reason=""),
                                   name="resource_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources_console:detail", args=[self.pk])

    @property
    def has_place(self) -> bool:
        return self.lng is not None and self.lat is not None
