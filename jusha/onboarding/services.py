"""Every write about imports: upload a file, check it, confirm it, export a list.

The check and the import run as background tasks (`tasks.py`; immediately in tests and on the
command line). The check only reads; the import checks the file again — the database may have
changed since — and then saves every row inside one transaction, so a file is imported completely or
not at all, and the job says which.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action
from jusha.places.models import Subdistrict
from jusha.places.services import places_save

from . import boundaries, files, geo, workflow
from .models import ColumnMapping, ImportJob, Kind
from .sheets import SHEETS, Plan
from .workflow import Step

log = logging.getLogger("jusha.onboarding")
S = ImportJob.Status


def _remembered(subdistrict, kind) -> dict:
    row = ColumnMapping.objects.filter(subdistrict=subdistrict, kind=kind).first()
    return row.mapping if row else {}


def job_upload(*, actor, subdistrict: Subdistrict, kind: str, filename: str, content: bytes) -> ImportJob:
    """Someone hands in a file. It is read once to learn its columns (or a places file's attributes and
    coordinate system) and to refuse what cannot be read; nothing else happens until it is checked."""
    permissions.require(actor, Action.IMPORT_RUN, subdistrict)
    if kind not in Kind.values:
        raise DomainError(_("Choose what the file contains."), code="invalid_kind", field="kind")
    filename = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200]
    remembered = _remembered(subdistrict, kind)
    if kind == Kind.PLACES:
        parsed = geo.read_places(filename, content)
        source = {"attributes": parsed.attributes, "declared_crs": parsed.declared_crs[:2000],
                  "declared_label": str(parsed.declared_label), "notes": [str(n) for n in parsed.notes],
                  "count": len(parsed.features)}
        options = {"mapping": boundaries.attribute_guess(parsed.attributes, remembered),
                   "crs": remembered.get("crs") or (geo.CRSChoice.FILE if parsed.declared_crs else ""),
                   "level": remembered.get("level", "grid")}
    else:
        table = files.read_table(filename, content, header_only=True)
        source = {"headers": table.headers}
        options = {"mapping": SHEETS[kind].auto_mapping(table.headers, remembered)}
    with transaction.atomic():
        job = ImportJob.objects.create(subdistrict=subdistrict, kind=kind, filename=filename, content=content,
                                       created_by=actor, created_at=clock.now(), source=source, options=options)
        audit_record(actor=actor, action="onboarding.upload", target=job, after={"kind": kind, "file": filename,
                     "bytes": len(content)}, subdistrict_id=subdistrict.pk)
    return job


def _mapping_for(job: ImportJob, mapping: dict) -> dict:
    mapping = {k: v for k, v in (mapping or {}).items() if v}
    if job.kind == Kind.PLACES:
        offered, required = job.source.get("attributes", []), ("name", "code")
    else:
        offered = job.source.get("headers", [])
        required = tuple(c.key for c in SHEETS[job.kind].columns if c.required)
        mapping = {k: v for k, v in mapping.items() if k in {c.key for c in SHEETS[job.kind].columns}}
    for key, value in mapping.items():
        if value not in offered:
            raise DomainError(_("The file has no column “%(name)s”.") % {"name": str(value)[:40]},
                              code="unknown_column", field=key)
    for key in required:
        if key not in mapping:
            raise DomainError(_("Choose which column holds each required field."), code="unmapped_column",
                              field=key)
    if len(set(mapping.values())) != len(mapping):
        raise DomainError(_("One column cannot stand for two fields."), code="column_used_twice", field="mapping")
    return mapping


def job_check(*, actor, job: ImportJob, mapping: dict, crs: str | None = None, level: str | None = None,
              run_now: bool = False) -> ImportJob:
    """The person says which column means what (remembered for the subdistrict's next file of this kind)
    and asks for a check; the report comes back without anything being saved. The check runs in the
    worker, or here and now with `run_now` (the command line)."""
    permissions.require(actor, Action.IMPORT_RUN, job)
    mapping = _mapping_for(job, mapping)
    options = {"mapping": mapping}
    if job.kind == Kind.PLACES:
        if level not in boundaries.LEVELS:
            raise DomainError(_("Choose whether the file holds communities or grids."), code="invalid_level",
                              field="level")
        if crs not in geo.CRSChoice.ALL or (crs == geo.CRSChoice.FILE and not job.source.get("declared_crs")):
            raise DomainError(_("The file does not say which coordinate system it uses; choose one."),
                              code="crs_required", field="crs")
        options.update(crs=crs, level=level)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        to = workflow.target(job, Step.CHECK)
        ImportJob.objects.filter(pk=job.pk).update(status=to, options=options, report={}, rows=None, phase="reading",
                                                   progress_done=0, progress_total=0, finished_at=None)
        ColumnMapping.objects.update_or_create(subdistrict=job.subdistrict, kind=job.kind,
                                               defaults={"mapping": {**mapping, **{k: v for k, v in options.items()
                                                                                   if k in ("crs", "level")}}})
        audit_record(actor=actor, action="onboarding.check", target=job, after=options,
                     subdistrict_id=job.subdistrict_id)
        if not run_now:
            transaction.on_commit(lambda: _enqueue(job.pk, "check"))
    if run_now:
        run_check(job_id=job.pk)
    job.refresh_from_db()
    return job


def job_confirm(*, actor, job: ImportJob, run_now: bool = False) -> ImportJob:
    """The person read a report without errors and says: import it."""
    permissions.require(actor, Action.IMPORT_RUN, job)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        to = workflow.target(job, Step.CONFIRM)
        if job.error_count:
            raise DomainError(_("Fix the rows with errors and upload the file again first."), code="has_errors")
        ImportJob.objects.filter(pk=job.pk).update(status=to, phase="checking", progress_done=0)
        if not run_now:
            transaction.on_commit(lambda: _enqueue(job.pk, "import"))
    if run_now:
        run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def _enqueue(job_id: int, what: str) -> None:
    from . import tasks

    (tasks.check_file if what == "check" else tasks.import_file).enqueue(job_id)


# --- the work itself (what the tasks run) -----------------------------------------------------------

def _progress(job_id: int, phase: str):
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(phase=phase, progress_done=done, progress_total=total)

    return report


def _json_cell(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return files.cell_text(value)  # dates become 2025-01-15, which the checks read back as dates


def _rows(job: ImportJob) -> list[list]:
    """[row number, {field: cell}] for every data row, by the job's mapping."""
    if job.rows is not None:
        return job.rows
    table = files.read_table(job.filename, bytes(job.content))
    index = {h: i for i, h in enumerate(table.headers) if h}
    columns = [(key, index[header]) for key, header in job.options["mapping"].items() if header in index]
    return [[n, {key: _json_cell(values[i]) if i < len(values) else None for key, i in columns}]
            for n, values in table.rows]


def _plan(job: ImportJob) -> tuple[Plan, dict, list | None]:
    """Check the job's file with its options: (plan, extra report entries, the rows read)."""
    progress = _progress(job.pk, "checking")
    if job.kind == Kind.PLACES:
        parsed = geo.read_places(job.filename, bytes(job.content))
        plan, extra = boundaries.check(subdistrict=job.subdistrict, places_file=parsed,
                                       level=job.options["level"], crs=job.options["crs"],
                                       mapping=job.options["mapping"])
        return plan, extra, None
    rows = _rows(job)
    progress(0, len(rows))
    return SHEETS[job.kind].check(rows, subdistrict=job.subdistrict, progress=progress), {}, rows


def _report(plan: Plan, extra: dict) -> dict:
    rows = len(plan.items)
    errors = sorted(plan.errors, key=lambda e: e.row)
    return {"rows": rows, "created": plan.created, "updated": plan.updated, "unchanged": plan.unchanged,
            "bad_rows": len({e.row for e in errors}), "errors": [e.as_dict() for e in errors[:5000]],
            "error_total": len(errors), **extra}


def _finish(job_id: int, step: Step, **fields) -> None:
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id, status=job.status).update(
        status=workflow.target(job, step), finished_at=clock.now(), **fields)


