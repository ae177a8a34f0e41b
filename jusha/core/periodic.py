"""Jobs the worker runs on a timer, so a deployment needs no cron for Jusha's own housekeeping.

Each capability that has due work (retries, digests, overdue checks) adds a dotted path and an
interval to JUSHA_PERIODIC_JOBS. Every job must be idempotent: two workers may run it at once.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger("jusha.periodic")


def run_due_jobs(last_run: dict[str, float], now: float) -> list[str]:
    """Run every job whose interval has passed since its last run; return the paths that ran."""
    ran = []
    for path, interval in settings.JUSHA_PERIODIC_JOBS:
        if now - last_run.get(path, float("-inf")) < interval:
            continue
        last_run[path] = now
        close_old_connections()
        try:
            import_string(path)()
        except Exception:
            # One failing job must not stop the others or the worker; it runs again next interval.
            log.exception("periodic job %s failed", path)
        finally:
            close_old_connections()
        ran.append(path)
    return ran


def start_in_background(tick_seconds: float = 5.0) -> threading.Thread:
    def loop():
        last_run: dict[str, float] = {}
        while True:
            run_due_jobs(last_run, time.monotonic())
            time.sleep(tick_seconds)

    thread = threading.Thread(target=loop, name="jusha-periodic", daemon=True)
    thread.start()
    return thread
