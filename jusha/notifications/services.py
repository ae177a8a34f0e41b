"""Every write about notifications: telling people things, delivering them, reading them, choosing how.

`notify()` is the one way any capability tells a person something. It writes the inbox messages and
one Delivery row per extra channel inside the caller's transaction (so a rolled-back change tells
nobody) and hands the deliveries to the background worker only after commit. A delivery is sent by
`delivery_attempt()`, which first claims its row with a conditional update: a task that runs twice,
or two workers racing, send it once. Failures are retried with back-off by `deliveries_due()`, which
the worker or cron runs every minute (`jusha notifications_deliver_due`); it also sends the digests
that quiet, busy or digest-minded people get instead of a stream of texts.
"""

import logging
from collections import Counter
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import Role, User
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.core.messaging import DeliveryFailed
from jusha.permissions import Action

from . import channels as channel_senders
from . import kinds
from .models import (
    PHONE_CHANNELS,
    Announcement,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliverySettings,
    Message,
    Preference,
)

log = logging.getLogger("jusha.notifications")

Status = Delivery.Status
# A delivery claimed longer ago than this was interrupted (the worker died mid-send). It is marked
# failed rather than retried, because the gateway may have taken it: at most once, and staff resend.
SENDING_TIMEOUT = timedelta(minutes=10)
RATE_WINDOW = timedelta(hours=1)


# --- telling people ------------------------------------------------------------------------------

def notify(*, recipients, kind: str, obj=None, context: dict | None = None, sender=None, community=None,
           key: str | None = None) -> list[Message]:
    """Put a message of `kind` in each recipient's inbox and queue its SMS / WeChat / e-mail copies.

    Call it from a service, inside its transaction or after commit: nothing is sent before commit.
    `context` holds the values the kind's texts use (JSON: strings and numbers); `obj` is what the
    message is about (its page is the inbox link); `key` names the event, so calling twice for the
    same event puts it in each inbox once; `sender` and `community` let those staff follow delivery.
    """
    spec = kinds.get(kind)
    people = {u.pk: u for u in _people(recipients)}
    if not people:
        return []
    now = clock.now()
    target_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    link = spec.link(obj) if spec.link else ""
    with transaction.atomic():
        if key:
            taken = set(Message.objects.filter(dedupe_key__in=[f"{key}:{pk}" for pk in people])
                        .values_list("recipient_id", flat=True))
            people = {pk: u for pk, u in people.items() if pk not in taken}
        messages = Message.objects.bulk_create([
            Message(recipient_id=pk, kind=kind, context=context or {}, link=link, target_type=target_type,
                    target_id=str(obj.pk) if obj is not None else "", sender=sender if _is_person(sender) else None,
                    community=community, announcement=obj if isinstance(obj, Announcement) else None,
                    dedupe_key=f"{key}:{pk}" if key else None, created_at=now)
            for pk in people
        ])
        deliveries = Delivery.objects.bulk_create(_deliveries_for(spec, messages, people, now))
        due = [d.pk for d in deliveries if d.status == Status.PENDING]
        transaction.on_commit(lambda: _enqueue(due))
    return messages


def _people(recipients) -> list[User]:
    if isinstance(recipients, User):
        recipients = [recipients]
    if hasattr(recipients, "filter"):
        return list(recipients.filter(is_active=True))
    return [u for u in recipients if u is not None and u.is_active]


def _is_person(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _deliveries_for(spec: kinds.Kind, messages: list[Message], people: dict, now: datetime) -> list[Delivery]:
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=people, kind=spec.code)}
    digest_at = next_digest_time(now)
    offered = channel_senders.enabled()
    rows = []
    for message in messages:
        pref = prefs.get(message.recipient_id)
        wanted = set(pref.channels) if pref is not None else set(spec.default_channels)
        digest = bool(pref is not None and pref.digest and spec.digestible)
        person = people[message.recipient_id]
        for channel in offered:
            if channel not in wanted or not channel_senders.address(channel, person):
                continue
            rows.append(Delivery(
                message=message, recipient_id=message.recipient_id, kind=spec.code, channel=channel,
                idempotency_key=f"m{message.pk}.{channel}", created_at=now,
                status=Status.HELD if digest else Status.PENDING, next_attempt_at=digest_at if digest else now,
            ))
    return rows


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            # The row stays pending and deliveries_due() picks it up; telling people must never
            # break the change that caused it.
            log.exception("could not queue delivery %s", delivery_id)


# --- time rules ---------------------------------------------------------------------------------

