"""Reads for the inbox, the preferences page and the console's delivery pages, each narrowed by
jusha.permissions: a person's inbox holds only their own messages, whoever they are."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import get_language

from jusha import permissions
from jusha.permissions import Action

from . import kinds
from .models import Announcement, Delivery, Message, Preference

INBOX_LIMIT = 200
# False (unread) sorts before True (read) on every database.
_READ = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())


@dataclass
class InboxItem:
    pk: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    unread: bool


@dataclass
class InboxGroup:
    kind: str
    label: str
    unread: int
    items: list[InboxItem] = field(default_factory=list)


def inbox_item(message: Message, language: str | None = None) -> InboxItem:
    language = language or get_language()
    title, body = (kinds.get(message.kind).render(message.context, language) if kinds.exists(message.kind)
                   else (message.kind, ""))
    return InboxItem(pk=message.pk, kind=message.kind, title=title, body=body, link=message.link,
                     created_at=message.created_at, unread=message.read_at is None)


def my_messages(user):
    return permissions.visible(user, Action.MESSAGE_VIEW, Message.objects.all())


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return my_messages(user).filter(read_at=None).count()


def inbox(user, *, kind: str = "") -> list[InboxGroup]:
    """The person's messages grouped by kind: groups with unread messages first, newest first;
    inside a group unread before read. Two queries, whatever the number of messages."""
    qs = my_messages(user)
    if kind:
        qs = qs.filter(kind=kind)
    unread = dict(qs.filter(read_at=None).values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    recent = qs.order_by(_READ, "-created_at", "-id")[:INBOX_LIMIT]
    language = get_language()
    groups: dict[str, InboxGroup] = {}
    for message in recent:
        group = groups.get(message.kind)
        if group is None:
            group = groups[message.kind] = InboxGroup(kind=message.kind, label=kinds.label(message.kind),
                                                      unread=unread.get(message.kind, 0))
        group.items.append(inbox_item(message, language))
    return sorted(groups.values(), key=lambda g: (g.unread == 0, -max(i.created_at.timestamp() for i in g.items)))


def message(user, pk: int) -> Message:
    return permissions.fetch(user, Action.MESSAGE_VIEW, Message.objects.all(), pk=pk)


@dataclass
class KindChoice:
    kind: kinds.Kind
    channels: list[str]
    digest: bool

    @property
    def field_prefix(self) -> str:
        return self.kind.code.replace(".", "-")


def preference_rows(user) -> list[KindChoice]:
    """The kinds this person can receive, with their current (or default) channels."""
    actor = permissions.actor_of(user)
    audiences = {kinds.Audience.EVERYONE}
    if actor.is_staff_member:
        audiences.add(kinds.Audience.STAFF)
    if not actor.is_staff_member or "resident" in actor.roles:
        audiences.add(kinds.Audience.RESIDENTS)
    prefs = {p.kind: p for p in Preference.objects.filter(user=user)}
    rows = []
    for spec in kinds.all_kinds():
        if spec.audience not in audiences:
            continue
        pref = prefs.get(spec.code)
        rows.append(KindChoice(kind=spec, channels=list(pref.channels) if pref else list(spec.default_channels),
                               digest=bool(pref and pref.digest)))
    return rows


def announcements(user):
    """Announcements this staff member may follow, with how their deliveries went."""
    qs = permissions.visible(user, Action.ANNOUNCEMENT_VIEW, Announcement.objects.all())
    by_status = {f"n_{s}": Count("messages__deliveries", filter=Q(messages__deliveries__status=s), distinct=True)
                 for s in (Delivery.Status.SENT, Delivery.Status.FAILED)}
    return (qs.select_related("community", "sent_by")
            .annotate(n_read=Count("messages", filter=Q(messages__read_at__isnull=False), distinct=True), **by_status)
            .order_by("-sent_at", "-id"))


def announcement(user, pk: int) -> Announcement:
    return permissions.fetch(user, Action.ANNOUNCEMENT_VIEW, Announcement.objects.select_related("community"), pk=pk)


def announcement_deliveries(user, announcement: Announcement):
    qs = permissions.visible(user, Action.DELIVERY_VIEW, Delivery.objects.filter(message__announcement=announcement))
    return qs.select_related("recipient", "message").order_by("status", "id")


def deliveries(user, *, status: str = ""):
    qs = permissions.visible(user, Action.DELIVERY_VIEW, Delivery.objects.all())
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("recipient", "message").order_by("-created_at", "-id")


def delivery(user, pk: int, action: Action = Action.DELIVERY_VIEW) -> Delivery:
    return permissions.fetch(user, action, Delivery.objects.select_related("message"), pk=pk)


def announce_communities(user):
    from jusha.places.models import Community

    return permissions.visible(user, Action.ANNOUNCEMENT_SEND, Community.objects.order_by("code"))
