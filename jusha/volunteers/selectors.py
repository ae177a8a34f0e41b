"""Reads other apps use to ask about volunteers (activities' volunteer slots, needs matching)."""

from .models import Volunteer


def active_volunteer(user) -> Volunteer | None:
    """The person's volunteer record when it is approved, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user, status=Volunteer.Status.APPROVED).first()
