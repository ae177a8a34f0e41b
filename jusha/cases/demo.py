"""Demo cases for `jusha demo`: a year of history from every source, across every state of the workflow.

Historical seeding only, so it bypasses the services for speed (tens of thousands of cases in seconds,
with bulk inserts) and writes exactly the rows they and the overdue sweep would have written: cases with
their stage times, stage clocks (`CaseDeadline`, flagged overdue and escalated where the sweep would have
flagged them), reports, timeline events, ratings and, for cameras and sensors, their detections. There
are no audit entries or notifications: no person did these steps. Every live write goes through
`services.py`.

Each case is walked through the workflow step by step (`_Walk`), the way people would have moved it: most
stages end within their time limit, counted in working time on the service calendar for categories that
count working hours (a report at night is accepted the next morning); about one in nine runs late; some
cases are returned, reworked, extended, parked, merged into a nearby duplicate, cancelled or
spot-checked. A step that would fall after `now` is not taken, so recent cases stop where the clock is
and nothing ever lies in the future, whatever the time of day the demo is seeded at.

Deterministic: the same seed, `now` and database give the same cases.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import accumulate

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.calendars.selectors import add_working_time
from jusha.core import clock
from jusha.orgs.models import GridWorker, Team
from jusha.places.geometry import to_shape
from jusha.places.models import Grid, Subdistrict

from . import workflow
from .models import Case, CaseCategory, CaseDeadline, CaseEvent, CaseRating, Report, Source
from .services import stage_due
from .workflow import Step

S = Case.Status
D = CaseDeadline.Stage
BATCH = 2000
CASES = 20_000  # `jusha demo`'s default: a year of about 55 cases a day
DAYS = 365

# How often each category is reported (the rest get weight 1).
WEIGHTS = {"SJ0104": 8, "SJ0102": 8, "SJ0502": 6, "SJ0501": 5, "SJ0103": 5, "SJ0201": 5, "SJ0101": 4,
           "SJ0503": 4, "SJ0504": 3, "BJ0101": 3, "BJ0201": 2}
SOURCES = [(Source.RESIDENT, 45), (Source.PATROL, 25), (Source.HOTLINE, 15), (Source.CAMERA, 10), (Source.SENSOR, 5)]
# When people report, by hour of the day; patrols follow the working day, devices watch around the clock.
HOURS = {
    "people": [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 8, 9, 10, 10, 9, 8, 7, 6, 5, 3, 2, 1],
    Source.PATROL: [0, 0, 0, 0, 0, 0, 0, 2, 10, 10, 10, 8, 4, 8, 10, 10, 10, 6, 0, 0, 0, 0, 0, 0],
    "devices": [2, 2, 2, 2, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 6, 5, 4, 3],
}
# Where a story stops when it has time to run (recent ones also stop where the clock is).
ENDINGS = [(S.CLOSED, 85), (S.CANCELLED, 5), (S.PARKED, 2), (S.VERIFIED, 1), (S.HANDLED, 2), (S.HANDLING, 2),
           (S.DISPATCHED, 1), (S.FILED, 1), (S.ACCEPTED, 0.5), (S.REPORTED, 0.5)]
DESCRIPTIONS = {
    "SJ0104": "沿街晾晒衣物被褥，占用人行道", "SJ0102": "路边有人乱扔垃圾", "SJ0502": "无照游商在路口摆摊",
    "SJ0501": "店铺占道经营，货物堆到人行道", "SJ0103": "楼道口乱堆杂物", "SJ0201": "电线杆上贴满小广告",
    "SJ0101": "垃圾桶旁暴露垃圾未清运", "SJ0503": "机动车违章停在人行道上", "SJ0504": "夜间施工噪声扰民",
    "BJ0101": "井盖破损，有安全隐患", "BJ0201": "人行道路面破损",
}
DEVICE_TEXT = {Source.CAMERA: "视频AI识别：%s", Source.SENSOR: "智能井盖告警：%s"}
LATE = 0.11  # about one stage in nine runs over its limit


@dataclass
class _Clock:
    stage: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    met: bool = False
    overdue_at: datetime | None = None
    escalated_at: datetime | None = None
    due_before_extension: datetime | None = None


@dataclass
class _Story:
    case: Case
    reports: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    clocks: list[_Clock] = field(default_factory=list)
    rating: dict | None = None
    merge_into: int | None = None  # the index of the story this one was merged into
    merge_event: dict | None = None
    running: _Clock | None = None  # the stage clock still running now


class _Walk:
    """One case moved through `workflow.TRANSITIONS` as the services would move it, with its stage clocks
    run as `services._run_clock` and the overdue sweep would run them."""

    def __init__(self, story: _Story, *, now: datetime, escalate: timedelta):
        self.story, self.case, self.now, self.escalate = story, story.case, now, escalate
        self.status = ""
        self.clock: _Clock | None = None
        self.statuses: list[tuple[datetime, str]] = []
        self.at = self.case.reported_at

    def begin(self, actor_id, *, anonymous: bool = False) -> None:
        """The report arrives (for a case handled on the spot, already handled: the case's status)."""
        at = self.case.reported_at
        self._event(Step.REPORT, "", S.REPORTED, at, None if anonymous else actor_id)
        if self.case.status == S.HANDLED:
            self._event(Step.SELF_HANDLE, S.REPORTED, S.HANDLED, at, actor_id, note=self.case.handling_note,
                        lng=self.case.lng, lat=self.case.lat)
        self._enter(self.case.status, at)
        self._start(at)

    def move(self, step: Step, at: datetime, actor_id, *, note: str = "", internal: bool = False, lng=None,
             lat=None, **changes) -> bool:
        """Take `step` at `at`, unless that lies in the future: then the story stops here."""
        if at >= self.now or at < self.at:
            return False
        from_status = self.status
        to = workflow.TRANSITIONS[(from_status, step)]
        to = (self.case.parked_from or S.FILED) if to == workflow.BACK else to
        if self.clock is not None and workflow.STAGES.get(from_status) != workflow.STAGES.get(to):
            self._flag(self.clock, at)  # the sweep's steps came first, naming who held the case then
        for name, value in changes.items():
            setattr(self.case, name, value)
        self.case.status = to
        self._event(step, from_status, to, at, actor_id, note=note, internal=internal, lng=lng, lat=lat)
        self._enter(to, at)
        if workflow.STAGES.get(from_status) != workflow.STAGES.get(to):
            if self.clock is not None:
                self._end(at, met=step in workflow.MEETS)
            self._start(at)
        return True

    def approve_extension(self, at: datetime, actor_id, until) -> bool:
        """延期 granted: the handle clock is due at the end of the granted day, its flags lowered."""
        if at >= self.now or at < self.at:
            return False
        self._flag(self.clock, at)
        self.clock.due_before_extension = self.clock.due_before_extension or self.clock.due_at
        self.clock.due_at = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
        self.clock.overdue_at = self.clock.escalated_at = None
        return self.move(Step.EXTENSION_APPROVE, at, actor_id, note=until.isoformat(), extended_until=until,
                         extension_requested_until=None)

    def open_at(self, at: datetime) -> bool:
        return at < self.now and self.status_at(at) in workflow.OPEN

    def follow(self, at: datetime, actor_id) -> None:
        """Another report joined (a device's, or a duplicate merged in): a step on the timeline only."""
        status = self.status_at(at)
        self._event(Step.FOLLOW, status, status, at, actor_id)

    def finish(self) -> None:
        if self.clock is not None:
            self._flag(self.clock, self.now)
            self.story.running = self.clock

    def status_at(self, at: datetime) -> str:
        status = ""
        for moment, value in self.statuses:
            if moment > at:
                break
            status = value
        return status

    # --- the clocks ------------------------------------------------------------------------------

    def _start(self, at: datetime) -> None:
        stage = workflow.STAGES.get(self.status)
        self.clock = None
        if stage:
            self.clock = _Clock(stage=stage, started_at=at, due_at=stage_due(self.case.category, stage, at))
            self.story.clocks.append(self.clock)

    def _end(self, at: datetime, *, met: bool) -> None:
        self._flag(self.clock, at)
        self.clock.ended_at, self.clock.met = at, met
        self.clock = None

    def _flag(self, running: _Clock, until: datetime) -> None:
        """What the sweep (every minute) did while the clock ran until `until`."""
        flagged = running.due_at + timedelta(minutes=1)
        if running.overdue_at is None and flagged < until:
            running.overdue_at = flagged
            status = self.status_at(flagged)
            self._event(Step.OVERDUE, status, status, flagged, None, internal=True)
        escalated = (running.overdue_at or until) + self.escalate
        if running.overdue_at is not None and running.escalated_at is None and escalated < until:
            running.escalated_at = escalated
            status = self.status_at(escalated)
            self._event(Step.ESCALATE, status, status, escalated, None, internal=True)

    def _enter(self, status: str, at: datetime) -> None:
        self.status, self.at = status, at
        self.statuses.append((at, status))

    def _event(self, step, from_status, to_status, at, actor_id, *, note="", internal=False, lng=None, lat=None):
        event = {"at": at, "actor_id": actor_id, "step": step, "from_status": from_status, "to_status": to_status,
                 "team_id": self.case.team_id, "assignee_id": self.case.assignee_id, "note": note,
                 "note_is_internal": internal, "lng": lng, "lat": lat}
        self.story.events.append(event)
        return event


@dataclass
class _Cast:
    """The people and devices of the subdistrict that the stories draw on."""

    grids: list
    grid_by_id: dict
    shapes: dict
    leaves: list
    residents: dict  # community id → resident user ids
    workers: dict  # grid id → grid worker user ids
    teams: dict  # team kind → Team
    members: dict  # team id → member user ids
    operators: list
    supervisors: list
    devices: dict  # Source.CAMERA / SENSOR → [(device, rule)]


def seed_cases(subdistrict: Subdistrict, *, count: int = CASES, days: int = DAYS, seed: int = 2026,
               now: datetime | None = None) -> int:
    """Add `count` cases to the subdistrict's grids, reported over the last `days`; returns how many."""
    rng = random.Random(seed)
    now = now or clock.now()
    cast = _cast(subdistrict)
    if cast is None:
        return 0
    escalate = timedelta(minutes=settings.JUSHA_CASE_ESCALATE_AFTER_MINUTES)
    # More reports in recent months (the platform became known), and a working-week rhythm.
    day_weights = list(accumulate(0.6 + 0.4 * (1 - d / days) for d in range(days)))
    stories: list[_Story] = []
    while len(stories) < count:
        source = _pick(rng, SOURCES)
        story = _new_story(rng, cast, source=source, now=now, days=days, day_weights=day_weights)
        if story is None:
            continue
        walk = _Walk(story, now=now, escalate=escalate)
        _live(rng, walk, cast)
        if source in (Source.CAMERA, Source.SENSOR) and rng.random() < 0.1:
            _attach(rng, walk)
        stories.append(story)
        if len(stories) < count and source not in (Source.CAMERA, Source.SENSOR) and rng.random() < 0.03:
            duplicate = _duplicate(rng, cast, walk, index=len(stories) - 1, now=now, escalate=escalate)
            if duplicate is not None:
                stories.append(duplicate)
    _write(stories, rng)
    return len(stories)


def _cast(subdistrict: Subdistrict) -> _Cast | None:
    grids = list(Grid.objects.filter(community__subdistrict=subdistrict, boundary__isnull=False).order_by("code"))
    leaves = list(CaseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("code"))
    if not grids or not leaves:
        return None
    residents: dict[int, list[int]] = {}
    for user_id, community_id in (RoleAssignment.objects.filter(role=Role.RESIDENT, community__subdistrict=subdistrict)
                                  .order_by("pk").values_list("user", "community")):
        residents.setdefault(community_id, []).append(user_id)
    workers: dict[int, list[int]] = {}
    for worker in GridWorker.objects.filter(grids__in=grids).order_by("pk").prefetch_related("grids"):
        for grid in worker.grids.all():
            workers.setdefault(grid.pk, []).append(worker.user_id)
    members: dict[int, list[int]] = {}
    for team_id, user_id in RoleAssignment.objects.filter(role=Role.TEAM_MEMBER, team__subdistrict=subdistrict
                                                          ).values_list("team", "user").order_by("pk"):
        members.setdefault(team_id, []).append(user_id)

    def staff(role):
        return list(User.objects.filter(role_assignments__role=role, role_assignments__subdistrict=subdistrict)
                    .order_by("pk").values_list("pk", flat=True)) or [None]

    teams = {t.kind: t for t in Team.objects.filter(subdistrict=subdistrict)}
    return _Cast(grids=grids, grid_by_id={g.pk: g for g in grids}, shapes={g.pk: to_shape(g.boundary) for g in grids},
                 leaves=leaves, residents=residents, workers=workers, teams=teams, members=members,
                 operators=staff(Role.COMMAND_OPERATOR), supervisors=staff(Role.SUPERVISOR),
                 devices=_devices(subdistrict))


def _devices(subdistrict: Subdistrict) -> dict:
    from jusha.devices.models import DetectionRule, Device

    rules = {r.detection_type: r for r in DetectionRule.objects.filter(subdistrict=subdistrict)
             .select_related("category")}
    found: dict[str, list] = {Source.CAMERA: [], Source.SENSOR: []}
    for device in Device.objects.filter(subdistrict=subdistrict, grid__boundary__isnull=False).order_by("code"):
        for rule in rules.values():
            sensor = rule.category.code.startswith("BJ")
            if sensor == (device.kind == Device.Kind.SENSOR):
                found[Source.SENSOR if sensor else Source.CAMERA].append((device, rule))
    return found


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _moment(rng: random.Random, *, now: datetime, days: int, day_weights, hours) -> datetime:
    """A moment on one of the last `days` days at an hour people (or devices) report, never after now."""
    back = rng.choices(range(days), cum_weights=day_weights)[0]
    day = timezone.localtime(now).date() - timedelta(days=back)
    hour = rng.choices(range(24), weights=hours)[0]
    at = timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60))))
    # Today's hours still to come belong to the day before: every report lies in the past.
    return at if at <= now - timedelta(minutes=10) else at - timedelta(days=1)


