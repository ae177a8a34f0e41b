"""The notification kinds micro-wishes send (docs/notifications.md lists them). Imported from
WishesConfig.ready(). Texts by SMS or WeChat carry the category, the community and the claimer (a unit
or a person's own name): never the beneficiary's name, and not the wish's words."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _console_page(wish) -> str:
    return reverse("wishes_console:detail", args=[wish.pk]) if wish is not None else ""


def _my_claims(wish) -> str:
    return reverse("wishes:claims")


def _wish_page(wish) -> str:
    return reverse("wishes:detail", args=[wish.pk]) if wish is not None else ""


def _words(values: dict) -> dict:
    from .models import MicroWish

    code = values.get("category", "")
    return {"category": MicroWish.Category(code).label if code in MicroWish.Category.values else code}


register(Kind(
    code="wishes.claimed",
    label=_("Micro-wishes claimed"),
    title=_("%(community)s: a wish (%(category)s) was claimed by %(claimer)s"),
    body=_("%(claimer)s claimed “%(wish)s”. They should contact you by %(due)s."),
    short=_("Jusha: a wish (%(category)s) of %(community)s was claimed by %(claimer)s."),
    sms_fields=frozenset({"community", "category", "claimer"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s wish was claimed", "%(count)s wishes were claimed", "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="wishes.returned",
    label=_("Micro-wishes back on the wall"),
    title=_("%(community)s: a wish (%(category)s) is back on the wall"),
    body=_("The claim of %(claimer)s on “%(wish)s” ended (given back, or no contact in time); the wish is on "
           "the wall again."),
    short=_("Jusha: a wish (%(category)s) of %(community)s is back on the wish wall."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s wish is back on the wall", "%(count)s wishes are back on the wall",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="wishes.contact_due",
    label=_("Reminders to contact the community about a wish"),
    title=_("Please contact %(community)s about the wish you claimed"),
    body=_("You claimed “%(wish)s”. Please contact %(community)s by %(due)s, or the wish returns to the wall."),
    short=_("Jusha: please contact %(community)s by %(due)s about the wish (%(category)s) you claimed."),
    sms_fields=frozenset({"community", "category", "due"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_my_claims,
    words=_words,
))

register(Kind(
    code="wishes.lapsed",
    label=_("Lapsed wish claims"),
    title=_("Your claim on a wish (%(category)s) lapsed"),
    body=_("Nobody contacted %(community)s about “%(wish)s” by %(due)s, so the wish went back on the wall. "
           "You are welcome to claim it again."),
    short=_("Jusha: your claim on a wish (%(category)s) of %(community)s lapsed."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_wish_page,
    words=_words,
))

register(Kind(
    code="wishes.delivered",
    label=_("Micro-wishes delivered"),
    title=_("A wish (%(category)s) was delivered — please confirm"),
    body=_("%(claimer)s delivered “%(wish)s”. Please confirm that the wish came true."),
    short=_("Jusha: a wish (%(category)s) was delivered by %(claimer)s. Please open Jusha to confirm."),
    sms_fields=frozenset({"category", "claimer"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_wish_page,
    words=_words,
))

register(Kind(
    code="wishes.fulfilled",
    label=_("Thanks for fulfilled wishes"),
    title=_("Thank you! The wish (%(category)s) came true"),
    body=_("The family confirmed “%(wish)s”. Thank you, %(claimer)s, from %(community)s."),
    short=_("Jusha: thank you, %(claimer)s! The wish (%(category)s) you claimed came true."),
    sms_fields=frozenset({"category", "claimer"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.EVERYONE,
    link=_my_claims,
    words=_words,
))

register(Kind(
    code="wishes.cancelled",
    label=_("Claimed wishes cancelled"),
    title=_("A wish (%(category)s) you claimed was cancelled"),
    body=_("%(community)s cancelled “%(wish)s”. Thank you all the same."),
    short=_("Jusha: a wish (%(category)s) you claimed was cancelled by %(community)s."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.EVERYONE,
    link=_my_claims,
    words=_words,
))
