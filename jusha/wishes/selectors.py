"""Reads about micro-wishes, each already narrowed by `permissions` to what the person may see.

The two public walls return `WallItem`s built from the public fields only, so a template or the API
cannot show the beneficiary's name, phone or address even by mistake.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet

from jusha import permissions
from jusha.permissions import Action

from .models import MicroWish, WishClaim, WishPhoto

S = MicroWish.Status
WALL_LIMIT = 200


@dataclass(frozen=True)
class WallItem:
    """What the public sees of a wish: never the beneficiary's name, phone or address."""

    id: int
    community: str
    community_id: int
    public_name: str
    category: str
    category_label: str
    text: str
    estimated_value: int
    target_date: date
    status: str
    status_label: str
    fulfilled_at: datetime | None = None
    thanked: str = ""


def _item(wish: MicroWish, *, thanked: str = "") -> WallItem:
    return WallItem(id=wish.pk, community=wish.community.name, community_id=wish.community_id,
                    public_name=wish.public_name, category=wish.category, category_label=wish.get_category_display(),
                    text=wish.text, estimated_value=wish.estimated_value, target_date=wish.target_date,
                    status=wish.status, status_label=wish.get_status_display(), fulfilled_at=wish.fulfilled_at,
                    thanked=thanked)


def _public(user, qs, *, community: int | None, category: str | None):
    qs = permissions.visible(user, Action.WISH_WALL_VIEW, qs)
    if community:
        qs = qs.filter(community=community)
    if category in MicroWish.Category.values:
        qs = qs.filter(category=category)
    return qs.select_related("community")


def wall(user, *, community: int | None = None, category: str | None = None) -> list[WallItem]:
    """The wish wall: published wishes, those due soonest first."""
    qs = _public(user, MicroWish.objects.filter(status=S.PUBLISHED), community=community, category=category)
    return [_item(w) for w in qs.order_by("target_date", "id")[:WALL_LIMIT]]


def thanks_label(claim: WishClaim | None) -> str:
    """Who the thank-you wall thanks: the claimer's name if they agreed, else an empty string."""
    if claim is None or not claim.show_name:
        return ""
    return claim.holder_label


def thanks_wall(user, *, community: int | None = None, category: str | None = None) -> list[WallItem]:
    """Fulfilled wishes, newest first, naming the claimer only where they agreed."""
    qs = _public(user, MicroWish.objects.filter(status=S.FULFILLED), community=community, category=category)
    qs = qs.prefetch_related(Prefetch("claims", queryset=WishClaim.objects.filter(status=WishClaim.Status.DONE)
                                      .select_related("member_unit", "claimant"), to_attr="done_claims"))
    return [_item(w, thanked=thanks_label(next(iter(w.done_claims), None)))
            for w in qs.order_by("-fulfilled_at", "-id")[:WALL_LIMIT]]


def public_wish(user, pk: int) -> WallItem:
    """One wish as the public sees it, or NotAllowed (a 404)."""
    wish = permissions.fetch(user, Action.WISH_WALL_VIEW, MicroWish.objects.select_related("community"), pk=pk)
    claim = None
    if wish.status == S.FULFILLED:
        claim = (WishClaim.objects.filter(wish=wish, status=WishClaim.Status.DONE)
                 .select_related("member_unit", "claimant").first())
    return _item(wish, thanked=thanks_label(claim))


def wish_detail(user, pk: int, *, action: Action = Action.WISH_VIEW) -> MicroWish:
    """One wish with everything its private pages show, if the person may see it."""
    return permissions.fetch(user, action, MicroWish.objects.select_related(
        "community", "beneficiary", "created_by", "contact_staff").prefetch_related(
        Prefetch("claims", queryset=WishClaim.objects.select_related("member_unit", "claimant")),
        Prefetch("photos", queryset=WishPhoto.objects.order_by("created_at", "id"))), pk=pk)


def photo(user, pk: int) -> WishPhoto:
    return permissions.fetch(user, Action.WISH_VIEW, WishPhoto.objects.all(), pk=pk)


def my_claims(user) -> QuerySet:
    """The claims the person may act on (their own, and their units'), live ones first."""
    if not getattr(user, "is_authenticated", False):
        return WishClaim.objects.none()
    qs = permissions.visible(user, Action.WISH_CLAIM_HANDLE, WishClaim.objects.all())
    return (qs.select_related("wish__community", "wish__contact_staff", "member_unit", "claimant")
            .prefetch_related(Prefetch("wish__photos", queryset=WishPhoto.objects.order_by("created_at", "id")))
            .order_by("-created_at", "-id"))


@dataclass(frozen=True)
class ListFilter:
    status: str = ""
    community: int | None = None
    category: str = ""

    @classmethod
    def from_query(cls, query) -> "ListFilter":
        status = query.get("status", "")
        category = query.get("category", "")
        raw = query.get("community", "")
        return cls(status=status if status in S.values else "",
                   community=int(raw) if raw.isdigit() and len(raw) < 12 else None,
                   category=category if category in MicroWish.Category.values else "")


def managed(user, filters: ListFilter) -> QuerySet:
    """The wishes staff manage, newest first, filtered by status, community and category."""
    qs = permissions.visible(user, Action.WISH_MANAGE, MicroWish.objects.all())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.community:
        qs = qs.filter(community=filters.community)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return (qs.select_related("community").prefetch_related(
        Prefetch("claims", queryset=WishClaim.objects.filter(status__in=WishClaim.LIVE)
                 .select_related("member_unit", "claimant"))).order_by("-created_at", "-id"))