def _new_story(rng, cast: _Cast, *, source, now, days, day_weights) -> _Story | None:
    device = rule = None
    if source in (Source.CAMERA, Source.SENSOR):
        if not cast.devices[source]:
            return None
        device, rule = rng.choice(cast.devices[source])
        category = rule.category
        grid = cast.grid_by_id[device.grid_id]
        lng, lat = round(device.lng + rng.uniform(-2e-4, 2e-4), 6), round(device.lat + rng.uniform(-2e-4, 2e-4), 6)
        hours = HOURS["devices"]
    else:
        category = rng.choices(cast.leaves, weights=[WEIGHTS.get(c.code, 1) for c in cast.leaves])[0]
        grid = rng.choice(cast.grids)
        lng, lat = _point_in(rng, cast.shapes[grid.pk])
        hours = HOURS.get(source, HOURS["people"])
    reported_at = _moment(rng, now=now, days=days, day_weights=day_weights, hours=hours)
    reporter_id, anonymous = None, False
    if source == Source.PATROL:
        reporter_id = (cast.workers.get(grid.pk) or [None])[0]
    elif source in (Source.RESIDENT, Source.HOTLINE):
        people = cast.residents.get(grid.community_id) or [None]
        # Three hotline callers in ten leave no mobile the hotline passes on.
        reporter_id = rng.choice(people) if source == Source.RESIDENT or rng.random() < 0.7 else None
        anonymous = source == Source.RESIDENT and reporter_id is not None and rng.random() < 0.15
    description = DESCRIPTIONS.get(category.code, category.name)
    if device is not None:
        description = DEVICE_TEXT[source] % description
    case = Case(category=category, source=source, description=description, urgency=category.urgency,
                community_id=grid.community_id, grid=grid, lng=lng, lat=lat, status=S.REPORTED,
                reported_at=reported_at)
    story = _Story(case=case)
    story.reports.append({"source": source, "reporter_id": reporter_id, "anonymous": anonymous,
                          "category": category, "description": description, "lng": lng, "lat": lat,
                          "created_at": reported_at, "device": device, "rule": rule})
    return story


