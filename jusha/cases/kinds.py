"""The notification kinds cases send (docs/notifications.md lists them). Imported from CasesConfig.ready().

Texts by SMS or WeChat carry only the case number, the category and the step: never a reporter's name,
their words or a reason between the center and the field, which stay in the inbox.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _tracking_page(case) -> str:
    return reverse("cases:detail", args=[case.pk]) if case is not None else ""


def _console_page(case) -> str:
    return reverse("cases_console:detail", args=[case.pk]) if case is not None else ""


def _task_page(case) -> str:
    return reverse("cases:task", args=[case.pk]) if case is not None else ""


def _words(values: dict) -> dict:
    from .models import CaseCategory, CaseDeadline
    from .workflow import STEP_LABELS, Step

    step, stage = values.get("step", ""), values.get("stage", "")
    category = CaseCategory.objects.filter(code=values.get("category", "")).first()
    return {"step": str(STEP_LABELS[Step(step)]) if step in {s.value for s in Step} else step,
            "category": category.label if category else values.get("category", ""),
            "stage": str(CaseDeadline.Stage(stage).label) if stage in CaseDeadline.Stage.values else stage}


register(Kind(
    code="cases.progress",
    label=_("Progress of what I reported"),
    title=_("Your report (%(category)s): %(step)s"),
    body=_("Case %(number)s — %(step)s. %(detail)s"),
    short=_("Jusha: your report (%(category)s): %(step)s."),
    sms_fields=frozenset({"category", "step"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.RESIDENTS,
    link=_tracking_page,
    words=_words,
))

register(Kind(
    code="cases.closed",
    label=_("What I reported is fixed"),
    title=_("Case %(number)s (%(category)s) is closed — please rate it"),
    body=_("Case %(number)s was handled and verified. %(detail)s Please rate the result, or reopen it if it is "
           "not fixed."),
    short=_("Jusha: your report (%(category)s) was handled. Open Jusha to rate it."),
    sms_fields=frozenset({"category"}),
    default_channels=(Channel.WECHAT,),
    audience=Audience.RESIDENTS,
    link=_tracking_page,
    words=_words,
))

register(Kind(
    code="cases.task",
    label=_("Cases dispatched to me"),
    title=_("Case %(number)s (%(category)s): %(step)s"),
    body=_("Case %(number)s at %(place)s — %(step)s. %(detail)s"),
    short=_("Jusha: case %(number)s (%(category)s): %(step)s."),
    sms_fields=frozenset({"number", "category", "step"}),
    default_channels=(Channel.SMS,),
    urgent=True,
    audience=Audience.STAFF,
    link=_task_page,
    words=_words,
))

register(Kind(
    code="cases.queue",
    label=_("Cases waiting for the command center"),
    title=_("Case %(number)s (%(category)s): %(step)s"),
    body=_("Case %(number)s at %(place)s — %(step)s. %(detail)s"),
    short=_("Jusha: case %(number)s (%(category)s) waits for the command center."),
    sms_fields=frozenset({"number", "category"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s case waits for the command center",
                              "%(count)s cases wait for the command center", "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="cases.verify",
    label=_("Cases to verify"),
    title=_("Case %(number)s (%(category)s) is handled — please verify"),
    body=_("Case %(number)s at %(place)s — %(step)s. %(detail)s"),
    short=_("Jusha: case %(number)s (%(category)s) waits for verification."),
    sms_fields=frozenset({"number", "category"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s case waits for verification", "%(count)s cases wait for verification",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="cases.overdue",
    label=_("Cases overdue"),
    title=_("Case %(number)s (%(category)s) is overdue: %(stage)s"),
    body=_("Case %(number)s at %(place)s was due to %(stage)s by %(due)s and is not done yet. Please deal "
           "with it now."),
    short=_("Jusha: case %(number)s (%(category)s) is overdue: %(stage)s."),
    sms_fields=frozenset({"number", "category", "stage"}),
    default_channels=(Channel.SMS,),
    urgent=True,
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="cases.escalated",
    label=_("Cases still overdue, escalated to the subdistrict"),
    title=_("Case %(number)s (%(category)s) is still overdue: %(stage)s"),
    body=_("Case %(number)s at %(place)s was due to %(stage)s by %(due)s and is still not done after "
           "supervision. Please follow it up."),
    short=_("Jusha: case %(number)s (%(category)s) is still overdue and was escalated."),
    sms_fields=frozenset({"number", "category", "stage"}),
    default_channels=(Channel.SMS,),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))
