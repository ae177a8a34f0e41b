"""The staff console for points: rules, manual awards and corrections, the rewards catalogue,
redemptions with pickup by code (typed, or scanned from the person's QR code), and leaderboards."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.accounts.models import Role, User
from jusha.core.errors import DomainError
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.models import Community, Subdistrict
from jusha.web.console import console_view, paginate, render_list
from jusha.web.params import int_param
from jusha.web.shared import add_domain_error

from . import selectors, services
from .forms import AwardForm, RewardForm, RuleForm
from .models import PointsAccount, PointsRule, Redemption, Reward, Trigger


def _rule_subdistrict(request) -> Subdistrict | None:
    return permissions.visible(request.user, Action.POINTS_RULES, Subdistrict.objects.order_by("code")).first()


@console_view
def rules(request):
    """The points each trigger pays in the subdistrict, and the named bonuses."""
    permissions.require(request.user, Action.POINTS_RULES)
    subdistrict = _rule_subdistrict(request)
    form = RuleForm(request.POST or None)
    status = 200
    if request.method == "POST" and subdistrict is not None:
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.points_rule_set(actor=request.user, subdistrict=subdistrict, trigger=d["trigger"],
                                         points=d["points"], is_active=d["is_active"], name=d["name"],
                                         rule=int_param(request.POST.get("rule")))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("points_console:rules")
        status = 400
    return TemplateResponse(request, "points/console/rules.html", {
        "section": "points_rules", "subdistrict": subdistrict, "form": form,
        "rules": selectors.rules(subdistrict) if subdistrict else [], "triggers": Trigger.choices,
    }, status=status)


def _bonuses(request):
    return PointsRule.objects.filter(trigger=Trigger.BONUS, is_active=True, subdistrict__in=permissions.visible(
        request.user, Action.PLACE_VIEW, Subdistrict.objects.all())).order_by("name")


@console_view
def award(request):
    """Award points by hand (or deduct them as a correction), always with a reason."""
    permissions.require(request.user, Action.POINTS_AWARD)
    form = AwardForm(request.POST or None, bonuses=_bonuses(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            person = permissions.visible(request.user, Action.POINTS_AWARD, User.objects.filter(
                mobile=d["mobile"].strip())).first()
            try:
                if person is None:
                    raise DomainError(_("Nobody you may award has this mobile."), code="not_found", field="mobile")
                movement = services.points_manual_award(actor=request.user, person=person, amount=d["amount"] or 0,
                                                        reason=d["reason"], bonus=d["bonus"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("%(name)s: %(kind)s %(points)s points.") % {
                    "name": person.name, "kind": movement.get_kind_display(), "points": movement.amount})
                return redirect("points_console:person", pk=person.pk)
        status = 400
    return TemplateResponse(request, "points/console/award.html", {"section": "points_award", "form": form},
                            status=status)


@console_view
def person(request, pk):
    """One person's balance and history, for staff who may see their points."""
    account = permissions.fetch(request.user, Action.POINTS_VIEW, PointsAccount.objects.select_related("person"),
                                person=pk)
    return TemplateResponse(request, "points/console/person.html", {
        "section": "points_award", "account": account,
        "page": paginate(request, selectors.history(request.user, account.person)),
    })


# --- rewards ------------------------------------------------------------------------------------

def _reward_choices(request):
    actor = actor_of(request.user)
    subdistricts = actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
    units = MemberUnit.objects.filter(is_active=True).order_by("name")
    communities = Community.objects.order_by("code")
    if not actor.is_admin:
        units = units.filter(pk__in=actor.member_units) | units.filter(alliance__subdistrict__in=subdistricts)
        staff_of = actor.communities_as(Role.COMMUNITY_STAFF)
        liaison_subdistricts = MemberUnit.objects.filter(pk__in=actor.member_units).values("alliance__subdistrict")
        communities = (communities.filter(subdistrict__in=subdistricts) | communities.filter(pk__in=staff_of)
                       | communities.filter(subdistrict__in=liaison_subdistricts))
    return units.distinct(), communities.distinct()


@console_view
def reward_list(request):
    permissions.require(request.user, Action.REWARD_MANAGE)
    return render_list(request, "points/console/rewards.html", {
        "section": "points_rewards", "page": paginate(request, selectors.managed_rewards(request.user)),
    })


def _donor_subdistrict(request, unit, community) -> Subdistrict | None:
    if unit is not None:
        return unit.alliance.subdistrict
    if community is not None:
        return community.subdistrict
    return Subdistrict.objects.filter(pk__in=actor_of(request.user).subdistricts_as(Role.SUBDISTRICT_STAFF)).first()


