"""The command console for cases: the center's queue (受理/立案/派遣), one case with dispatch
suggestions and one-click dispatch, the supervisors' verify and spot-check queue, and the category tree."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.orgs.models import Team
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.console import console_view, paginate, render_list
from jusha.web.params import int_param
from jusha.web.shared import add_domain_error

from . import selectors, services, workflow
from .forms import CategoryForm
from .models import Case, CaseCategory, Source
from .workflow import Step

S = Case.Status


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
        ActionForm(Step.FILE, _("File as a case"), primary=True),
        ActionForm(Step.VERIFY, _("Verification passed"), ("note",), primary=True),
        ActionForm(Step.CLOSE, _("Close the case"), primary=True),
        ActionForm(Step.EXTENSION_APPROVE, _("Approve the extension"), primary=True),
        ActionForm(Step.UNPARK, _("Take up again"), primary=True),
        ActionForm(Step.SPOT_CHECK_PASS, _("Spot-check passed"), ("note",)),
        ActionForm(Step.REWORK, _("Send back for rework"), ("reason",), _("What is still wrong?")),
        ActionForm(Step.SPOT_CHECK_FAIL, _("Spot-check failed: reopen for rework"), ("reason",),
                   _("What is still wrong?")),
        ActionForm(Step.EXTENSION_REFUSE, _("Refuse the extension"), ("reason",), _("Why not?")),
        ActionForm(Step.MERGE, _("Merge into a nearby case"), ("into",)),
        ActionForm(Step.PARK, _("Park"), ("reason",), _("Why can it not be solved in time?")),
        ActionForm(Step.CANCEL, _("Do not file"), ("reason",), _("Reason (the reporter will see it)")),
    ]


COMMAND_STEPS = {Step.ACCEPT, Step.FILE, Step.CLOSE, Step.EXTENSION_APPROVE, Step.EXTENSION_REFUSE, Step.UNPARK,
                 Step.MERGE, Step.PARK, Step.CANCEL, Step.DISPATCH}
VERIFY_STEPS = {Step.VERIFY, Step.REWORK, Step.SPOT_CHECK_PASS, Step.SPOT_CHECK_FAIL}


@console_view
def queue(request):
    """The command center's queue: what waits for it first, most urgent and oldest first."""
    permissions.require(request.user, Action.CASE_VIEW)
    if not permissions.actor_of(request.user).is_staff_member:
        raise Http404
    filters = selectors.CaseFilter.from_query(request.GET)
    return render_list(request, "cases/console/queue.html", {
        "section": "cases",
        "page": paginate(request, selectors.command_queue(request.user, filters)),
        "filters": filters,
        "statuses": [("inbox", _("waiting for the center")), ("open", _("all open")), ("all", _("all")),
                     *S.choices],
        "sources": Source.choices,
        "communities": permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code"))
        if permissions.can(request.user, Action.CASE_COMMAND) else [],
        "categories": selectors.categories(),
    })


@console_view
def verify_queue(request):
    """For supervisors: handled cases to verify and recently closed ones to spot-check."""
    if not permissions.can(request.user, Action.CASE_VERIFY):
        raise Http404
    return TemplateResponse(request, "cases/console/verify.html", {
        "section": "cases_verify",
        "handled": selectors.verify_queue(request.user)[:100],
        "closed": selectors.verify_queue(request.user, closed=True)[:50],
    })


