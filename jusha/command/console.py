"""The command screen (一屏指挥): one full-screen page, and the JSON it redraws itself from when its
filters change or the change feed brings news (jusha/command/api.py serves the feed and dispatch)."""

from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.cases.models import Source
from jusha.permissions import Action
from jusha.web.console import console_view

from . import selectors
from .selectors import STAGES, BBox, ScreenFilter


def _stage_labels() -> list[tuple[str, str]]:
    labels = {"open": _("all open"), "waiting": _("waiting for the center"), "dispatched": _("dispatched"),
              "handled": _("handled"), "parked": _("parked")}
    return [(code, labels[code]) for code in STAGES]


def _require(request) -> None:
    if not selectors.may_see(request.user):
        raise Http404


@console_view
def screen(request):
    _require(request)
    filters = ScreenFilter.from_query(request.GET)
    return TemplateResponse(request, "command/screen.html", {
        "section": "command",
        "filters": filters,
        "communities": selectors.communities(request.user),
        "categories": selectors.categories(),
        "sources": Source.choices,
        "stages": _stage_labels(),
        "trend_days": selectors.TREND_DAYS,
        "data": selectors.screen(request.user, filters),
        "layers": selectors.map_layers(request.user),
        "cursor": selectors.latest_cursor(),
        "may_dispatch": permissions.can(request.user, Action.CASE_COMMAND),
    })


@console_view
def data(request):
    """The tiles, charts and markers for the filters (and the map's bounds, `bbox`), as JSON."""
    _require(request)
    return JsonResponse(selectors.screen(request.user, ScreenFilter.from_query(request.GET),
                                         BBox.parse(request.GET.get("bbox", ""))))
