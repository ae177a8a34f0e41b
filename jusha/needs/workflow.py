"""The need workflow as one table: (status, step) → the status it leads to.

Every service looks its step up here before changing anything, so a refused transition is the same
clear error everywhere. `BACK` means "back to the open list of whoever owns the triage": accepted
(on the public board) while the community owns the need, escalated while the subdistrict does.
docs/needs.md draws the same table as a diagram.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import DomainError

from .models import Need

S = Need.Status


class Step(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    RESOLVE = "resolve"
    ESCALATE = "escalate"
    SEND_BACK = "send_back"
    MATCH = "match"
    MATCH_ACCEPT = "match_accept"
    MATCH_DECLINE = "match_decline"
    CLAIM = "claim"
    CLAIM_RELEASE = "claim_release"
    REASSIGN = "reassign"
    COMPLETE = "complete"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    # Taken by the system (the worker's periodic jobs), never by a person.
    ESCALATE_OVERDUE = "escalate_overdue"
    AUTO_CONFIRM = "auto_confirm"


BACK = "back"

TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.SUBMITTED, Step.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Step.REJECT): S.REJECTED,
    (S.ESCALATED, Step.REJECT): S.REJECTED,
    (S.SUBMITTED, Step.RESOLVE): S.COMPLETED,
    (S.ACCEPTED, Step.RESOLVE): S.COMPLETED,
    (S.ESCALATED, Step.RESOLVE): S.COMPLETED,
    (S.SUBMITTED, Step.ESCALATE): S.ESCALATED,
    (S.ACCEPTED, Step.ESCALATE): S.ESCALATED,
    (S.ESCALATED, Step.SEND_BACK): S.SUBMITTED,
    (S.SUBMITTED, Step.MATCH): S.MATCHED,
    (S.ACCEPTED, Step.MATCH): S.MATCHED,
    (S.ESCALATED, Step.MATCH): S.MATCHED,
    (S.MATCHED, Step.MATCH_ACCEPT): S.IN_PROGRESS,
    (S.MATCHED, Step.MATCH_DECLINE): BACK,
    (S.ACCEPTED, Step.CLAIM): S.IN_PROGRESS,
    (S.IN_PROGRESS, Step.CLAIM_RELEASE): BACK,
    (S.MATCHED, Step.REASSIGN): S.MATCHED,
    (S.IN_PROGRESS, Step.REASSIGN): S.MATCHED,
    (S.IN_PROGRESS, Step.COMPLETE): S.COMPLETED,
    (S.COMPLETED, Step.CONFIRM): S.CLOSED,
    (S.COMPLETED, Step.AUTO_CONFIRM): S.CLOSED,
    (S.SUBMITTED, Step.ESCALATE_OVERDUE): S.ESCALATED,
    (S.COMPLETED, Step.REOPEN): S.SUBMITTED,
    (S.CLOSED, Step.REOPEN): S.SUBMITTED,
}

# Steps the worker takes (actor None), never offered to a person; tests/test_needs_clocks.py covers them.
SYSTEM_STEPS = frozenset({Step.ESCALATE_OVERDUE, Step.AUTO_CONFIRM})

# Statuses a need can be in while its triage is still open (the staff queues).
OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.ESCALATED, S.MATCHED, S.IN_PROGRESS})

# What the timeline says for each step, in the resident's words.
STEP_LABELS = {
    Step.SUBMIT: gettext_lazy("Submitted"),
    Step.ACCEPT: gettext_lazy("Accepted by the community"),
    Step.REJECT: gettext_lazy("Not accepted"),
    Step.RESOLVE: gettext_lazy("Resolved by staff"),
    Step.ESCALATE: gettext_lazy("Forwarded to the subdistrict"),
    Step.SEND_BACK: gettext_lazy("Sent back to the community"),
    Step.MATCH: gettext_lazy("Matched with a helper"),
    Step.MATCH_ACCEPT: gettext_lazy("The helper took it on"),
    Step.MATCH_DECLINE: gettext_lazy("The helper could not take it on"),
    Step.CLAIM: gettext_lazy("A helper took it on from the board"),
    Step.CLAIM_RELEASE: gettext_lazy("The helper gave it back"),
    Step.REASSIGN: gettext_lazy("Handed to another helper"),
    Step.COMPLETE: gettext_lazy("Done"),
    Step.CONFIRM: gettext_lazy("Confirmed and rated"),
    Step.REOPEN: gettext_lazy("Reopened"),
    Step.ESCALATE_OVERDUE: gettext_lazy("Forwarded to the subdistrict: not answered in time"),
    Step.AUTO_CONFIRM: gettext_lazy("Confirmed automatically"),
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(need: Need, step: Step) -> str:
    """The status `step` leads to from the need's current status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((need.status, step))
    if to is None:
        raise DomainError(
            _("This need is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": need.get_status_display()},
            code="invalid_transition")
    if to == BACK:
        return S.ESCALATED if need.level == Need.Level.SUBDISTRICT else S.ACCEPTED
    return to
