"""The H5 pages: the wish wall and the thank-you wall (public, even to anonymous visitors), one wish
with its claim form, and the claimer's own claims with contact, delivery and give-back forms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError, NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.params import int_param
from jusha.web.shared import not_found_is_404, private_photo

from . import selectors, services
from .models import MicroWish, WishClaim


def _filters(request) -> dict:
    return {"community": int_param(request.GET.get("community")),
            "category": request.GET.get("category") if request.GET.get("category") in MicroWish.Category.values
            else ""}


def _render_wall(request, template: str, items) -> TemplateResponse:
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template = f"{template}#results"
    return TemplateResponse(request, template, {
        "tab": "services", "items": items, "filters": _filters(request),
        "communities": permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code")),
        "categories": MicroWish.Category.choices,
    })


def wall(request):
    """心愿墙: wishes waiting for someone to make them come true, with no name, phone or address."""
    return _render_wall(request, "wishes/wall.html", selectors.wall(request.user, **_filters(request)))


def thanks(request):
    """感谢墙: wishes that came true, thanking the claimer by name where they agreed."""
    return _render_wall(request, "wishes/thanks.html", selectors.thanks_wall(request.user, **_filters(request)))


def _units(request):
    return MemberUnit.objects.filter(pk__in=permissions.actor_of(request.user).member_units,
                                     is_active=True).order_by("name")


def _detail_page(request, pk: int, *, error: str = "", status: int = 200):
    item = selectors.public_wish(request.user, pk)
    user = request.user
    confirmable = None
    if item.status == MicroWish.Status.DELIVERED and user.is_authenticated:
        confirmable = MicroWish.objects.filter(pk=pk).first()
        if confirmable is None or not permissions.can(user, Action.WISH_CONFIRM, confirmable):
            confirmable = None
    return TemplateResponse(request, "wishes/detail.html", {
        "tab": "services",
        "item": item,
        "may_claim": item.status == MicroWish.Status.PUBLISHED and user.is_authenticated,
        "units": _units(request) if user.is_authenticated else [],
        "may_confirm": confirmable is not None,
        "contact_days": settings.JUSHA_WISH_CONTACT_DAYS,
        "error": error,
    }, status=status)


@not_found_is_404
def detail(request, pk):
    return _detail_page(request, pk)


@login_required
@require_POST
@not_found_is_404
def claim(request, pk):
    """Claim for yourself (`claim_as=self`) or for one of your units (`claim_as=<unit id>`)."""
    claim_as = request.POST.get("claim_as", "self")
    unit = None if claim_as == "self" else int_param(claim_as)
    if claim_as != "self" and unit is None:
        return _detail_page(request, pk, error=_("Choose whom you claim for."), status=400)
    try:
        services.wish_claim(actor=request.user, wish=pk, unit=unit, show_name=request.POST.get("show_name") == "on")
    except NotAllowed:
        raise
    except DomainError as exc:
        return _detail_page(request, pk, error=str(exc.message), status=409 if exc.code == "already_claimed" else 400)
    messages.success(request, _("Thank you! Please contact the community soon; its contact is shown below."))
    return redirect("wishes:claims")


@login_required
@require_POST
@not_found_is_404
def confirm(request, pk):
    try:
        services.wish_confirm(actor=request.user, wish=pk)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _detail_page(request, pk, error=str(exc.message), status=400)
    messages.success(request, _("Thank you for confirming. The wish is on the thank-you wall now."))
    return redirect("wishes:detail", pk=pk)


def _claims_page(request, *, errors: dict | None = None, status: int = 200):
    return TemplateResponse(request, "wishes/claims.html", {
        "tab": "services", "claims": selectors.my_claims(request.user), "errors": errors or {},
        "live": WishClaim.LIVE,
    }, status=status)


@login_required
def claims(request):
    """My claims: what to do next for each, and the community's contact to call."""
    return _claims_page(request)


CLAIM_STEPS = ("contact", "deliver", "release", "show_name")


@login_required
@require_POST
@not_found_is_404
def claim_act(request, claim_pk, step):
    if step not in CLAIM_STEPS:
        raise Http404
    found = permissions.fetch(request.user, Action.WISH_CLAIM_HANDLE, WishClaim.objects.all(), pk=claim_pk)
    post = request.POST
    try:
        if step == "contact":
            services.wish_contact(actor=request.user, claim=found, note=post.get("note", ""))
            messages.success(request, _("Contact recorded. Thank you!"))
        elif step == "deliver":
            services.wish_deliver(actor=request.user, claim=found, note=post.get("note", ""),
                                  photo_files=request.FILES.getlist("photos"))
            messages.success(request, _("Delivery recorded. The family will be asked to confirm."))
        elif step == "release":
            services.wish_claim_release(actor=request.user, claim=found, reason=post.get("reason", ""))
            messages.success(request, _("You gave the wish back; it is on the wall again."))
        else:
            services.wish_claim_show_name(actor=request.user, claim=found, show_name=post.get("show_name") == "on")
            messages.success(request, _("Saved."))
    except NotAllowed:
        raise
    except DomainError as exc:
        return _claims_page(request, errors={(found.pk, step): str(exc.message)}, status=400)
    return redirect("wishes:claims")


@login_required
@not_found_is_404
def photo(request, pk):
    """A wish's photo, only to those who may see the wish in full (photos may show a family's home)."""
    return private_photo(selectors.photo(request.user, pk).image)
