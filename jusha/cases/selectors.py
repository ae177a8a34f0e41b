"""Reads about cases, each already narrowed by `permissions` to what the person may see."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.orgs.models import FieldStatus, GridWorker
from jusha.permissions import Action

from . import services, workflow
from .models import Case, CaseCategory, CaseDeadline, CaseEvent, CasePhoto, CaseRating, Report, Source

S = Case.Status
# One open task weighs as much as this many metres of extra distance when ranking suggestions.
LOAD_METERS = 500
OFF_DUTY_METERS = 100_000
UNKNOWN_POSITION_METERS = 5_000


def categories() -> QuerySet:
    """Active leaf categories, grouped by their top class (for pickers)."""
    return (CaseCategory.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
            .select_related("parent").order_by("kind", "parent__sort_order", "sort_order", "code"))


def category_tree() -> list[tuple[CaseCategory, list[CaseCategory]]]:
    tops = list(CaseCategory.objects.filter(parent=None).order_by("kind", "sort_order", "code"))
    leaves = CaseCategory.objects.exclude(parent=None).order_by("sort_order", "code")
    by_parent: dict[int, list[CaseCategory]] = {}
    for leaf in leaves:
        by_parent.setdefault(leaf.parent_id, []).append(leaf)
    return [(top, by_parent.get(top.pk, [])) for top in tops]


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("community", "grid", "category__parent", "team", "assignee", "deadline")


# The running stage is past its due time and was flagged by the sweep: supervised (督办), docs/cases.md.
OVERDUE = Q(deadline__overdue_at__isnull=False)


def my_cases(user) -> QuerySet:
    """The cases the person reported (anonymously too), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return _with_details(Case.objects.filter(pk__in=Report.objects.filter(reporter=user).values("case"))
                         ).order_by("-reported_at", "-id")


def case_detail(user, pk: int, *, action: Action = Action.CASE_VIEW) -> Case:
    """One case with what its pages show, or NotAllowed (a 404) when the person may not see it."""
    return permissions.fetch(user, action, _with_details(Case.objects.all()).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "team", "assignee")
                 .order_by("at", "id")),
        Prefetch("photos", queryset=CasePhoto.objects.order_by("created_at", "id")),
        Prefetch("reports", queryset=Report.objects.select_related("reporter").order_by("created_at", "id")),
        Prefetch("ratings", queryset=CaseRating.objects.order_by("-created_at", "-id")),
        Prefetch("deadlines", queryset=CaseDeadline.objects.order_by("started_at", "id")),
    ), pk=pk)


def photo(user, pk: int) -> CasePhoto:
    return permissions.fetch(user, Action.CASE_VIEW, CasePhoto.objects.all(), pk=pk)


def reporter_label(report: Report) -> str:
    """Who reported, as staff may see it: never who an anonymous reporter is."""
    if report.anonymous:
        return _("anonymous")
    if report.reporter_id is None:
        return report.get_source_display()
    return str(report.reporter)


@dataclass(frozen=True)
class CaseFilter:
    status: str = "inbox"
    community: int | None = None
    category: int | None = None
    source: str = ""
    overdue: bool = False

    # The command center's inbox: what waits for it (new, accepted, filed, extension requests).
    STATUSES = tuple(s for s in S.values)

    @classmethod
    def from_query(cls, query, *, default: str = "inbox") -> "CaseFilter":
        status = query.get("status", default)

        def number(name):
            raw = query.get(name, "")
            return int(raw) if raw.isdigit() and len(raw) < 12 else None

        source = query.get("source", "")
        return cls(status=status if status in cls.STATUSES or status in ("inbox", "open", "all") else default,
                   community=number("community"), category=number("category"),
                   source=source if source in Source.values else "", overdue=query.get("overdue") == "1")