def _took(rng: random.Random, category: CaseCategory, start: datetime, minutes: int, *, late: float = LATE
          ) -> datetime:
    """When a stage begun at `start` with a limit of `minutes` is done: mostly within the limit, sometimes
    well past it; counted in working time for categories whose limits count working hours."""
    share = rng.uniform(1.05, 3.0) if rng.random() < late else rng.uniform(0.1, 0.95)
    spent = timedelta(minutes=max(1, round(minutes * share)))
    return add_working_time(start, spent) if category.working_hours else start + spent


def _minutes(rng: random.Random, start: datetime, low: int, high: int) -> datetime:
    return start + timedelta(minutes=rng.randint(low, high), seconds=rng.randrange(60))


def _live(rng: random.Random, walk: _Walk, cast: _Cast) -> None:
    """Walk one case from its report to its ending, or as far as `now` allows."""
    case, report = walk.case, walk.story.reports[0]
    category = case.category
    reporter = report["reporter_id"]
    operator, supervisor = rng.choice(cast.operators), rng.choice(cast.supervisors)
    team = cast.teams.get(category.team_kind) if category.handler == CaseCategory.Handler.TEAM else None
    people = cast.members.get(team.pk, []) if team else cast.workers.get(case.grid_id, [])
    assignee = rng.choice(people) if people else None
    ending = _pick(rng, ENDINGS)
    cancel_from = rng.choice([S.REPORTED, S.ACCEPTED, S.FILED])

    if (case.source == Source.PATROL and reporter is not None and category.handler == CaseCategory.Handler.GRID
            and rng.random() < 0.3):
        return _self_handled(rng, walk, cast, reporter=reporter, supervisor=supervisor, operator=operator)
    walk.begin(reporter, anonymous=report["anonymous"])
    if ending == S.REPORTED:
        return walk.finish()
    if ending == S.CANCELLED and cancel_from == S.REPORTED:
        _cancel(rng, walk, operator, _took(rng, category, case.reported_at, category.accept_minutes))
        return walk.finish()
    at = _took(rng, category, case.reported_at, category.accept_minutes)
    if not walk.move(Step.ACCEPT, at, operator, accepted_at=at) or ending == S.ACCEPTED:
        return walk.finish()
    if ending == S.CANCELLED and cancel_from == S.ACCEPTED:
        _cancel(rng, walk, operator, _minutes(rng, at, 2, 30))
        return walk.finish()
    at = _minutes(rng, at, 1, 10)
    if not walk.move(Step.FILE, at, operator, filed_at=at):
        return walk.finish()
    if ending == S.CANCELLED:
        _cancel(rng, walk, operator, _minutes(rng, at, 5, 60))
        return walk.finish()
    if ending == S.FILED or assignee is None:
        return walk.finish()
    if ending == S.PARKED and rng.random() < 0.4:
        _park(rng, walk, operator, _took(rng, category, at, category.dispatch_minutes, late=0.5))
        return walk.finish()
    if not _dispatch(rng, walk, operator, team, assignee):
        return walk.finish()
    if rng.random() < 0.03:
        # 退回: not theirs after all; the center sends it to someone else.
        at = _minutes(rng, walk.at, 20, 240)
        if not walk.move(Step.RETURN, at, assignee, note="不属于本网格/队伍职责", internal=True, assignee=None,
                         team=None, dispatched_at=None, handling_at=None, arrived_at=None):
            return walk.finish()
        assignee = rng.choice(people)
        if not _dispatch(rng, walk, operator, team, assignee):
            return walk.finish()
    if ending == S.DISPATCHED:
        return walk.finish()
    at = _minutes(rng, walk.at, 5, 90)
    if not walk.move(Step.TAKE, at, assignee, assignee_id=assignee, handling_at=at):
        return walk.finish()
    at = _minutes(rng, at, 10, 45)
    if not walk.move(Step.ARRIVE, at, assignee, lng=case.lng, lat=case.lat, arrived_at=at, arrived_lng=case.lng,
                     arrived_lat=case.lat):
        return walk.finish()
    if rng.random() < 0.03 and not _extension(rng, walk, operator, assignee):
        return walk.finish()
    if ending == S.PARKED:
        _park(rng, walk, operator, _minutes(rng, walk.at, 60, 600))
        return walk.finish()
    if ending == S.HANDLING or not _handle(rng, walk, assignee):
        return walk.finish()
    if ending == S.HANDLED:
        return walk.finish()
    while rng.random() < 0.08:
        # 返工: the supervisor is not satisfied; the assignee goes back.
        at = _took(rng, category, walk.at, category.verify_minutes)
        if not walk.move(Step.REWORK, at, supervisor, note="现场仍未整改到位", rework_count=case.rework_count + 1,
                         handled_at=None) or not _handle(rng, walk, assignee):
            return walk.finish()
    _close(rng, walk, cast, supervisor=supervisor, operator=operator, ending=ending)
    return walk.finish()


