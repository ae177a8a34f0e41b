"""The Open311 console: client apps' keys (a new key shown once; revoke), and the address-only requests
waiting to be placed on the map."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.web.console import console_view, paginate

from . import selectors, services


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _page(request, *, key: str = "", created=None, error: str = "", status: int = 200, form=None):
    may_keys = permissions.can(request.user, Action.OPEN311_KEY_MANAGE)
    may_place = permissions.can(request.user, Action.OPEN311_PLACE)
    if not (may_keys or may_place):
        permissions.require(request.user, Action.OPEN311_KEY_MANAGE)
    return TemplateResponse(request, "open311/console/index.html", {
        "section": "open311", "may_keys": may_keys, "may_place": may_place,
        "clients": selectors.clients(request.user) if may_keys else [],
        "page": paginate(request, selectors.waiting(request.user)) if may_place else None,
        "key": key, "created": created, "error": error, "form": form or {}}, status=status)


@console_view
def index(request):
    return _page(request)


@console_view
@require_POST
def client_create(request):
    try:
        client, key = services.client_create(actor=request.user, name=request.POST.get("name", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(request, error=str(exc.message), status=400, form=request.POST)
    return _page(request, key=key, created=client)


@console_view
@require_POST
def client_revoke(request, pk):
    services.client_revoke(actor=request.user, client=selectors.client(request.user, pk))
    messages.success(request, _("The key was revoked."))
    return redirect("open311_console:index")


@console_view
@require_POST
def place(request, pk):
    row = selectors.waiting_one(request.user, pk)
    try:
        services.request_place(actor=request.user, request=row, lng=_float(request.POST.get("lng")),
                               lat=_float(request.POST.get("lat")))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(request, error=str(exc.message), status=400)
    messages.success(request, _("The request is on the map and in the case queue."))
    return redirect("open311_console:index")