def next_digest_time(now: datetime) -> datetime:
    """The next daily digest (JUSHA_NOTIFY_DIGEST_HOUR, local time) after `now`."""
    local = timezone.localtime(now)
    at = local.replace(hour=settings.JUSHA_NOTIFY_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def quiet_until(prefs: DeliverySettings, now: datetime) -> datetime | None:
    """When the person's quiet hours end, if `now` falls inside them; None otherwise."""
    if not prefs.quiet_enabled or prefs.quiet_start == prefs.quiet_end:
        return None
    local = timezone.localtime(now)
    t, start, end = local.time(), prefs.quiet_start, prefs.quiet_end
    today_end = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if start < end:
        return today_end if start <= t < end else None
    if t >= start:
        return today_end + timedelta(days=1)
    if t < end:
        return today_end
    return None


def settings_of(user) -> DeliverySettings:
    found = DeliverySettings.objects.filter(user=user).first()
    return found or DeliverySettings(user=user, language=settings.LANGUAGE_CODE)


def _backoff(attempt: int) -> timedelta:
    seconds = settings.JUSHA_NOTIFY_RETRY_SECONDS * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, 24 * 3600))


# --- delivering -----------------------------------------------------------------------------------

def delivery_attempt(*, delivery_id: int) -> str:
    """Try to send one delivery now; return what became of it.

    Quiet hours postpone a phone channel to the morning (unless the kind is urgent); a person who
    already got JUSHA_NOTIFY_PER_HOUR texts on this channel within the hour has the rest held for a
    digest. Otherwise the row is claimed (pending → sending, a conditional update), sent, and
    recorded as an attempt: sent, retried later with back-off, or failed after the last attempt.
    A delivery that is not pending and due (already sent, claimed by another worker, waiting for its
    retry time) is left alone, so running this twice sends once.
    """
    now = clock.now()
    delivery = Delivery.objects.select_related("recipient", "message").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != Status.PENDING or (delivery.next_attempt_at and delivery.next_attempt_at > now):
        return delivery.status
    spec = kinds.get(delivery.kind) if kinds.exists(delivery.kind) else None
    urgent = bool(spec and spec.urgent)
    prefs = settings_of(delivery.recipient)
    if delivery.channel in PHONE_CHANNELS and not urgent:
        until = quiet_until(prefs, now)
        if until is not None:
            Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(next_attempt_at=until)
            return "postponed"
    if delivery.message_id is not None and not urgent and _over_rate_limit(delivery, now):
        Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
            status=Status.HELD, next_attempt_at=_held_until(delivery, now))
        return Status.HELD
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "taken"
    number = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery.pk)
    text, error = "", None
    try:
        outgoing = _outgoing(delivery, prefs.language or settings.LANGUAGE_CODE)
        text = outgoing.text
        channel_senders.send(delivery.channel, outgoing)
    except DeliveryFailed as exc:
        error = str(exc)
    except Exception as exc:
        # A bug in rendering or a sender must not leave the row "sending" for ever.
        log.exception("delivery %s failed unexpectedly", delivery.pk)
        error = f"internal error: {type(exc).__name__}"
    return _record(delivery, number=number, at=now, text=text, error=error)


def _record(delivery: Delivery, *, number: int, at: datetime, text: str, error: str | None) -> str:
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, channel=delivery.channel, number=number, at=at,
                                       ok=error is None, error=(error or "")[:300])
        rows = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING)
        if error is None:
            rows.update(status=Status.SENT, sent_at=clock.now(), last_error="", body=text)
            return Status.SENT
        if number < settings.JUSHA_NOTIFY_MAX_ATTEMPTS:
            rows.update(status=Status.PENDING, next_attempt_at=at + _backoff(number), last_error=error[:300],
                        body=text)
            return "retry"
        rows.update(status=Status.FAILED, last_error=error[:300], body=text)
        return Status.FAILED


def _over_rate_limit(delivery: Delivery, now: datetime) -> bool:
    sent = Delivery.objects.filter(recipient_id=delivery.recipient_id, channel=delivery.channel,
                                   status=Status.SENT, sent_at__gte=now - RATE_WINDOW).count()
    return sent >= settings.JUSHA_NOTIFY_PER_HOUR


def _held_until(delivery: Delivery, now: datetime) -> datetime:
    """Join the batch already waiting for this person and channel, so a storm makes one digest."""
    waiting = (Delivery.objects.filter(recipient_id=delivery.recipient_id, channel=delivery.channel,
                                       status=Status.HELD, next_attempt_at__gt=now)
               .aggregate(first=Min("next_attempt_at"))["first"])
    return min(waiting, now + RATE_WINDOW) if waiting else now + RATE_WINDOW


