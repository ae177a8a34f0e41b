"""The micro-wish workflow as one table: (status, step) → the status it leads to.

Every service looks its step up here before changing anything, so a refused step is the same clear
error everywhere. docs/wishes.md draws the same table as a diagram.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import DomainError

from .models import MicroWish

S = MicroWish.Status


class Step(StrEnum):
    CREATE = "create"
    VERIFY = "verify"
    PUBLISH = "publish"
    CLAIM = "claim"
    RELEASE = "release"
    LAPSE = "lapse"
    CONTACT = "contact"
    DELIVER = "deliver"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.DRAFT, Step.VERIFY): S.VERIFIED,
    (S.VERIFIED, Step.PUBLISH): S.PUBLISHED,
    # A withdrawn or expired wish can go back on the wall with a new target date.
    (S.WITHDRAWN, Step.PUBLISH): S.PUBLISHED,
    (S.EXPIRED, Step.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, Step.CLAIM): S.CLAIMED,
    (S.CLAIMED, Step.RELEASE): S.PUBLISHED,
    (S.CONTACTED, Step.RELEASE): S.PUBLISHED,
    (S.CLAIMED, Step.LAPSE): S.PUBLISHED,
    (S.CLAIMED, Step.CONTACT): S.CONTACTED,
    (S.CONTACTED, Step.DELIVER): S.DELIVERED,
    (S.DELIVERED, Step.CONFIRM): S.FULFILLED,
    (S.PUBLISHED, Step.WITHDRAW): S.WITHDRAWN,
    (S.PUBLISHED, Step.EXPIRE): S.EXPIRED,
    (S.DRAFT, Step.CANCEL): S.CANCELLED,
    (S.VERIFIED, Step.CANCEL): S.CANCELLED,
    (S.PUBLISHED, Step.CANCEL): S.CANCELLED,
    (S.CLAIMED, Step.CANCEL): S.CANCELLED,
    (S.CONTACTED, Step.CANCEL): S.CANCELLED,
    (S.WITHDRAWN, Step.CANCEL): S.CANCELLED,
    (S.EXPIRED, Step.CANCEL): S.CANCELLED,
}

# What the public may see of a wish: on the wall, taken on, or fulfilled (the thank-you wall).
PUBLIC = frozenset({S.PUBLISHED, S.CLAIMED, S.CONTACTED, S.DELIVERED, S.FULFILLED})
# Statuses in which a wish has a live claim.
WITH_CLAIM = frozenset({S.CLAIMED, S.CONTACTED, S.DELIVERED})

STEP_LABELS = {
    Step.CREATE: gettext_lazy("Collected"),
    Step.VERIFY: gettext_lazy("Verified"),
    Step.PUBLISH: gettext_lazy("Published on the wish wall"),
    Step.CLAIM: gettext_lazy("Claimed"),
    Step.RELEASE: gettext_lazy("Given back"),
    Step.LAPSE: gettext_lazy("Claim lapsed"),
    Step.CONTACT: gettext_lazy("Contact made"),
    Step.DELIVER: gettext_lazy("Delivered"),
    Step.CONFIRM: gettext_lazy("Fulfilled"),
    Step.WITHDRAW: gettext_lazy("Withdrawn"),
    Step.EXPIRE: gettext_lazy("Expired"),
    Step.CANCEL: gettext_lazy("Cancelled"),
}


def allowed_steps(status: str) -> set[Step]:
    return {step for (source, step) in TRANSITIONS if source == status}


def target(wish: MicroWish, step: Step) -> str:
    """The status `step` leads to from the wish's current status, or the one refusal everyone shows."""
    to = TRANSITIONS.get((wish.status, step))
    if to is None:
        raise DomainError(
            _("This wish is now “%(status)s”, so this cannot be done any more. Reload the page to see "
              "what changed.") % {"status": wish.get_status_display()},
            code="invalid_transition")
    return to
