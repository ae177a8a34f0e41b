"""The case workflow as one table: (status, step) → the status it leads to.

Every service looks its step up here before changing anything, so a refused transition is the same
clear error everywhere. `BACK` means "the status the case was parked from" (unpark). Steps that record
something without moving the case (arrive, extension, rate, spot-check pass, follow) lead to the
status they start from. docs/cases.md draws the same table as a diagram.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import DomainError

from .models import Case, CaseDeadline

S = Case.Status


class Step(StrEnum):
    REPORT = "report"
    FOLLOW = "follow"
    MERGE = "merge"
    ACCEPT = "accept"
    FILE = "file"
    CANCEL = "cancel"
    DISPATCH = "dispatch"
    TAKE = "take"
    ARRIVE = "arrive"
    RETURN = "return"
    HANDLE = "handle"
    SELF_HANDLE = "self_handle"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_APPROVE = "extension_approve"
    EXTENSION_REFUSE = "extension_refuse"
    PARK = "park"
    UNPARK = "unpark"
    VERIFY = "verify"
    REWORK = "rework"
    CLOSE = "close"
    RATE = "rate"
    REOPEN = "reopen"
    SPOT_CHECK_PASS = "spot_check_pass"  # noqa: S105  (a step, not a secret)
    SPOT_CHECK_FAIL = "spot_check_fail"
    # Recorded by the overdue sweep (督办), never taken by a person; they move nothing (not in TRANSITIONS).
    OVERDUE = "overdue"
    ESCALATE = "escalate"


SWEEP_STEPS = frozenset({Step.OVERDUE, Step.ESCALATE})


BACK = "back"

# Statuses in which the case is still being worked on: duplicates attach only to these.
OPEN = frozenset({S.REPORTED, S.ACCEPTED, S.FILED, S.DISPATCHED, S.HANDLING, S.HANDLED, S.VERIFIED, S.PARKED})
# Statuses the assignee is working in.
WITH_ASSIGNEE = frozenset({S.DISPATCHED, S.HANDLING})

TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.REPORTED, Step.ACCEPT): S.ACCEPTED,
    (S.REPORTED, Step.CANCEL): S.CANCELLED,
    (S.ACCEPTED, Step.CANCEL): S.CANCELLED,
    (S.FILED, Step.CANCEL): S.CANCELLED,
    (S.REPORTED, Step.MERGE): S.MERGED,
    (S.ACCEPTED, Step.MERGE): S.MERGED,
    (S.FILED, Step.MERGE): S.MERGED,
    (S.ACCEPTED, Step.FILE): S.FILED,
    (S.FILED, Step.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, Step.TAKE): S.HANDLING,
    (S.HANDLING, Step.ARRIVE): S.HANDLING,
    (S.DISPATCHED, Step.RETURN): S.FILED,
    (S.HANDLING, Step.RETURN): S.FILED,
    (S.HANDLING, Step.HANDLE): S.HANDLED,
    (S.DISPATCHED, Step.EXTENSION_REQUEST): S.DISPATCHED,
    (S.HANDLING, Step.EXTENSION_REQUEST): S.HANDLING,
    (S.DISPATCHED, Step.EXTENSION_APPROVE): S.DISPATCHED,
    (S.HANDLING, Step.EXTENSION_APPROVE): S.HANDLING,
    (S.DISPATCHED, Step.EXTENSION_REFUSE): S.DISPATCHED,
    (S.HANDLING, Step.EXTENSION_REFUSE): S.HANDLING,
    (S.FILED, Step.PARK): S.PARKED,
    (S.DISPATCHED, Step.PARK): S.PARKED,
    (S.HANDLING, Step.PARK): S.PARKED,
    (S.PARKED, Step.UNPARK): BACK,
    (S.HANDLED, Step.VERIFY): S.VERIFIED,
    (S.HANDLED, Step.REWORK): S.HANDLING,
    (S.VERIFIED, Step.CLOSE): S.CLOSED,
    (S.CLOSED, Step.RATE): S.CLOSED,
    (S.CLOSED, Step.REOPEN): S.FILED,
    (S.CLOSED, Step.SPOT_CHECK_PASS): S.CLOSED,
    (S.CLOSED, Step.SPOT_CHECK_FAIL): S.HANDLING,
}
for _status in OPEN - {S.CLOSED}:
    TRANSITIONS[(_status, Step.FOLLOW)] = _status

# Which stage's clock runs in each status (docs/cases.md, "Deadlines"). No clock runs while accepted
# (filing follows at once), parked (挂账 stops it), verified (closing is the operator's routine) or after.
D = CaseDeadline.Stage
STAGES = {S.REPORTED: D.ACCEPT, S.FILED: D.DISPATCH, S.DISPATCHED: D.HANDLE, S.HANDLING: D.HANDLE,
          S.HANDLED: D.VERIFY}
# Steps that do the work of the stage they leave, so its clock ends as met (on time or late). Any other
# way out (cancel, merge, return, park) ends the clock without meeting it.
MEETS = frozenset({Step.ACCEPT, Step.DISPATCH, Step.HANDLE, Step.VERIFY, Step.REWORK})

# What the timeline says for each step, in the reporter's words.
STEP_LABELS = {
    Step.REPORT: gettext_lazy("Reported"),
    Step.FOLLOW: gettext_lazy("Another report joined the case"),
    Step.MERGE: gettext_lazy("Merged into another case"),
    Step.ACCEPT: gettext_lazy("Accepted by the command center"),
    Step.FILE: gettext_lazy("Filed as a case"),
    Step.CANCEL: gettext_lazy("Not filed"),
    Step.DISPATCH: gettext_lazy("Dispatched"),
    Step.TAKE: gettext_lazy("Taken on"),
    Step.ARRIVE: gettext_lazy("Arrived on site"),
    Step.RETURN: gettext_lazy("Returned to the command center"),
    Step.HANDLE: gettext_lazy("Handled"),
    Step.SELF_HANDLE: gettext_lazy("Handled on the spot by the grid worker"),
    Step.EXTENSION_REQUEST: gettext_lazy("Extension requested"),
    Step.EXTENSION_APPROVE: gettext_lazy("Extension approved"),
    Step.EXTENSION_REFUSE: gettext_lazy("Extension refused"),
    Step.PARK: gettext_lazy("Parked"),
    Step.UNPARK: gettext_lazy("Taken up again"),
    Step.VERIFY: gettext_lazy("Verified on site"),
    Step.REWORK: gettext_lazy("Sent back for rework"),
    Step.CLOSE: gettext_lazy("Closed"),
    Step.RATE: gettext_lazy("Rated"),
    Step.REOPEN: gettext_lazy("Reopened by the reporter"),
    Step.SPOT_CHECK_PASS: gettext_lazy("Spot-check passed"),
    Step.SPOT_CHECK_FAIL: gettext_lazy("Spot-check failed: reopened for rework"),
    Step.OVERDUE: gettext_lazy("Overdue: under supervision"),
    Step.ESCALATE: gettext_lazy("Still overdue: escalated to the subdistrict"),
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(case: Case, step: Step) -> str:
    """The status `step` leads to from the case's current status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((case.status, step))
    if to is None:
        raise DomainError(
            _("This case is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": case.get_status_display()},
            code="invalid_transition")
    if to == BACK:
        return case.parked_from or S.FILED
    return to
