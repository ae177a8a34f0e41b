"""An import's life as one table: (status, step) → the status it leads to. docs/onboarding.md draws it."""

from enum import StrEnum

from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

from .models import ImportJob

S = ImportJob.Status


class Step(StrEnum):
    CHECK = "check"  # the person mapped the columns (again) and asks for a check
    CHECKED = "checked"  # the check finished and wrote its report
    CONFIRM = "confirm"  # the person confirms a report without errors
    DONE = "done"  # everything was saved
    FAIL = "fail"  # the check or the import could not finish; nothing was saved


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.UPLOADED, Step.CHECK): S.CHECKING,
    (S.CHECKED, Step.CHECK): S.CHECKING,
    (S.FAILED, Step.CHECK): S.CHECKING,
    (S.CHECKING, Step.CHECKED): S.CHECKED,
    (S.CHECKING, Step.FAIL): S.FAILED,
    (S.CHECKED, Step.CONFIRM): S.IMPORTING,
    (S.IMPORTING, Step.DONE): S.DONE,
    (S.IMPORTING, Step.FAIL): S.FAILED,
}

RUNNING = frozenset({S.CHECKING, S.IMPORTING})


def target(job: ImportJob, step: Step) -> str:
    to = TRANSITIONS.get((job.status, step))
    if to is None:
        raise DomainError(_("This import is now “%(status)s”, so this cannot be done any more. Reload the page.")
                          % {"status": job.get_status_display()}, code="invalid_transition")
    return to
