"""Demo cases for `jusha demo`: a few hundred cases of the last months, across sources and states.

Deterministic (a seeded random) and fast (bulk inserts): the rows are what the services would have
written — cases with their stage times and stage clocks (flagged overdue and escalated where the sweep
would have), reports, timeline events and ratings — without audit entries or notifications, since no
person did these steps.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.orgs.models import GridWorker, Team
from jusha.places.geometry import to_shape
from jusha.places.models import Grid, Subdistrict

from . import workflow
from .models import Case, CaseCategory, CaseDeadline, CaseEvent, CaseRating, Report, Source
from .services import stage_due
from .workflow import Step

S = Case.Status
# How often each category is reported (the rest get weight 1).
WEIGHTS = {"SJ0104": 8, "SJ0102": 8, "SJ0502": 6, "SJ0501": 5, "SJ0103": 5, "SJ0201": 5, "SJ0101": 4,
           "SJ0503": 4, "SJ0504": 3, "BJ0101": 3, "BJ0201": 2}
SOURCES = [(Source.RESIDENT, 55), (Source.PATROL, 30), (Source.HOTLINE, 10), (Source.CAMERA, 5)]
# Where a case's story stops (the rest run to the end: closed and, for residents, rated).
ENDINGS = [(S.CLOSED, 70), (S.CANCELLED, 5), (S.PARKED, 3), (S.VERIFIED, 2), (S.HANDLED, 5), (S.HANDLING, 5),
           (S.DISPATCHED, 4), (S.FILED, 2), (S.ACCEPTED, 2), (S.REPORTED, 2)]
ORDER = [S.REPORTED, S.ACCEPTED, S.FILED, S.DISPATCHED, S.HANDLING, S.HANDLED, S.VERIFIED, S.CLOSED]
DESCRIPTIONS = {
    "SJ0104": "沿街晾晒衣物被褥，占用人行道", "SJ0102": "路边有人乱扔垃圾", "SJ0502": "无照游商在路口摆摊",
    "SJ0501": "店铺占道经营，货物堆到人行道", "SJ0103": "楼道口乱堆杂物", "SJ0201": "电线杆上贴满小广告",
    "SJ0101": "垃圾桶旁暴露垃圾未清运", "SJ0503": "机动车违章停在人行道上", "SJ0504": "夜间施工噪声扰民",
    "BJ0101": "井盖破损，有安全隐患", "BJ0201": "人行道路面破损",
}


def seed_cases(subdistrict: Subdistrict, *, count: int = 300, days: int = 120, seed: int = 2026,
               now: datetime | None = None) -> int:
    """Add `count` cases to the subdistrict's grids, reported over the last `days`; returns how many."""
    rng = random.Random(seed)
    now = now or clock.now()
    grids = list(Grid.objects.filter(community__subdistrict=subdistrict, boundary__isnull=False).order_by("code"))
    leaves = list(CaseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("code"))
    if not grids or not leaves:
        return 0
    residents = list(User.objects.filter(role_assignments__role=Role.RESIDENT,
                                         role_assignments__community__subdistrict=subdistrict).order_by("pk")[:300])
    workers = {}
    for worker in GridWorker.objects.filter(grids__in=grids).prefetch_related("grids"):
        for grid in worker.grids.all():
            workers.setdefault(grid.pk, []).append(worker.user_id)
    teams = {t.kind: t for t in Team.objects.filter(subdistrict=subdistrict)}
    members = {}
    for team_id, user_id in RoleAssignment.objects.filter(role=Role.TEAM_MEMBER, team__subdistrict=subdistrict
                                                          ).values_list("team", "user").order_by("pk"):
        members.setdefault(team_id, []).append(user_id)
    operator = User.objects.filter(role_assignments__role=Role.COMMAND_OPERATOR,
                                   role_assignments__subdistrict=subdistrict).order_by("pk").first()
    supervisor = User.objects.filter(role_assignments__role=Role.SUPERVISOR,
                                     role_assignments__subdistrict=subdistrict).order_by("pk").first()
    shapes = {g.pk: to_shape(g.boundary) for g in grids}

    stories = []
    for _i in range(count):
        category = rng.choices(leaves, weights=[WEIGHTS.get(c.code, 1) for c in leaves])[0]
        grid = rng.choice(grids)
        lng, lat = _point_in(rng, shapes[grid.pk])
        source = rng.choices([s for s, _w in SOURCES], weights=[w for _s, w in SOURCES])[0]
        reporter = rng.choice(residents) if source == Source.RESIDENT and residents else None
        if source == Source.PATROL and workers.get(grid.pk):
            reporter_id = workers[grid.pk][0]
        else:
            reporter_id = reporter.pk if reporter else None
        team = teams.get(category.team_kind) if category.handler == CaseCategory.Handler.TEAM else None
        people = members.get(team.pk, []) if team else workers.get(grid.pk, [])
        assignee_id = rng.choice(people) if people else None
        ending = rng.choices([e for e, _w in ENDINGS], weights=[w for _e, w in ENDINGS])[0]
        reported_at = now - timedelta(minutes=rng.randrange(10, days * 24 * 60))
        stories.append(_story(rng, category=category, grid=grid, lng=lng, lat=lat, source=source,
                              reporter_id=reporter_id, anonymous=reporter is not None and rng.random() < 0.15,
                              team=team, assignee_id=assignee_id, ending=ending, reported_at=reported_at, now=now,
                              operator_id=operator.pk if operator else None,
                              supervisor_id=supervisor.pk if supervisor else None))

    with transaction.atomic():
        cases = Case.objects.bulk_create([s["case"] for s in stories])
        for story, case in zip(stories, cases, strict=True):
            prefix = "SJ" if story["case"].category.kind == CaseCategory.Kind.EVENT else "BJ"
            case.number = f"{prefix}{case.reported_at:%Y%m%d}{case.pk:06d}"
        Case.objects.bulk_update(cases, ["number"])
        Report.objects.bulk_create([Report(case=case, **story["report"]) for story, case in zip(stories, cases,
                                                                                               strict=True)])
        CaseEvent.objects.bulk_create([CaseEvent(case=case, **event) for story, case in zip(stories, cases,
                                                                                            strict=True)
                                       for event in story["events"]])
        CaseRating.objects.bulk_create([CaseRating(case=case, **story["rating"]) for story, case
                                        in zip(stories, cases, strict=True) if story["rating"]])
        _clocks(cases, now)
    return len(cases)


