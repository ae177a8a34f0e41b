"""Who hears about each step of a need, in one place: `tell(event_id)` runs after the step commits.

The resident hears about every step someone else takes; the staff whose queue the need lands in hear
when it needs a decision; a unit's liaisons hear when a need is offered to or taken from their unit,
a volunteer when a need is offered to them;
the helpers and the community hear the rating. When a clock runs out, `overdue` tells the staff
who must chase it (docs/needs.md, "Clocks").
"""

from django.utils import timezone

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import Claim, Need, NeedEvent
from .workflow import Step

RESIDENT_KIND = {Step.REJECT: "needs.rejected", Step.RESOLVE: "needs.completed", Step.COMPLETE: "needs.completed"}
# Steps after which the need waits for a staff decision at its (new) level.
TO_QUEUE = {Step.SUBMIT, Step.ESCALATE, Step.SEND_BACK, Step.REOPEN, Step.MATCH_DECLINE, Step.CLAIM_RELEASE}


def _community_staff(need: Need):
    return User.objects.filter(role_assignments__role=Role.COMMUNITY_STAFF,
                               role_assignments__community=need.community_id).distinct()


def _subdistrict_staff(need: Need):
    return User.objects.filter(role_assignments__role=Role.SUBDISTRICT_STAFF,
                               role_assignments__subdistrict=need.community.subdistrict_id).distinct()


def _liaisons(unit_id: int | None):
    if unit_id is None:
        return User.objects.none()
    return User.objects.filter(role_assignments__role=Role.UNIT_LIAISON,
                               role_assignments__member_unit=unit_id).distinct()


def tell(event_id: int) -> None:
    event = (NeedEvent.objects.select_related("need__community", "need__category", "need__resident", "member_unit")
             .filter(pk=event_id).first())
    if event is None:
        return
    need = event.need
    step = Step(event.step)
    context = {"need": need.text[:60], "category": need.category.code, "step": step.value,
               "community": need.community.name, "unit": event.member_unit.name if event.member_unit else "",
               "reason": "" if event.note_is_internal else event.note,
               "detail": "" if event.note_is_internal else event.note}
    key = f"need-event:{event.pk}"
    common = {"obj": need, "context": context, "community": need.community, "key": key}

    if event.actor_id != need.resident_id:
        notify(recipients=[need.resident], kind=RESIDENT_KIND.get(step, "needs.progress"), sender=event.actor,
               **common)
    if step in TO_QUEUE:
        staff = _subdistrict_staff(need) if need.level == Need.Level.SUBDISTRICT else _community_staff(need)
        notify(recipients=staff.exclude(pk=event.actor_id), kind="needs.queue", **common)
    if step in (Step.MATCH, Step.REASSIGN):
        notify(recipients=_liaisons(event.member_unit_id), kind="needs.offered", sender=event.actor, **common)
    if step == Step.MATCH and event.member_unit_id is None:
        # Matched to a volunteer: the offer is theirs to accept or decline on the need board.
        offer = (Claim.objects.filter(need=need, status=Claim.Status.OFFERED, member_unit__isnull=True)
                 .select_related("claimant").first())
        if offer is not None:
            notify(recipients=[offer.claimant], kind="needs.volunteer_offered", sender=event.actor, **common)
    if step == Step.REASSIGN:
        withdrawn = (Claim.objects.filter(need=need, status=Claim.Status.WITHDRAWN, ended_at__lte=event.at)
                     .order_by("-ended_at", "-id").first())
        if withdrawn is not None:
            notify(recipients=_liaisons(withdrawn.member_unit_id), kind="needs.withdrawn",
                   **{**common, "obj": None, "context": {**context, "unit": withdrawn.holder_label,
                                                         "reason": event.note}})
    if step == Step.CONFIRM:
        rating = need.ratings.order_by("-created_at", "-id").first()
        stars = rating.stars if rating else ""
        recipients = list(_community_staff(need)) + list(_liaisons(rating.member_unit_id if rating else None))
        notify(recipients=recipients, kind="needs.rated", **{**common, "context": {**context, "stars": stars}})


def overdue(need_id: int, which: str, *, from_level: str) -> None:
    """A clock ran out (`which`: "response" or "completion"), after the sweep committed.

    No first response: the staff who held the need (the community's, when it held it) and the
    subdistrict's staff, who now hold it. Not completed: the staff one level above the holder — the
    subdistrict's; they are the top level, so they also hear about their own needs."""
    need = Need.objects.select_related("community", "category").filter(pk=need_id).first()
    if need is None:
        return
    if which == "response":
        flagged_at, due, kind = need.first_response_overdue_at, need.first_response_due_at, "needs.response_overdue"
        recipients = list(_subdistrict_staff(need))
        if from_level == Need.Level.COMMUNITY:
            recipients += list(_community_staff(need))
    else:
        flagged_at, due, kind = need.completion_overdue_at, need.completion_due_at, "needs.completion_overdue"
        recipients = list(_subdistrict_staff(need))
    context = {"need": need.text[:60], "category": need.category.code, "community": need.community.name,
               "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else ""}
    notify(recipients=recipients, kind=kind, obj=need, context=context, community=need.community,
           key=f"need-overdue:{need.pk}:{which}:{flagged_at.isoformat() if flagged_at else ''}")