def _outgoing(delivery: Delivery, language: str) -> channel_senders.Outgoing:
    to = channel_senders.address(delivery.channel, delivery.recipient)
    if not to:
        raise DeliveryFailed("the person has no address for this channel any more")
    if delivery.message_id is None:
        counts = Counter(delivery.digested.values_list("kind", flat=True))
        text = kinds.digest_text(dict(counts), language)
        subject = _translated(kinds.DIGEST_TITLE, language)
        link = _absolute("/me/messages/")
    else:
        spec = kinds.get(delivery.kind)
        message = delivery.message
        if delivery.channel == Channel.EMAIL:
            subject, text = spec.render(message.context, language)
            link = _absolute(message.link or f"/me/messages/{message.pk}/")
        else:
            subject, text, link = "", spec.render_short(message.context, language), ""
    if link:
        text = f"{text}\n\n{link}"
    return channel_senders.Outgoing(to=to, kind=delivery.kind, key=delivery.idempotency_key, subject=subject,
                                    text=text)


def _translated(text, language: str) -> str:
    from django.utils.translation import override

    with override(language):
        return str(text)


def _absolute(path: str) -> str:
    base = settings.JUSHA_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else ""


def deliveries_due(*, limit: int = 500) -> dict[str, int]:
    """The sweep the worker or cron runs every minute: give up on interrupted sends, turn held
    deliveries whose time has come into digests, and send every pending delivery that is due."""
    now = clock.now()
    interrupted = _fail_interrupted(now)
    digests = _make_digests(now)
    due = list(Delivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    outcomes = Counter(delivery_attempt(delivery_id=pk) for pk in due)
    return {"interrupted": interrupted, "digests": digests, **{str(k): v for k, v in outcomes.items()}}


def _fail_interrupted(now: datetime) -> int:
    stale = list(Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
                 .values_list("pk", "attempts", "channel"))
    failed = 0
    for pk, attempts, channel in stale:
        with transaction.atomic():
            if Delivery.objects.filter(pk=pk, status=Status.SENDING).update(
                    status=Status.FAILED, last_error="interrupted while sending; it may have gone out"):
                DeliveryAttempt.objects.get_or_create(delivery_id=pk, number=attempts, defaults={
                    "channel": channel, "at": now, "ok": False, "error": "interrupted while sending"})
                failed += 1
    return failed


def _make_digests(now: datetime) -> int:
    groups = list(Delivery.objects.filter(status=Status.HELD, next_attempt_at__lte=now)
                  .values_list("recipient_id", "channel").distinct().order_by("recipient_id", "channel"))
    made = []
    for recipient_id, channel in groups:
        with transaction.atomic():
            held = list(Delivery.objects.select_for_update()
                        .filter(status=Status.HELD, next_attempt_at__lte=now, recipient_id=recipient_id,
                                channel=channel).order_by("id").values_list("pk", flat=True))
            if not held:
                continue
            digest = Delivery.objects.create(
                recipient_id=recipient_id, kind=kinds.DIGEST, channel=channel, status=Status.PENDING,
                idempotency_key=f"d{recipient_id}.{channel}.{held[0]}", next_attempt_at=now, created_at=now)
            Delivery.objects.filter(pk__in=held, status=Status.HELD).update(status=Status.DIGESTED, digest=digest)
            made.append(digest.pk)
    return len(made)


def delivery_resend(*, actor, delivery: Delivery) -> Delivery:
    """Staff try a failed delivery once more (after the person fixed their number, or the gateway
    came back). Only a failed delivery can be resent: a sent one never goes out twice."""
    permissions.require(actor, Action.DELIVERY_RESEND, delivery)
    now = clock.now()
    with transaction.atomic():
        # The attempt count goes on (the log keeps every try); a resend that fails again is failed again.
        reopened = Delivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
            status=Status.PENDING, next_attempt_at=now, claimed_at=None)
        if not reopened:
            raise DomainError(_("Only a failed delivery can be sent again."), code="not_failed")
        community_id = delivery.message.community_id if delivery.message_id else None
        audit_record(actor=actor, action="notifications.delivery_resend", target=delivery,
                     before={"status": Status.FAILED, "last_error": delivery.last_error},
                     after={"status": Status.PENDING}, community_id=community_id)
        transaction.on_commit(lambda: _enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- the inbox -------------------------------------------------------------------------------------

def message_mark_read(*, actor, message: Message) -> None:
    """The person opened the message. Reading one's own inbox is not audited: it changes nothing
    anyone else sees."""
    permissions.require(actor, Action.MESSAGE_VIEW, message)
    Message.objects.filter(pk=message.pk, read_at=None).update(read_at=clock.now())


def messages_mark_all_read(*, actor, kind: str | None = None) -> int:
    qs = permissions.visible(actor, Action.MESSAGE_VIEW, Message.objects.filter(read_at=None))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=clock.now())


# --- preferences -----------------------------------------------------------------------------------

