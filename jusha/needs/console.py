"""The staff console for needs: the community's triage queue, the subdistrict's escalated queue, the
unit liaison's list, one need's page with the decisions the person may take, and 代办 entry."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.accounts.models import Role
from jusha.activities.selectors import need_activities
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.permissions import Action, actor_of
from jusha.places.models import Community
from jusha.resources.matching import suggest_for_need
from jusha.web.console import console_view, paginate, render_list
from jusha.web.params import int_param
from jusha.web.shared import add_domain_error

from . import exports, selectors, services, workflow
from .forms import OnBehalfForm
from .models import Claim, Need
from .workflow import Step


@dataclass(frozen=True)
class ActionForm:
    step: Step
    label: str
    fields: tuple[str, ...] = ()
    reason_label: str = ""
    primary: bool = False


def _action_forms() -> list[ActionForm]:
    """The decisions, in the order the page offers them; each is shown only to whoever may take it."""
    return [
        ActionForm(Step.ACCEPT, _("Accept"), primary=True),
        ActionForm(Step.MATCH, _("Match with a member unit"), ("unit", "note"), primary=True),
        ActionForm(Step.MATCH_ACCEPT, _("Accept for our unit"), primary=True),
        ActionForm(Step.COMPLETE, _("Record what was done"), ("resolution", "photos"), primary=True),
        ActionForm(Step.RESOLVE, _("Resolve directly"), ("resolution", "photos")),
        ActionForm(Step.ESCALATE, _("Escalate to the subdistrict"), ("reason",),
                   _("Why should the subdistrict take this on?")),
        ActionForm(Step.SEND_BACK, _("Send back to the community"), ("reason",), _("Why does it go back?")),
        ActionForm(Step.REASSIGN, _("Hand to another unit"), ("unit", "reason"), _("Why hand it over?")),
        ActionForm(Step.MATCH_DECLINE, _("Decline"), ("reason",), _("Why can your unit not take it on?")),
        ActionForm(Step.CLAIM_RELEASE, _("Give back"), ("reason",), _("Why give it back?")),
        ActionForm(Step.REJECT, _("Do not accept"), ("reason",), _("Reason (the resident will see it)")),
    ]



def _communities(user):
    return permissions.visible(user, Action.NEED_SUBMIT_ON_BEHALF, Community.objects.order_by("code"))


@console_view
def queue(request):
    """New needs of the person's community (or subdistrict), most urgent first, then oldest."""
    permissions.require(request.user, Action.NEED_TRIAGE)
    filters = selectors.QueueFilter.from_query(request.GET)
    return render_list(request, "needs/console/queue.html", {
        "section": "needs",
        "page": paginate(request, selectors.triage_queue(request.user, filters)),
        "filters": filters,
        "statuses": [("open", _("all open")), *[(s, Need.Status(s).label) for s in filters.STATUSES]],
        "communities": _communities(request.user),
        "categories": selectors.categories(),
        "title": _("Needs"),
        "url": reverse("needs_console:queue"),
        "may_export": permissions.can(request.user, Action.NEED_EXPORT),
    })


@console_view
def export(request):
    """The need list (需求清单) as filtered on the queue, as an Excel file; recorded in the audit log,
    since the file leaves the building (it carries no resident's name, mobile or address)."""
    permissions.require(request.user, Action.NEED_EXPORT)
    filters = selectors.QueueFilter.from_query(request.GET)
    content, rows, cut = exports.need_list_workbook(selectors.need_list(request.user, filters))
    audit_record(actor=request.user, action="needs.exported", after={"filters": filters.query, "rows": rows,
                                                                     "cut": cut})
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="need-list-{stamp}.xlsx"'
    return response


@console_view
def escalated(request):
    """What the communities handed to the subdistrict: match across communities, or send back."""
    who = actor_of(request.user)
    if not (who.is_admin or who.subdistricts_as(Role.SUBDISTRICT_STAFF)):
        raise Http404
    filters = selectors.QueueFilter.from_query(request.GET, default=Need.Status.ESCALATED)
    return render_list(request, "needs/console/queue.html", {
        "section": "needs_escalated",
        "page": paginate(request, selectors.escalated_queue(request.user, filters)),
        "filters": filters,
        "statuses": [("open", _("all open")), *[(s, Need.Status(s).label) for s in filters.STATUSES]],
        "communities": _communities(request.user),
        "categories": selectors.categories(),
        "title": _("Escalated needs"),
        "url": reverse("needs_console:escalated"),
    })


@console_view
def unit(request):
    """For a unit liaison: needs offered to the unit (accept or decline) and those it is handling."""
    permissions.require(request.user, Action.CLAIM_HANDLE)
    return TemplateResponse(request, "needs/console/unit.html", {
        "section": "needs_unit", "claims": selectors.unit_needs(request.user)})


