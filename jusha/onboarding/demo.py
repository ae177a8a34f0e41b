"""Demo data for onboarding: the demo's member units exported and imported back through the real
wizard steps, so "Recent imports" shows a finished import whose every row is unchanged."""

from jusha.places.models import Subdistrict

from . import services
from .models import ImportJob, Kind


def seed_onboarding(*, subdistrict: Subdistrict, actor) -> ImportJob:
    """`actor` must be an administrator or the subdistrict's staff. Deterministic, under a second."""
    content = services.export_workbook(actor=actor, subdistrict=subdistrict, kind=Kind.UNITS)
    job = services.job_upload(actor=actor, subdistrict=subdistrict, kind=Kind.UNITS,
                              filename=f"{subdistrict.code}-units.xlsx", content=content)
    job = services.job_check(actor=actor, job=job, mapping=job.options["mapping"], run_now=True)
    return services.job_confirm(actor=actor, job=job, run_now=True)
