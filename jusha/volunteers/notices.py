"""Who hears about a volunteer record; every function runs after the step commits.

The applicant hears when their application is approved (with their number) or rejected (with the
reason, in the inbox only).
"""

from jusha.notifications.services import notify

from .models import Volunteer

KINDS = {"approved": "volunteers.approved", "rejected": "volunteers.rejected"}


def reviewed(volunteer_id: int, outcome: str) -> None:
    volunteer = Volunteer.objects.select_related("user", "community").filter(pk=volunteer_id).first()
    if volunteer is None:
        return
    context = {"community": volunteer.community.name, "number": volunteer.number or "",
               "reason": volunteer.reject_reason}
    # One message per review: applying again and being reviewed again is a new event.
    reviewed_at = volunteer.reviewed_at.isoformat() if volunteer.reviewed_at else ""
    notify(recipients=[volunteer.user], kind=KINDS[outcome], obj=volunteer, context=context,
           community=volunteer.community, sender=volunteer.reviewed_by,
           key=f"volunteer:{volunteer.pk}:{outcome}:{reviewed_at}")