def _detail(request, need: Need, *, form_errors: dict | None = None, status: int = 200):
    triage = permissions.can(request.user, Action.NEED_TRIAGE, need)
    steps = workflow.allowed_steps(need.status)
    claim = need.live_claim
    handles_claim = claim is not None and permissions.can(request.user, Action.CLAIM_HANDLE, claim)
    may = dict.fromkeys((Step.ACCEPT, Step.REJECT, Step.RESOLVE, Step.ESCALATE, Step.SEND_BACK, Step.MATCH,
                         Step.REASSIGN), triage)
    may[Step.COMPLETE] = triage or handles_claim
    may[Step.MATCH_ACCEPT] = may[Step.MATCH_DECLINE] = handles_claim and claim.status == Claim.Status.OFFERED
    may[Step.CLAIM_RELEASE] = handles_claim and claim.status == Claim.Status.ACTIVE
    actions = {step for step, allowed in may.items() if allowed and step in steps}
    errors = form_errors or {}
    # Staff of the need's place see who it is for; the unit handling it also gets the full number to
    # call. A unit only offered the need sees what is needed and where, not who.
    staff_view = permissions.can(request.user, Action.NEED_TRIAGE)
    handling = handles_claim and claim.status == Claim.Status.ACTIVE
    return TemplateResponse(request, "needs/console/detail.html", {
        "section": "needs",
        "need": need,
        "events": list(need.events.all()),
        "photos": list(need.photos.all()),
        "claims": list(need.claims.all()) if staff_view else [],
        "claim": claim,
        "forms": [(f, errors.get(f.step.value, "")) for f in _action_forms() if f.step in actions],
        "units": services.matchable_units(request.user, need) if actions & {Step.MATCH, Step.REASSIGN} else [],
        "staff_view": staff_view,
        "show_person": staff_view or handling,
        "show_mobile": handling,
        "rating": next(iter(need.ratings.all()), None),
        "suggestions": suggest_for_need(actor=request.user, need=need) if Step.MATCH in actions else [],
        "activities": list(need_activities(request.user, need)) if staff_view else [],
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.need_detail(request.user, pk))



@console_view
@require_POST
def act(request, pk, step):
    """One decision on one need; a refusal re-renders the page with the reason next to the form."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    need = selectors.need_detail(request.user, pk)
    post, files = request.POST, request.FILES.getlist("photos")
    claim = need.live_claim
    try:
        match step:
            case Step.ACCEPT:
                services.need_accept(actor=request.user, need=need)
            case Step.REJECT:
                services.need_reject(actor=request.user, need=need, reason=post.get("reason", ""))
            case Step.RESOLVE:
                services.need_resolve(actor=request.user, need=need, resolution=post.get("resolution", ""),
                                      photo_files=files)
            case Step.ESCALATE:
                services.need_escalate(actor=request.user, need=need, reason=post.get("reason", ""))
            case Step.SEND_BACK:
                services.need_send_back(actor=request.user, need=need, reason=post.get("reason", ""))
            case Step.MATCH:
                volunteer = int_param(post.get("volunteer"))
                services.need_match(actor=request.user, need=need, note=post.get("note", ""),
                                    unit=int_param(post.get("unit")) if volunteer is None else None,
                                    volunteer=volunteer)
            case Step.REASSIGN:
                services.need_reassign(actor=request.user, need=need, unit=int_param(post.get("unit")),
                                       reason=post.get("reason", ""))
            case Step.COMPLETE:
                services.need_complete(actor=request.user, need=need, resolution=post.get("resolution", ""),
                                       photo_files=files)
            case Step.MATCH_ACCEPT if claim is not None:
                services.need_match_accept(actor=request.user, claim=claim)
            case Step.MATCH_DECLINE if claim is not None:
                services.need_match_decline(actor=request.user, claim=claim, reason=post.get("reason", ""))
            case Step.CLAIM_RELEASE if claim is not None:
                services.claim_release(actor=request.user, claim=claim, reason=post.get("reason", ""))
            case _:
                raise DomainError(_("This cannot be done from this page."), code="invalid_transition")
    except DomainError as exc:
        if exc.status == 404:
            raise
        fresh = selectors.need_detail(request.user, pk) if permissions.can(request.user, Action.NEED_VIEW, need) \
            else None
        if fresh is None:
            raise Http404 from None
        return _detail(request, fresh, form_errors={step.value: str(exc.message)}, status=400)
    messages.success(request, _("Recorded on the timeline: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    if permissions.can(request.user, Action.NEED_VIEW, need):
        return redirect("needs_console:detail", pk=need.pk)
    return redirect("needs_console:unit" if actor_of(request.user).member_units else "needs_console:queue")


@console_view
def new_on_behalf(request):
    """代办: enter a need for a resident who has no phone (a visit, a call to the office)."""
    permissions.require(request.user, Action.NEED_SUBMIT_ON_BEHALF)
    communities = _communities(request.user)
    data = request.POST if request.method == "POST" else None
    form = OnBehalfForm(data, communities=communities, categories=selectors.categories(),
                        initial={"community": communities.first().pk if communities.count() == 1 else None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                need, created = services.need_submit_on_behalf(
                    actor=request.user, community=d["community"], resident_name=d["resident_name"],
                    resident_mobile=d["resident_mobile"], category=d["category"], text=d["text"],
                    address=d["address"], urgency=d["urgency"], preferred_from=d["preferred_from"],
                    preferred_until=d["preferred_until"], contact=d["contact"],
                    photo_files=request.FILES.getlist("photos"))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The need was entered for %(name)s.") % {"name": need.resident}
                                 if created else _("This need was entered a moment ago; here it is."))
                return redirect("needs_console:detail", pk=need.pk)
        status = 400
    return TemplateResponse(request, "needs/console/new.html", {"section": "needs", "form": form}, status=status)
