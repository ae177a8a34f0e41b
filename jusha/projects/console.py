"""The staff console for service projects: the 项目清单 with filters and its Excel export, the year's
ten service items, the plan/edit form, and one project's page with its progress and the decisions
the person may take."""

from io import BytesIO

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from jusha import permissions
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.needs.selectors import categories as need_categories
from jusha.orgs.models import Alliance, MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.resources.models import Resource
from jusha.web.console import console_view, paginate, render_list
from jusha.web.params import int_param
from jusha.web.shared import add_domain_error, private_photo

from . import selectors, services, workflow
from .forms import ProgressForm, ProjectForm
from .models import ServiceProject
from .workflow import Step

EXPORT_LIMIT = 5000


def _filter_communities(user):
    return permissions.visible(user, Action.PLACE_VIEW, Community.objects.order_by("code"))


@console_view
def project_list(request):
    """项目清单: every project the person may see, filtered by year, community, category, kind and status."""
    permissions.require(request.user, Action.PROJECT_VIEW)
    filters = selectors.ProjectFilter.from_query(request.GET)
    return render_list(request, "projects/console/list.html", {
        "section": "projects",
        "page": paginate(request, selectors.project_list(request.user, filters)),
        "filters": filters,
        "years": range(selectors.this_year() + 1, selectors.this_year() - 5, -1),
        "kinds": ServiceProject.Kind.choices,
        "statuses": ServiceProject.Status.choices,
        "communities": _filter_communities(request.user),
        "categories": need_categories(),
        "may_manage": permissions.can(request.user, Action.PROJECT_MANAGE),
        "export_query": request.GET.urlencode(),
    })


@console_view
def export(request):
    """The list exactly as filtered and scoped, as an Excel workbook."""
    permissions.require(request.user, Action.PROJECT_VIEW)
    filters = selectors.ProjectFilter.from_query(request.GET)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Projects")[:31]
    sheet.append([_("Year"), _("Kind"), _("Item number"), _("Title"), _("Owner"), _("Participating units"),
                  _("Communities covered"), _("Kinds of need served"), _("Starts on"), _("Ends on"), _("Status"),
                  _("Targets"), _("Progress (%)"), _("Resources")])
    for p in selectors.project_list(request.user, filters)[:EXPORT_LIMIT]:
        targets = list(p.targets.all())
        sheet.append([
            p.year, p.get_kind_display(), p.number, p.title, selectors.owner_name(p),
            "、".join(u.name for u in p.units.all()), "、".join(c.name for c in p.communities.all()),
            "、".join(c.label for c in p.categories.all()), p.starts_on, p.ends_on, p.get_status_display(),
            "; ".join(f"{t.label} {t.done}/{t.quantity} {t.get_measure_display()}" for t in targets),
            selectors.project_percent(targets), "、".join(_resource_cell(r) for r in p.resources.all()),
        ])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="projects.xlsx"'
    return response


def _resource_cell(resource: Resource) -> str:
    retired = f", {resource.get_status_display()}" if resource.status == Resource.Status.RETIRED else ""
    return f"{resource.title}（{resource.member_unit.name}{retired}）"


@console_view
def items(request):
    """This year's five required and five optional service items with their progress. Planners, who see
    every item, are warned while a kind has fewer than five; others see the items they may see."""
    permissions.require(request.user, Action.PROJECT_VIEW)
    year = int_param(request.GET.get("year", "")) or selectors.this_year()
    if not 2000 <= year <= 2100:
        year = selectors.this_year()
    year_items = selectors.year_items(request.user, year)
    return TemplateResponse(request, "projects/console/items.html", {
        "section": "project_items", "items": year_items, "year": year,
        "rows": [(_("Required service items"), year_items.required, year_items.missing_required),
                 (_("Optional service items"), year_items.optional, year_items.missing_optional)],
        "may_manage": permissions.can(request.user, Action.PROJECT_MANAGE),
        "years": range(selectors.this_year() + 1, selectors.this_year() - 5, -1),
    })


def _form(request, alliance: Alliance, data=None, *, project: ServiceProject | None = None, **kwargs) -> ProjectForm:
    """The plan form; it offers the approved resources of the alliance's units, and keeps offering the ones
    the project bundles already (a retired one stays, as its history)."""
    offered = Q(member_unit__alliance=alliance, member_unit__is_active=True, status=Resource.Status.APPROVED)
    if project is not None:
        offered |= Q(pk__in=project.resources.values("pk"))
    return ProjectForm(data, categories=need_categories(),
                       units=MemberUnit.objects.filter(alliance=alliance, is_active=True).order_by("name"),
                       resources=selectors.bundled_resources().filter(offered),
                       communities=Community.objects.filter(subdistrict=alliance.subdistrict_id).order_by("code"),
                       **kwargs)