def _self_handled(rng, walk: _Walk, cast: _Cast, *, reporter, supervisor, operator) -> None:
    """自行处置: the grid worker fixed it while reporting it; it starts out handled."""
    case, at = walk.case, walk.case.reported_at
    case.status = S.HANDLED
    case.self_handled, case.assignee_id, case.handling_note = True, reporter, "巡查发现，已现场处置"
    case.accepted_at = case.filed_at = case.dispatched_at = case.handling_at = case.arrived_at = case.handled_at = at
    case.arrived_lng, case.arrived_lat = case.lng, case.lat
    walk.begin(reporter)
    ending = _pick(rng, [(S.CLOSED, 95), (S.HANDLED, 3), (S.VERIFIED, 2)])
    _close(rng, walk, cast, supervisor=supervisor, operator=operator, ending=ending)
    walk.finish()


def _cancel(rng, walk: _Walk, operator, at: datetime) -> None:
    reason = "经核实不属于城市管理问题"
    walk.move(Step.CANCEL, at, operator, note=reason, cancel_reason=reason, cancelled_at=at)


def _park(rng, walk: _Walk, operator, at: datetime) -> None:
    reason = "需要协调资金，暂缓处置"
    walk.move(Step.PARK, at, operator, note=reason, internal=True, parked_from=walk.status, park_reason=reason,
              parked_at=at)


