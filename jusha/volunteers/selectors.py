"""Reads about volunteers, already narrowed by `permissions`: the person's own record, the review
queue, a unit's team, and the volunteers staff may pair a need with. Other apps ask
`active_volunteer` (activities' volunteer slots, needs matching)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jusha import permissions
from jusha.permissions import Action
from jusha.web.params import int_param

from .models import Volunteer

S = Volunteer.Status


def active_volunteer(user) -> Volunteer | None:
    """The person's volunteer record when it is approved, else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user, status=Volunteer.Status.APPROVED).first()


def my_record(user) -> Volunteer | None:
    """The person's own record in any status (the "my volunteer record" page), else None."""
    return (permissions.visible(user, Action.VOLUNTEER_EDIT, Volunteer.objects.all())
            .select_related("community", "member_unit").prefetch_related("service_area").first())


@dataclass(frozen=True)
class ListFilter:
    status: str = S.APPLIED
    community: int | None = None

    @classmethod
    def from_query(cls, query) -> "ListFilter":
        status = query.get("status", S.APPLIED)
        return cls(status=status if status in S.values or status == "" else S.APPLIED,
                   community=int_param(query.get("community")))

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.community:
            qs = qs.filter(community=self.community)
        return qs


def review_queue(user, filters: ListFilter) -> QuerySet:
    """The records the person reviews, oldest application first (the queue is worked in order)."""
    qs = filters.apply(permissions.visible(user, Action.VOLUNTEER_REVIEW, Volunteer.objects.all()))
    return qs.select_related("community", "member_unit").order_by("applied_at", "id")


def volunteer_detail(user, pk: int, *, action: Action = Action.VOLUNTEER_VIEW) -> Volunteer:
    return permissions.fetch(user, action, Volunteer.objects.select_related(
        "community", "member_unit", "reviewed_by", "user").prefetch_related("service_area"), pk=pk)


def team(user) -> QuerySet:
    """The records of the volunteer teams of the liaison's units."""
    units = permissions.actor_of(user).member_units
    return (permissions.visible(user, Action.VOLUNTEER_VIEW, Volunteer.objects.filter(member_unit__in=units))
            .select_related("community", "member_unit").order_by("-applied_at", "-id"))


def matchable_volunteers(actor, need) -> QuerySet:
    """The approved volunteers `actor` may pair `need` with: community staff those who serve the need's
    community (it is their home or in their service area), subdistrict staff (and administrators) any
    approved volunteer of the subdistrict. The same staff who may match units (`needs.services`)."""
    from jusha.accounts.models import Role

    subdistrict_id = need.community.subdistrict_id
    approved = Volunteer.objects.filter(status=S.APPROVED, community__subdistrict=subdistrict_id)
    who = permissions.actor_of(actor)
    if who.is_admin or subdistrict_id in who.subdistricts_as(Role.SUBDISTRICT_STAFF):
        return approved.order_by("name", "id")
    if need.community_id in who.communities_as(Role.COMMUNITY_STAFF):
        serving = Volunteer.service_area.through.objects.filter(community=need.community_id).values("volunteer")
        return approved.filter(Q(community=need.community_id) | Q(pk__in=serving)).order_by("name", "id")
    return approved.none()
