"""The project workflow as one table: (status, step) → the status it leads to.

planned → active (start) → finished (finish); a planned or active project may be cancelled with a
reason. Editing is allowed while a project is planned or active; progress only while it is active.
docs/projects.md draws the same table as a diagram.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import DomainError

from .models import ServiceProject

S = ServiceProject.Status


class Step(StrEnum):
    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.PLANNED, Step.START): S.ACTIVE,
    (S.ACTIVE, Step.FINISH): S.FINISHED,
    (S.PLANNED, Step.CANCEL): S.CANCELLED,
    (S.ACTIVE, Step.CANCEL): S.CANCELLED,
}

EDITABLE = frozenset({S.PLANNED, S.ACTIVE})
RECORDS_PROGRESS = frozenset({S.ACTIVE})

STEP_LABELS = {
    Step.START: gettext_lazy("Start"),
    Step.FINISH: gettext_lazy("Finish"),
    Step.CANCEL: gettext_lazy("Cancel"),
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def refusal(project: ServiceProject) -> DomainError:
    return DomainError(
        _("This project is now “%(status)s”, so this cannot be done any more. Reload the page to see what "
          "changed.") % {"status": project.get_status_display()}, code="invalid_transition")


def target(project: ServiceProject, step: Step) -> str:
    to = TRANSITIONS.get((project.status, step))
    if to is None:
        raise refusal(project)
    return to