def _failure(exc: Exception) -> dict:
    if isinstance(exc, DomainError):
        return {"code": exc.code, "message": str(exc.message)}
    return {"code": "import_failed", "message": _("The import stopped because of an unexpected problem; nothing "
                                                  "was saved. Try again, or ask your administrator.")}


def run_check(*, job_id: int) -> str:
    job = ImportJob.objects.select_related("subdistrict").get(pk=job_id)
    if job.status != S.CHECKING:
        return job.status
    try:
        plan, extra, rows = _plan(job)
    except Exception as exc:
        # Whatever stops a check, the job must leave "checking": the page polls until it does.
        if not isinstance(exc, DomainError):
            log.exception("check of import %s failed", job_id)
        _finish(job_id, Step.FAIL, report={"failure": _failure(exc)}, phase="")
        return S.FAILED
    _finish(job_id, Step.CHECKED, report=_report(plan, extra), rows=rows, phase="",
            progress_done=len(plan.items), progress_total=len(plan.items))
    return S.CHECKED


def run_import(*, job_id: int) -> str:
    """Check again and save everything in one transaction; on any problem nothing is saved."""
    job = ImportJob.objects.select_related("subdistrict", "created_by").get(pk=job_id)
    if job.status != S.IMPORTING:
        return job.status
    try:
        plan, extra, _rows_read = _plan(job)
        if plan.errors:
            _finish(job_id, Step.FAIL, report=_report(plan, extra), phase="")
            return S.FAILED
        _progress(job_id, "saving")(0, len(plan.items))
        with transaction.atomic():
            actor = job.created_by
            if actor is None or not permissions.can(actor, Action.IMPORT_RUN, job.subdistrict):
                raise NotAllowed()
            if job.kind == Kind.PLACES:
                counts = places_save(actor=actor, subdistrict=job.subdistrict, level=job.options["level"],
                                     places=plan.items)
                plan.created, plan.updated = counts["created"], counts["updated"]
                plan.unchanged = counts["unchanged"]
            else:
                SHEETS[job.kind].write(plan, subdistrict=job.subdistrict, actor=actor)
            report = _report(plan, extra)
            audit_record(actor=actor, action="onboarding.import", target=job,
                         after={k: report[k] for k in ("rows", "created", "updated", "unchanged")},
                         subdistrict_id=job.subdistrict_id)
    except Exception as exc:
        # The transaction has rolled back; the job must say so rather than stay "importing" for ever.
        if isinstance(exc, (DomainError, IntegrityError)):
            log.warning("import %s failed: %s", job_id, exc)
        else:
            log.exception("import %s failed", job_id)
        _finish(job_id, Step.FAIL, report={**job.report, "failure": _failure(exc)}, phase="")
        return S.FAILED
    _finish(job_id, Step.DONE, report=report, rows=None, phase="", progress_done=len(plan.items),
            progress_total=len(plan.items))
    return S.DONE


# --- templates and exports ----------------------------------------------------------------------------

def export_workbook(*, actor, subdistrict: Subdistrict, kind: str) -> bytes:
    """The subdistrict's current list in the import template, so that an edited export imports back."""
    permissions.require(actor, Action.IMPORT_RUN, subdistrict)
    if kind not in SHEETS:
        raise NotAllowed()
    from .reports import workbook

    content = workbook(SHEETS[kind], SHEETS[kind].export_rows(subdistrict))
    with transaction.atomic():
        audit_record(actor=actor, action="onboarding.export", target=subdistrict, after={"kind": kind},
                     subdistrict_id=subdistrict.pk)
    return content
