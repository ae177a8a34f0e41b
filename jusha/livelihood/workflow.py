"""The survey's life as one table: (status, step) → the status it leads to.

A survey is prepared as a draft, opened for answers for its period, and closed (by staff, or simply
by its closing time passing: answers are refused outside [opens_at, closes_at) whatever the status).
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

from .models import Survey

S = Survey.Status


class Step(StrEnum):
    OPEN = "open"
    CLOSE = "close"


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.DRAFT, Step.OPEN): S.OPEN,
    (S.OPEN, Step.CLOSE): S.CLOSED,
    # Closing early by mistake happens; reopening is allowed while the period lasts (checked by the service).
    (S.CLOSED, Step.OPEN): S.OPEN,
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(survey: Survey, step: Step) -> str:
    to = TRANSITIONS.get((survey.status, step))
    if to is None:
        raise DomainError(
            _("This survey is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": survey.get_status_display()},
            code="invalid_transition")
    return to
