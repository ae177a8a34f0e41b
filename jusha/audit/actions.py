"""Readable names for audit actions. A capability adds its actions here when it adds services."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accounts.register": _("registered by mobile code"),
    "accounts.role_grant": _("granted a role"),
    "accounts.elderly_mode": _("switched elderly mode"),
    "accounts.mobile_reveal": _("revealed a mobile number"),
    "places.district_create": _("created a district"),
    "places.subdistrict_create": _("created a subdistrict"),
    "places.import": _("imported communities or grids"),
    "onboarding.upload": _("uploaded a file to import"),
    "onboarding.check": _("checked a file to import"),
    "onboarding.import": _("imported a file"),
    "onboarding.export": _("exported a list"),
    "places.admin_add": _("added a place in the admin"),
    "places.admin_change": _("changed a place in the admin"),
    "places.admin_delete": _("deleted a place in the admin"),
    "orgs.admin_add": _("added an organisation in the admin"),
    "orgs.admin_change": _("changed an organisation in the admin"),
    "orgs.admin_delete": _("deleted an organisation in the admin"),
    "accounts.admin_add": _("added a person in the admin"),
    "accounts.admin_change": _("changed a person in the admin"),
    "accounts.admin_delete": _("deleted a person in the admin"),
    "needs.submit": _("submitted a need"),
    "needs.resident_recorded": _("recorded a resident without a phone"),
    "needs.accept": _("accepted a need"),
    "needs.reject": _("did not accept a need"),
    "needs.resolve": _("resolved a need directly"),
    "needs.escalate": _("escalated a need to the subdistrict"),
    "needs.send_back": _("sent a need back to the community"),
    "needs.match": _("matched a need with a unit"),
    "needs.match_accept": _("accepted a matched need"),
    "needs.match_decline": _("declined a matched need"),
    "needs.claim": _("claimed a need from the board"),
    "needs.claim_release": _("released a claimed need"),
    "needs.reassign": _("reassigned a need"),
    "needs.complete": _("completed a need"),
    "needs.confirm": _("confirmed and rated a need"),
    "needs.reopen": _("reopened a need"),
    "needs.admin_add": _("added a need category in the admin"),
    "needs.admin_change": _("changed a need category in the admin"),
    "needs.admin_delete": _("deleted a need category in the admin"),
    "notifications.announcement_send": _("sent an announcement"),
    "notifications.delivery_resend": _("resent a failed delivery"),
    "notifications.preference_set": _("changed notification channels"),
    "notifications.settings_set": _("changed quiet hours, language or e-mail"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
