"""The notification kinds needs send (docs/notifications.md lists them). Imported from NeedsConfig.ready().

Texts by SMS or WeChat carry only the category, the step, the community and the unit: never the
resident's name, their words or a staff member's reason, which stay in the inbox.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _tracking_page(need) -> str:
    return reverse("needs:detail", args=[need.pk]) if need is not None else ""


def _console_page(need) -> str:
    return reverse("needs_console:detail", args=[need.pk]) if need is not None else ""


def _words(values: dict) -> dict:
    from .models import NeedCategory
    from .workflow import STEP_LABELS, Step

    step = values.get("step", "")
    category = NeedCategory.objects.filter(code=values.get("category", "")).first()
    return {"step": str(STEP_LABELS[Step(step)]) if step in {s.value for s in Step} else step,
            "category": category.label if category else values.get("category", "")}


register(Kind(
    code="needs.progress",
    label=_("Progress of my needs"),
    title=_("Your need (%(category)s): %(step)s"),
    body=_("“%(need)s” — %(step)s. %(detail)s"),
    short=_("Jusha: your need (%(category)s): %(step)s."),
    sms_fields=frozenset({"category", "step"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.RESIDENTS,
    link=_tracking_page,
    words=_words,
))

register(Kind(
    code="needs.rejected",
    label=_("Needs not accepted"),
    title=_("Your need (%(category)s) was not accepted"),
    body=_("“%(need)s” was not accepted by %(community)s. The reason: %(reason)s"),
    short=_("Jusha: your need (%(category)s) was not accepted. Open Jusha to read why."),
    sms_fields=frozenset({"category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.RESIDENTS,
    link=_tracking_page,
    words=_words,
))

register(Kind(
    code="needs.completed",
    label=_("Needs done"),
    title=_("Your need (%(category)s) is done — please confirm"),
    body=_("“%(need)s”: %(detail)s Please confirm and rate the help, or reopen the need if it is not fixed."),
    short=_("Jusha: your need (%(category)s) is done. Please open Jusha to confirm and rate it."),
    sms_fields=frozenset({"category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.RESIDENTS,
    link=_tracking_page,
    words=_words,
))

register(Kind(
    code="needs.queue",
    label=_("Needs waiting for a decision"),
    title=_("%(community)s: a need waits for you (%(step)s)"),
    body=_("“%(need)s” (%(category)s) — %(step)s. %(detail)s"),
    short=_("Jusha: a need of %(community)s (%(category)s) waits for your decision."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s need waits for your decision", "%(count)s needs wait for your decision",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

def _board(need) -> str:
    return reverse("needs:board")


register(Kind(
    code="needs.volunteer_offered",
    label=_("Needs offered to me as a volunteer"),
    title=_("A need was matched to you"),
    body=_("%(community)s asks you to help with “%(need)s” (%(category)s). Please accept or decline it on the "
           "need board."),
    short=_("Jusha: %(community)s matched a need (%(category)s) to you. Please accept or decline."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.RESIDENTS,
    link=_board,
    words=_words,
))

register(Kind(
    code="needs.offered",
    label=_("Needs offered to my unit"),
    title=_("%(unit)s: a need was matched to you"),
    body=_("%(community)s asks %(unit)s to help with “%(need)s” (%(category)s). Please accept or decline."),
    short=_("Jusha: %(community)s matched a need (%(category)s) to %(unit)s. Please accept or decline."),
    sms_fields=frozenset({"community", "category", "unit"}),
    default_channels=(Channel.SMS,),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="needs.withdrawn",
    label=_("Needs handed to another unit"),
    title=_("%(unit)s: a need was handed to another unit"),
    body=_("Staff handed “%(need)s” (%(category)s) to another unit. The reason: %(reason)s"),
    short=_("Jusha: a need (%(category)s) of %(unit)s was handed to another unit."),
    sms_fields=frozenset({"category", "unit"}),
    default_channels=(),
    audience=Audience.STAFF,
    link=None,
    words=_words,
))

register(Kind(
    code="needs.rated",
    label=_("Ratings of needs"),
    title=_("A need (%(category)s) was rated %(stars)s of 5"),
    body=_("The resident confirmed “%(need)s” and rated it %(stars)s of 5. %(detail)s"),
    short=_("Jusha: a need (%(category)s) was rated %(stars)s of 5."),
    sms_fields=frozenset({"category", "stars"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s need was rated", "%(count)s needs were rated", "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="needs.response_overdue",
    label=_("Needs not answered in time"),
    title=_("%(community)s: a need was not answered in time"),
    body=_("Nobody answered “%(need)s” (%(category)s) by %(due)s. It is now with the subdistrict: please "
           "take a decision."),
    short=_("Jusha: a need of %(community)s (%(category)s) was not answered in time and was escalated."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(Channel.SMS,),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="needs.completion_overdue",
    label=_("Needs not done in time"),
    title=_("%(community)s: a need is not done in time"),
    body=_("“%(need)s” (%(category)s) was due to be done by %(due)s and is still open. Please follow it up."),
    short=_("Jusha: a need of %(community)s (%(category)s) is not done in time."),
    sms_fields=frozenset({"community", "category"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s need is not done in time", "%(count)s needs are not done in time",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))