def _detail(request, case: Case, *, form_errors: dict | None = None, status: int = 200):
    steps = workflow.allowed_steps(case.status)
    command = permissions.can(request.user, Action.CASE_COMMAND, case)
    verify = permissions.can(request.user, Action.CASE_VERIFY, case)
    may = {step for step in steps if (step in COMMAND_STEPS and command) or (step in VERIFY_STEPS and verify)}
    if case.extension_requested_until is None:
        may -= {Step.EXTENSION_APPROVE, Step.EXTENSION_REFUSE}
    merge_into = selectors.nearby_for_merge(request.user, case) if Step.MERGE in may else []
    if not merge_into:
        may.discard(Step.MERGE)
    errors = form_errors or {}
    dispatching = Step.DISPATCH in may
    return TemplateResponse(request, "cases/console/detail.html", {
        "section": "cases",
        "case": case,
        "events": list(case.events.all()),
        "photos": list(case.photos.all()),
        "reports": [(r, selectors.reporter_label(r)) for r in case.reports.all()],
        "forms": [(f, errors.get(f.step.value, "")) for f in _action_forms() if f.step in may],
        "dispatching": dispatching,
        "dispatch_error": errors.get(Step.DISPATCH.value, ""),
        "suggestions": selectors.suggestions(case) if dispatching else [],
        "teams": Team.objects.filter(subdistrict=case.community.subdistrict_id).order_by("name") if dispatching
        else [],
        "merge_into": merge_into,
        "staff_view": True,
        "ratings": list(case.ratings.all()),
        "deadlines": list(case.deadlines.all()),
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.case_detail(request.user, pk))


@console_view
@require_POST
def act(request, pk, step):
    """One decision on one case; a refusal re-renders the page with the reason next to the form."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    case = selectors.case_detail(request.user, pk)
    post, user = request.POST, request.user
    try:
        match step:
            case Step.ACCEPT:
                services.case_accept(actor=user, case=case)
            case Step.FILE:
                services.case_file(actor=user, case=case)
            case Step.CANCEL:
                services.case_cancel(actor=user, case=case, reason=post.get("reason", ""))
            case Step.DISPATCH:
                services.case_dispatch(actor=user, case=case, assignee=int_param(post.get("assignee")),
                                       team=int_param(post.get("team")), note=post.get("note", ""))
            case Step.MERGE:
                services.case_merge(actor=user, case=case, into=int_param(post.get("into")))
            case Step.PARK:
                services.case_park(actor=user, case=case, reason=post.get("reason", ""))
            case Step.UNPARK:
                services.case_unpark(actor=user, case=case)
            case Step.EXTENSION_APPROVE:
                services.case_extension_approve(actor=user, case=case)
            case Step.EXTENSION_REFUSE:
                services.case_extension_refuse(actor=user, case=case, reason=post.get("reason", ""))
            case Step.CLOSE:
                services.case_close(actor=user, case=case)
            case Step.VERIFY:
                services.case_verify(actor=user, case=case, note=post.get("note", ""))
            case Step.REWORK:
                services.case_rework(actor=user, case=case, reason=post.get("reason", ""))
            case Step.SPOT_CHECK_PASS:
                services.case_spot_check(actor=user, case=case, passed=True, note=post.get("note", ""))
            case Step.SPOT_CHECK_FAIL:
                services.case_spot_check(actor=user, case=case, passed=False, note=post.get("reason", ""))
            case _:
                raise DomainError(_("This cannot be done from this page."), code="invalid_transition")
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, selectors.case_detail(request.user, pk), form_errors={step.value: str(exc.message)},
                       status=400)
    messages.success(request, _("Recorded on the timeline: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    if step == Step.MERGE:
        return redirect("cases_console:detail", pk=Case.objects.get(pk=pk).merged_into_id)
    return redirect("cases_console:detail", pk=case.pk)


# --- the category tree ----------------------------------------------------------------------------

@console_view
def categories(request):
    """The 事件/部件 tree with each leaf's routing and time limits; staff add and change leaves."""
    permissions.require(request.user, Action.CASE_CATEGORY_CHANGE)
    return TemplateResponse(request, "cases/console/categories.html", {
        "section": "cases_categories", "tree": selectors.category_tree()})


@console_view
def category_edit(request, pk=None, parent_pk=None):
    permissions.require(request.user, Action.CASE_CATEGORY_CHANGE)
    category = CaseCategory.objects.filter(pk=pk, parent__isnull=False).first() if pk else None
    parent = CaseCategory.objects.filter(pk=parent_pk, parent__isnull=True).first() if parent_pk else None
    if (pk and category is None) or (parent_pk and parent is None):
        raise Http404
    # The form validates its own copy, so the service still sees the row as it was (for the audit's before).
    editing = CaseCategory.objects.get(pk=category.pk) if category else CaseCategory(parent=parent, kind=parent.kind)
    form = CategoryForm(request.POST or None, instance=editing)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.category_save(actor=request.user, category=category, parent=parent,
                                       **{name: form.cleaned_data[name] for name in form.cleaned_data})
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The category was saved."))
                return redirect("cases_console:categories")
        status = 400
    return TemplateResponse(request, "cases/console/category.html", {
        "section": "cases_categories", "form": form, "category": category, "parent": parent or category.parent},
        status=status)
