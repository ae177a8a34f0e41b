"""Service projects (项目): organised services of the alliance that bundle units and their resources
against kinds of need.

Every alliance year has five required (必选) and five optional (自选) service items, numbered 1–5 of
their kind; other projects have no number. The database refuses a sixth item of a kind in a year
(a number outside 1–5, or a number already taken by a live item of the same kind and year).

A project's targets are `ProjectTarget` rows (a quantity and a measure: 人次, 场次, 户 …). Progress is
recorded as `ProjectProgress` entries, each with a quantity per target; how far a target is comes
from the sum of those quantities and is never stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 500
TARGET_LABEL_MAX_LENGTH = 50
ITEMS_PER_KIND = 5
MAX_PHOTOS = 6
MAX_QUANTITY = 1_000_000


def progress_percent(done: int, quantity: int) -> int:
    """How far a target is, in whole percent, never more than 100 (the bar is full)."""
    if quantity <= 0:
        return 0
    return min(100, done * 100 // quantity)


class ServiceProject(models.Model):
    class Kind(models.TextChoices):
        REQUIRED = "required", _("required service item")
        OPTIONAL = "optional", _("optional service item")
        OTHER = "other", _("other project")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        FINISHED = "finished", _("finished")
        CANCELLED = "cancelled", _("cancelled")

    ITEM_KINDS = (Kind.REQUIRED, Kind.OPTIONAL)

    alliance = models.ForeignKey("orgs.Alliance", on_delete=models.PROTECT, related_name="projects",
                                 verbose_name=_("alliance"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("item number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    categories = models.ManyToManyField("needs.NeedCategory", blank=True, related_name="projects",
                                        verbose_name=_("kinds of need served"))
    # Empty: the subdistrict organises the project itself (its staff record the progress).
    owner = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="owned_projects", verbose_name=_("owner"))
    units = models.ManyToManyField("orgs.MemberUnit", blank=True, related_name="projects",
                                   verbose_name=_("participating units"))
    communities = models.ManyToManyField("places.Community", related_name="projects",
                                         verbose_name=_("communities covered"))
    # Approved resources of the owner or the participating units when bundled; a resource retired later
    # stays linked, so the project keeps its history.
    resources = models.ManyToManyField("resources.Resource", blank=True, related_name="projects",
                                       verbose_name=_("resources bundled"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED,
                              db_index=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["-year", "kind", "number", "id"]
        indexes = [models.Index(fields=["alliance", "year", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["required", "optional"], number__isnull=False, number__gte=1,
                            number__lte=ITEMS_PER_KIND)
                | Q(kind="other", number__isnull=True),
                name="project_item_number_one_to_five"),
            # A cancelled item gives its number back, so a year always has at most five live items of a kind.
            models.UniqueConstraint(fields=["alliance", "year", "kind", "number"], condition=~Q(status="cancelled"),
                                    name="project_one_item_per_number"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="project_period_in_order"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="project_year_plausible"),
            models.CheckConstraint(condition=~Q(title=""), name="project_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects_console:detail", args=[self.pk])

    @property
    def is_item(self) -> bool:
        return self.kind in self.ITEM_KINDS


class ProjectTarget(models.Model):
    """One measurable aim of a project: e.g. 600 人次 served, 24 场次 held."""

    class Measure(models.TextChoices):
        PERSON_TIMES = "person_times", _("person-times")
        SESSIONS = "sessions", _("sessions")
        HOUSEHOLDS = "households", _("households")
        HOURS = "hours", _("hours")
        ITEMS = "items", _("items")

    project = models.ForeignKey(ServiceProject, on_delete=models.CASCADE, related_name="targets",
                                verbose_name=_("project"))
    label = models.CharField(_("what is counted"), max_length=TARGET_LABEL_MAX_LENGTH)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    quantity = models.PositiveIntegerField(_("target quantity"))

    class Meta:
        verbose_name = _("project target")
        verbose_name_plural = _("project targets")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                                   name="project_target_quantity_positive"),
            models.CheckConstraint(condition=~Q(label=""), name="project_target_label_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.quantity} {self.get_measure_display()}"

    @property
    def percent(self) -> int:
        """Needs `done`, the sum of the target's progress quantities (selectors.targets_with_done)."""
        return progress_percent(self.done, self.quantity)


class ProjectProgress(models.Model):
    """One report of work done on a project: on which day, how much per target, what happened."""

    project = models.ForeignKey(ServiceProject, on_delete=models.CASCADE, related_name="progress",
                                verbose_name=_("project"))
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    # The unit whose liaison recorded it; empty when subdistrict staff did.
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("member unit"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("project progress")
        verbose_name_plural = _("project progress")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"#{self.project_id} {self.on}"


class ProgressQuantity(models.Model):
    progress = models.ForeignKey(ProjectProgress, on_delete=models.CASCADE, related_name="quantities",
                                 verbose_name=_("progress"))
    target = models.ForeignKey(ProjectTarget, on_delete=models.PROTECT, related_name="quantities",
                               verbose_name=_("target"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("progress quantity")
        verbose_name_plural = _("progress quantities")
        constraints = [
            models.UniqueConstraint(fields=["progress", "target"], name="progress_one_quantity_per_target"),
            models.CheckConstraint(condition=Q(quantity__lte=MAX_QUANTITY), name="progress_quantity_bounded"),
        ]

    def __str__(self) -> str:
        return f"#{self.progress_id} {self.target_id}: {self.quantity}"


class ProgressPhoto(models.Model):
    progress = models.ForeignKey(ProjectProgress, on_delete=models.CASCADE, related_name="photos",
                                 verbose_name=_("progress"))
    # Stored re-encoded: EXIF removed, orientation applied (needs.photos.clean_photo).
    image = models.ImageField(_("photo"), upload_to="projects/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.progress_id} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("projects_console:photo", args=[self.pk])
