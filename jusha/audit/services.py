"""The one way every capability records a state change."""

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from jusha.core import clock
from jusha.core.request_context import current_origin

from .models import AuditEntry


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The values of `fields` on obj, ready to store as an entry's before/after."""
    return {name: _jsonable(getattr(obj, f"{name}_id" if _is_fk(obj, name) else name)) for name in fields}


def _is_fk(obj, name) -> bool:
    field = obj._meta.get_field(name)
    return field.is_relation and field.many_to_one


def audit_record(*, actor, action: str, target: models.Model | None = None, before: dict | None = None,
                 after: dict | None = None, subdistrict_id: int | None = None,
                 community_id: int | None = None) -> AuditEntry:
    """Write one audit entry. Call it inside the service's transaction, after the change."""
    origin = current_origin()
    if community_id is not None and subdistrict_id is None:
        from jusha.places.models import Community

        subdistrict_id = Community.objects.filter(pk=community_id).values_list("subdistrict_id", flat=True).first()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        at=clock.now(),
        actor=actor_obj,
        actor_label=str(actor_obj)[:100] if actor_obj else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        before=_jsonable(before),
        after=_jsonable(after),
        ip=origin.ip,
        user_agent=origin.user_agent,
        subdistrict_id=subdistrict_id,
        community_id=community_id,
    )
