"""Readable names for audit actions. A capability adds its actions here when it adds services."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accounts.register": _("registered by mobile code"),
    "accounts.role_grant": _("granted a role"),
    "accounts.elderly_mode": _("switched elderly mode"),
    "accounts.mobile_reveal": _("revealed a mobile number"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
