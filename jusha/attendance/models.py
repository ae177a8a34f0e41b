"""Attendance (签到), service hours (服务记录) and certificates (志愿服务证明).

`Attendance` is one confirmed sign-up's presence at its session: checked in and out by scanning the
organiser's signed QR code, or marked by hand; a forgotten check-out is closed by rule and flagged
(`closed_by_rule`) for the organiser. A volunteer's attendance becomes a `ServiceRecord`: the hours
counted from it (`hours.counted_hours`), verified by the organiser, who may correct them with a
reason; a volunteer asks for a correction with a `CorrectionRequest`. A `Certificate` is one issued
proof of hours, with a unique number and a frozen copy of what it says, so it can be looked up later.
Only `services.py` writes these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 500
# Hours are kept with two decimals (a quarter hour is 0.25).
HOURS_DIGITS = 6
HOURS_PLACES = 2


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        HAND = "hand", _("marked by the organiser")
        RULE = "rule", _("closed by rule")

    signup = models.OneToOneField("activities.SignUp", on_delete=models.PROTECT, related_name="attendance",
                                  verbose_name=_("sign-up"))
    # Copied from the sign-up so a session's roster and a person's history are one index away.
    session = models.ForeignKey("activities.Session", on_delete=models.PROTECT, related_name="attendances",
                                verbose_name=_("session"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances",
                               verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_in_method = models.CharField(_("checked in by"), max_length=10, choices=Method.choices, blank=True)
    check_out_method = models.CharField(_("checked out by"), max_length=10, choices=Method.choices, blank=True)
    # The check-out was forgotten and closed by the periodic job: the organiser should look at it.
    closed_by_rule = models.BooleanField(_("check-out closed by rule"), default=False)
    # Where the phone said it was at check-in (WGS-84), when the activity has a geofence.
    check_in_lng = models.FloatField(null=True, blank=True)
    check_in_lat = models.FloatField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("marked by"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "checked_in_at", "id"]
        indexes = [models.Index(fields=["session", "status"]), models.Index(fields=["person", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                                   name="attendance_out_needs_in"),
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                                   name="attendance_out_after_in"),
            models.CheckConstraint(condition=Q(status="present") | Q(checked_in_at__isnull=True),
                                   name="attendance_absent_has_no_times"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.session_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Checked in, not yet out."""
        return self.checked_in_at is not None and self.checked_out_at is None


class ServiceRecord(models.Model):
    """Verified (or still to be verified) volunteer hours for one service: one volunteer, one session."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting verification")
        VERIFIED = "verified", _("verified")

    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="service_records",
                                  verbose_name=_("volunteer"))
    session = models.ForeignKey("activities.Session", on_delete=models.PROTECT, related_name="service_records",
                                verbose_name=_("session"))
    attendance = models.OneToOneField(Attendance, on_delete=models.PROTECT, related_name="service_record",
                                      verbose_name=_("attendance"))
    # What the rule counted from the check-in and check-out; `hours` is what counts (after corrections).
    counted_hours = models.DecimalField(_("counted hours"), max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES)
    hours = models.DecimalField(_("hours"), max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    correction_reason = models.CharField(_("why corrected"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-session__starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "session"], name="service_record_one_per_session"),
            models.CheckConstraint(condition=Q(hours__gte=0, counted_hours__gte=0),
                                   name="service_record_hours_positive"),
            models.CheckConstraint(condition=~Q(status="verified") | Q(verified_at__isnull=False),
                                   name="service_record_verified_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.session_id}: {self.hours} h ({self.status})"

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class CorrectionRequest(models.Model):
    """A volunteer asks the organiser to correct the hours of one service record."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting a decision")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="correction_requests",
                               verbose_name=_("service record"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    hours = models.DecimalField(_("hours asked for"), max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES)
    reason = models.CharField(_("reason"), max_length=NOTE_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.CharField(_("decision note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="pending"),
                                    name="correction_one_pending_per_record"),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="correction_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.hours} h ({self.status})"


class Certificate(models.Model):
    """One issued certificate of service hours (志愿服务证明). `content` is what it says, frozen when
    issued: the PDF is drawn from it, so a certificate reads the same however often it is downloaded."""

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="certificates",
                                  verbose_name=_("volunteer"))
    issuer = models.CharField(_("issued by"), max_length=100)
    total_hours = models.DecimalField(_("total hours"), max_digits=8, decimal_places=HOURS_PLACES)
    content = models.JSONField(_("content"))
    records = models.ManyToManyField(ServiceRecord, related_name="certificates", verbose_name=_("service records"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number
