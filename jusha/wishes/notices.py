"""Who hears about each step of a micro-wish; every function runs after the step commits.

The community's staff hear when a wish is claimed, given back or lapses, and when it is delivered;
the claimer is reminded a day before the contact deadline, told when the claim lapses or the wish is
cancelled, and thanked when the wish is fulfilled; a beneficiary with an account hears of the
delivery. No message carries the beneficiary's name, phone or address.
"""

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import WishClaim


def _claim(claim_id: int) -> WishClaim | None:
    return (WishClaim.objects.select_related("wish__community", "member_unit", "claimant")
            .filter(pk=claim_id).first())


def _community_staff(wish):
    return User.objects.filter(role_assignments__role=Role.COMMUNITY_STAFF,
                               role_assignments__community=wish.community_id).distinct()


def _claimers(claim: WishClaim):
    """The person who claimed, and for a unit its other liaisons too."""
    if claim.member_unit_id is None:
        return [claim.claimant]
    return User.objects.filter(role_assignments__role=Role.UNIT_LIAISON,
                               role_assignments__member_unit=claim.member_unit_id).distinct()


def _send(claim: WishClaim, recipients, kind: str, event: str, *, sender=None) -> None:
    wish = claim.wish
    context = {"wish": wish.text[:60], "category": wish.category, "community": wish.community.name,
               "claimer": claim.holder_label, "due": claim.contact_due_at.date().isoformat()}
    notify(recipients=recipients, kind=kind, obj=wish, context=context, community=wish.community, sender=sender,
           key=f"wish-claim:{claim.pk}:{event}")


def claimed(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _community_staff(claim.wish), "wishes.claimed", "claimed", sender=claim.claimant)


def returned(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _community_staff(claim.wish), "wishes.returned", "returned")


def contact_due(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _claimers(claim), "wishes.contact_due", "contact_due")


def lapsed(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _claimers(claim), "wishes.lapsed", "lapsed")
        _send(claim, _community_staff(claim.wish), "wishes.returned", "returned")


def delivered(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is None:
        return
    recipients = list(_community_staff(claim.wish))
    if claim.wish.beneficiary_id:
        recipients.append(claim.wish.beneficiary)
    _send(claim, recipients, "wishes.delivered", "delivered", sender=claim.claimant)


def fulfilled(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _claimers(claim), "wishes.fulfilled", "fulfilled")


def cancelled(claim_id: int) -> None:
    claim = _claim(claim_id)
    if claim is not None:
        _send(claim, _claimers(claim), "wishes.cancelled", "cancelled")
