"""Needs (需求): what residents ask for help with, and who takes them on.

A `Need` moves through the states of `workflow.TRANSITIONS`; only the services in `services.py`
change it, each writing one `NeedEvent` (the resident's timeline, append-only) and an audit entry.
A `Claim` is a member unit (or, later, a volunteer) taking a need on, either offered by staff (a
match) or taken from the public board; the database allows at most one live claim per need.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
ADDRESS_MAX_LENGTH = 120
MAX_PHOTOS = 6
# The service-time targets when neither a category nor its ancestors set one (docs/needs.md, "Clocks").
FIRST_RESPONSE_MINUTES = 10
COMPLETION_HOURS = 24


class NeedCategory(models.Model):
    """One node of the configurable category tree (生活帮扶, 助老助残 …); admins add sub-categories."""

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent category"))
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Service time (working hours of the service calendar). Empty: as the parent category, else the default.
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (service minutes)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: as the parent category, or 10 minutes."))
    completion_hours = models.PositiveIntegerField(
        _("completion within (service hours)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: as the parent category, or 24 hours."))

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language being shown."""
        return self.name_en if (get_language() or "").startswith("en") else self.name

    def clean(self):
        super().clean()
        seen, node = set(), self.parent
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent

    def _inherited(self, field: str, default: int) -> int:
        node, seen = self, set()
        while node is not None and node.pk not in seen:
            value = getattr(node, field)
            if value is not None:
                return value
            seen.add(node.pk)
            node = node.parent
        return default

    @property
    def first_response_target(self) -> timedelta:
        return timedelta(minutes=self._inherited("first_response_minutes", FIRST_RESPONSE_MINUTES))

    @property
    def completion_target(self) -> timedelta:
        return timedelta(hours=self._inherited("completion_hours", COMPLETION_HOURS))