def _dispatch(rng, walk: _Walk, operator, team, assignee) -> bool:
    at = _took(rng, walk.case.category, walk.at, walk.case.category.dispatch_minutes)
    return walk.move(Step.DISPATCH, at, operator, internal=True, assignee_id=assignee, team=team, dispatched_at=at,
                     handling_at=None, arrived_at=None)


def _extension(rng, walk: _Walk, operator, assignee) -> bool:
    """延期: the assignee asks for a few more days; the operator mostly agrees."""
    at = _minutes(rng, walk.at, 30, 300)
    until = timezone.localtime(at).date() + timedelta(days=rng.randint(2, 7))
    reason = "需要协调物业和相关部门，申请延期"
    if not walk.move(Step.EXTENSION_REQUEST, at, assignee, note=reason, internal=True,
                     extension_requested_until=until, extension_reason=reason):
        return False
    decided = add_working_time(at, timedelta(minutes=rng.randint(10, 240)))
    if rng.random() < 0.8:
        return walk.approve_extension(decided, operator, until)
    return walk.move(Step.EXTENSION_REFUSE, decided, operator, note="请按原时限处置", internal=True,
                     extension_requested_until=None)


def _handle(rng, walk: _Walk, assignee) -> bool:
    case = walk.case
    due = walk.clock.due_at if walk.clock else walk.at
    if case.extended_until:
        # Extended: done some time before the granted day ends.
        at = min(due - timedelta(hours=rng.randint(1, 30)), _minutes(rng, walk.at, 60, 2880))
        at = max(at, _minutes(rng, walk.at, 20, 60))
    else:
        start = walk.clock.started_at if walk.clock else walk.at
        at = max(_took(rng, case.category, start, case.category.handle_minutes), _minutes(rng, walk.at, 10, 40))
    note = "已到现场处置完毕"
    return walk.move(Step.HANDLE, at, assignee, note=note, handling_note=note, handled_at=at)


