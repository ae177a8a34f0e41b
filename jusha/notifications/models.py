"""Messages in people's inboxes, their deliveries over other channels, and people's preferences.

A `Message` is one notification for one person: it is their inbox entry and is kept whatever the
channels do. Each channel beyond the inbox (SMS, WeChat, e-mail) gets one `Delivery` row whose
unique idempotency key makes "sent at most once per channel" a database fact; every try at sending
it appends a `DeliveryAttempt`. What is shown is rendered from the kind's templates and the stored
`context` in the reader's language, so a message reads correctly in Chinese and in English.
"""

from datetime import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")


# Channels that make a phone buzz: quiet hours hold them back unless the kind is urgent.
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WECHAT})


class Message(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=60)
    context = models.JSONField(_("context"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=40, blank=True)
    # Who sent it (None: the platform itself) and the community it concerns: together they decide
    # which staff may follow its delivery status.
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="sent_messages", verbose_name=_("sender"))
    community = models.ForeignKey("places.Community", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("community"))
    announcement = models.ForeignKey("Announcement", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="messages")
    # The caller's event key plus the recipient: the same event never lands twice in one inbox.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["recipient", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """One message (or one digest) over one channel; a retry re-runs the same row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to send")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        HELD = "held", _("held for a digest")
        DIGESTED = "digested", _("sent in a digest")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # The text that went out on the last attempt, so staff see exactly what the person got.
    body = models.TextField(_("text"), blank=True)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "channel", "sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False),
                                   name="delivery_sent_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery. Appended, never changed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"))
    ok = models.BooleanField(_("succeeded"))
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_once")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {'ok' if self.ok else self.error}"


class Preference(models.Model):
    """One person's channels for one kind of message; without a row the kind's defaults apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(_("kind"), max_length=60)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    digest = models.BooleanField(_("daily digest"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channels}"


class DeliverySettings(models.Model):
    """Quiet hours and the language of SMS, WeChat and e-mail, per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="delivery_settings")
    quiet_enabled = models.BooleanField(_("quiet hours"), default=True)
    quiet_start = models.TimeField(_("quiet from"), default=time(22, 0))
    quiet_end = models.TimeField(_("quiet until"), default=time(7, 0))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return f"{self.user_id} {self.quiet_start}-{self.quiet_end}"


class Announcement(models.Model):
    """A notice staff send from the console to the residents of one community."""

    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=500)
    urgent = models.BooleanField(_("urgent"), default=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    n_recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.title
