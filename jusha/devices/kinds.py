"""The notification kind devices send (docs/notifications.md lists it). Imported from DevicesConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from jusha.notifications.kinds import Audience, Kind, register


def _review_page(detection) -> str:
    return reverse("devices_console:detection", args=[detection.pk]) if detection is not None else ""


register(Kind(
    code="devices.review",
    label=_("Detections waiting for review"),
    title=_("A detection (%(type)s) from %(device)s waits for review"),
    body=_("Device %(device)s detected %(type)s with confidence %(confidence)s, below the threshold: "
           "confirm it into cases or dismiss it."),
    short=_("Jusha: a detection from %(device)s waits for review."),
    sms_fields=frozenset({"device"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s detection waits for review", "%(count)s detections wait for review",
                              "count"),
    audience=Audience.STAFF,
    link=_review_page,
))