def _close(rng, walk: _Walk, cast: _Cast, *, supervisor, operator, ending) -> None:
    case = walk.case
    if ending == S.HANDLED:
        return
    at = _took(rng, case.category, walk.at, case.category.verify_minutes)
    if not walk.move(Step.VERIFY, at, supervisor, verified_at=at) or ending == S.VERIFIED:
        return
    at = add_working_time(at, timedelta(minutes=rng.randint(5, 90)))
    if not walk.move(Step.CLOSE, at, operator, closed_at=at):
        return
    report = walk.story.reports[0]
    reporter = report["reporter_id"]
    if reporter and case.source in (Source.RESIDENT, Source.HOTLINE) and rng.random() < 0.7:
        rated = _minutes(rng, at, 10, 2 * 1440)
        if walk.move(Step.RATE, rated, None if report["anonymous"] else reporter):
            stars = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 4, 3])[0]
            walk.story.rating = {"by_id": reporter, "stars": stars, "created_at": rated, "round": case.reopen_count}
    if rng.random() < 0.03:
        # 督查: a supervisor spot-checks it some days later, and it holds.
        checked = _minutes(rng, walk.at, 1440, 14 * 1440)
        walk.move(Step.SPOT_CHECK_PASS, checked, supervisor, spot_checked_at=checked)


