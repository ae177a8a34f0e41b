"""Who hears about each step of a resource, in one place: `tell(...)` runs after the step commits.

The alliance's reviewers (the subdistrict's staff) hear when a resource waits for review; the unit's
liaisons hear when it is approved or rejected (the reason is in the inbox, never in a text).
"""

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import Resource
from .workflow import Step


def _reviewers(resource: Resource):
    return User.objects.filter(role_assignments__role=Role.SUBDISTRICT_STAFF,
                               role_assignments__subdistrict=resource.member_unit.alliance.subdistrict_id).distinct()


def _liaisons(resource: Resource):
    return User.objects.filter(role_assignments__role=Role.UNIT_LIAISON,
                               role_assignments__member_unit=resource.member_unit_id).distinct()


def tell(resource_id: int, step: str, actor_id: int | None) -> None:
    resource = Resource.objects.select_related("member_unit__alliance").filter(pk=resource_id).first()
    if resource is None:
        return
    context = {"resource": resource.title[:60], "unit": resource.member_unit.name, "kind": resource.kind,
               "reason": resource.reject_reason}
    # One message per step taken: a resource may be submitted again after an edit.
    key = f"resource:{resource.pk}:{step}:{resource.updated_at.timestamp():.6f}"
    common = {"obj": resource, "context": context, "key": key}
    sender = User.objects.filter(pk=actor_id).first() if actor_id else None
    if step == Step.SUBMIT:
        notify(recipients=_reviewers(resource).exclude(pk=actor_id), kind="resources.submitted", **common)
    elif step == Step.APPROVE:
        notify(recipients=_liaisons(resource), kind="resources.approved", sender=sender, **common)
    elif step == Step.REJECT:
        notify(recipients=_liaisons(resource), kind="resources.rejected", sender=sender, **common)