@console_view
def reward_new(request):
    """Add a donated reward to the catalogue."""
    permissions.require(request.user, Action.REWARD_MANAGE)
    units, communities = _reward_choices(request)
    form = RewardForm(request.POST or None, request.FILES or None, units=units, communities=communities,
                      initial={"member_unit": units.first() if units.count() == 1 else None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = dict(form.cleaned_data)
            unit, community, photo = d.pop("member_unit"), d.pop("community"), d.pop("photo")
            subdistrict = _donor_subdistrict(request, unit, community)
            try:
                if subdistrict is None:
                    raise DomainError(_("Choose the donating unit or the community."), code="required",
                                      field="community")
                made = services.reward_create(actor=request.user, subdistrict=subdistrict, member_unit=unit,
                                              community=community, photo=photo, **d)
            except DomainError as exc:
                if exc.status == 404:
                    exc = DomainError(_("You cannot offer a reward for this unit or community."), field="community")
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The reward is in the catalogue."))
                return redirect("points_console:reward", pk=made.pk)
        status = 400
    return TemplateResponse(request, "points/console/reward_form.html", {
        "section": "points_rewards", "form": form, "reward": None}, status=status)


@console_view
def reward_edit(request, pk):
    found = permissions.fetch(request.user, Action.REWARD_MANAGE, Reward.objects.select_related(
        "member_unit", "community", "subdistrict"), pk=pk)
    fields = ["name", "description", "cost", "stock", "per_person_limit", "available_from", "available_until",
              "pickup_place", "is_active"]
    form = RewardForm(request.POST or None, request.FILES or None, units=MemberUnit.objects.none(),
                      communities=Community.objects.none(), editing=True,
                      initial={f: getattr(found, f) for f in fields})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = dict(form.cleaned_data)
            photo = d.pop("photo")
            try:
                services.reward_update(actor=request.user, reward=found, photo=photo, **d)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("points_console:reward", pk=found.pk)
        status = 400
    return TemplateResponse(request, "points/console/reward_form.html", {
        "section": "points_rewards", "form": form, "reward": found}, status=status)


# --- redemptions and pickup ---------------------------------------------------------------------

@console_view
def redemption_list(request):
    permissions.require(request.user, Action.REDEMPTION_HANDLE)
    status = request.GET.get("status", "")
    return render_list(request, "points/console/redemptions.html", {
        "section": "points_redemptions", "filters": {"status": status}, "statuses": Redemption.Status.choices,
        "page": paginate(request, selectors.handled_redemptions(request.user, status=status)),
        "url": reverse("points_console:redemptions"),
    })


@console_view
def pickup(request):
    """Hand a reward out: the code comes typed, or in the link of the person's QR code (then confirm)."""
    permissions.require(request.user, Action.REDEMPTION_HANDLE)
    code = services.normalise_code(request.POST.get("code") if request.method == "POST" else request.GET.get("code"))
    error, done, status = "", None, 200
    if request.method == "POST":
        try:
            done = services.redemption_pickup(actor=request.user, code=code)
        except DomainError as exc:
            error = _("No redemption with this code here.") if exc.status == 404 else str(exc.message)
            status = 404 if exc.status == 404 else 400
    pending = None
    if code and done is None and not error:
        pending = selectors.handled_redemptions(request.user).filter(code=code).first()
    return TemplateResponse(request, "points/console/pickup.html", {
        "section": "points_redemptions", "code": code, "error": error, "done": done, "pending": pending,
    }, status=status)


@console_view
@require_POST
def redemption_cancel(request, pk):
    found = permissions.fetch(request.user, Action.REDEMPTION_HANDLE, Redemption.objects.all(), pk=pk)
    try:
        services.redemption_cancel(actor=request.user, redemption=found, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Cancelled; the points went back to the person."))
    return redirect("points_console:redemptions")


# --- leaderboards -------------------------------------------------------------------------------

@console_view
def leaderboards(request):
    """Per community and per unit, points earned in a year; people who opted out are not shown."""
    permissions.require(request.user, Action.POINTS_LEADERBOARD)
    communities = permissions.visible(request.user, Action.POINTS_LEADERBOARD, Community.objects.order_by("code"))
    units = permissions.visible(request.user, Action.POINTS_LEADERBOARD,
                                MemberUnit.objects.filter(is_active=True).order_by("name"))
    year = int_param(request.GET.get("year")) or selectors.leaderboard_year()
    community = communities.filter(pk=int_param(request.GET.get("community"))).first() or (
        communities.first() if not request.GET.get("unit") else None)
    unit = units.filter(pk=int_param(request.GET.get("unit"))).first() if request.GET.get("unit") else None
    if community is None and unit is None:
        unit = units.first()
    rows = (selectors.unit_leaderboard(request.user, unit, year) if unit is not None
            else selectors.community_leaderboard(request.user, community, year) if community is not None else [])
    return render_list(request, "points/console/leaderboards.html", {
        "section": "points_leaderboards", "communities": communities, "units": units, "community": community,
        "unit": unit, "year": year, "rows": rows, "url": reverse("points_console:leaderboards"),
    })
