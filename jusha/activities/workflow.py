"""The activity review workflow as one table: (status, step) → the status it leads to.

An activity is written as a draft, submitted for review, and published (or returned with a reason,
edited and submitted again) by subdistrict or community staff; only published activities are public
and open for sign-up. Any activity not yet cancelled can be cancelled. docs/activities.md draws it.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

from .models import Activity

S = Activity.Status


class Step(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.DRAFT, Step.UPDATE): S.DRAFT,
    (S.REJECTED, Step.UPDATE): S.REJECTED,
    (S.DRAFT, Step.SUBMIT): S.SUBMITTED,
    (S.REJECTED, Step.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Step.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, Step.REJECT): S.REJECTED,
    (S.DRAFT, Step.CANCEL): S.CANCELLED,
    (S.SUBMITTED, Step.CANCEL): S.CANCELLED,
    (S.REJECTED, Step.CANCEL): S.CANCELLED,
    (S.PUBLISHED, Step.CANCEL): S.CANCELLED,
}

# Sessions may be added or changed while the activity is being written, and once it is public
# (a course gets an extra session); not while it waits for review, nor after it was cancelled.
SESSIONS_EDITABLE = frozenset({S.DRAFT, S.REJECTED, S.PUBLISHED})


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(activity: Activity, step: Step) -> str:
    """The status `step` leads to from the activity's status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((activity.status, step))
    if to is None:
        raise DomainError(
            _("This activity is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": activity.get_status_display()},
            code="invalid_transition")
    return to
