"""Volunteers (志愿者): a resident's application, its review, and the volunteer record it becomes.

The fields follow China's volunteer-record rules (志愿服务记录与证明出具办法): name, gender, birth month,
identity document, service skills, contact. The identity number is sensitive: it is stored encrypted,
or not at all when the deployment sets JUSHA_VOLUNTEER_ID_STORAGE = "none"; only its last four
characters are kept in the clear, for staff to tell two applicants apart. Anything beyond the required
fields lives in `extra` and only with the applicant's explicit consent (`extra_consent_at`).

A `Volunteer` is one person's record (one per account), changed only by `services.py`; it gets its
volunteer number when staff approve it. A member unit can register its staff as a volunteer team: their
records then carry `member_unit`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 50
NOTE_MAX_LENGTH = 500
EXTRA_VALUE_MAX_LENGTH = 100
WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
# The optional fields a volunteer may add, each only with explicit consent (`extra_consent_at`).
EXTRA_FIELDS = {
    "political_status": _("political status"),
    "education": _("education"),
    "occupation": _("occupation"),
    "emergency_contact": _("emergency contact"),
}


class Volunteer(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied, awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SUSPENDED = "suspended", _("suspended")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("resident identity card")
        HK_MACAO = "hk_macao", _("Hong Kong and Macao residents' permit")
        TAIWAN = "taiwan", _("Taiwan residents' permit")
        PASSPORT = "passport", _("passport")
        FOREIGN_PR = "foreign_pr", _("foreigner's permanent residence card")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer",
                                verbose_name=_("account"))
    number = models.CharField(_("volunteer number"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED,
                              db_index=True)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_month = models.DateField(_("birth month"), help_text=_("Stored as the first day of the month."))
    id_type = models.CharField(_("identity document"), max_length=20, choices=IdType.choices,
                               default=IdType.RESIDENT_ID)
    id_number_encrypted = models.TextField(_("identity number (encrypted)"), blank=True)
    id_number_last4 = models.CharField(_("identity number, last four"), max_length=4, blank=True)
    # A keyed digest (idnumbers.digest) that finds a second record of the same document without
    # revealing it; empty where the deployment keeps no numbers.
    id_number_digest = models.CharField(_("identity number digest"), max_length=64, blank=True, editable=False)
    mobile = models.CharField(_("contact mobile"), max_length=11)
    skills = models.JSONField(_("service skills"), default=list, blank=True,
                              help_text=_("Codes from jusha.volunteers.skills.Skill."))
    # Weekly slots: [{"weekday": 0-6 (Monday 0), "start": "HH:MM", "end": "HH:MM"}, ...]
    availability = models.JSONField(_("weekly availability"), default=list, blank=True)
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="volunteers",
                                  verbose_name=_("community"))
    service_area = models.ManyToManyField("places.Community", related_name="+", blank=True,
                                          verbose_name=_("service area"))
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="volunteers", verbose_name=_("volunteer team of unit"))
    extra = models.JSONField(_("extra information"), default=dict, blank=True)
    extra_consent_at = models.DateTimeField(_("consented to extra information at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reject_reason = models.CharField(_("why rejected or suspended"), max_length=NOTE_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-applied_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="volunteer_name_not_empty"),
            # An approved volunteer always has a number; the number never disappears afterwards.
            models.CheckConstraint(condition=~Q(status="approved") | Q(number__isnull=False),
                                   name="volunteer_approved_has_number"),
            # One record per identity document, whichever account applied (or which unit registered it).
            models.UniqueConstraint(fields=["id_number_digest"], condition=~Q(id_number_digest=""),
                                    name="volunteer_one_record_per_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '-'} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def skill_labels(self) -> list[str]:
        from .skills import Skill

        return [str(Skill(code).label) for code in self.skills if code in Skill.values]

    @property
    def availability_labels(self) -> list[str]:
        return [f"{WEEKDAYS[s['weekday']]} {s['start']}–{s['end']}" for s in self.availability]


class NumberSequence(models.Model):
    """The last volunteer number handed out per subdistrict and year. Approval locks this row, so two
    approvals at the same moment take consecutive numbers; the number's unique index is the last line."""

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("subdistrict"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("volunteer number sequence")
        verbose_name_plural = _("volunteer number sequences")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "year"], name="volunteer_number_sequence")]

    def __str__(self) -> str:
        return f"{self.subdistrict_id}/{self.year}: {self.last}"
