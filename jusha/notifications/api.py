"""The inbox for the WeChat mini-program and other clients: the logged-in person's own messages only."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import kinds, selectors, services

router = Router(tags=["notifications"], auth=django_auth)


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    created_at: datetime
    unread: bool


class InboxFilter(Schema):
    kind: str = Field("", max_length=60, description="only messages of this kind")
    unread: bool = Field(False, description="only unread messages")


class UnreadOut(Schema):
    unread: int


class ReadAllIn(Schema):
    kind: str = Field("", max_length=60)


def _out(item) -> dict:
    return {"id": item.pk, "kind": item.kind, "kind_label": kinds.label(item.kind), "title": item.title,
            "body": item.body, "link": item.link, "created_at": item.created_at, "unread": item.unread}


@router.get("/messages", response={200: list[MessageOut], 401: ErrorOut, 422: ValidationErrorOut})
def list_messages(request, filters: Query[InboxFilter]):
    """The newest 200 messages, unread first; the texts are in the request's language."""
    items = [item for group in selectors.inbox(request.user, kind=filters.kind if kinds.exists(filters.kind) else "")
             for item in group.items if item.unread or not filters.unread]
    items.sort(key=lambda i: (not i.unread, -i.created_at.timestamp()))
    return [_out(i) for i in items]


@router.get("/unread", response={200: UnreadOut, 401: ErrorOut})
def unread(request):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/messages/{message_id}/read",
             response={200: MessageOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def mark_read(request, message_id: int):
    """Open one message: marks it read and returns it. Another person's message is a 404."""
    message = selectors.message(request.user, message_id)
    services.message_mark_read(actor=request.user, message=message)
    message.refresh_from_db()
    return _out(selectors.inbox_item(message))


@router.post("/messages/read-all",
             response={200: UnreadOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut})
def mark_all_read(request, payload: ReadAllIn):
    services.messages_mark_all_read(actor=request.user, kind=payload.kind if kinds.exists(payload.kind) else None)
    return Status(200, {"unread": selectors.unread_count(request.user)})
