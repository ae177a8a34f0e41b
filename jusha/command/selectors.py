"""Reads for the command screen (一屏指挥), each narrowed by `permissions` (Action.COMMAND_SCREEN) to the
subdistricts the person is on duty for, and each bounded: a fixed number of queries and of rows, whatever
the number of cases (docs/command.md).

The change feed is an ordered cursor over `CaseEvent` ids; `changes()` explains why it may stop before
the newest event.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from jusha import permissions
from jusha.cases import workflow
from jusha.cases.models import Case, CaseCategory, CaseEvent, Report, Source
from jusha.cases.selectors import OVERDUE
from jusha.cases.workflow import Step
from jusha.core import clock
from jusha.devices.models import Device
from jusha.indicators import periods
from jusha.orgs.models import FieldStatus, GridWorker
from jusha.permissions import Action
from jusha.places.models import Community, Grid

S = Case.Status
# At most this many case markers per map request; the rest are counted, and the operator zooms in.
MAP_LIMIT = 500
# At most this many events per feed request; a screen that was away pages through with `more`.
FEED_LIMIT = 100
# A hole in the event ids younger than this may be a transaction still committing; older ones were
# rolled back. The feed waits at a young hole so that a late commit is never skipped (docs/command.md).
GAP_WAIT = timedelta(seconds=5)
LEAGUE_LIMIT = 20
CATEGORY_LIMIT = 12
TREND_DAYS = (7, 30)

# The stage filter: groups of statuses as the operators speak of them.
STAGES = {
    "open": workflow.OPEN,
    "waiting": frozenset({S.REPORTED, S.ACCEPTED, S.FILED}),
    "dispatched": frozenset({S.DISPATCHED, S.HANDLING}),
    "handled": frozenset({S.HANDLED, S.VERIFIED}),
    "parked": frozenset({S.PARKED}),
}


def _number(value) -> int | None:
    raw = str(value or "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@dataclass(frozen=True)
class ScreenFilter:
    community: int | None = None
    category: int | None = None
    source: str = ""
    stage: str = "open"
    days: int = 7

    @classmethod
    def from_query(cls, query) -> "ScreenFilter":
        """Unknown values fall back to "all": a screen never fails on a stale link."""
        source = query.get("source", "")
        stage = query.get("stage", "open")
        days = _number(query.get("days"))
        return cls(community=_number(query.get("community")), category=_number(query.get("category")),
                   source=source if source in Source.values else "", stage=stage if stage in STAGES else "open",
                   days=days if days in TREND_DAYS else TREND_DAYS[0])

    def cases(self, qs: QuerySet, prefix: str = "") -> QuerySet:
        """Narrow a queryset of cases (or of rows hanging off a case, with `prefix`) by place, category, source."""
        if self.community:
            qs = qs.filter(**{f"{prefix}community": self.community})
        if self.category:
            qs = qs.filter(Q(**{f"{prefix}category": self.category})
                           | Q(**{f"{prefix}category__parent": self.category}))
        if self.source:
            qs = qs.filter(**{f"{prefix}source": self.source})
        return qs


def may_see(user) -> bool:
    return permissions.can(user, Action.COMMAND_SCREEN)


def _cases(user, filters: ScreenFilter) -> QuerySet:
    return filters.cases(permissions.visible(user, Action.COMMAND_SCREEN, Case.objects.all())).order_by()


def communities(user) -> QuerySet:
    return permissions.visible(user, Action.COMMAND_SCREEN, Community.objects.order_by("code"))


def categories() -> QuerySet:
    return CaseCategory.objects.filter(parent=None).order_by("kind", "sort_order", "code")


# --- the map -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, raw: str) -> "BBox | None":
        """"west,south,east,north" in degrees (Leaflet's toBBoxString); anything else means the whole area."""
        try:
            west, south, east, north = (float(part) for part in (raw or "").split(","))
        except ValueError:
            return None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            return None
        return cls(west, south, east, north)


def marker(case: Case) -> dict:
    return {"id": case.pk, "number": case.number or f"#{case.pk}", "lng": case.lng, "lat": case.lat,
            "status": case.status, "status_label": case.get_status_display(), "overdue": case.is_overdue,
            "urgency": case.urgency, "source": case.source, "category": case.category.label,
            "community": case.community.name, "address": case.address,
            "url": reverse("cases_console:detail", args=[case.pk])}


def map_cases(user, filters: ScreenFilter, bbox: BBox | None = None, *, limit: int = MAP_LIMIT) -> dict:
    """The open cases to draw, most urgent and overdue first, at most `limit` of them (two queries)."""
    qs = _cases(user, filters).filter(status__in=STAGES[filters.stage])
    if bbox is not None:
        qs = qs.filter(lng__gte=bbox.west, lng__lte=bbox.east, lat__gte=bbox.south, lat__lte=bbox.north)
    rows = list(qs.select_related("category", "community", "deadline")
                .order_by("-urgency", "-reported_at", "-id")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return {"cases": [marker(c) for c in rows], "total": total, "truncated": total > len(rows)}


def map_layers(user) -> dict:
    """Grid polygons, cameras and sensors, and grid workers' last known positions (one query each)."""
    grids = permissions.visible(user, Action.COMMAND_SCREEN, Grid.objects.filter(boundary__isnull=False))
    grids = grids.select_related("community").order_by("code")
    devices = permissions.visible(user, Action.COMMAND_SCREEN, Device.objects.all()).order_by("code")
    worker_ids = permissions.visible(user, Action.COMMAND_SCREEN, GridWorker.objects.all()).values("user")
    workers = FieldStatus.objects.filter(user__in=worker_ids, lng__isnull=False).select_related("user").order_by(
        "user")
    return {
        "grids": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": g.boundary,
             "properties": {"code": g.code, "name": g.name, "community": g.community.name}} for g in grids]},
        "devices": [{"code": d.code, "name": d.name, "kind": d.kind, "lng": d.lng, "lat": d.lat}
                    for d in devices.only("code", "name", "kind", "lng", "lat")],
        "workers": [{"name": str(s.user), "lng": s.lng, "lat": s.lat, "on_duty": s.on_duty,
                     "located_at": s.located_at.isoformat() if s.located_at else None} for s in workers],
    }


