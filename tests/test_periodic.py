"""The worker's timer: jobs run when their interval has passed, and one failure stops nothing."""

from django.core.management import call_command

from jusha.core import periodic
from tests import periodic_jobs

A = "tests.periodic_jobs.job_a"
BROKEN = "tests.periodic_jobs.job_broken"


def test_jobs_run_on_their_interval_and_a_failing_job_does_not_stop_the_others(settings, db):
    periodic_jobs.CALLS.clear()
    settings.JUSHA_PERIODIC_JOBS = [(BROKEN, 10), (A, 60)]
    last: dict[str, float] = {}
    assert periodic.run_due_jobs(last, 1000.0) == [BROKEN, A]
    assert periodic.run_due_jobs(last, 1030.0) == [BROKEN]
    assert periodic.run_due_jobs(last, 1061.0) == [BROKEN, A]
    assert periodic_jobs.CALLS == ["a", "a"]


def test_notification_retries_are_on_the_workers_timer(settings):
    assert ("jusha.notifications.services.deliveries_due", 60) in settings.JUSHA_PERIODIC_JOBS


def test_worker_batch_runs_the_periodic_jobs_once_then_the_queue(settings, monkeypatch, db):
    from jusha.core.management.commands import worker

    periodic_jobs.CALLS.clear()
    settings.JUSHA_PERIODIC_JOBS = [(A, 60)]
    queue_runs = []
    monkeypatch.setattr(worker, "call_command", lambda *args: queue_runs.append(args))
    call_command("worker", batch=True)
    assert periodic_jobs.CALLS == ["a"]
    assert queue_runs == [("db_worker", "--batch")]
