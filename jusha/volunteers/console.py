"""The staff console for volunteers: the review queue (by status and community), one record with the
review steps and the audited reveal of the identity number, and the unit liaison's team page where they
register their staff as the unit's volunteer team."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.console import console_view, paginate, render_list
from jusha.web.shared import add_domain_error

from . import idnumbers, selectors, services, workflow
from .forms import TeamMemberForm
from .models import EXTRA_FIELDS, Volunteer
from .workflow import Step

# The review steps the console offers, in order, and whether each needs a reason.
CONSOLE_STEPS = {
    Step.APPROVE: (False, gettext_lazy("Approve")),
    Step.REINSTATE: (False, gettext_lazy("Reinstate")),
    Step.REJECT: (True, gettext_lazy("Reject")),
    Step.SUSPEND: (True, gettext_lazy("Suspend")),
}


def _communities(user):
    reviewed = permissions.visible(user, Action.VOLUNTEER_REVIEW, Volunteer.objects.all()).values("community")
    return Community.objects.filter(pk__in=reviewed).order_by("code")


@console_view
def volunteer_list(request):
    permissions.require(request.user, Action.VOLUNTEER_REVIEW)
    filters = selectors.ListFilter.from_query(request.GET)
    return render_list(request, "volunteers/console/list.html", {
        "section": "volunteers",
        "page": paginate(request, selectors.review_queue(request.user, filters)),
        "filters": filters,
        "statuses": Volunteer.Status.choices,
        "communities": _communities(request.user),
        "url": reverse("volunteers_console:list"),
    })


def _detail(request, volunteer: Volunteer, *, error: tuple[str, str] | None = None, revealed: str = "",
            status: int = 200):
    review = permissions.can(request.user, Action.VOLUNTEER_REVIEW, volunteer)
    allowed = workflow.allowed_steps(volunteer.status)
    steps = [(s, *CONSOLE_STEPS[s]) for s in CONSOLE_STEPS if review and s in allowed]
    return TemplateResponse(request, "volunteers/console/detail.html", {
        "section": "volunteers" if review else "volunteer_team", "volunteer": volunteer, "steps": steps,
        "error": error, "masked_id": idnumbers.masked(volunteer.id_number_last4), "revealed": revealed,
        "may_reveal": bool(volunteer.id_number_encrypted)
        and permissions.can(request.user, Action.VOLUNTEER_REVEAL_ID, volunteer),
        "extra": [(EXTRA_FIELDS[k], v) for k, v in volunteer.extra.items() if k in EXTRA_FIELDS],
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.volunteer_detail(request.user, pk))


@console_view
@require_POST
def act(request, pk, step):
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    if step not in CONSOLE_STEPS:
        raise Http404
    volunteer = selectors.volunteer_detail(request.user, pk, action=Action.VOLUNTEER_REVIEW)
    reason = request.POST.get("reason", "")
    try:
        match step:
            case Step.APPROVE:
                services.volunteer_approve(actor=request.user, volunteer=volunteer)
            case Step.REJECT:
                services.volunteer_reject(actor=request.user, volunteer=volunteer, reason=reason)
            case Step.SUSPEND:
                services.volunteer_suspend(actor=request.user, volunteer=volunteer, reason=reason)
            case Step.REINSTATE:
                services.volunteer_reinstate(actor=request.user, volunteer=volunteer)
    except DomainError as exc:
        if exc.status == 404:
            raise
        fresh = selectors.volunteer_detail(request.user, pk)
        return _detail(request, fresh, error=(step.value, str(exc.message)), status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    return redirect("volunteers_console:detail", pk=volunteer.pk)


@console_view
@require_POST
def reveal(request, pk):
    """Show the full identity number once, on this response only (never in a URL); the look is audited."""
    volunteer = selectors.volunteer_detail(request.user, pk, action=Action.VOLUNTEER_REVEAL_ID)
    try:
        number = services.volunteer_reveal_id(actor=request.user, volunteer=volunteer)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, volunteer, error=("reveal", str(exc.message)), status=400)
    response = _detail(request, volunteer, revealed=number)
    response["Cache-Control"] = "no-store"
    return response


@console_view
def team(request):
    """For a unit liaison: the unit's volunteer team, and a form to register one more staff member."""
    permissions.require(request.user, Action.VOLUNTEER_REGISTER_TEAM)
    units = permissions.visible(request.user, Action.VOLUNTEER_REGISTER_TEAM,
                                MemberUnit.objects.filter(is_active=True).select_related("alliance")).order_by("name")
    subdistricts = {u.alliance.subdistrict_id for u in units}
    communities = Community.objects.filter(subdistrict__in=subdistricts).order_by("code")
    form = TeamMemberForm(request.POST if request.method == "POST" else None, communities=communities)
    chosen = units.filter(pk=request.POST.get("unit")).first() if str(request.POST.get("unit", "")).isdigit() \
        else units.first()
    status = 200
    if request.method == "POST":
        if form.is_valid() and chosen is not None:
            try:
                services.volunteer_register_team(actor=request.user, unit=chosen, members=[form.member])
            except DomainError as exc:
                if exc.status == 404:
                    raise
                exc.field = (exc.field or "").rsplit(".", 1)[-1] if (exc.field or "").startswith("members.") \
                    else exc.field
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Registered. The community's staff will review the record."))
                return redirect("volunteers_console:team")
        status = 400
    return TemplateResponse(request, "volunteers/console/team.html", {
        "section": "volunteer_team", "form": form, "units": units, "chosen": chosen,
        "records": selectors.team(request.user)}, status=status)
