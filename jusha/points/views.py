"""The H5 pages: my points (balance, history, leaderboard opt-out), the rewards catalogue with
redeeming (htmx swaps the reward's card), and my redemptions with their pickup codes as QR codes."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.errors import DomainError, NotAllowed
from jusha.web.console import paginate
from jusha.web.shared import not_found_is_404, private_photo

from . import selectors, services
from .models import Redemption


@login_required
def my_points(request):
    account = selectors.account_of(request.user)
    return TemplateResponse(request, "points/mine.html", {
        "tab": "me", "balance": account.balance if account else 0,
        "hidden": account.hide_from_leaderboards if account else False,
        "page": paginate(request, selectors.history(request.user)),
    })


@login_required
@require_POST
def visibility(request):
    services.points_hide_from_leaderboards(actor=request.user, hidden=request.POST.get("hidden") == "on")
    messages.success(request, _("Saved."))
    return redirect("points:mine")


@login_required
def rewards(request):
    return TemplateResponse(request, "points/rewards.html", {
        "tab": "me", "rewards": selectors.catalogue(request.user), "balance": selectors.balance_of(request.user),
    })


def _reward_card(request, pk: int, *, error: str = "", made: Redemption | None = None, status: int = 200):
    template = "points/reward.html#card" if request.headers.get("HX-Request") else "points/reward.html"
    return TemplateResponse(request, template, {
        "tab": "me", "reward": selectors.reward_for_person(request.user, pk),
        "balance": selectors.balance_of(request.user), "error": error, "made": made,
    }, status=status)


@login_required
@not_found_is_404
def reward(request, pk):
    return _reward_card(request, pk)


@login_required
@require_POST
@not_found_is_404
def redeem(request, pk):
    """Redeem one; with htmx the reward's card is swapped for the outcome, without it the page reloads."""
    try:
        made = services.redemption_create(actor=request.user, reward=pk)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _reward_card(request, pk, error=str(exc.message), status=409 if exc.code in (
            "out_of_stock", "limit_reached", "insufficient_points") else 400)
    if request.headers.get("HX-Request"):
        return _reward_card(request, pk, made=made)
    messages.success(request, _("Redeemed. Show your pickup code when you collect it."))
    return redirect("points:redemptions")


def qr_svg(code: str, request) -> str:
    """The pickup code as an inline SVG QR code: the console's pickup page with the code filled in."""
    url = request.build_absolute_uri(reverse("points_console:pickup") + f"?code={code}")
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff",  # noqa: S308
                                                          title=_("Pickup code %(code)s") % {"code": code}))


@login_required
def redemptions(request):
    items = list(selectors.my_redemptions(request.user)[:100])
    for item in items:
        item.qr = qr_svg(item.code, request) if item.status == Redemption.Status.READY else ""
    return TemplateResponse(request, "points/redemptions.html", {"tab": "me", "items": items})


@login_required
@require_POST
@not_found_is_404
def cancel(request, pk):
    found = selectors.my_redemptions(request.user).filter(pk=pk).first()
    if found is None:
        raise NotAllowed()
    try:
        services.redemption_cancel(actor=request.user, redemption=found)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Cancelled. Your points are back in your account."))
    return redirect("points:redemptions")


@login_required
@not_found_is_404
def photo(request, pk):
    """A reward's photo, to whoever may redeem or keep the reward."""
    found = selectors.reward_with_photo(request.user, pk)
    return private_photo(found.photo)
