"""The notification kinds projects send (docs/notifications.md lists them). Imported from ProjectsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register


def _console_page(project) -> str:
    return reverse("projects_console:detail", args=[project.pk]) if project is not None else ""


register(Kind(
    code="projects.started",
    label=_("Projects my unit takes part in have started"),
    title=_("%(project)s has started"),
    body=_("%(project)s (%(year)s) has started, with %(unit)s taking part. Record your unit's progress on the "
           "project's page."),
    short=_("Jusha: the project %(project)s has started. Please record your unit's progress in Jusha."),
    sms_fields=frozenset({"project"}),
    default_channels=(),
    audience=Audience.STAFF,
    link=_console_page,
))

register(Kind(
    code="projects.cancelled",
    label=_("Projects my unit takes part in were cancelled"),
    title=_("%(project)s was cancelled"),
    body=_("%(project)s (%(year)s) was cancelled. The reason: %(reason)s"),
    short=_("Jusha: the project %(project)s was cancelled."),
    sms_fields=frozenset({"project"}),
    default_channels=(),
    audience=Audience.STAFF,
    link=_console_page,
))

register(Kind(
    code="projects.progress",
    label=_("Progress recorded on projects"),
    title=_("Progress on %(project)s"),
    body=_("%(unit)s recorded progress on %(project)s for %(on)s: %(detail)s"),
    short=_("Jusha: progress was recorded on %(project)s."),
    sms_fields=frozenset({"project"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s progress report on projects", "%(count)s progress reports on projects",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
))
