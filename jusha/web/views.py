"""The resident H5: mobile-first pages behind the bottom tab bar (首页 / 办事 / 活动 / 我的)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.accounts import services as account_services
from jusha.accounts.models import Role
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.models import Community

from . import selectors
from .context_processors import ELDERLY_COOKIE, elderly_mode_on
from .params import safe_next_url


def home(request):
    return TemplateResponse(request, "web/home.html", {"tab": "home", **selectors.resident_home(request.user)})


def services_tab(request):
    return TemplateResponse(request, "web/services.html", {"tab": "services",
                                                           **selectors.resident_home(request.user)})


def _me_page(request, *, error: str | None = None, status: int = 200):
    communities = permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code"))
    return TemplateResponse(request, "web/me.html", {
        "tab": "me",
        "communities": communities,
        "resident_of": request.user.role_assignments.filter(role=Role.RESIDENT).select_related("community").first(),
        "is_staff_member": permissions.can(request.user, Action.CONSOLE_USE),
        "error": error,
    }, status=status)


@login_required
def me(request):
    return _me_page(request)


@login_required
@require_POST
def join_community(request):
    raw = request.POST.get("community", "")
    community = Community.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    if community is None:
        return _me_page(request, error=_("Choose your community."), status=400)
    try:
        account_services.resident_join_community(actor=request.user, community=community)
    except DomainError as exc:
        return _me_page(request, error=str(exc.message), status=400)
    return redirect("web:me")


@require_POST
def elderly_mode(request):
    """Switch the large-text elderly mode; it sticks to the person, or to the browser when logged out."""
    enabled = request.POST.get("enabled", "toggle")
    new_value = (not elderly_mode_on(request)) if enabled == "toggle" else enabled in {"1", "true", "on"}
    if request.user.is_authenticated:
        account_services.person_set_elderly_mode(actor=request.user, enabled=new_value)
    response = redirect(safe_next_url(request, reverse("web:home")))
    response.set_cookie(ELDERLY_COOKIE, "1" if new_value else "0", max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=request.is_secure())
    return response


def manifest(request):
    return JsonResponse({
        "name": _("Jusha community services"),
        "short_name": _("Jusha"),
        "lang": "zh-Hans",
        "start_url": reverse("web:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c62828",
        "icons": [
            {"src": static("jusha/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("jusha/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