@console_view
def new(request):
    """Plan a project or one of the year's service items."""
    alliance = permissions.visible(request.user, Action.PROJECT_MANAGE, Alliance.objects.order_by("pk")).first()
    if alliance is None:
        raise Http404
    kind = request.GET.get("kind", "")
    initial = {"year": int_param(request.GET.get("year", "")) or selectors.this_year(),
               "kind": kind if kind in ServiceProject.Kind.values else ServiceProject.Kind.OTHER,
               "number": int_param(request.GET.get("number", ""))}
    form = _form(request, alliance, request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(actor=request.user, alliance=alliance, **form.plan())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The project was planned."))
                return redirect("projects_console:detail", pk=project.pk)
        return TemplateResponse(request, "projects/console/form.html", {"section": "projects", "form": form},
                                status=400)
    return TemplateResponse(request, "projects/console/form.html", {"section": "projects", "form": form})


@console_view
def edit(request, pk):
    project = permissions.fetch(request.user, Action.PROJECT_MANAGE, ServiceProject.objects.select_related(
        "alliance"), pk=pk)
    if project.status not in workflow.EDITABLE:
        raise Http404
    form = _form(request, project.alliance, request.POST if request.method == "POST" else None, project=project,
                 initial=ProjectForm.initial_for(project))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_update(actor=request.user, project=project, **form.plan())
            except DomainError as exc:
                if exc.status == 404:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The project was changed."))
                return redirect("projects_console:detail", pk=project.pk)
        status = 400
    else:
        status = 200
    return TemplateResponse(request, "projects/console/form.html",
                            {"section": "projects", "form": form, "project": project}, status=status)


def _detail(request, project: ServiceProject, *, errors: dict | None = None, progress_form=None, status=200):
    manage = permissions.can(request.user, Action.PROJECT_MANAGE, project)
    record = (project.status in workflow.RECORDS_PROGRESS
              and permissions.can(request.user, Action.PROJECT_RECORD_PROGRESS, project))
    targets = list(project.targets.all())
    return TemplateResponse(request, "projects/console/detail.html", {
        "section": "projects",
        "project": project,
        "owner": selectors.owner_name(project),
        "targets": targets,
        "resources": list(project.resources.all()),
        "resources_seen": selectors.resources_seen(request.user, project),
        "percent": selectors.project_percent(targets),
        "progress": list(project.progress.all()),
        "steps": [s for s in Step if s in workflow.allowed_steps(project.status)] if manage else [],
        "may_edit": manage and project.status in workflow.EDITABLE,
        "progress_form": (progress_form or ProgressForm(targets=targets, initial={"on": timezone.localdate(
            clock.now())})) if record else None,
        "errors": errors or {},
        "labels": workflow.STEP_LABELS,
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.project_detail(request.user, pk))


@console_view
@require_POST
def act(request, pk, step):
    """Start, finish or cancel; a refusal re-renders the page with the reason next to the button."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    project = selectors.project_detail(request.user, pk)
    try:
        match step:
            case Step.START:
                services.project_start(actor=request.user, project=project)
            case Step.FINISH:
                services.project_finish(actor=request.user, project=project)
            case Step.CANCEL:
                services.project_cancel(actor=request.user, project=project, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, selectors.project_detail(request.user, pk), errors={step.value: str(exc.message)},
                       status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    return redirect("projects_console:detail", pk=pk)


@console_view
@require_POST
def record_progress(request, pk):
    project = selectors.project_detail(request.user, pk)
    form = ProgressForm(request.POST, targets=list(project.targets.all()))
    if form.is_valid():
        try:
            services.progress_record(actor=request.user, project=project, on=form.cleaned_data["on"],
                                     quantities=form.quantities(), note=form.cleaned_data["note"],
                                     photo_files=request.FILES.getlist("photos"))
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The progress was recorded."))
            return redirect(reverse("projects_console:detail", args=[pk]) + "#progress")
    return _detail(request, selectors.project_detail(request.user, pk), progress_form=form, status=400)


@console_view
def photo(request, pk):
    """A progress photo, only to those who may see the project (photos may show people)."""
    return private_photo(selectors.photo(request.user, pk).image)
