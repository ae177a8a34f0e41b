"""The notification kinds activities send (docs/notifications.md lists them). Imported from
ActivitiesConfig.ready(). Texts by SMS or WeChat carry the activity's title, time and place, which are
public anyway; a rejection's reason and a cancellation's reason stay in the inbox."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _public_page(activity) -> str:
    return reverse("activities:detail", args=[activity.pk]) if activity is not None else ""


def _console_page(activity) -> str:
    return reverse("activities_console:detail", args=[activity.pk]) if activity is not None else ""


def _outcome(values: dict) -> dict:
    outcome = values.get("outcome", "")
    return {"outcome_label": _("published") if outcome == "published" else _("returned for changes")}


register(Kind(
    code="activities.promoted",
    label=_("A place freed up for you"),
    title=_("You have a place: %(title)s"),
    body=_("Someone gave their place back, so you moved up from the waiting list for “%(title)s” on %(when)s at "
           "%(place)s. If you cannot come, please cancel so the next person can."),
    short=_("Jusha: you have a place for %(title)s on %(when)s at %(place)s."),
    sms_fields=frozenset({"title", "when", "place"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_public_page,
))

register(Kind(
    code="activities.reminder",
    label=_("Reminders of activities you signed up for"),
    title=_("Soon: %(title)s"),
    body=_("“%(title)s” starts on %(when)s at %(place)s. If you cannot come, please cancel your place."),
    short=_("Jusha: %(title)s starts on %(when)s at %(place)s."),
    sms_fields=frozenset({"title", "when", "place"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_public_page,
))

register(Kind(
    code="activities.cancelled",
    label=_("Activities you signed up for cancelled"),
    title=_("Cancelled: %(title)s"),
    body=_("“%(title)s” (%(when)s) was cancelled by the organiser: %(reason)s. Your sign-up has ended."),
    short=_("Jusha: %(title)s (%(when)s) was cancelled."),
    sms_fields=frozenset({"title", "when"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_public_page,
))

register(Kind(
    code="activities.reviewed",
    label=_("Reviews of activities you organise"),
    title=_("%(title)s: %(outcome_label)s"),
    body=_("Your activity “%(title)s” was %(outcome_label)s. %(note)s"),
    short=_("Jusha: your activity %(title)s was %(outcome_label)s."),
    sms_fields=frozenset({"title", "outcome", "outcome_label"}),
    default_channels=(),
    audience=Audience.STAFF,
    link=_console_page,
    words=_outcome,
))
