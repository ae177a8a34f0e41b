from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.actions import action_label
from jusha.audit.models import AuditEntry
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community, Grid

from .params import int_param


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass
class PeopleFilter:
    q: str = ""
    role: str = ""
    community: int | None = None

    @classmethod
    def from_query(cls, query) -> "PeopleFilter":
        role = query.get("role", "")
        return cls(q=query.get("q", "").strip()[:50], role=role if role in Role.values else "",
                   community=int_param(query.get("community")))


def people(user, filters: PeopleFilter):
    qs = permissions.visible(user, Action.PERSON_VIEW, User.objects.all())
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(username__icontains=filters.q)
                       | Q(mobile__endswith=filters.q))
    if filters.role == Role.GRID_WORKER:
        qs = qs.filter(grid_worker__isnull=False)
    elif filters.role:
        qs = qs.filter(role_assignments__role=filters.role)
    if filters.community:
        qs = qs.filter(Q(role_assignments__community=filters.community)
                       | Q(grid_worker__grids__community=filters.community))
    assignments = RoleAssignment.objects.select_related("community", "subdistrict", "member_unit", "team")
    return (qs.distinct().order_by("id").select_related("grid_worker")
            .prefetch_related(Prefetch("role_assignments", queryset=assignments)))


def communities_for_filter(user):
    return permissions.visible(user, Action.PLACE_VIEW, Community.objects.order_by("code")).only("id", "name")


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query) -> "AuditFilter":
        return cls(action=query.get("action", "")[:60], actor=query.get("actor", "").strip()[:50],
                   since=_date(query.get("since")), until=_date(query.get("until")))


def audit_entries(user, filters: AuditFilter):
    qs = permissions.visible(user, Action.AUDIT_VIEW, AuditEntry.objects.all())
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    return qs.select_related("target_type").order_by("-at", "-id")


def audit_actions(user) -> list[tuple[str, str]]:
    """The actions that occur in the entries this person may see, with their readable names."""
    codes = (permissions.visible(user, Action.AUDIT_VIEW, AuditEntry.objects.all())
             .order_by("action").values_list("action", flat=True).distinct())
    return [(code, action_label(code)) for code in codes]


def dashboard(user) -> dict:
    """Counts the staff member may see, and residents per community for the chart."""
    communities = permissions.visible(user, Action.PLACE_VIEW, Community.objects.all())
    people_qs = permissions.visible(user, Action.PERSON_VIEW, User.objects.all())
    residents = (RoleAssignment.objects.filter(role=Role.RESIDENT, user__in=people_qs.values("pk"))
                 .values("community__name").annotate(n=Count("id")).order_by("community__code"))
    return {
        "n_people": people_qs.count(),
        "n_units": permissions.visible(user, Action.UNIT_VIEW, MemberUnit.objects.all()).count(),
        "n_communities": communities.count(),
        "n_grids": Grid.objects.filter(community__in=communities).count(),
        "residents_chart": {"labels": [r["community__name"] for r in residents], "values": [r["n"] for r in residents]},
    }