def command_queue(user, filters: CaseFilter) -> QuerySet:
    """What the command center may see, filtered: the inbox first shows what waits for it."""
    qs = permissions.visible(user, Action.CASE_VIEW, Case.objects.all())
    if filters.status == "inbox":
        qs = qs.filter(Q(status__in=(S.REPORTED, S.ACCEPTED, S.FILED)) | Q(extension_requested_until__isnull=False,
                                                                          status__in=workflow.WITH_ASSIGNEE))
    elif filters.status == "open":
        qs = qs.filter(status__in=workflow.OPEN)
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.community:
        qs = qs.filter(community=filters.community)
    if filters.category:
        qs = qs.filter(Q(category=filters.category) | Q(category__parent=filters.category))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.overdue:
        qs = qs.filter(OVERDUE)
    return _with_details(qs).order_by("-urgency", "reported_at", "id")


def tasks(user, *, overdue: bool = False) -> QuerySet:
    """A grid worker's or team member's task list: dispatched to them (or to their team, not yet
    taken), being handled, then those waiting for verification; `overdue`: only the supervised ones."""
    qs = permissions.visible(user, Action.CASE_HANDLE, Case.objects.filter(
        status__in=(S.DISPATCHED, S.HANDLING, S.HANDLED)))
    if overdue:
        qs = qs.filter(OVERDUE)
    return _with_details(qs).order_by("status", "-urgency", "dispatched_at", "id")


def verify_queue(user, *, closed: bool = False) -> QuerySet:
    """For supervisors: handled cases to verify, or (closed=True) recently closed ones to spot-check."""
    qs = permissions.visible(user, Action.CASE_VERIFY, Case.objects.filter(status=S.CLOSED if closed else S.HANDLED))
    order = ("-closed_at", "-id") if closed else ("handled_at", "id")
    return _with_details(qs).order_by(*order)


def nearby_for_merge(user, case: Case) -> list[Case]:
    """Open cases of the same category near this one that staff may merge it into."""
    near = services.nearby_open_cases(category=case.category, lng=case.lng, lat=case.lat)
    visible = set(permissions.visible(user, Action.CASE_COMMAND, Case.objects.filter(
        pk__in=[c.pk for c in near])).values_list("pk", flat=True))
    return [c for c in near if c.pk != case.pk and c.pk in visible and c.status != S.PARKED]


# --- one-click dispatch ----------------------------------------------------------------------------

@dataclass
class Suggestion:
    """One person the case could go to, with why they are ranked where they are."""

    user: object
    on_duty: bool
    load: int
    distance_m: float | None
    score: float
    reasons: list[str] = field(default_factory=list)


def suggestions(case: Case) -> list[Suggestion]:
    """Who should handle the case, best first: on-duty people before off-duty ones, then by distance
    from where they were last seen plus LOAD_METERS for each open task they already have."""
    people = list(services.dispatch_candidates(case).order_by("pk"))
    if not people:
        return []
    ids = [p.pk for p in people]
    loads = dict(Case.objects.filter(assignee__in=ids, status__in=workflow.WITH_ASSIGNEE).values("assignee")
                 .annotate(n=Count("id")).values_list("assignee", "n"))
    statuses = {s.user_id: s for s in FieldStatus.objects.filter(user__in=ids)}
    grid_duty = dict(GridWorker.objects.filter(user__in=ids).values_list("user", "on_duty"))
    ranked = []
    for person in people:
        status = statuses.get(person.pk)
        on_duty = grid_duty.get(person.pk, status.on_duty if status else True)
        distance = (services.distance_m(case.lng, case.lat, status.lng, status.lat)
                    if status is not None and status.lng is not None else None)
        load = loads.get(person.pk, 0)
        score = ((distance if distance is not None else UNKNOWN_POSITION_METERS) + load * LOAD_METERS
                 + (0 if on_duty else OFF_DUTY_METERS))
        reasons = [_("on duty") if on_duty else _("off duty"),
                   _("%(km).1f km away") % {"km": distance / 1000} if distance is not None
                   else _("position unknown"),
                   _("%(n)s open tasks") % {"n": load}]
        if case.grid_id and person.pk in grid_duty:
            reasons.insert(0, _("works this grid"))
        ranked.append(Suggestion(user=person, on_duty=on_duty, load=load, distance_m=distance, score=score,
                                 reasons=reasons))
    ranked.sort(key=lambda s: (s.score, s.user.pk))
    return ranked