def _duplicate(rng, cast: _Cast, target: _Walk, *, index: int, now: datetime, escalate: timedelta) -> _Story | None:
    """A second report of the same problem that opened a case of its own; the center merges it into the
    first while that is still open (its report moves there, the first case's timeline says so)."""
    first = target.case
    reported_at = _minutes(rng, first.reported_at, 10, 300)
    merged_at = _took(rng, first.category, reported_at, first.category.accept_minutes, late=0)
    if not target.open_at(merged_at) or target.status_at(merged_at) == S.PARKED:
        return None
    source = _pick(rng, [(Source.RESIDENT, 6), (Source.HOTLINE, 3), (Source.PATROL, 1)])
    people = (cast.workers.get(first.grid_id) if source == Source.PATROL else cast.residents.get(first.community_id))
    reporter = rng.choice(people) if people else None
    lng, lat = round(first.lng + rng.uniform(-1e-4, 1e-4), 6), round(first.lat + rng.uniform(-1e-4, 1e-4), 6)
    case = Case(category=first.category, source=source, description=first.description, urgency=first.urgency,
                community_id=first.community_id, grid=first.grid, lng=lng, lat=lat, status=S.REPORTED,
                reported_at=reported_at)
    story = _Story(case=case, merge_into=index)
    story.reports.append({"source": source, "reporter_id": reporter, "anonymous": False, "category": first.category,
                          "description": first.description, "lng": lng, "lat": lat, "created_at": reported_at,
                          "device": None, "rule": None})
    walk = _Walk(story, now=now, escalate=escalate)
    walk.begin(reporter)
    operator = rng.choice(cast.operators)
    walk.move(Step.MERGE, merged_at, operator)
    story.merge_event = story.events[-1]  # its note names the case it went into, once that has its number
    target.follow(merged_at, operator)
    walk.finish()
    return story


def _attach(rng, walk: _Walk) -> None:
    """A camera or sensor reports the same problem again while the case is open: the report joins it."""
    first = walk.story.reports[0]
    at = _minutes(rng, first["created_at"], 5, 180)
    if walk.open_at(at):
        walk.story.reports.append({**first, "created_at": at, "followed": True})
        walk.follow(at, None)


