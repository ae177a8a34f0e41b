"""Cases (事件/案卷): urban-governance problems, the reports (上报) that signal them, and their categories.

Every incoming signal is a `Report`; a report either opens a new `Case` or is attached to an open one
(a resident following a nearby case, or staff merging). A case moves through the states of
`workflow.TRANSITIONS`; only the services in `services.py` change it, each appending one `CaseEvent`
(the timeline, append-only) and writing an audit entry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jusha.orgs.models import Team

TEXT_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
ADDRESS_MAX_LENGTH = 120
EXTERNAL_ID_MAX_LENGTH = 40
MAX_PHOTOS = 6


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("normal")
    URGENT = 2, _("urgent")
    EMERGENCY = 3, _("emergency")


class CaseCategory(models.Model):
    """One node of the 事件/部件 tree (GB/T 30428 style codes, docs/cases.md). Leaves carry routing and
    the stage time limits; the top nodes (大类) only group them."""

    class Kind(models.TextChoices):
        EVENT = "event", _("event")
        COMPONENT = "component", _("component")

    class Handler(models.TextChoices):
        GRID = "grid", _("the grid's worker")
        TEAM = "team", _("a team")

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent category"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    handler = models.CharField(_("handled by"), max_length=10, choices=Handler.choices, default=Handler.GRID)
    team_kind = models.CharField(_("responsible team"), max_length=30, blank=True,
                                 choices=Team.Kind.choices)
    photo_required = models.BooleanField(_("residents must add a photo"), default=False)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    # Stage time limits: each stage's deadline (CaseDeadline) is computed from them when it starts.
    accept_minutes = models.PositiveIntegerField(_("accept within (minutes)"), default=30)
    dispatch_minutes = models.PositiveIntegerField(_("dispatch within (minutes)"), default=30)
    handle_minutes = models.PositiveIntegerField(_("handle within (minutes)"), default=240)
    verify_minutes = models.PositiveIntegerField(_("verify within (minutes)"), default=120)
    working_hours = models.BooleanField(_("limits count working hours"), default=True,
                                        help_text=_("Off: the limits count calendar hours."))

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(handler="grid") | ~Q(team_kind=""), name="case_category_team_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None

    def clean(self):
        super().clean()
        if self.handler == self.Handler.TEAM and not self.team_kind:
            raise ValidationError({"team_kind": _("Choose the team that handles this category.")})
        seen, node = set(), self.parent
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent


class Source(models.TextChoices):
    RESIDENT = "resident", _("resident report")
    CAMERA = "camera", _("camera")
    SENSOR = "sensor", _("sensor")
    PATROL = "patrol", _("patrol")
    HOTLINE = "hotline", _("hotline 12345")
    # Another city app, through the Open311 GeoReport v2 server (jusha.open311).
    OPEN311 = "open311", _("Open311 app")


class Case(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        ACCEPTED = "accepted", _("accepted")
        FILED = "filed", _("filed")
        DISPATCHED = "dispatched", _("dispatched")
        HANDLING = "handling", _("being handled")
        HANDLED = "handled", _("handled, awaiting verification")
        VERIFIED = "verified", _("verified")
        CLOSED = "closed", _("closed")
        PARKED = "parked", _("parked")
        CANCELLED = "cancelled", _("cancelled")
        MERGED = "merged", _("merged into another case")

    number = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("category"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    description = models.CharField(_("description"), max_length=TEXT_MAX_LENGTH)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("community"))
    grid = models.ForeignKey("places.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                             verbose_name=_("grid"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    lat = models.FloatField(_("latitude (WGS-84)"))
    address = models.CharField(_("address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED,
                              db_index=True)
    team = models.ForeignKey("orgs.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                             verbose_name=_("team"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="case_tasks", verbose_name=_("assigned to"))
    # 自行处置: a grid worker fixed it on the spot while reporting it.
    self_handled = models.BooleanField(_("handled on the spot"), default=False)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
                                    verbose_name=_("merged into"))
    parked_from = models.CharField(_("parked while"), max_length=20, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=NOTE_MAX_LENGTH, blank=True)
    park_reason = models.CharField(_("why parked"), max_length=NOTE_MAX_LENGTH, blank=True)
    handling_note = models.CharField(_("what was done"), max_length=NOTE_MAX_LENGTH, blank=True)
    arrived_lng = models.FloatField(_("arrival longitude"), null=True, blank=True)
    arrived_lat = models.FloatField(_("arrival latitude"), null=True, blank=True)
    extension_requested_until = models.DateField(_("extension asked until"), null=True, blank=True)
    extension_reason = models.CharField(_("why an extension"), max_length=NOTE_MAX_LENGTH, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("times reworked"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handling_at = models.DateTimeField(_("taken on at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    parked_at = models.DateTimeField(_("parked at"), null=True, blank=True)
    spot_checked_at = models.DateTimeField(_("spot-checked at"), null=True, blank=True)
    # The running stage clock (None when no stage runs: accepted, parked, verified, closed, ended).
    deadline = models.ForeignKey("CaseDeadline", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("current deadline"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["category", "status", "reported_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["team", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lng__gte=-180, lng__lte=180, lat__gte=-90, lat__lte=90),
                                   name="case_location_is_a_point"),
            models.CheckConstraint(condition=~Q(description=""), name="case_description_not_empty"),
            models.CheckConstraint(condition=~Q(status="merged") | Q(merged_into__isnull=False),
                                   name="case_merged_has_target"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def due_at(self):
        """When the running stage is due (None when no clock runs); select_related("deadline") first."""
        return self.deadline.due_at if self.deadline_id else None

    @property
    def is_overdue(self) -> bool:
        """The running stage was flagged by the sweep: the case is under supervision (督办)."""
        return self.deadline_id is not None and self.deadline.overdue_at is not None

    @property
    def is_escalated(self) -> bool:
        return self.deadline_id is not None and self.deadline.escalated_at is not None


class Report(models.Model):
    """One incoming signal. Its reporter is kept even when anonymous (so the resident can follow it);
    staff pages never show an anonymous reporter (selectors.reporter_label)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports", verbose_name=_("case"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="case_reports", verbose_name=_("reporter"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("category"))
    description = models.CharField(_("description"), max_length=TEXT_MAX_LENGTH)
    lng = models.FloatField(_("longitude (WGS-84)"))
    lat = models.FloatField(_("latitude (WGS-84)"))
    # The resident chose to follow a nearby open case instead of opening a new one.
    followed = models.BooleanField(_("followed an open case"), default=False)
    # The number another system gave this report (a 12345 hotline ticket), so importing it again adds nothing.
    external_id = models.CharField(_("number in the source system"), max_length=EXTERNAL_ID_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["reporter", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~Q(external_id=""),
                                    name="report_external_id_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_source_display()}"


class CasePhoto(models.Model):
    class Stage(models.TextChoices):
        REPORTED = "reported", _("with the report")
        BEFORE = "before", _("before handling")
        AFTER = "after", _("after handling")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("case"))
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="photos",
                               verbose_name=_("report"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    # Stored re-encoded by jusha.needs.photos.clean_photo: no EXIF, orientation applied.
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:photo", args=[self.pk])


class CaseEvent(models.Model):
    """One step of a case's timeline. Written by the services only, never changed or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    step = models.CharField(_("step"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    team = models.ForeignKey("orgs.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("assigned to"))
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    # Reasons between the center and the field (why returned, why parked) are not shown to reporters.
    note_is_internal = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            # The indicators count the steps (accept, file, dispatch, close …) of a period, and ask of one
            # case whether it was closed, reworked or extended by a time: jusha/indicators.
            models.Index(fields=["step", "at"], name="case_event_step_at"),
            models.Index(fields=["case", "step", "at"], name="case_event_case_step_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")


class CaseRating(models.Model):
    """A reporter's rating of a closed case; each reporter rates each closing once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("case"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("rated by"))
    round = models.PositiveSmallIntegerField(_("closing"), default=0)
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("case rating")
        verbose_name_plural = _("case ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="case_rating_one_to_five"),
            models.UniqueConstraint(fields=["case", "by", "round"], name="case_rating_once_per_closing"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {'★' * self.stars}"


class CaseDeadline(models.Model):
    """One run of one stage's clock (受理, 派遣, 处置, 核查): when it started, when it was due, and how
    it ended. Rows are kept after the stage ends, so the indicators can count what was done in time
    (按期处置, 按期结案): met in time means `met` and `ended_at <= due_at`. The sweep sets
    `overdue_at` (督办) and `escalated_at` once each, only while the clock runs."""

    class Stage(models.TextChoices):
        ACCEPT = "accept", _("accept")
        DISPATCH = "dispatch", _("dispatch")
        HANDLE = "handle", _("handle")
        VERIFY = "verify", _("verify")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    # An approved extension (延期) moves due_at; the limit's own due time stays here.
    due_before_extension = models.DateTimeField(_("due before the extension"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Ended by doing the stage's work (accepted, dispatched, handled, verified), not by leaving it otherwise.
    met = models.BooleanField(_("done"), default=False)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case deadline")
        verbose_name_plural = _("case deadlines")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(ended_at__isnull=True, overdue_at__isnull=True),
                         name="case_deadline_to_flag"),
            models.Index(fields=["overdue_at"], condition=Q(ended_at__isnull=True, escalated_at__isnull=True),
                         name="case_deadline_to_escalate"),
            # The indicators: clocks due in a period (按期处置, 应结案), clocks ended in one (mean times).
            models.Index(fields=["stage", "due_at"], name="case_deadline_stage_due"),
            models.Index(fields=["stage", "ended_at"], name="case_deadline_stage_ended"),
            models.Index(fields=["case", "stage", "started_at"], name="case_deadline_case_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(escalated_at__isnull=True) | Q(overdue_at__isnull=False),
                                   name="case_deadline_escalated_after_overdue"),
            models.CheckConstraint(condition=Q(met=False) | Q(ended_at__isnull=False),
                                   name="case_deadline_met_has_end"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def late(self) -> bool:
        """Flagged overdue while running, or done after its due time."""
        return self.overdue_at is not None or (self.ended_at is not None and self.met and self.ended_at > self.due_at)
