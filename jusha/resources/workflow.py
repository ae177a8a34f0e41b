"""The resource workflow as one table: (status, step) → the status it leads to.

A liaison edits a draft or a rejected resource and submits it; subdistrict staff approve or reject a
submitted one; an approved resource is retired when the unit no longer offers it. Editing an approved
resource sends it back for review, so what matching offers is always what a reviewer saw.
docs/resources.md draws the same table as a diagram.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

from .models import Resource

S = Resource.Status


class Step(StrEnum):
    UPDATE = "update"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RETIRE = "retire"


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.DRAFT, Step.UPDATE): S.DRAFT,
    (S.SUBMITTED, Step.UPDATE): S.SUBMITTED,
    (S.REJECTED, Step.UPDATE): S.REJECTED,
    (S.APPROVED, Step.UPDATE): S.SUBMITTED,
    (S.DRAFT, Step.SUBMIT): S.SUBMITTED,
    (S.REJECTED, Step.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Step.APPROVE): S.APPROVED,
    (S.SUBMITTED, Step.REJECT): S.REJECTED,
    (S.DRAFT, Step.RETIRE): S.RETIRED,
    (S.REJECTED, Step.RETIRE): S.RETIRED,
    (S.APPROVED, Step.RETIRE): S.RETIRED,
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(resource: Resource, step: Step) -> str:
    """The status `step` leads to from the resource's current status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((resource.status, step))
    if to is None:
        raise DomainError(
            _("This resource is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": resource.get_status_display()},
            code="invalid_transition")
    return to