def _point_in(rng: random.Random, shape) -> tuple[float, float]:
    from shapely.geometry import Point

    minx, miny, maxx, maxy = shape.bounds
    for _try in range(50):
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shape.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _write(stories: list[_Story], rng: random.Random) -> None:
    from jusha.devices.models import Detection

    with transaction.atomic():
        # Merged cases point at their target, so the targets are saved first.
        cases = Case.objects.bulk_create([s.case for s in stories if s.merge_into is None], batch_size=BATCH)
        merged = [s for s in stories if s.merge_into is not None]
        for story in merged:
            story.case.merged_into = stories[story.merge_into].case
        cases += Case.objects.bulk_create([s.case for s in merged], batch_size=BATCH)
        for case in cases:
            prefix = "SJ" if case.category.kind == CaseCategory.Kind.EVENT else "BJ"
            case.number = f"{prefix}{timezone.localtime(case.reported_at):%Y%m%d}{case.pk:06d}"
        for story in merged:
            story.merge_event["note"] = story.case.merged_into.number
        _update(Case, "number", [(case.number, case.pk) for case in cases])

        # Ticket numbers go on from any the database has, so they stay unique.
        tickets = Report.objects.filter(source=Source.HOTLINE).count()
        reports, devices = [], []
        for story in stories:
            # A merged case's reports moved to the case it was merged into.
            home = story.case.merged_into or story.case
            for row in story.reports:
                external_id = ""
                if row["source"] == Source.HOTLINE:
                    tickets += 1
                    external_id = f"12345{timezone.localtime(row['created_at']):%Y%m%d}{tickets:06d}"
                reports.append(Report(case=home, source=row["source"], reporter_id=row["reporter_id"],
                                      anonymous=row["anonymous"], category=row["category"],
                                      description=row["description"], lng=row["lng"], lat=row["lat"],
                                      followed=row.get("followed", False), external_id=external_id,
                                      created_at=row["created_at"]))
                devices.append((row["device"], row["rule"]))
        reports = Report.objects.bulk_create(reports, batch_size=BATCH)
        Detection.objects.bulk_create([
            Detection(device=device, idempotency_key=f"history-{report.pk}", signature=f"{rng.getrandbits(256):064x}",
                      detection_type=rule.detection_type, rule=rule, category=rule.category,
                      confidence=round(rng.uniform(rule.threshold, 0.99), 2), threshold=rule.threshold,
                      detected_at=report.created_at - timedelta(seconds=rng.randint(1, 20)),
                      received_at=report.created_at, case=report.case, report=report,
                      status=Detection.Status.ATTACHED if report.followed else Detection.Status.REPORTED)
            for report, (device, rule) in zip(reports, devices, strict=True) if device is not None], batch_size=BATCH)
        at = connection.ops.adapt_datetimefield_value
        _insert(CaseEvent, EVENT_COLUMNS, [
            (s.case.pk, at(e["at"]), e["actor_id"], e["step"], e["from_status"], e["to_status"], e["team_id"],
             e["assignee_id"], e["lng"], e["lat"], e["note"], e["note_is_internal"])
            for s in stories for e in s.events])
        CaseRating.objects.bulk_create([CaseRating(case=s.case, **s.rating) for s in stories if s.rating],
                                       batch_size=BATCH)
        # The running clocks are saved as rows (the cases point at them); the ended ones are inserted raw.
        running = [s for s in stories if s.running is not None]
        rows = CaseDeadline.objects.bulk_create([
            CaseDeadline(case=s.case, stage=s.running.stage, started_at=s.running.started_at, due_at=s.running.due_at,
                         due_before_extension=s.running.due_before_extension, overdue_at=s.running.overdue_at,
                         escalated_at=s.running.escalated_at) for s in running], batch_size=BATCH)
        _update(Case, "deadline_id", [(row.pk, s.case.pk) for s, row in zip(running, rows, strict=True)])
        _insert(CaseDeadline, DEADLINE_COLUMNS, [
            (s.case.pk, c.stage, at(c.started_at), at(c.due_at), c.due_before_extension and at(c.due_before_extension),
             at(c.ended_at), c.met, c.overdue_at and at(c.overdue_at), c.escalated_at and at(c.escalated_at))
            for s in stories for c in s.clocks if c.ended_at is not None])


# Timeline steps and ended clocks are most of the rows (a dozen per case): inserted without building a model
# instance for each, which would take most of the seeding time. Historical seeding only.
EVENT_COLUMNS = ("case_id", "at", "actor_id", "step", "from_status", "to_status", "team_id", "assignee_id", "lng",
                 "lat", "note", "note_is_internal")
DEADLINE_COLUMNS = ("case_id", "stage", "started_at", "due_at", "due_before_extension", "ended_at", "met",
                    "overdue_at", "escalated_at")


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    # Only quoted names from the models go into the text; every value is a parameter.
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _update(model, column: str, rows: list[tuple]) -> None:
    """(value, pk) pairs: one column of many rows, without bulk_update's CASE expression per row."""
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])
