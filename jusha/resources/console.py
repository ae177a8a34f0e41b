"""The staff console for resources: the resource list (资源清单) with its Excel export, one resource's page
with the review, and the liaison's own unit's resources with the forms to describe them."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.needs.selectors import categories
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.console import console_view, paginate, render_list
from jusha.web.console_selectors import communities_for_filter
from jusha.web.shared import add_domain_error

from . import export, selectors, services, workflow
from .forms import ResourceForm, service_kwargs
from .models import Resource
from .workflow import Step


def _list_context(request, filters, *, section: str, title: str, url: str, qs) -> dict:
    return {
        "section": section,
        "page": paginate(request, qs),
        "filters": filters,
        "title": title,
        "url": url,
        "kinds": Resource.Kind.choices,
        "statuses": Resource.Status.choices,
        "communities": communities_for_filter(request.user),
        "categories": categories(),
        "export_url": f"{reverse('resources_console:export')}?{filters.as_query()}",
        "may_create": bool(selectors.my_units(request.user).exists()),
    }


@console_view
def resource_list(request):
    """The resource list (资源清单): every resource the person may see, filtered."""
    permissions.require(request.user, Action.RESOURCE_VIEW)
    filters = selectors.ResourceFilter.from_query(request.GET)
    return render_list(request, "resources/console/list.html", _list_context(
        request, filters, section="resources", title=_("Resources"), url=reverse("resources_console:list"),
        qs=selectors.resource_list(request.user, filters)))


@console_view
def mine(request):
    """For a unit liaison: the unit's own resources, drafts included, with the button to add one."""
    permissions.require(request.user, Action.RESOURCE_MANAGE)
    filters = selectors.ResourceFilter.from_query(request.GET)
    units = set(selectors.my_units(request.user).values_list("pk", flat=True))
    return render_list(request, "resources/console/list.html", _list_context(
        request, filters, section="resources_mine", title=_("My unit's resources"),
        url=reverse("resources_console:mine"), qs=selectors.resource_list(request.user, filters, units=units)))


@console_view
def export_xlsx(request):
    """The filtered list as an Excel workbook: exactly the rows the list shows, every page."""
    permissions.require(request.user, Action.RESOURCE_VIEW)
    filters = selectors.ResourceFilter.from_query(request.GET)
    return export.xlsx_response(selectors.resource_list(request.user, filters))


@dataclass(frozen=True)
class ActionForm:
    step: Step
    label: str
    reason: bool = False
    primary: bool = False


def _action_forms(request, resource: Resource) -> list[ActionForm]:
    manage = permissions.can(request.user, Action.RESOURCE_MANAGE, resource)
    review = permissions.can(request.user, Action.RESOURCE_REVIEW, resource)
    offered = [
        (ActionForm(Step.SUBMIT, _("Submit for review"), primary=True), manage),
        (ActionForm(Step.APPROVE, _("Approve"), primary=True), review),
        (ActionForm(Step.REJECT, _("Send back for changes"), reason=True), review),
        (ActionForm(Step.RETIRE, _("Retire")), manage or review),
    ]
    steps = workflow.allowed_steps(resource.status)
    return [form for form, may in offered if may and form.step in steps]


def _detail(request, resource: Resource, *, error_step: str = "", error: str = "", status: int = 200):
    may_edit = (permissions.can(request.user, Action.RESOURCE_MANAGE, resource)
                and Step.UPDATE in workflow.allowed_steps(resource.status))
    return TemplateResponse(request, "resources/console/detail.html", {
        "section": "resources_mine" if permissions.can(request.user, Action.RESOURCE_MANAGE, resource)
        else "resources",
        "resource": resource,
        "forms": _action_forms(request, resource),
        "error_step": error_step,
        "error": error,
        "may_edit": may_edit,
        "availability": export.availability_text(resource.availability),
        "projects": list(selectors.resource_projects(request.user, resource)),
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.resource_detail(request.user, pk))


@console_view
@require_POST
def act(request, pk, step):
    """One step on one resource; a refusal re-renders the page with the reason next to the form."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    resource = selectors.resource_detail(request.user, pk)
    try:
        match step:
            case Step.SUBMIT:
                services.resource_submit(actor=request.user, resource=resource)
            case Step.APPROVE:
                services.resource_approve(actor=request.user, resource=resource)
            case Step.REJECT:
                services.resource_reject(actor=request.user, resource=resource, reason=request.POST.get("reason", ""))
            case Step.RETIRE:
                services.resource_retire(actor=request.user, resource=resource)
            case _:
                raise Http404
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, selectors.resource_detail(request.user, pk), error_step=step.value,
                       error=str(exc.message), status=400)
    messages.success(request, _("Saved."))
    return redirect("resources_console:detail", pk=resource.pk)


def _form(request, *, data=None, initial=None) -> ResourceForm:
    units = selectors.my_units(request.user)
    subdistricts = units.values("alliance__subdistrict")
    return ResourceForm(data, units=units, categories=categories(),
                        communities=Community.objects.filter(subdistrict__in=subdistricts).order_by("code"),
                        initial=initial)


@console_view
def create(request):
    """A liaison describes a new resource of their unit; it is saved as a draft."""
    permissions.require(request.user, Action.RESOURCE_MANAGE)
    units = selectors.my_units(request.user)
    first = units.first()
    if first is None:
        raise Http404
    initial = {"unit": first.pk, "contact_name": first.contact_name, "contact_mobile": first.contact_mobile}
    form = _form(request, data=request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = services.resource_create(actor=request.user, unit=form.cleaned_data["unit"],
                                                    **service_kwargs(form.cleaned_data))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved as a draft. Submit it for review when it is ready."))
                return redirect("resources_console:detail", pk=resource.pk)
        status = 400
    return TemplateResponse(request, "resources/console/form.html",
                            {"section": "resources_mine", "form": form, "resource": None}, status=status)


@console_view
def edit(request, pk):
    """The liaison changes a resource; an approved one goes back for review."""
    resource = selectors.resource_detail(request.user, pk, action=Action.RESOURCE_MANAGE)
    form = _form(request, data=request.POST if request.method == "POST" else None,
                 initial=ResourceForm.initial_for(resource))
    form.fields["unit"].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_update(actor=request.user, resource=resource, **service_kwargs(form.cleaned_data))
            except DomainError as exc:
                if exc.status == 404:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("resources_console:detail", pk=resource.pk)
        status = 400
    return TemplateResponse(request, "resources/console/form.html",
                            {"section": "resources_mine", "form": form, "resource": resource}, status=status)