# --- the tiles and the charts ------------------------------------------------------------------------

def _midnight() -> datetime:
    return timezone.make_aware(datetime.combine(periods.today(), datetime.min.time()),
                               timezone.get_current_timezone())


def kpis(user, filters: ScreenFilter) -> dict:
    """Today's figures (since local midnight), three cheap queries instead of the indicator tables:
    new reports, cases filed, dispatched and closed today (their timeline steps), and overdue now."""
    since = _midnight()
    reports = filters.cases(permissions.visible(user, Action.COMMAND_SCREEN, Case.objects.all()))
    new = Report.objects.filter(case__in=reports.values("pk"), created_at__gte=since).count()
    events = filters.cases(permissions.visible(user, Action.COMMAND_SCREEN, CaseEvent.objects.all()), "case__")
    steps = events.filter(at__gte=since).order_by().aggregate(
        filed=Count("id", filter=Q(step__in=(Step.FILE, Step.SELF_HANDLE))),
        dispatched=Count("id", filter=Q(step__in=(Step.DISPATCH, Step.SELF_HANDLE))),
        closed=Count("id", filter=Q(step=Step.CLOSE)))
    overdue = _cases(user, filters).filter(OVERDUE, status__in=workflow.OPEN).count()
    return {"new": new, **steps, "overdue": overdue}


def trend(user, filters: ScreenFilter) -> dict:
    """Cases reported per day of the last `filters.days` days, by source (one GROUP BY)."""
    first = periods.today() - timedelta(days=filters.days - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()), timezone.get_current_timezone())
    rows = (_cases(user, filters).filter(reported_at__gte=since)
            .annotate(day=TruncDate("reported_at", tzinfo=timezone.get_current_timezone()))
            .values("day", "source").annotate(n=Count("id")))
    days = [first + timedelta(days=i) for i in range(filters.days)]
    counts: dict[str, dict] = {}
    for row in rows:
        counts.setdefault(row["source"], {})[row["day"]] = row["n"]
    labels = dict(Source.choices)
    return {"labels": [d.strftime("%m-%d") for d in days],
            "series": [{"name": str(labels[source]), "values": [counts[source].get(d, 0) for d in days]}
                       for source in Source.values if source in counts]}


