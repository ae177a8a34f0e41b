"""`jusha import places|units|residents|staff|grid_workers|volunteers FILE …`: the wizard's steps from a shell.

Checks the file, prints the report (and writes the error report next to the file), and imports only
when the file has no errors — all or nothing, like the console. Runs in this process, not the worker.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jusha.accounts.models import User
from jusha.core.errors import DomainError
from jusha.onboarding import geo, reports, services
from jusha.onboarding.models import ImportJob, Kind
from jusha.places.models import Subdistrict


class Command(BaseCommand):
    help = "Import communities and grids, member units, residents, staff, grid workers or volunteers from a file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--subdistrict", required=True, help="the subdistrict's 9-digit code")
        parser.add_argument("--user", required=True, help="username of the administrator or subdistrict "
                            "staff member the import is recorded under")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                            help="which column holds a field, when the file does not follow the template")
        parser.add_argument("--level", choices=["community", "grid"], default="grid",
                            help="places: what the file holds")
        parser.add_argument("--crs", choices=geo.CRSChoice.ALL, help="places: coordinate system (default: as the "
                            "file says)")
        parser.add_argument("--check-only", action="store_true", help="check and report, save nothing")

    def handle(self, *args, kind, files, subdistrict, user, map, level, crs, check_only, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        place = Subdistrict.objects.filter(code=subdistrict).first()
        if actor is None or place is None:
            raise CommandError("unknown --user or --subdistrict")
        overrides = dict(item.split("=", 1) for item in map if "=" in item)
        failed = False
        for path in files:
            try:
                failed |= not self._one(actor, place, kind, path, overrides, level, crs, check_only)
            except DomainError as exc:
                self.stderr.write(f"{path}: {exc.message} [{exc.code}]")
                failed = True
        if failed:
            raise CommandError("nothing was imported from the files with errors")

    def _one(self, actor, place, kind, path: Path, overrides, level, crs, check_only) -> bool:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        job = services.job_upload(actor=actor, subdistrict=place, kind=kind, filename=path.name, content=content)
        mapping = {**job.options.get("mapping", {}), **overrides}
        job = services.job_check(actor=actor, job=job, mapping=mapping, level=level,
                                 crs=crs or job.options.get("crs") or None, run_now=True)
        job.refresh_from_db()
        report = job.report
        if job.status == ImportJob.Status.FAILED:
            self.stderr.write(f"{path}: {report['failure']['message']} [{report['failure']['code']}]")
            return False
        self.stdout.write(f"{path}: {report['rows']} rows, {report['created']} new, {report['updated']} changed, "
                          f"{report['unchanged']} unchanged, {report['bad_rows']} with errors")
        for warning in report.get("warnings", []):
            self.stdout.write(f"  warning [{warning['code']}]: {warning['message']}")
        if report["errors"]:
            for error in report["errors"][:50]:
                self.stderr.write(f"  row {error['row']} {error['field']} [{error['code']}]: {error['message']}")
            if kind != Kind.PLACES:
                name, data, _type = reports.error_report(job)
                (path.parent / name).write_bytes(data)
                self.stderr.write(f"  error report: {path.parent / name}")
            return False
        if check_only:
            return True
        job = services.job_confirm(actor=actor, job=job, run_now=True)
        job.refresh_from_db()
        if job.status != ImportJob.Status.DONE:
            self.stderr.write(f"{path}: {job.report.get('failure', {}).get('message', job.status)}")
            return False
        self.stdout.write(self.style.SUCCESS(f"{path}: imported"))
        return True
