"""The notification kinds attendance sends (docs/notifications.md lists them). Imported from
AttendanceConfig.ready(). Texts carry the activity's title, the date and the hours: nothing private."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _my_hours(obj) -> str:
    return reverse("attendance:hours")


def _words(values: dict) -> dict:
    from .models import CorrectionRequest

    code = values.get("decision", "")
    return {"decision": CorrectionRequest.Status(code).label if code in CorrectionRequest.Status.values else code}


register(Kind(
    code="attendance.hours_verified",
    label=_("Service hours verified"),
    title=_("%(hours)s service hours verified: %(activity)s"),
    body=_("The organiser verified your %(hours)s hours of service at “%(activity)s” on %(date)s."),
    short=_("Jusha: %(hours)s service hours at %(activity)s on %(date)s were verified."),
    sms_fields=frozenset({"hours", "activity", "date"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_my_hours,
))

register(Kind(
    code="attendance.hours_corrected",
    label=_("Service hours corrected"),
    title=_("Your service hours for %(activity)s were corrected to %(hours)s"),
    body=_("The hours of your service at “%(activity)s” on %(date)s are now %(hours)s (before: %(before)s). "
           "Reason: %(reason)s"),
    short=_("Jusha: your service hours at %(activity)s on %(date)s were corrected to %(hours)s."),
    sms_fields=frozenset({"hours", "activity", "date"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_my_hours,
))

register(Kind(
    code="attendance.correction_decided",
    label=_("Decisions on hour corrections you asked for"),
    title=_("Your correction request for %(activity)s: %(decision)s"),
    body=_("You asked for %(asked)s hours for “%(activity)s” on %(date)s. The organiser's decision: "
           "%(decision)s. %(note)s"),
    short=_("Jusha: your correction request for %(activity)s on %(date)s was %(decision)s."),
    sms_fields=frozenset({"activity", "date", "decision"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_my_hours,
    words=_words,
))