def category_breakdown(user, filters: ScreenFilter) -> dict:
    """Open cases by top category (大类), largest first, at most CATEGORY_LIMIT bars (one GROUP BY)."""
    rows = list(_cases(user, filters).filter(status__in=STAGES[filters.stage])
                .values("category__parent__code", "category__parent__name", "category__parent__name_en")
                .annotate(n=Count("id")).order_by("-n", "category__parent__code")[:CATEGORY_LIMIT])
    english = (get_language() or "").startswith("en")
    return {"labels": [r["category__parent__name_en" if english else "category__parent__name"] for r in rows],
            "values": [r["n"] for r in rows]}


def league(user, filters: ScreenFilter) -> list[dict]:
    """Communities ranked by open cases, with overdue and closed in the trend's days (one GROUP BY)."""
    since = timezone.make_aware(
        datetime.combine(periods.today() - timedelta(days=filters.days - 1), datetime.min.time()),
        timezone.get_current_timezone())
    rows = (_cases(user, filters).values("community", "community__name")
            .annotate(open=Count("id", filter=Q(status__in=workflow.OPEN)),
                      overdue=Count("id", filter=OVERDUE & Q(status__in=workflow.OPEN)),
                      closed=Count("id", filter=Q(status=S.CLOSED, closed_at__gte=since)))
            .filter(Q(open__gt=0) | Q(closed__gt=0))
            .order_by("-open", "-overdue", "community__name")[:LEAGUE_LIMIT])
    return [{"community": r["community"], "name": r["community__name"], "open": r["open"],
             "overdue": r["overdue"], "closed": r["closed"]} for r in rows]


def screen(user, filters: ScreenFilter, bbox: BBox | None = None) -> dict:
    """Everything the screen redraws when its filters change or the feed brings news."""
    return {"kpis": kpis(user, filters), "map": map_cases(user, filters, bbox),
            "trend": trend(user, filters), "categories": category_breakdown(user, filters),
            "league": league(user, filters)}


# --- the change feed ---------------------------------------------------------------------------------

def latest_cursor() -> int:
    """Where a screen opened now starts: after every event so far (the page itself shows the present)."""
    return CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0


@dataclass
class Changes:
    events: list[CaseEvent]
    cursor: int
    more: bool


def changes(user, after: int, *, limit: int | None = None) -> Changes:
    """The events after `after` that the person may see, oldest first, and the cursor to ask from next.

    Ids are handed out when a row is inserted but become visible when its transaction commits, so a
    committed id 11 may be seen while 10 is still committing. The cursor therefore walks the unscoped
    id sequence and stops before a hole younger than GAP_WAIT (a late commit may fill it; an older hole
    was a rollback). It walks past events the person may not see, so their screen keeps up without
    learning anything about them. Two queries."""
    limit = limit or FEED_LIMIT
    now = clock.now()
    walked = list(CaseEvent.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "at")[:limit])
    cursor = after
    for pk, at in walked:
        if pk != cursor + 1 and at > now - GAP_WAIT:
            break
        cursor = pk
    more = len(walked) == limit and cursor == walked[-1][0]
    events = []
    if cursor > after:
        events = list(permissions.visible(user, Action.COMMAND_SCREEN, CaseEvent.objects.filter(
            pk__gt=after, pk__lte=cursor)).select_related("case__category", "case__community", "case__deadline")
            .order_by("pk"))
    return Changes(events=events, cursor=cursor, more=more)


def change_item(event: CaseEvent) -> dict:
    """One event as the screen shows it: the step and the case's marker as it is now (no notes, no people)."""
    return {"id": event.pk, "at": event.at, "step": event.step, "step_label": str(workflow.STEP_LABELS.get(
        event.step, event.step)), "from_status": event.from_status, "to_status": event.to_status,
        "case": marker(event.case), "open": event.case.status in workflow.OPEN}
