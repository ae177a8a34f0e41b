"""The resident's pages (H5): ask for help, follow it, confirm or reopen it; and the public board."""

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
from jusha.web.shared import add_domain_error, not_found_is_404, private_photo

from . import selectors, services
from .forms import NeedForm, RatingForm, ReasonForm
from .models import Claim, Need


def _need_form(request, data=None):
    from jusha.accounts.models import Role

    communities = permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code"))
    home = communities.filter(roleassignment__user=request.user, roleassignment__role=Role.RESIDENT).first()
    return NeedForm(data, communities=communities, categories=selectors.categories(),
                    initial={"community": home.pk if home else None})


@login_required
def need_new(request):
    """办事 → 我要求助: what, where, how urgent, when, how to reach me, and up to six photos."""
    form = _need_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                need, created = services.need_submit(
                    actor=request.user, category=data["category"], text=data["text"], community=data["community"],
                    lng=data["lng"], lat=data["lat"], crs=data["crs"], address=data["address"],
                    urgency=data["urgency"], preferred_from=data["preferred_from"],
                    preferred_until=data["preferred_until"], contact=data["contact"],
                    photo_files=request.FILES.getlist("photos"))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your need was sent to %(community)s. You can follow it here.")
                                 % {"community": need.community.name} if created else
                                 _("You sent this a moment ago; here is the need you already sent."))
                return redirect(need)
        status = 400
    return TemplateResponse(request, "needs/new.html", {"tab": "services", "form": form}, status=status)


@login_required
def my_needs(request):
    return TemplateResponse(request, "needs/mine.html", {"tab": "services", "needs": selectors.my_needs(request.user)})


def _detail_page(request, need: Need, *, rating_form=None, reopen_form=None, status=200):
    return TemplateResponse(request, "needs/detail.html", {
        "tab": "services",
        "need": need,
        "events": list(need.events.all()),
        "photos": list(need.photos.all()),
        "may_confirm": need.status == Need.Status.COMPLETED and permissions.can(request.user, Action.NEED_CONFIRM,
                                                                                   need),
        "may_reopen": need.status in (Need.Status.COMPLETED, Need.Status.CLOSED)
        and permissions.can(request.user, Action.NEED_REOPEN, need),
        "rating_form": rating_form or RatingForm(),
        "reopen_form": reopen_form or ReasonForm(),
        "rating": next(iter(need.ratings.all()), None),
    }, status=status)


@login_required
@not_found_is_404
def need_detail(request, pk):
    """The tracking page: the status, a timeline of every step and, once done, confirm or reopen."""
    return _detail_page(request, selectors.need_detail(request.user, pk))


@login_required
@require_POST
@not_found_is_404
def need_confirm(request, pk):
    need = selectors.need_detail(request.user, pk, action=Action.NEED_CONFIRM)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.need_confirm(actor=request.user, need=need, stars=form.cleaned_data["stars"],
                                  comment=form.cleaned_data["comment"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(need)
    return _detail_page(request, selectors.need_detail(request.user, pk), rating_form=form, status=400)


@login_required
@require_POST
@not_found_is_404
def need_reopen(request, pk):
    need = selectors.need_detail(request.user, pk, action=Action.NEED_REOPEN)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.need_reopen(actor=request.user, need=need, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The need is open again. The community will look at it."))
            return redirect(need)
    return _detail_page(request, selectors.need_detail(request.user, pk), reopen_form=form, status=400)


@login_required
@not_found_is_404
def photo(request, pk):
    """A need's photo, only to those who may see the need (photos may show someone's home)."""
    return private_photo(selectors.photo(request.user, pk).image)


@login_required
def board(request, *, error: str | None = None, status: int = 200):
    """The public board: open needs anyone may help with, with no name, phone or exact place."""
    return TemplateResponse(request, "needs/board.html", {
        "tab": "services",
        "items": selectors.board(request.user),
        "may_claim": permissions.can(request.user, Action.NEED_CLAIM),
        "units": MemberUnit.objects.filter(pk__in=permissions.actor_of(request.user).member_units, is_active=True),
        "my_claims": selectors.board_claims(request.user),
        "volunteer_claims": selectors.volunteer_claims(request.user),
        "error": error,
    }, status=status)


@login_required
@require_POST
@not_found_is_404
def board_claim(request, pk):
    try:
        services.need_claim(actor=request.user, need=pk, unit=int_param(request.POST.get("unit")))
    except NotAllowed:
        raise
    except DomainError as exc:
        return board(request, error=str(exc.message), status=409 if exc.code == "already_claimed" else 400)
    messages.success(request, _("Thank you! The need is yours now; it is listed under your unit's needs."))
    return redirect("needs:board")


# What a volunteer does with a need they hold, from the board (they have no console).
VOLUNTEER_STEPS = ("accept", "decline", "complete")


@login_required
@require_POST
@not_found_is_404
def board_volunteer_act(request, claim_pk, step):
    if step not in VOLUNTEER_STEPS:
        raise Http404
    claim = permissions.fetch(request.user, Action.CLAIM_HANDLE,
                              Claim.objects.filter(member_unit__isnull=True), pk=claim_pk)
    try:
        if step == "accept":
            services.need_match_accept(actor=request.user, claim=claim)
        elif step == "decline":
            services.need_match_decline(actor=request.user, claim=claim, reason=request.POST.get("reason", ""))
        else:
            services.need_complete(actor=request.user, need=claim.need_id,
                                   resolution=request.POST.get("resolution", ""))
    except NotAllowed:
        raise
    except DomainError as exc:
        return board(request, error=str(exc.message), status=400)
    messages.success(request, _("Thank you! Recorded."))
    return redirect("needs:board")


@login_required
@require_POST
@not_found_is_404
def board_release(request, claim_pk):
    claim = permissions.fetch(request.user, Action.CLAIM_HANDLE, Claim.objects.all(), pk=claim_pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return board(request, error=_("Please give a reason."), status=400)
    try:
        services.claim_release(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return board(request, error=str(exc.message), status=400)
    messages.success(request, _("You gave the need back; it is open for others again."))
    return redirect("needs:board")

