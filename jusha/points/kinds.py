"""The notification kinds points send (docs/notifications.md lists them). Imported from PointsConfig.ready().
A text carries the reward's name and where to pick it up, never the pickup code: the code is shown
only on the person's own page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _my_redemptions(obj) -> str:
    return reverse("points:redemptions")


register(Kind(
    code="points.redemption_ready",
    label=_("Rewards ready for pickup"),
    title=_("%(reward)s is waiting for you"),
    body=_("You redeemed %(reward)s for %(cost)s points. Show your pickup code at %(place)s."),
    short=_("Jusha: %(reward)s is ready for pickup at %(place)s. Your code is on the My redemptions page."),
    sms_fields=frozenset({"reward", "place"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_my_redemptions,
))

register(Kind(
    code="points.redemption_picked_up",
    label=_("Rewards picked up"),
    title=_("You picked up %(reward)s"),
    body=_("%(reward)s was handed out against your pickup code. Enjoy!"),
    short=_("Jusha: you picked up %(reward)s."),
    sms_fields=frozenset({"reward"}),
    default_channels=(),
    audience=Audience.EVERYONE,
    link=_my_redemptions,
))

register(Kind(
    code="points.redemption_cancelled",
    label=_("Redemptions cancelled"),
    title=_("Your redemption of %(reward)s was cancelled"),
    body=_("The redemption of %(reward)s was cancelled and its %(cost)s points are back in your account. "
           "%(reason)s"),
    short=_("Jusha: your redemption of %(reward)s was cancelled; %(cost)s points are back in your account."),
    sms_fields=frozenset({"reward", "cost"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_my_redemptions,
))
