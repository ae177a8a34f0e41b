"""Micro-wishes (微心愿): small wishes of families in difficulty, published for claiming.

A `MicroWish` moves through the states of `workflow.TRANSITIONS`; only `services.py` changes it.
The beneficiary's name, phone and address are stored here but never leave the staff's pages: the
public walls read `public_name` (a surname initial such as "张**", derived when the wish is created)
and the other public fields only. A `WishClaim` is a member unit (by its liaison) or one person
taking a wish on; the database allows at most one live claim per wish.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 500
NAME_MAX_LENGTH = 50
ADDRESS_MAX_LENGTH = 120
MAX_VALUE = 5000  # yuan: a micro-wish is small; bigger help is a need or a project
MAX_PHOTOS = 6


def public_name_for(name: str) -> str:
    """The name the walls show: the surname (first character) and "**" for a Chinese name ("张**"),
    the initial and a dot for a name in Latin letters ("Z."). Never the whole name."""
    name = (name or "").strip()
    if not name:
        return "**"
    first = name[0]
    if first.isascii():
        return f"{first.upper()}."
    return f"{first}**"


class MicroWish(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("collected")
        VERIFIED = "verified", _("verified")
        PUBLISHED = "published", _("on the wish wall")
        CLAIMED = "claimed", _("claimed, awaiting contact")
        CONTACTED = "contacted", _("contacted, being prepared")
        DELIVERED = "delivered", _("delivered, awaiting confirmation")
        FULFILLED = "fulfilled", _("fulfilled")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")
        CANCELLED = "cancelled", _("cancelled")

    class Category(models.TextChoices):
        STUDY = "study", _("school supplies")
        DAILY = "daily", _("daily necessities")
        CLOTHING = "clothing", _("clothing")
        ELDERLY = "elderly", _("help for the elderly")
        DISABILITY = "disability", _("help for the disabled")
        FESTIVAL = "festival", _("festival greetings")
        OTHER = "other", _("other")

    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="micro_wishes",
                                  verbose_name=_("community"))
    # The beneficiary: a resident with an account (who then confirms delivery themselves), or only a
    # name recorded by staff. Name, phone and address are private to the community's staff.
    beneficiary = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="micro_wishes", verbose_name=_("beneficiary account"))
    beneficiary_name = models.CharField(_("beneficiary's name"), max_length=NAME_MAX_LENGTH)
    beneficiary_phone = models.CharField(_("beneficiary's phone"), max_length=20, blank=True)
    beneficiary_address = models.CharField(_("beneficiary's address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    public_name = models.CharField(_("name shown publicly"), max_length=10)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    text = models.CharField(_("the wish"), max_length=TEXT_MAX_LENGTH)
    estimated_value = models.PositiveIntegerField(_("estimated value (yuan)"))
    target_date = models.DateField(_("wished for by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("collected by"))
    # Whom a claimer calls to arrange the delivery: the staff member who published the wish.
    contact_staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("community contact"))
    cancel_reason = models.CharField(_("why cancelled or withdrawn"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("collected at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="wish_text_not_empty"),
            models.CheckConstraint(condition=Q(estimated_value__gte=1, estimated_value__lte=MAX_VALUE),
                                   name="wish_value_in_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.public_name} {self.text[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("wishes:detail", args=[self.pk])

    @property
    def live_claim(self):
        return next((c for c in self.claims.all() if c.is_live), None)


class WishClaim(models.Model):
    """A member unit (claimed by its liaison) or one person taking a wish on from the wall."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("claimed, contact the community")
        CONTACTED = "contacted", _("contact made")
        DELIVERED = "delivered", _("delivered")
        DONE = "done", _("fulfilled")
        RELEASED = "released", _("given back")
        LAPSED = "lapsed", _("lapsed: no contact in time")
        CANCELLED = "cancelled", _("the wish was cancelled")

    LIVE = (Status.ACTIVE, Status.CONTACTED, Status.DELIVERED)

    wish = models.ForeignKey(MicroWish, on_delete=models.CASCADE, related_name="claims", verbose_name=_("wish"))
    # Empty when a person claims for themselves; the claimant is always the person who claimed.
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="wish_claims", verbose_name=_("member unit"))
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wish_claims",
                                 verbose_name=_("claimed by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    show_name = models.BooleanField(_("show our name on the thank-you wall"), default=False)
    created_at = models.DateTimeField(_("claimed at"))
    contact_due_at = models.DateTimeField(_("contact due by"))
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contact_note = models.CharField(_("contact note"), max_length=NOTE_MAX_LENGTH, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=NOTE_MAX_LENGTH, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("wish claim")
        verbose_name_plural = _("wish claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "contact_due_at"])]
        constraints = [
            # The last line of defence behind the services' row lock: one live claim per wish.
            models.UniqueConstraint(fields=["wish"], condition=Q(status__in=["active", "contacted", "delivered"]),
                                    name="wish_one_live_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_label} → #{self.wish_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def holder_label(self) -> str:
        return self.member_unit.name if self.member_unit_id else self.claimant.name


class WishPhoto(models.Model):
    class Stage(models.TextChoices):
        NEED = "need", _("of the need")
        DELIVERY = "delivery", _("of the delivery")

    wish = models.ForeignKey(MicroWish, on_delete=models.CASCADE, related_name="photos", verbose_name=_("wish"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    # Stored re-encoded by needs.photos.clean_photo: EXIF removed, orientation applied.
    image = models.ImageField(_("photo"), upload_to="wishes/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.wish_id} {self.stage} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("wishes:photo", args=[self.pk])
