"""The notification kinds resources send (docs/notifications.md lists them). Imported from ResourcesConfig.ready().

Texts carry only the unit's name and the kind of resource; the title and a reviewer's reason stay in
the inbox.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register
from jusha.notifications.models import Channel


def _console_page(resource) -> str:
    return reverse("resources_console:detail", args=[resource.pk]) if resource is not None else ""


def _words(values: dict) -> dict:
    from .models import Resource

    kind = values.get("kind", "")
    return {"kind": str(Resource.Kind(kind).label) if kind in Resource.Kind.values else kind}


register(Kind(
    code="resources.submitted",
    label=_("Resources waiting for review"),
    title=_("%(unit)s: a resource waits for review"),
    body=_("%(unit)s offers “%(resource)s” (%(kind)s). Please approve it or say what to change."),
    short=_("Jusha: %(unit)s submitted a resource (%(kind)s) for review."),
    sms_fields=frozenset({"unit", "kind"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s resource waits for review", "%(count)s resources wait for review",
                              "count"),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="resources.approved",
    label=_("My unit's resources approved"),
    title=_("%(unit)s: your resource was approved"),
    body=_("“%(resource)s” (%(kind)s) is on the resource list and may be matched with residents' needs."),
    short=_("Jusha: a resource (%(kind)s) of %(unit)s was approved."),
    sms_fields=frozenset({"unit", "kind"}),
    default_channels=(),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))

register(Kind(
    code="resources.rejected",
    label=_("My unit's resources sent back"),
    title=_("%(unit)s: your resource needs changes"),
    body=_("“%(resource)s” (%(kind)s) was not approved. The reason: %(reason)s Edit it and submit it again."),
    short=_("Jusha: a resource (%(kind)s) of %(unit)s needs changes. Open Jusha to read why."),
    sms_fields=frozenset({"unit", "kind"}),
    default_channels=(Channel.SMS,),
    audience=Audience.STAFF,
    link=_console_page,
    words=_words,
))
