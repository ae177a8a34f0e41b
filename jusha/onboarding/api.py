"""Imports for other systems (/api/onboarding): the wizard's steps as JSON.

Upload a file for a kind (multipart, POST /jobs), map its columns and ask for the check (POST
/jobs/{id}/check: without a mapping the guessed one is used), read the job's status, progress and row
errors (GET /jobs/{id}), download the error report (GET /jobs/{id}/errors), and confirm (POST
/jobs/{id}/confirm). The check and the import run in the worker, exactly as from the console, so the
answers to check and confirm are 202 and the job is read again until it leaves "checking" or
"importing". Only administrators and the subdistrict's staff (`onboarding.import`); anyone else gets
404 for a subdistrict or job, as if it did not exist.
"""

from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from jusha import permissions
from jusha.core.errors import DomainError, NotAllowed
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import Action
from jusha.places.models import Subdistrict

from . import reports, services
from .models import ImportJob, Kind

router = Router(tags=["onboarding"])

# 403: a write without the CSRF token of the session it is made with.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
REPORT_ERRORS_SHOWN = 200
_ID = Path(..., ge=1, le=2**62)
_REPORT_DOC = {"responses": {"200": {"description": "the uploaded file with an errors column (错误)", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                     "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}}


class ImportUploadIn(Schema):
    subdistrict: int = Field(..., ge=1, le=2**62, description="the subdistrict's id")
    kind: Kind


class ImportCheckIn(Schema):
    mapping: dict[str, str] | None = Field(None, description="field → the file's column (places: attribute); "
                                                             "omitted: the guessed or remembered mapping")
    crs: str | None = Field(None, max_length=20, description="places: file, wgs84, cgcs2000, gcj02 or bd09")
    level: str | None = Field(None, pattern="^(community|grid)$", description="places: what the file holds")


class ImportRowErrorOut(Schema):
    row: int
    field: str
    code: str
    message: str


class ImportJobOut(Schema):
    id: int
    subdistrict: int
    kind: str
    filename: str
    status: str = Field(..., description="uploaded, checking, checked, importing, done or failed")
    status_label: str
    phase: str = Field(..., description="while running: reading, checking or saving")
    progress_done: int
    progress_total: int
    percent: int
    created_at: datetime
    finished_at: datetime | None
    options: dict = Field(..., description="the mapping (and for places the CRS and level) in use")
    columns: list[str] = Field(..., description="the file's column headers (places: attribute names)")


class ImportJobDetailOut(ImportJobOut):
    rows: int | None = Field(..., description="after the check: data rows read")
    created: int | None
    updated: int | None
    unchanged: int | None
    bad_rows: int | None
    error_total: int = Field(..., description="row errors found; `errors` holds the first 200")
    errors: list[ImportRowErrorOut]
    failure: ErrorOut | None = Field(..., description="why a failed job stopped (nothing was saved)")


def _out(job: ImportJob) -> dict:
    return {"id": job.pk, "subdistrict": job.subdistrict_id, "kind": job.kind, "filename": job.filename,
            "status": job.status, "status_label": job.get_status_display(), "phase": job.phase,
            "progress_done": job.progress_done, "progress_total": job.progress_total, "percent": job.percent,
            "created_at": job.created_at, "finished_at": job.finished_at, "options": job.options,
            "columns": job.source.get("headers") or job.source.get("attributes") or []}


def _detail(job: ImportJob) -> dict:
    report = job.report
    errors = report.get("errors", [])
    failure = report.get("failure")
    return {**_out(job), **{k: report.get(k) for k in ("rows", "created", "updated", "unchanged", "bad_rows")},
            "error_total": report.get("error_total", len(errors)), "errors": errors[:REPORT_ERRORS_SHOWN],
            "failure": {**failure, "field": None} if failure else None}


def _job(request, job_id: int) -> ImportJob:
    return permissions.fetch(request.user, Action.IMPORT_RUN, ImportJob.objects.select_related("subdistrict")
                             .defer("rows"), pk=job_id)


@router.get("/jobs", auth=django_auth,
            response={200: list[ImportJobOut], 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def jobs(request, kind: Kind | None = None, subdistrict: int | None = Query(None, ge=1, le=2**62),
         limit: int = Query(50, ge=1, le=200)):
    """The imports the person may run, newest first (404 for anyone who may run none)."""
    permissions.require(request.user, Action.IMPORT_RUN)
    qs = permissions.visible(request.user, Action.IMPORT_RUN, ImportJob.objects.defer("content", "rows"))
    if kind:
        qs = qs.filter(kind=kind)
    if subdistrict:
        qs = qs.filter(subdistrict_id=subdistrict)
    return [_out(j) for j in qs[:limit]]


@router.post("/jobs", auth=django_auth, response={201: ImportJobOut, 413: ErrorOut, **ERRORS})
def upload(request, payload: Form[ImportUploadIn], file: File[UploadedFile]):
    """Hand in a file: its columns are read and the unreadable refused (400); nothing else happens yet."""
    place = permissions.fetch(request.user, Action.IMPORT_RUN, Subdistrict.objects.all(), pk=payload.subdistrict)
    if file.size > settings.JUSHA_IMPORT_MAX_BYTES:
        return Status(413, {"detail": _("The file is larger than %(mb)s MB. Split it into smaller files.")
                            % {"mb": settings.JUSHA_IMPORT_MAX_BYTES // (1024 * 1024)},
                            "code": "file_too_large", "field": "file"})
    job = services.job_upload(actor=request.user, subdistrict=place, kind=payload.kind, filename=file.name or "",
                              content=file.read())
    return Status(201, _out(job))


@router.get("/jobs/{job_id}", auth=django_auth,
            response={200: ImportJobDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def one(request, job_id: int = _ID):
    """Status, progress, counts and the first 200 row errors; read it again while the job runs."""
    return _detail(_job(request, job_id))


@router.post("/jobs/{job_id}/check", auth=django_auth, response={202: ImportJobDetailOut, 409: ErrorOut, **ERRORS})
def check(request, payload: ImportCheckIn, job_id: int = _ID):
    """Check the file with this mapping (remembered for the subdistrict's next file of the kind); nothing is
    saved. 409 while the job is running or done."""
    job = _job(request, job_id)
    options = job.options
    try:
        job = services.job_check(actor=request.user, job=job,
                                 mapping=options.get("mapping", {}) if payload.mapping is None else payload.mapping,
                                 crs=payload.crs or options.get("crs") or None,
                                 level=payload.level or options.get("level"))
    except DomainError as exc:
        if exc.code == "invalid_transition":
            return Status(409, {"detail": str(exc.message), "code": exc.code, "field": None})
        raise
    return Status(202, _detail(job))


@router.post("/jobs/{job_id}/confirm", auth=django_auth, response={202: ImportJobDetailOut, 409: ErrorOut,
                                                                     **ERRORS})
def confirm(request, job_id: int = _ID):
    """Import a checked file without errors, all or nothing, in the worker. 400 has_errors when the report
    has row errors; 409 when the job is not (or no longer) checked."""
    job = _job(request, job_id)
    try:
        job = services.job_confirm(actor=request.user, job=job)
    except DomainError as exc:
        if exc.code == "invalid_transition":
            return Status(409, {"detail": str(exc.message), "code": exc.code, "field": None})
        raise
    return Status(202, _detail(job))


@router.get("/jobs/{job_id}/errors", auth=django_auth, openapi_extra=_REPORT_DOC,
            response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def error_report(request, job_id: int = _ID):
    """The uploaded workbook (or CSV) with an errors column; 404 for a job without row errors or a places file."""
    job = _job(request, job_id)
    if job.kind == Kind.PLACES or not job.report.get("errors"):
        raise NotAllowed(_("This import has no error report."))
    filename, content, content_type = reports.error_report(job)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response

