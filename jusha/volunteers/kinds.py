"""The notification kinds volunteers' records send (docs/notifications.md lists them). Imported from
VolunteersConfig.ready(). Texts by SMS or WeChat carry the community and the volunteer number, never
the identity number nor a rejection's reason (which stays in the inbox)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _my_record(volunteer) -> str:
    return reverse("volunteers:me")


register(Kind(
    code="volunteers.approved",
    label=_("Volunteer application approved"),
    title=_("Welcome: you are a volunteer of %(community)s"),
    body=_("Your volunteer application was approved. Your volunteer number is %(number)s. You can now take on "
           "needs from the need board."),
    short=_("Jusha: your volunteer application was approved; your volunteer number is %(number)s."),
    sms_fields=frozenset({"community", "number"}),
    default_channels=(Channel.SMS,),
    audience=Audience.RESIDENTS,
    link=_my_record,
))

register(Kind(
    code="volunteers.rejected",
    label=_("Volunteer application not approved"),
    title=_("Your volunteer application was not approved"),
    body=_("%(community)s did not approve your volunteer application. The reason: %(reason)s You may apply "
           "again."),
    short=_("Jusha: your volunteer application was not approved. Open Jusha to read why."),
    sms_fields=frozenset({"community"}),
    default_channels=(Channel.SMS,),
    audience=Audience.RESIDENTS,
    link=_my_record,
))
