"""Changes made in the Django admin go into the same audit log as every other change."""

from django.db import transaction
from django.forms.models import model_to_dict

from .services import audit_record


def _place_of(obj) -> dict:
    """Community/subdistrict of the object where it has one, so scoped staff see the entry."""
    for attr in ("community_id", "subdistrict_id"):
        if getattr(obj, attr, None):
            return {attr: getattr(obj, attr)}
    return {}


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = {k: model_to_dict(old).get(k) for k in form.changed_data} if old else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = {k: model_to_dict(obj).get(k) for k in form.changed_data}
            action = f"{obj._meta.app_label}.admin_{'change' if change else 'add'}"
            audit_record(actor=request.user, action=action, target=obj, before=before, after=after,
                         **_place_of(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action=f"{obj._meta.app_label}.admin_delete", target=obj,
                         before=model_to_dict(obj), **_place_of(obj))
            super().delete_model(request, obj)
