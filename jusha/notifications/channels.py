"""The channels beyond the inbox, each sending through what the platform already has.

SMS goes through `core.messaging.text_sender()` (the log, or the deployment's SMS gateway webhook);
WeChat template messages go through the same senders pointed at the official-account bridge
(JUSHA_WECHAT_*); e-mail goes through Django's default mailer (MAILERS, set by JUSHA_EMAIL).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

from jusha.core.messaging import ConsoleSender, DeliveryFailed, TextMessage, WebhookSender, text_sender

from .models import Channel


@dataclass(frozen=True)
class Outgoing:
    to: str
    kind: str
    key: str
    subject: str
    text: str


def enabled() -> list[str]:
    """The channels this deployment offers: e-mail only when it configured a mail server (JUSHA_EMAIL)."""
    return [c for c in Channel.values if c != Channel.EMAIL or settings.JUSHA_EMAIL != "off"]


def address(channel: str, user) -> str:
    """Where this channel reaches the person, or "" when it cannot."""
    if channel in (Channel.SMS, Channel.WECHAT):
        return user.mobile or ""
    if channel == Channel.EMAIL:
        return getattr(user, "email", "") or ""
    return ""


def wechat_sender():
    if settings.JUSHA_WECHAT_SENDER == "webhook":
        return WebhookSender(settings.JUSHA_WECHAT_WEBHOOK_URL, settings.JUSHA_WECHAT_WEBHOOK_SECRET,
                             settings.JUSHA_WECHAT_WEBHOOK_TIMEOUT)
    return ConsoleSender()


def send(channel: str, outgoing: Outgoing) -> None:
    """Send one message; raise DeliveryFailed when the channel did not take it."""
    if channel == Channel.SMS:
        text_sender().send(TextMessage(to=outgoing.to, body=outgoing.text, kind=outgoing.kind, key=outgoing.key))
    elif channel == Channel.WECHAT:
        wechat_sender().send(TextMessage(to=outgoing.to, body=outgoing.text, kind=outgoing.kind, key=outgoing.key))
    elif channel == Channel.EMAIL:
        message = EmailMessage(subject=outgoing.subject, body=outgoing.text, to=[outgoing.to],
                               headers={"X-Jusha-Kind": outgoing.kind, "X-Jusha-Key": outgoing.key})
        try:
            message.send()
        except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
            raise DeliveryFailed(f"mail server refused: {exc}") from exc
    else:
        raise DeliveryFailed(f"unknown channel {channel!r}")
