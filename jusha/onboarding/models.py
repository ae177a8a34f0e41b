"""Onboarding imports (数据导入): one uploaded file, checked row by row before anything is saved.

An `ImportJob` moves through `workflow.TRANSITIONS`: uploaded → checking → checked → importing →
done (or failed, which keeps what the database had). The file itself is kept on the job so that the
check, the import and the error report all read exactly the bytes that were uploaded.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PLACES = "places", _("communities and grids")
    UNITS = "units", _("member units")
    RESIDENTS = "residents", _("residents")
    STAFF = "staff", _("staff and their roles")
    GRID_WORKERS = "grid_workers", _("grid workers and their grids")
    HOTLINE = "hotline", _("hotline (12345) cases")
    VOLUNTEERS = "volunteers", _("volunteers")


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for column mapping")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed, nothing saved")

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.CASCADE, related_name="import_jobs",
                                    verbose_name=_("subdistrict"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What the file offers to map (column headers, or a places file's attribute names and CRS).
    source = models.JSONField(_("file summary"), default=dict)
    # The person's choices: {"mapping": {field: header}, "crs": ..., "level": ...}.
    options = models.JSONField(_("options"), default=dict)
    # The check's outcome: counts, row errors, places warnings and the preview map.
    report = models.JSONField(_("report"), default=dict)
    # A list file's rows as the check read them ([row number, {field: cell}]), so the import re-checks
    # them against the database without parsing the workbook a second time.
    rows = models.JSONField(_("rows read"), null=True, blank=True, editable=False)
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subdistrict", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def error_count(self) -> int:
        return len(self.report.get("errors", []))

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class ColumnMapping(models.Model):
    """Which of a subdistrict's file columns means which field, remembered for its next file of the kind."""

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("subdistrict"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "kind"], name="column_mapping_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.subdistrict} · {self.kind}"


class IdNumber(models.Model):
    """A resident's Chinese ID number, kept only as a keyed digest plus its last four characters:
    enough to find duplicates and to tell an unchanged cell from an edited one, useless if leaked."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="id_number",
                                verbose_name=_("person"))
    digest = models.CharField(max_length=64, unique=True)
    tail = models.CharField(max_length=4)

    class Meta:
        verbose_name = _("ID number")
        verbose_name_plural = _("ID numbers")

    def __str__(self) -> str:
        return masked_id(self.tail)


def masked_id(tail: str) -> str:
    return "*" * 14 + tail
