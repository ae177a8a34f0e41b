"""Devices (摄像头/点位 and 物联感知 sensors) that push detections (识别告警) into governance cases.

A `Device` authenticates each push with its key id and an HMAC over the body made with its secret
(`signing.py`). The secret is stored as issued, not hashed: to check an HMAC the server must compute
it, so it has to know the secret (a hash, as for passwords, cannot check a signature). It is shown to
staff once, when issued; rotating issues a new one and the old one stops working at once.

A `Detection` is one push; `DetectionRule` says, per subdistrict and detection type, which case category
it becomes and from which confidence it goes straight into cases (below it a person reviews it first).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

CODE_MAX_LENGTH = 40
NAME_MAX_LENGTH = 80
TYPE_MAX_LENGTH = 40
IDEMPOTENCY_KEY_MAX_LENGTH = 100
EVIDENCE_URL_MAX_LENGTH = 500
REASON_MAX_LENGTH = 500


class Device(models.Model):
    class Kind(models.TextChoices):
        CAMERA = "camera", _("camera")
        SENSOR = "sensor", _("sensor")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="devices",
                                    verbose_name=_("subdistrict"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="devices",
                                  verbose_name=_("community"))
    grid = models.ForeignKey("places.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="devices",
                             verbose_name=_("grid"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    lat = models.FloatField(_("latitude (WGS-84)"))
    is_active = models.BooleanField(_("active"), default=True)
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    secret = models.CharField(_("secret"), max_length=64)
    secret_issued_at = models.DateTimeField(_("secret issued at"))
    created_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(lng__gte=-180, lng__lte=180, lat__gte=-90, lat__lte=90),
                                   name="device_location_is_a_point"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("devices_console:device", args=[self.pk])


class DetectionRule(models.Model):
    """Detection type → case category, and the confidence from which it needs no review."""

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="detection_rules",
                                    verbose_name=_("subdistrict"))
    detection_type = models.SlugField(_("detection type"), max_length=TYPE_MAX_LENGTH)
    category = models.ForeignKey("cases.CaseCategory", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("case category"))
    threshold = models.FloatField(_("confidence threshold"), validators=[MinValueValidator(0), MaxValueValidator(1)],
                                  help_text=_("Detections at or above it become reports; below it a person "
                                              "reviews them first."))

    class Meta:
        verbose_name = _("detection rule")
        verbose_name_plural = _("detection rules")
        ordering = ["subdistrict", "detection_type"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "detection_type"], name="detection_rule_once_per_type"),
            models.CheckConstraint(condition=Q(threshold__gte=0, threshold__lte=1), name="detection_rule_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.detection_type} → {self.category.code} ≥ {self.threshold:.2f}"


class Detection(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("reported as a new case")
        ATTACHED = "attached", _("attached to an open case")
        REVIEW = "review", _("waiting for review")
        CONFIRMED = "confirmed", _("confirmed by review")
        DISMISSED = "dismissed", _("dismissed")

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="detections", verbose_name=_("device"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    # The request's signature: the same signed request sent again under another idempotency key is a replay.
    signature = models.CharField(max_length=64, unique=True)
    detection_type = models.SlugField(_("detection type"), max_length=TYPE_MAX_LENGTH)
    rule = models.ForeignKey(DetectionRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("rule"))
    category = models.ForeignKey("cases.CaseCategory", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("case category"))
    confidence = models.FloatField(_("confidence"))
    threshold = models.FloatField(_("threshold applied"))
    detected_at = models.DateTimeField(_("detected at"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # Stored re-encoded by jusha.needs.photos.clean_photo: no EXIF.
    evidence = models.ImageField(_("evidence image"), upload_to="detections/%Y/%m/", blank=True)
    # Recorded as given, never fetched by the server (docs/devices.md).
    evidence_url = models.URLField(_("evidence link"), max_length=EVIDENCE_URL_MAX_LENGTH, blank=True)
    boxes = models.JSONField(_("bounding boxes"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("case"))
    report = models.OneToOneField("cases.Report", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("report"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    dismiss_reason = models.CharField(_("why dismissed"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("detection")
        verbose_name_plural = _("detections")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]
        constraints = [
            models.UniqueConstraint(fields=["device", "idempotency_key"], name="detection_once_per_key"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="detection_confidence"),
            models.CheckConstraint(condition=Q(status__in=["review", "dismissed"]) | Q(report__isnull=False),
                                   name="detection_in_cases_has_report"),
        ]

    def __str__(self) -> str:
        return f"{self.device.code} {self.detection_type} {self.confidence:.2f}"

    def get_absolute_url(self) -> str:
        return reverse("devices_console:detection", args=[self.pk])
