"""The volunteer record's workflow as one table: (status, step) → the status it leads to.

Every service looks its step up here before changing anything, so a refused step is the same clear
error everywhere. docs/volunteers.md draws the same table.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import DomainError

from .models import Volunteer

S = Volunteer.Status


class Step(StrEnum):
    APPLY = "apply"
    UPDATE = "update"
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[str, Step], str] = {
    # A rejected or withdrawn person may apply again: the same record goes back to review.
    (S.REJECTED, Step.APPLY): S.APPLIED,
    (S.WITHDRAWN, Step.APPLY): S.APPLIED,
    # Editing keeps the status: an approved volunteer's skills or times change without a new review.
    (S.APPLIED, Step.UPDATE): S.APPLIED,
    (S.APPROVED, Step.UPDATE): S.APPROVED,
    (S.SUSPENDED, Step.UPDATE): S.SUSPENDED,
    (S.APPLIED, Step.APPROVE): S.APPROVED,
    (S.APPLIED, Step.REJECT): S.REJECTED,
    (S.APPROVED, Step.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, Step.REINSTATE): S.APPROVED,
    (S.APPLIED, Step.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, Step.WITHDRAW): S.WITHDRAWN,
    (S.SUSPENDED, Step.WITHDRAW): S.WITHDRAWN,
}

# Steps staff take in the review queue (the others are the volunteer's own).
REVIEW_STEPS = (Step.APPROVE, Step.REJECT, Step.SUSPEND, Step.REINSTATE)

STEP_LABELS = {
    Step.APPLY: gettext_lazy("Applied"),
    Step.UPDATE: gettext_lazy("Details changed"),
    Step.APPROVE: gettext_lazy("Approved"),
    Step.REJECT: gettext_lazy("Rejected"),
    Step.SUSPEND: gettext_lazy("Suspended"),
    Step.REINSTATE: gettext_lazy("Reinstated"),
    Step.WITHDRAW: gettext_lazy("Withdrawn"),
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(volunteer: Volunteer, step: Step) -> str:
    """The status `step` leads to from the record's current status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((volunteer.status, step))
    if to is None:
        raise DomainError(
            _("This volunteer record is now “%(status)s”, so this cannot be done any more. Reload the page to "
              "see what changed.") % {"status": volunteer.get_status_display()},
            code="invalid_transition")
    return to
