"""The setup wizard in the staff console: create the subdistrict, upload a file, map its columns, read
the check's report (and the map, for boundaries), confirm, and watch the import's progress."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.models import Subdistrict
from jusha.places.services import subdistrict_create
from jusha.web.console import console_view
from jusha.web.params import int_param

from . import geo, reports, services, workflow
from .models import ImportJob, Kind
from .sheets import SHEETS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CRS_CHOICES = [
    (geo.CRSChoice.FILE, _("as the file says")),
    (geo.CRSChoice.WGS84, _("WGS-84 (GPS)")),
    (geo.CRSChoice.CGCS2000, _("CGCS2000 (EPSG:4490)")),
    (geo.CRSChoice.GCJ02, _("GCJ-02 (AMap, Tencent, WeChat)")),
    (geo.CRSChoice.BD09, _("BD-09 (Baidu)")),
]


def _subdistricts(user):
    return permissions.visible(user, Action.IMPORT_RUN, Subdistrict.objects.select_related("district")
                               .order_by("code"))


def _jobs(user):
    return permissions.visible(user, Action.IMPORT_RUN, ImportJob.objects.select_related("subdistrict", "created_by")
                               .defer("content", "rows"))


def _download(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@console_view
def index(request, *, error: DomainError | None = None, status: int = 200):
    permissions.require(request.user, Action.IMPORT_RUN)
    return TemplateResponse(request, "onboarding/index.html", {
        "section": "onboarding",
        "subdistricts": _subdistricts(request.user),
        "jobs": _jobs(request.user)[:20],
        "kinds": Kind.choices,
        "sheet_kinds": [(k, label) for k, label in Kind.choices if k in SHEETS],
        "may_create": permissions.can(request.user, Action.SUBDISTRICT_CREATE),
        "error": error,
        "post": request.POST if error else {},
    }, status=status)


@console_view
@require_POST
def create_subdistrict(request):
    post = request.POST
    try:
        subdistrict = subdistrict_create(actor=request.user, district_code=post.get("district_code", "").strip(),
                                         district_name=post.get("district_name", ""),
                                         code=post.get("code", "").strip(), name=post.get("name", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return index(request, error=exc, status=400)
    messages.success(request, _("%(name)s was created. Now upload its communities and grids.")
                     % {"name": subdistrict.name})
    return redirect("onboarding:index")


@console_view
@require_POST
def upload(request):
    subdistrict = permissions.fetch(request.user, Action.IMPORT_RUN, Subdistrict.objects.all(),
                                    pk=int_param(request.POST.get("subdistrict")))
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError(_("Choose a file."), code="required", field="file")
        if file.size > settings.JUSHA_IMPORT_MAX_BYTES:
            # Refused before reading it into memory; check_size says the same for other callers.
            raise DomainError(_("The file is larger than %(mb)s MB. Split it into smaller files.")
                              % {"mb": settings.JUSHA_IMPORT_MAX_BYTES // (1024 * 1024)},
                              code="file_too_large", field="file")
        job = services.job_upload(actor=request.user, subdistrict=subdistrict, kind=request.POST.get("kind", ""),
                                  filename=file.name, content=file.read())
    except DomainError as exc:
        if exc.status == 404:
            raise
        return index(request, error=exc, status=400)
    return redirect("onboarding:job", pk=job.pk)


def _job(request, pk) -> ImportJob:
    return permissions.fetch(request.user, Action.IMPORT_RUN, ImportJob.objects.select_related("subdistrict")
                             .defer("rows"), pk=pk)


def _job_page(request, job: ImportJob, *, error: DomainError | None = None, status: int = 200):
    sheet = SHEETS.get(job.kind)
    mapping = job.options.get("mapping", {})
    if sheet:
        fields = [(c.key, c.label, c.required, mapping.get(c.key, "")) for c in sheet.columns]
        offered = job.source.get("headers", [])
    else:
        fields = [("name", _("name"), True, mapping.get("name", "")), ("code", _("code"), True,
                                                                       mapping.get("code", ""))]
        offered = job.source.get("attributes", [])
    errors = job.report.get("errors", [])
    return TemplateResponse(request, "onboarding/job.html", {
        "section": "onboarding",
        "job": job,
        "fields": fields,
        "offered": [h for h in offered if h],
        "crs_choices": CRS_CHOICES if job.source.get("declared_crs") else CRS_CHOICES[1:],
        "running": job.status in workflow.RUNNING,
        "may_map": (job.status, workflow.Step.CHECK) in workflow.TRANSITIONS,
        "may_confirm": job.status == ImportJob.Status.CHECKED and not job.error_count,
        "errors": errors[:200],
        "more_errors": max(0, job.report.get("error_total", len(errors)) - 200),
        "warnings": job.report.get("warnings", []),
        "error": error,
    }, status=status)


@console_view
def job(request, pk):
    return _job_page(request, _job(request, pk))


@console_view
def progress(request, pk):
    """The htmx poll: the progress bar while running, and a full reload once the job has moved on."""
    job = _job(request, pk)
    if job.status not in workflow.RUNNING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return TemplateResponse(request, "onboarding/job.html#progress", {"job": job, "running": True})


@console_view
@require_POST
def check(request, pk):
    job = _job(request, pk)
    mapping = {key: request.POST.get(f"map_{key}", "") for key in
               ([c.key for c in SHEETS[job.kind].columns] if job.kind in SHEETS else ["name", "code"])}
    try:
        services.job_check(actor=request.user, job=job, mapping=mapping, crs=request.POST.get("crs"),
                           level=request.POST.get("level"))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _job_page(request, _job(request, pk), error=exc, status=400)
    return redirect("onboarding:job", pk=pk)


@console_view
@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    try:
        services.job_confirm(actor=request.user, job=job)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _job_page(request, _job(request, pk), error=exc, status=400)
    return redirect("onboarding:job", pk=pk)


@console_view
def error_report(request, pk):
    job = _job(request, pk)
    if job.kind not in SHEETS or not job.report.get("errors"):
        raise Http404
    filename, content, content_type = reports.error_report(job)
    return _download(content, filename, content_type)


@console_view
def preview(request, pk, layer):
    job = _job(request, pk)
    if layer not in ("places", "problems"):
        raise Http404
    return JsonResponse(job.report.get(layer) or {"type": "FeatureCollection", "features": []})


@console_view
def template(request, kind):
    permissions.require(request.user, Action.IMPORT_RUN)
    if kind not in SHEETS:
        raise Http404
    return _download(reports.template(SHEETS[kind]), f"jusha-{kind}-template.xlsx")


@console_view
def export(request, subdistrict_id, kind):
    subdistrict = permissions.fetch(request.user, Action.IMPORT_RUN, Subdistrict.objects.all(), pk=subdistrict_id)
    if kind not in SHEETS:
        raise Http404
    content = services.export_workbook(actor=request.user, subdistrict=subdistrict, kind=kind)
    return _download(content, f"{subdistrict.code}-{kind}.xlsx")