def _clocks(cases: list[Case], now: datetime) -> None:
    """Each case's stage clocks as the services and the sweep (every minute) would have left them."""
    D = CaseDeadline.Stage
    escalate = timedelta(minutes=settings.JUSHA_CASE_ESCALATE_AFTER_MINUTES)
    rows, events, running = [], [], []
    for case in cases:
        current = workflow.STAGES.get(case.status)
        for stage, start, end in ((D.ACCEPT, case.reported_at, case.accepted_at),
                                  (D.DISPATCH, case.filed_at, case.dispatched_at),
                                  (D.HANDLE, case.dispatched_at, case.handled_at),
                                  (D.VERIFY, case.handled_at, case.verified_at)):
            if start is None:
                continue
            left = end or (None if stage == current else case.cancelled_at or case.parked_at)
            if left is None and stage != current:
                continue
            row = CaseDeadline(case=case, stage=stage, started_at=start, due_at=stage_due(case.category, stage, start),
                               ended_at=left, met=end is not None)
            flagged = row.due_at + timedelta(minutes=1)
            if flagged < (left or now):
                row.overdue_at = flagged
                status = _status_in(case, stage, flagged)
                events.append(CaseEvent(case=case, at=flagged, step=Step.OVERDUE, from_status=status,
                                        to_status=status, note_is_internal=True))
                if flagged + escalate < (left or now):
                    row.escalated_at = flagged + escalate
                    status = _status_in(case, stage, row.escalated_at)
                    events.append(CaseEvent(case=case, at=row.escalated_at, step=Step.ESCALATE, from_status=status,
                                            to_status=status, note_is_internal=True))
            rows.append(row)
            if left is None:
                running.append((case, row))
    CaseDeadline.objects.bulk_create(rows)
    CaseEvent.objects.bulk_create(events)
    for case, row in running:
        case.deadline = row
    Case.objects.bulk_update([case for case, _row in running], ["deadline"])


def _status_in(case: Case, stage: str, at: datetime) -> str:
    if stage == CaseDeadline.Stage.HANDLE:
        return S.HANDLING if case.handling_at and case.handling_at <= at else S.DISPATCHED
    return {CaseDeadline.Stage.ACCEPT: S.REPORTED, CaseDeadline.Stage.DISPATCH: S.FILED}.get(stage, S.HANDLED)


