"""Reads about points, each narrowed by `permissions` and with a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.core.errors import NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.volunteers.models import Volunteer

from .models import PointsAccount, PointsRule, PointsTransaction, Redemption, Reward

LEADERBOARD_SIZE = 50


def account_of(user) -> PointsAccount | None:
    """The person's own account, if points ever moved for them (a balance of 0 otherwise)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return PointsAccount.objects.filter(person=user).first()


def balance_of(user) -> int:
    account = account_of(user)
    return account.balance if account else 0


def history(user, person: User | None = None):
    """The movements of `person` (default: the user themselves), newest first; NotAllowed for someone
    whose points the user may not see."""
    person = person or user
    if person.pk != user.pk:
        permissions.fetch(user, Action.POINTS_VIEW, PointsAccount.objects.all(), person=person)
    return (PointsTransaction.objects.filter(person=person).select_related("redemption__reward", "actor")
            .order_by("-created_at", "-id"))


def _available_now(queryset):
    now = clock.now()
    return queryset.filter(Q(available_from__isnull=True) | Q(available_from__lte=now),
                           Q(available_until__isnull=True) | Q(available_until__gt=now))


def catalogue(user):
    """The rewards the person may redeem now (out-of-stock ones too, marked so by their stock)."""
    return _available_now(permissions.visible(user, Action.REWARD_REDEEM, Reward.objects.all())).select_related(
        "member_unit", "community", "subdistrict").order_by("cost", "name", "id")


def reward_for_person(user, pk: int) -> Reward:
    return permissions.fetch(user, Action.REWARD_REDEEM, Reward.objects.select_related(
        "member_unit", "community", "subdistrict"), pk=pk)


def reward_with_photo(user, pk: int) -> Reward:
    """A reward with a photo that the user may redeem or keep, else NotAllowed (a 404)."""
    found = (permissions.visible(user, Action.REWARD_REDEEM, Reward.objects.filter(pk=pk))
             | permissions.visible(user, Action.REWARD_MANAGE, Reward.objects.filter(pk=pk))).exclude(photo="").first()
    if found is None:
        raise NotAllowed()
    return found


def my_redemptions(user):
    if not getattr(user, "is_authenticated", False):
        return Redemption.objects.none()
    return (Redemption.objects.filter(person=user).select_related("reward__member_unit", "reward__community",
                                                                   "reward__subdistrict")
            .order_by("-created_at", "-id"))


def managed_rewards(user):
    return permissions.visible(user, Action.REWARD_MANAGE, Reward.objects.select_related(
        "member_unit", "community", "subdistrict")).order_by("-is_active", "name", "id")


def handled_redemptions(user, *, status: str = ""):
    qs = permissions.visible(user, Action.REDEMPTION_HANDLE, Redemption.objects.select_related(
        "reward__member_unit", "reward__community", "reward__subdistrict", "person", "picked_up_by"))
    if status in Redemption.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def rules(subdistrict) -> list[PointsRule]:
    return list(PointsRule.objects.filter(subdistrict=subdistrict).order_by("trigger", "name", "id"))


@dataclass(frozen=True)
class Row:
    rank: int
    person_id: int
    name: str
    earned: int
    balance: int


def _earned_in(year: int):
    """Points earned in `year`: awards less corrections (what was spent or expired does not count)."""
    movements = Q(person__points_movements__created_at__year=year)
    return (Coalesce(Sum("person__points_movements__amount",
                         filter=movements & Q(person__points_movements__kind="award")), 0)
            - Coalesce(Sum("person__points_movements__amount",
                           filter=movements & Q(person__points_movements__kind="deduction")), 0))


def _board(people, year: int) -> list[Row]:
    rows = (PointsAccount.objects.filter(kind=PointsAccount.Kind.PERSON, hide_from_leaderboards=False,
                                         person__in=people, person__is_active=True)
            .annotate(earned=_earned_in(year)).filter(earned__gt=0)
            .order_by("-earned", "person_id").values_list("person_id", "person__name", "earned", "balance")
            [:LEADERBOARD_SIZE])
    return [Row(i, *row) for i, row in enumerate(rows, start=1)]


def leaderboard_year() -> int:
    return timezone.localdate(clock.now()).year


def community_leaderboard(user, community: Community, year: int) -> list[Row]:
    """The community's residents who earned most in `year`, without those who opted out."""
    permissions.require(user, Action.POINTS_LEADERBOARD, community)
    people = RoleAssignment.objects.filter(role=Role.RESIDENT, community=community).values("user")
    return _board(people, year)


def unit_leaderboard(user, unit: MemberUnit, year: int) -> list[Row]:
    """The unit's people (its liaisons and its volunteer team) who earned most in `year`."""
    permissions.require(user, Action.POINTS_LEADERBOARD, unit)
    people = User.objects.filter(
        Q(pk__in=RoleAssignment.objects.filter(role=Role.UNIT_LIAISON, member_unit=unit).values("user"))
        | Q(pk__in=Volunteer.objects.filter(member_unit=unit, status=Volunteer.Status.APPROVED).values("user")))
    return _board(people.values("pk"), year)
