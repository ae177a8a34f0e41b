"""Reads about needs, each already narrowed by `permissions` to what the person may see."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet

from jusha import permissions
from jusha.permissions import Action

from .models import Claim, Need, NeedCategory, NeedEvent, NeedPhoto, Rating
from .workflow import OPEN

S = Need.Status


def categories() -> QuerySet:
    return NeedCategory.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "code")


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("community", "grid", "category", "resident", "on_behalf_by").prefetch_related(
        Prefetch("claims", queryset=Claim.objects.select_related("member_unit", "claimant")),
    )


def my_needs(user) -> QuerySet:
    """The person's own needs, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Need.objects.none()
    return (Need.objects.filter(resident=user).select_related("community", "category")
            .order_by("-submitted_at", "-id"))


def need_detail(user, pk: int, *, action: Action = Action.NEED_VIEW) -> Need:
    """One need with what its page shows, or NotAllowed (a 404) when the person may not see it."""
    return permissions.fetch(user, action, _with_details(Need.objects.all()).prefetch_related(
        Prefetch("events", queryset=NeedEvent.objects.select_related("actor", "member_unit").order_by("at", "id")),
        Prefetch("photos", queryset=NeedPhoto.objects.order_by("created_at", "id")),
        "ratings",
    ), pk=pk)


def photo(user, pk: int) -> NeedPhoto:
    return permissions.fetch(user, Action.NEED_VIEW, NeedPhoto.objects.all(), pk=pk)


# Flagged by the sweep and still waiting for what was due (docs/needs.md, "Clocks").
OVERDUE = (Q(first_response_overdue_at__isnull=False, first_response_at__isnull=True)
           | Q(completion_overdue_at__isnull=False, completed_at__isnull=True, closed_at__isnull=True))


@dataclass(frozen=True)
class QueueFilter:
    status: str = S.SUBMITTED
    community: int | None = None
    category: int | None = None
    overdue: bool = False

    STATUSES = (S.SUBMITTED, S.ACCEPTED, S.ESCALATED, S.MATCHED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED, S.REJECTED)

    @classmethod
    def from_query(cls, query, *, default: str = S.SUBMITTED) -> "QueueFilter":
        status = query.get("status", default)

        def number(name):
            raw = query.get(name, "")
            return int(raw) if raw.isdigit() and len(raw) < 12 else None

        return cls(status=status if status in cls.STATUSES or status == "open" else default,
                   community=number("community"), category=number("category"), overdue=query.get("overdue") == "1")

    @property
    def query(self) -> str:
        """The filter as a query string, for links that keep it (the export)."""
        values = {"status": self.status, "community": self.community or "", "category": self.category or "",
                  "overdue": "1" if self.overdue else ""}
        return urlencode({k: v for k, v in values.items() if v != ""})

    def apply(self, qs: QuerySet) -> QuerySet:
        qs = qs.filter(status__in=OPEN) if self.status == "open" else qs.filter(status=self.status)
        if self.community:
            qs = qs.filter(community=self.community)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.overdue:
            qs = qs.filter(OVERDUE)
        return qs


def triage_queue(user, filters: QueueFilter) -> QuerySet:
    """The needs staff may decide on, most urgent first, then oldest first (the community's queue)."""
    qs = filters.apply(permissions.visible(user, Action.NEED_VIEW, Need.objects.all()))
    return _with_details(qs).order_by("-urgency", "submitted_at", "id")


def escalated_queue(user, filters: QueueFilter) -> QuerySet:
    """Needs the communities handed to the subdistrict, most urgent and oldest first."""
    qs = filters.apply(permissions.visible(user, Action.NEED_TRIAGE, Need.objects.filter(level=Need.Level.SUBDISTRICT)))
    return _with_details(qs).order_by("-urgency", "escalated_at", "id")


def need_list(user, filters: QueueFilter) -> QuerySet:
    """The need list (需求清单) to export: the queue's rows, in submission order, with their ratings."""
    qs = filters.apply(permissions.visible(user, Action.NEED_VIEW, Need.objects.all()))
    return _with_details(qs).prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.order_by("-created_at", "-id"))).order_by("submitted_at", "id")


def unit_needs(user) -> QuerySet:
    """For a unit liaison: the claims of their units that are offered or being handled, then done."""
    units = permissions.actor_of(user).member_units
    return (Claim.objects.filter(member_unit__in=units, status__in=(*Claim.LIVE, Claim.Status.DONE))
            .select_related("need__community", "need__category", "member_unit")
            .order_by("status", "-created_at"))


@dataclass(frozen=True)
class BoardItem:
    """What the public board shows of a need: never the resident's name, phone or exact place."""

    id: int
    community: str
    category: str
    text: str
    urgency: int
    urgency_label: str
    submitted_at: object


def board(user, *, community: int | None = None, category: int | None = None) -> list[BoardItem]:
    qs = permissions.visible(user, Action.NEED_BOARD_VIEW, Need.objects.filter(status=S.ACCEPTED))
    if community:
        qs = qs.filter(community=community)
    if category:
        qs = qs.filter(category=category)
    rows = qs.select_related("community", "category").order_by("-urgency", "submitted_at", "id")[:200]
    return [BoardItem(id=n.pk, community=n.community.name, category=n.category.label, text=n.text,
                      urgency=n.urgency, urgency_label=n.get_urgency_display(), submitted_at=n.submitted_at)
            for n in rows]


def volunteer_claims(user) -> QuerySet:
    """The needs a volunteer holds for themselves: offered to them (to accept or decline) or taken on."""
    return (Claim.objects.filter(claimant=user.pk, member_unit__isnull=True, status__in=Claim.LIVE)
            .select_related("need__community", "need__category").order_by("status", "-created_at"))


def board_claims(user) -> QuerySet:
    """The needs the liaison's units are handling, with the claim to release."""
    units = permissions.actor_of(user).member_units
    return (Claim.objects.filter(member_unit__in=units, status=Claim.Status.ACTIVE)
            .select_related("need__community", "need__category", "member_unit").order_by("-accepted_at"))
