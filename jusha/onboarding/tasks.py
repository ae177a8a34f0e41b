"""Background tasks: thin wrappers, so the worker runs exactly what the command line runs."""

from django.tasks import task

from . import services


@task()
def check_file(job_id: int) -> str:
    return services.run_check(job_id=job_id)


@task()
def import_file(job_id: int) -> str:
    return services.run_import(job_id=job_id)