def preference_set(*, actor, kind: str, channels: list[str], digest: bool = False) -> Preference:
    """Choose the channels (beyond the inbox, which always gets everything) for one kind."""
    if not getattr(actor, "is_authenticated", False):
        raise DomainError(_("Please log in first."), code="unauthenticated")
    if not kinds.exists(kind):
        raise DomainError(_("There is no such kind of message."), field="kind")
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise DomainError(_("Choose channels from the list."), field="channels")
    spec = kinds.get(kind)
    if digest and not spec.digestible:
        raise DomainError(_("This kind of message cannot wait for a daily digest."), field="digest")
    chosen = [c for c in Channel.values if c in channels]
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=actor, kind=kind).first()
        before = {"channels": pref.channels, "digest": pref.digest} if pref else {
            "channels": list(spec.default_channels), "digest": False}
        after = {"channels": chosen, "digest": digest}
        if before == after:
            # Unchanged: a person who never chose keeps following the kind's defaults.
            return pref or Preference(user=actor, kind=kind, **after)
        pref, _created = Preference.objects.update_or_create(user=actor, kind=kind, defaults=after)
        audit_record(actor=actor, action="notifications.preference_set", target=actor,
                     before={"kind": kind, **before}, after={"kind": kind, **after})
    return pref


def delivery_settings_set(*, actor, quiet_enabled: bool, quiet_start: time, quiet_end: time,
                          language: str, email: str) -> DeliverySettings:
    """Quiet hours, the language of texts and e-mails, and the e-mail address they go to."""
    if not getattr(actor, "is_authenticated", False):
        raise DomainError(_("Please log in first."), code="unauthenticated")
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose a language from the list."), field="language")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    if quiet_enabled and quiet_start == quiet_end:
        raise DomainError(_("Quiet hours need different start and end times."), field="quiet_end")
    with transaction.atomic():
        current = settings_of(actor)
        # The audit entry says whether the address changed, never the address itself.
        before = {"quiet_enabled": current.quiet_enabled, "quiet_start": current.quiet_start,
                  "quiet_end": current.quiet_end, "language": current.language}
        after = {"quiet_enabled": quiet_enabled, "quiet_start": quiet_start, "quiet_end": quiet_end,
                 "language": language}
        email_changed = email != actor.email
        row, _created = DeliverySettings.objects.update_or_create(user=actor, defaults=after)
        if email_changed:
            User.objects.filter(pk=actor.pk).update(email=email)
            actor.email = email
        if before != after or email_changed:
            audit_record(actor=actor, action="notifications.settings_set", target=actor, before=before,
                         after={**after, "email_changed": email_changed})
    return row


def preferences_save(*, actor, choices: dict[str, tuple[list[str], bool]], quiet_enabled: bool,
                     quiet_start: time, quiet_end: time, language: str, email: str) -> None:
    """The preferences page: every kind's channels and the delivery settings, all or nothing."""
    with transaction.atomic():
        for kind, (chosen, digest) in choices.items():
            preference_set(actor=actor, kind=kind, channels=chosen, digest=digest)
        delivery_settings_set(actor=actor, quiet_enabled=quiet_enabled, quiet_start=quiet_start,
                              quiet_end=quiet_end, language=language, email=email)


# --- announcements -------------------------------------------------------------------------------

def announcement_send(*, actor, community, title: str, body: str, urgent: bool = False) -> Announcement:
    """Staff tell every resident of a community something (a water cut, a meeting, a typhoon).
    An urgent one is sent at night too and skips the hourly limit."""
    permissions.require(actor, Action.ANNOUNCEMENT_SEND, community)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 60:
        raise DomainError(_("Give the announcement a title of at most 60 characters."), field="title")
    if not body or len(body) > 500:
        raise DomainError(_("Write the announcement in at most 500 characters."), field="body")
    residents = User.objects.filter(is_active=True, role_assignments__role=Role.RESIDENT,
                                    role_assignments__community=community).distinct()
    with transaction.atomic():
        announcement = Announcement.objects.create(community=community, title=title, body=body, urgent=urgent,
                                                   sent_by=actor, sent_at=clock.now())
        messages = notify(recipients=residents, kind="system.alert" if urgent else "system.announcement",
                          obj=announcement, sender=actor, community=community,
                          context={"community": community.name, "title": title, "body": body},
                          key=f"announcement:{announcement.pk}")
        Announcement.objects.filter(pk=announcement.pk).update(n_recipients=len(messages))
        announcement.n_recipients = len(messages)
        audit_record(actor=actor, action="notifications.announcement_send", target=announcement,
                     after={"title": title, "urgent": urgent, "recipients": len(messages)},
                     community_id=community.pk)
    return announcement