def _point_in(rng: random.Random, shape) -> tuple[float, float]:
    from shapely.geometry import Point

    minx, miny, maxx, maxy = shape.bounds
    for _try in range(50):
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shape.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _story(rng, *, category, grid, lng, lat, source, reporter_id, anonymous, team, assignee_id, ending, reported_at,
           now, operator_id, supervisor_id) -> dict:
    """One case walked through the workflow until its ending (or until now, for recent cases)."""
    case = Case(category=category, source=source, description=DESCRIPTIONS.get(category.code, category.name),
                urgency=category.urgency, community_id=grid.community_id, grid=grid, lng=lng, lat=lat,
                status=S.REPORTED, reported_at=reported_at)
    events = [{"at": reported_at, "actor_id": None if anonymous else reporter_id, "step": Step.REPORT,
               "from_status": "", "to_status": S.REPORTED}]
    at, status = reported_at, S.REPORTED
    stop = S.FILED if ending in (S.CANCELLED, S.PARKED) else ending
    if ending == S.CANCELLED:
        stop = rng.choice([S.REPORTED, S.ACCEPTED])
    if assignee_id is None and ORDER.index(stop) > ORDER.index(S.FILED):
        stop = S.FILED
    steps = [(S.ACCEPTED, Step.ACCEPT, "accepted_at", category.accept_minutes, operator_id),
             (S.FILED, Step.FILE, "filed_at", 10, operator_id),
             (S.DISPATCHED, Step.DISPATCH, "dispatched_at", category.dispatch_minutes, operator_id),
             (S.HANDLING, Step.TAKE, "handling_at", 30, assignee_id),
             (S.HANDLED, Step.HANDLE, "handled_at", category.handle_minutes, assignee_id),
             (S.VERIFIED, Step.VERIFY, "verified_at", category.verify_minutes, supervisor_id),
             (S.CLOSED, Step.CLOSE, "closed_at", 60, operator_id)]
    for to, step, field, limit, actor_id in steps:
        if ORDER.index(to) > ORDER.index(stop):
            break
        # Most stages finish within their limit; about one in eight runs over it.
        took = timedelta(minutes=max(1, int(limit * rng.uniform(0.1, 1.0 if rng.random() > 0.12 else 2.5))))
        if at + took >= now:
            break
        at += took
        setattr(case, field, at)
        if step == Step.DISPATCH:
            case.team, case.assignee_id = team, assignee_id
        events.append({"at": at, "actor_id": actor_id, "step": step, "from_status": status, "to_status": to,
                       "team": case.team, "assignee_id": case.assignee_id})
        status = to
    if ending == S.CANCELLED and status == stop:
        at += timedelta(minutes=rng.randrange(5, 60))
        if at < now:
            case.cancelled_at, case.cancel_reason = at, "经核实不属于城市管理问题"
            events.append({"at": at, "actor_id": operator_id, "step": Step.CANCEL, "from_status": status,
                           "to_status": S.CANCELLED, "note": case.cancel_reason})
            status = S.CANCELLED
    elif ending == S.PARKED and status == S.FILED:
        at += timedelta(minutes=rng.randrange(30, 600))
        if at < now:
            case.parked_at, case.parked_from, case.park_reason = at, S.FILED, "需要协调资金，暂缓处置"
            events.append({"at": at, "actor_id": operator_id, "step": Step.PARK, "from_status": status,
                           "to_status": S.PARKED, "note": case.park_reason, "note_is_internal": True})
            status = S.PARKED
    if case.handled_at:
        case.handling_note = "已到现场处置完毕"
    case.status = status
    rating = None
    if status == S.CLOSED and source == Source.RESIDENT and reporter_id and rng.random() < 0.7:
        rated_at = case.closed_at + timedelta(minutes=rng.randrange(10, 600))
        if rated_at < now:
            stars = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 4, 3])[0]
            rating = {"by_id": reporter_id, "stars": stars, "created_at": rated_at}
            events.append({"at": rated_at, "actor_id": None if anonymous else reporter_id, "step": Step.RATE,
                           "from_status": S.CLOSED, "to_status": S.CLOSED})
    report = {"source": source, "reporter_id": reporter_id, "anonymous": anonymous, "category": category,
              "description": case.description, "lng": lng, "lat": lat, "created_at": reported_at}
    return {"case": case, "report": report, "events": events, "rating": rating}
