"""Readable names for audit actions. A capability adds its actions here when it adds services."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accounts.register": _("registered by mobile code"),
    "accounts.role_grant": _("granted a role"),
    "accounts.elderly_mode": _("switched elderly mode"),
    "accounts.mobile_reveal": _("revealed a mobile number"),
    "places.admin_add": _("added a place in the admin"),
    "places.admin_change": _("changed a place in the admin"),
    "places.admin_delete": _("deleted a place in the admin"),
    "orgs.admin_add": _("added an organisation in the admin"),
    "orgs.admin_change": _("changed an organisation in the admin"),
    "orgs.admin_delete": _("deleted an organisation in the admin"),
    "accounts.admin_add": _("added a person in the admin"),
    "accounts.admin_change": _("changed a person in the admin"),
    "accounts.admin_delete": _("deleted a person in the admin"),
    "notifications.announcement_send": _("sent an announcement"),
    "notifications.delivery_resend": _("resent a failed delivery"),
    "notifications.preference_set": _("changed notification channels"),
    "notifications.settings_set": _("changed quiet hours, language or e-mail"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