class Need(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting triage")
        ACCEPTED = "accepted", _("accepted, looking for help")
        ESCALATED = "escalated", _("with the subdistrict")
        MATCHED = "matched", _("matched, awaiting the unit")
        IN_PROGRESS = "in_progress", _("being handled")
        COMPLETED = "completed", _("done, awaiting confirmation")
        CLOSED = "closed", _("confirmed")
        REJECTED = "rejected", _("not accepted")

    class Level(models.TextChoices):
        """Whose triage queue the need is in (两级研判)."""

        COMMUNITY = "community", _("community")
        SUBDISTRICT = "subdistrict", _("subdistrict")

    class Urgency(models.IntegerChoices):
        NORMAL = 1, _("normal")
        SOON = 2, _("soon")
        URGENT = 3, _("urgent")

    class Contact(models.TextChoices):
        CALL = "call", _("phone call")
        TEXT = "text", _("text message")
        APP = "app", _("message in Jusha")
        VISIT = "visit", _("home visit")

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="needs",
                                 verbose_name=_("resident"))
    # 代办: the staff member who entered the need for a resident without a phone.
    on_behalf_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="needs_entered", verbose_name=_("entered on behalf by"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="needs",
                                  verbose_name=_("community"))
    grid = models.ForeignKey("places.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                             verbose_name=_("grid"))
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    category = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="needs",
                                 verbose_name=_("category"))
    text = models.CharField(_("what is needed"), max_length=TEXT_MAX_LENGTH)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    preferred_from = models.DateTimeField(_("preferred from"), null=True, blank=True)
    preferred_until = models.DateTimeField(_("preferred until"), null=True, blank=True)
    contact = models.CharField(_("contact preference"), max_length=10, choices=Contact.choices,
                               default=Contact.CALL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.COMMUNITY)
    resolution = models.CharField(_("what was done"), max_length=NOTE_MAX_LENGTH, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    # The first staff decision of any kind: the start of the first-response clock.
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    started_at = models.DateTimeField(_("taken on at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The clocks (service time, set at submission and again at reopening) and when each ran out.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    completion_due_at = models.DateTimeField(_("completion due"), null=True, blank=True)
    first_response_overdue_at = models.DateTimeField(_("first response overdue since"), null=True, blank=True)
    completion_overdue_at = models.DateTimeField(_("completion overdue since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "level"]),
            models.Index(fields=["resident", "submitted_at"]),
            models.Index(fields=["first_response_due_at"], condition=Q(first_response_overdue_at__isnull=True,
                                                                       first_response_at__isnull=True),
                         name="need_response_clock_running"),
            models.Index(fields=["completion_due_at"], condition=Q(completion_overdue_at__isnull=True,
                                                                   completed_at__isnull=True),
                         name="need_completion_clock_running"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lng__isnull=True, lat__isnull=True)
                                   | Q(lng__isnull=False, lat__isnull=False, lng__gte=-180, lng__lte=180,
                                       lat__gte=-90, lat__lte=90),
                                   name="need_location_is_a_point"),
            models.CheckConstraint(condition=Q(preferred_from__isnull=True) | Q(preferred_until__isnull=True)
                                   | Q(preferred_until__gt=models.F("preferred_from")),
                                   name="need_preferred_window_in_order"),
            models.CheckConstraint(condition=~Q(text=""), name="need_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])

    @property
    def is_on_behalf(self) -> bool:
        return self.on_behalf_by_id is not None

    @property
    def response_overdue(self) -> bool:
        return self.first_response_overdue_at is not None and self.first_response_at is None

    @property
    def completion_overdue(self) -> bool:
        return self.completion_overdue_at is not None and self.completed_at is None and self.closed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.response_overdue or self.completion_overdue

    @property
    def next_due_at(self):
        """The due time that matters now: the first response until there is one, then completion."""
        if self.completed_at is not None or self.closed_at is not None:
            return None
        return self.first_response_due_at if self.first_response_at is None else self.completion_due_at

    @property
    def live_claim(self):
        return next((c for c in self.claims.all() if c.is_live), None)


class NeedPhoto(models.Model):
    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("with the need")
        COMPLETED = "completed", _("of the work done")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="photos", verbose_name=_("need"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SUBMITTED)
    # Stored re-encoded: EXIF removed, orientation applied (photos.clean_photo).
    image = models.ImageField(_("photo"), upload_to="needs/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("need photo")
        verbose_name_plural = _("need photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.need_id} {self.get_stage_display()} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("needs:photo", args=[self.pk])


class Claim(models.Model):
    """A member unit (or a person) taking a need on: offered by staff (a match) or taken from the board."""

    class Via(models.TextChoices):
        MATCH = "match", _("matched by staff")
        BOARD = "board", _("claimed from the board")

    class Status(models.TextChoices):
        OFFERED = "offered", _("offered, awaiting an answer")
        ACTIVE = "active", _("taken on")
        DECLINED = "declined", _("declined")
        RELEASED = "released", _("released")
        WITHDRAWN = "withdrawn", _("withdrawn by staff")
        DONE = "done", _("done")

    LIVE = (Status.OFFERED, Status.ACTIVE)

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="claims", verbose_name=_("need"))
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="need_claims", verbose_name=_("member unit"))
    # Who took it on (the unit's liaison who accepted or claimed); empty while a match is only offered.
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="need_claims", verbose_name=_("taken on by"))
    via = models.CharField(_("how"), max_length=10, choices=Via.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("matched by"))
    created_at = models.DateTimeField(_("created at"))
    accepted_at = models.DateTimeField(_("taken on at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last line of defence behind the services' row lock: one live claim per need.
            models.UniqueConstraint(fields=["need"], condition=Q(status__in=["offered", "active"]),
                                    name="need_one_live_claim"),
            models.CheckConstraint(condition=Q(member_unit__isnull=False) | Q(claimant__isnull=False),
                                   name="claim_has_a_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_label} → #{self.need_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def holder_label(self) -> str:
        return str(self.member_unit) if self.member_unit_id else str(self.claimant)


class NeedEvent(models.Model):
    """One step of a need's timeline. Written by the services only, never changed or deleted."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events", verbose_name=_("need"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    step = models.CharField(_("step"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("member unit"))
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    # Reasons between staff and units (why escalated, why declined) are not shown to the resident.
    note_is_internal = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.need_id} {self.step} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("need events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("need events are append-only")


class Rating(models.Model):
    """The resident's confirmation: 1–5 stars and a comment. A reopened need may be rated again."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("need"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("rated by"))
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=NOTE_MAX_LENGTH, blank=True)
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="need_ratings", verbose_name=_("member unit rated"))
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_one_to_five")]

    def __str__(self) -> str:
        return f"#{self.need_id} {'★' * self.stars}"
