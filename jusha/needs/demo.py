"""A year of needs for `jusha demo`: thousands of requests across every status, with their timelines.

The history is written row by row as the services would have left it (needs, timeline steps, claims,
ratings) but bulk-created, so seeding a year takes a second or two. Timings follow what the platform
aims at and what staff report: most needs get a first answer within minutes of service time (the
service calendar's hours: the next opening when sent at night or on a holiday); about one in eight
misses the ten-minute target and carries what the overdue sweep leaves (the flag and the system's
forwarding to the subdistrict, whose staff answer it); units deliver within hours to a couple of
days, and most residents give four or five stars. The last fortnight stays open, so every queue in
the console has work in it.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone
from shapely.geometry import Point

from jusha.accounts.models import Role, RoleAssignment
from jusha.calendars.selectors import add_working_time
from jusha.core import clock
from jusha.orgs.models import MemberUnit
from jusha.places.geometry import to_shape
from jusha.places.models import Grid

from .models import Claim, Need, NeedCategory, NeedEvent, Rating
from .workflow import Step

S = Need.Status
DAY = datetime.timedelta(days=1)
OPEN_DAYS = 14  # needs younger than this are left at every open stage

# What residents ask for, by category code: the words people actually use.
TEXTS = {
    "errands": ["腿脚不便下不了楼，麻烦帮忙买一盒眼药水", "家里米吃完了，想请人帮忙买一袋米送上楼",
                "帮忙去药店配一下降压药，处方在我这里", "快递放在驿站取不了，能否帮忙送到家",
                "想请人帮忙交一下这个月的水电费"],
    "elderly_disabled": ["独居老人，想请志愿者每周上门陪聊一次", "轮椅坏了一个轮子，出门不方便",
                         "老伴住院了，想找人帮忙接送孙子上下学", "想申请助餐服务，自己做饭有困难",
                         "家里需要安装扶手，卫生间容易滑倒"],
    "health": ["想预约家庭医生上门量血压", "糖尿病复查，需要有人陪同去医院", "想咨询一下流感疫苗在哪里打",
               "母亲刚出院，需要上门换药", "想参加社区义诊，请问什么时候有"],
    "legal": ["房东不退押金，想咨询一下怎么办", "工资被拖欠三个月，想找法律援助", "想立一份遗嘱，请问怎么做才有效",
              "邻里纠纷，楼上漏水不肯修", "想了解离婚后孩子抚养费的规定"],
    "tutoring": ["孩子初二数学跟不上，想找大学生辅导", "放学后家里没人，想参加四点半课堂",
                 "想学用智能手机挂号和视频通话", "孩子想学书法，有没有公益课程", "英语作文需要有人帮忙看看"],
    "counselling": ["孩子最近不愿意上学，想找心理老师聊聊", "退休后心情低落，想找人说说话",
                    "家里老人有点糊涂，家属压力很大", "考试焦虑睡不着，想做心理咨询"],
    "repairs": ["厨房水龙头一直漏水", "楼道灯坏了好几天，晚上看不见", "家里电路跳闸，老人不会弄",
                "防盗门锁坏了，关不上", "抽油烟机不转了，想找人看看"],
    "sanitation": ["楼下垃圾桶满了没人清", "绿化带里有人堆放建筑垃圾", "小区下水道堵了有异味",
                   "楼道里堆满杂物，存在消防隐患"],
    "culture_sports": ["想组织小区广场舞队，需要场地", "老年合唱团想借用活动室排练", "想报名社区乒乓球比赛",
                       "希望社区能开太极拳班"],
    "other": ["想了解一下社区有哪些志愿活动", "新搬来的，想办理居住证需要什么材料", "想给社区提个建议，增加几个充电桩"],
}
CATEGORY_WEIGHTS = {"errands": 24, "elderly_disabled": 18, "health": 14, "repairs": 14, "tutoring": 8,
                    "legal": 6, "counselling": 4, "sanitation": 6, "culture_sports": 4, "other": 2}
RESOLUTIONS = ["已上门处理完毕，居民表示满意", "志愿者已送达，并帮忙放好", "已电话联系并解答，居民清楚了",
               "已安排专业人员维修完成", "已陪同办理完毕"]
COMMENTS = ["很及时，谢谢社区！", "志愿者很热心", "服务很好", "速度快，态度好", "解决了大问题，感谢",
            "还可以", "等得有点久", ""]
REJECT_REASONS = ["该事项属于物业管理范围，已告知物业电话", "需求内容不清楚，请补充后重新提交",
                  "该事项需本人到政务服务中心办理"]


@dataclass
class _People:
    residents: dict[int, list] = field(default_factory=dict)  # community id → residents
    staff: dict[int, list] = field(default_factory=dict)  # community id → community staff
    subdistrict_staff: list = field(default_factory=list)
    liaisons: dict[int, list] = field(default_factory=dict)  # unit id → liaisons
    units_serving: dict[int, list] = field(default_factory=dict)  # community id → units


def seed_needs(*, rng: random.Random, subdistrict, count: int = 3000, resident_mobile: str | None = None,
               featured_unit: MemberUnit | None = None) -> int:
    """Write `count` needs of the last year in `subdistrict`; return how many were written.

    The demo resident (`resident_mobile`) gets needs at four stages and the `featured_unit` (the demo
    liaison's) has offers to answer and work in hand, so every demo login has something to do.
    """
    now = clock.now()
    people = _people(subdistrict)
    categories = {c.code: c for c in NeedCategory.objects.filter(parent=None)}
    codes = [c for c in CATEGORY_WEIGHTS if c in categories]
    weights = [CATEGORY_WEIGHTS[c] for c in codes]
    grids = list(Grid.objects.filter(community__subdistrict=subdistrict).order_by("code"))
    shapes = {g.pk: to_shape(g.boundary) for g in grids}
    grid_weights = [len(people.residents.get(g.community_id, ())) or 1 for g in grids]
    demo_resident = (get_user_model().objects.filter(mobile=resident_mobile).first() if resident_mobile else None)

    plans = []
    for i in range(count):
        # Older needs are a little rarer: the platform grew through the year.
        age = datetime.timedelta(days=365 * (1 - rng.random() ** 0.8), minutes=30 + rng.randrange(24 * 60))
        submitted = _daytime(rng, now - age, now=now)
        grid = rng.choices(grids, weights=grid_weights)[0]
        resident = rng.choice(people.residents[grid.community_id])
        if demo_resident is not None and i < 4:
            resident, submitted = demo_resident, now - datetime.timedelta(days=(40, 3, 1, 0.1)[i])
            grid = next(g for g in grids if g.community_id == _community_of(demo_resident, people))
        force = unit = None
        if demo_resident is not None and i < 4:
            force = ("closed", "in_progress", "submitted", "completed")[i]
        elif featured_unit is not None and 4 <= i < 8:
            force, unit = ("matched", "matched", "in_progress", "closed")[i - 4], featured_unit.pk
            submitted = now - datetime.timedelta(hours=(5, 26, 50, 300)[i - 4])
        code = rng.choices(codes, weights=weights)[0]
        plans.append(_plan(rng, now=now, submitted=submitted, grid=grid, shape=shapes[grid.pk], resident=resident,
                           category=categories[code], people=people, force=force, unit_id=unit))

    needs = Need.objects.bulk_create([p.need for p in plans], batch_size=500)
    events, claims, ratings = [], [], []
    for plan, need in zip(plans, needs, strict=True):
        for event in plan.events:
            event.need = need
            events.append(event)
        for claim in plan.claims:
            claim.need = need
            claims.append(claim)
        if plan.rating is not None:
            plan.rating.need = need
            ratings.append(plan.rating)
    NeedEvent.objects.bulk_create(events, batch_size=1000)
    Claim.objects.bulk_create(claims, batch_size=1000)
    Rating.objects.bulk_create(ratings, batch_size=1000)
    return len(needs)


def _people(subdistrict) -> _People:
    people = _People()
    for ra in RoleAssignment.objects.filter(community__subdistrict=subdistrict).select_related("user"):
        if ra.role == Role.RESIDENT:
            people.residents.setdefault(ra.community_id, []).append(ra.user)
        elif ra.role == Role.COMMUNITY_STAFF:
            people.staff.setdefault(ra.community_id, []).append(ra.user)
    people.subdistrict_staff = [ra.user for ra in RoleAssignment.objects.filter(
        role=Role.SUBDISTRICT_STAFF, subdistrict=subdistrict).select_related("user")]
    for ra in RoleAssignment.objects.filter(role=Role.UNIT_LIAISON,
                                            member_unit__alliance__subdistrict=subdistrict).select_related("user"):
        people.liaisons.setdefault(ra.member_unit_id, []).append(ra.user)
    through = MemberUnit.service_area.through
    for row in through.objects.filter(community__subdistrict=subdistrict, memberunit__is_active=True):
        people.units_serving.setdefault(row.community_id, []).append(row.memberunit_id)
    return people


def _community_of(user, people: _People) -> int:
    return next(cid for cid, residents in people.residents.items() if user in residents)


def _daytime(rng: random.Random, at: datetime.datetime, *, now: datetime.datetime) -> datetime.datetime:
    """Most needs are sent in office hours, the rest between 7:00 and 22:00; weekends are quieter.

    Moving a need within its day must not carry it past `now` (a need of this morning, seeded in the
    afternoon): then it keeps its time."""
    local = timezone.localtime(at)
    if local.weekday() >= 5 and rng.random() < 0.5:
        local -= (local.weekday() - 4) * DAY
    hour = rng.randint(8, 16) if rng.random() < 0.75 else rng.randint(7, 21)
    moved = local.replace(hour=hour, minute=rng.randrange(60))
    return moved if moved <= now - datetime.timedelta(minutes=30) else at


def _first_answer(rng: random.Random, at: datetime.datetime) -> datetime.datetime:
    """When staff first answer: a few minutes of service time (the next opening when sent after hours)."""
    return add_working_time(at, datetime.timedelta(minutes=max(1, int(rng.lognormvariate(1.6, 0.6)))))


@dataclass
class _Plan:
    need: Need
    events: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    rating: Rating | None = None


def _plan(rng, *, now, submitted, grid, shape, resident, category, people, force=None,  # noqa: C901
          unit_id=None) -> _Plan:
    point = _point_in(rng, shape)
    need = Need(resident=resident, community_id=grid.community_id, grid=grid, lng=point.x, lat=point.y,
                address=f"{grid.name}{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元{rng.randint(101, 1802)}室",
                category=category, text=rng.choice(TEXTS[category.code]),
                urgency=rng.choices(list(Need.Urgency), weights=[70, 22, 8])[0],
                contact=rng.choices(list(Need.Contact), weights=[55, 15, 25, 5])[0],
                submitted_at=submitted, status=S.SUBMITTED)
    plan = _Plan(need=need)
    staff = rng.choice(people.staff[grid.community_id])
    units = people.units_serving.get(grid.community_id) or [u for us in people.units_serving.values() for u in us]
    events = plan.events

    def step(at, step_, to, *, actor=None, unit_id=None, note="", internal=False):
        events.append(NeedEvent(at=at, actor=actor, step=step_, from_status=need.status, to_status=to,
                                member_unit_id=unit_id, note=note, note_is_internal=internal))
        need.status = to

    step(submitted, Step.SUBMIT, S.SUBMITTED, actor=resident)
    need.first_response_due_at = add_working_time(submitted, category.first_response_target)
    need.completion_due_at = add_working_time(submitted, category.completion_target)
    age = now - submitted
    # The fate of the need: young needs are still open, old ones are mostly closed.
    fate = force or _fate(rng, age)
    answered = min(_first_answer(rng, submitted), now - datetime.timedelta(minutes=1))
    if need.first_response_due_at < min(answered, now) and not force:
        # Not answered in time: the overdue sweep flagged it and forwarded it to the subdistrict,
        # whose staff give the first answer.
        due = need.first_response_due_at
        step(due, Step.ESCALATE_OVERDUE, S.ESCALATED)
        need.first_response_overdue_at = need.escalated_at = due
        need.level = Need.Level.SUBDISTRICT
        staff = rng.choice(people.subdistrict_staff)
    if fate == "submitted":
        return _flag_late_completion(plan, now)
    need.first_response_at = answered
    if fate == "rejected":
        step(answered, Step.REJECT, S.REJECTED, actor=staff, note=rng.choice(REJECT_REASONS))
        need.closed_at = answered
        return plan
    if fate == "escalated":
        if need.status != S.ESCALATED:
            step(answered, Step.ESCALATE, S.ESCALATED, actor=staff, note="本社区无合适单位，请街道协调", internal=True)
            need.level, need.escalated_at = Need.Level.SUBDISTRICT, answered
        return _flag_late_completion(plan, now)
    if fate == "resolved" or (fate in {"closed", "completed"} and unit_id is None and rng.random() < 0.15):
        done = answered + datetime.timedelta(minutes=rng.randint(5, 240))
        if done >= now:
            done = answered
        step(done, Step.RESOLVE, S.COMPLETED, actor=staff, note=rng.choice(RESOLUTIONS))
        need.resolution, need.completed_at = events[-1].note, done
        unit_id = None
    else:
        if need.status == S.SUBMITTED:
            step(answered, Step.ACCEPT, S.ACCEPTED, actor=staff)
            need.accepted_at = answered
        if fate == "accepted":
            return _flag_late_completion(plan, now)
        unit_id = unit_id or rng.choice(units)
        # A unit without a liaison on the platform answers through the community's staff.
        liaison = rng.choice(people.liaisons[unit_id]) if people.liaisons.get(unit_id) else None
        helper = liaison or staff
        offered = answered + datetime.timedelta(minutes=rng.randint(2, 90))
        if offered >= now:
            offered = answered
        step(offered, Step.MATCH, S.MATCHED, actor=staff, unit_id=unit_id)
        need.matched_at = offered
        claim = Claim(member_unit_id=unit_id, via=Claim.Via.MATCH, status=Claim.Status.OFFERED, offered_by=staff,
                      created_at=offered)
        plan.claims.append(claim)
        if fate == "matched":
            return _flag_late_completion(plan, now)
        taken = min(offered + datetime.timedelta(minutes=rng.randint(5, 180)), now)
        step(taken, Step.MATCH_ACCEPT, S.IN_PROGRESS, actor=helper, unit_id=unit_id)
        claim.status, claim.claimant, claim.accepted_at = Claim.Status.ACTIVE, liaison, taken
        need.started_at = taken
        if fate == "in_progress":
            return _flag_late_completion(plan, now)
        # Units deliver within hours, sometimes a few days (repairs wait for parts).
        done = taken + datetime.timedelta(hours=rng.lognormvariate(1.6, 0.9))
        if done >= now:
            done = taken + (now - taken) / 2
        step(done, Step.COMPLETE, S.COMPLETED, actor=helper, unit_id=unit_id, note=rng.choice(RESOLUTIONS))
        need.resolution, need.completed_at = events[-1].note, done
        claim.status, claim.ended_at = Claim.Status.DONE, done
    if fate == "completed":
        return _flag_late_completion(plan, now)
    confirmed = need.completed_at + datetime.timedelta(hours=rng.uniform(0.5, 48))
    if confirmed >= now:
        confirmed = need.completed_at + (now - need.completed_at) / 2
    stars = rng.choices([5, 4, 3, 2, 1], weights=[68, 22, 6, 3, 1])[0]
    comment = rng.choice(COMMENTS)
    step(confirmed, Step.CONFIRM, S.CLOSED, actor=resident, note=comment)
    need.closed_at = confirmed
    plan.rating = Rating(by=resident, stars=stars, comment=comment, member_unit_id=unit_id, created_at=confirmed)
    return _flag_late_completion(plan, now)


def _flag_late_completion(plan: _Plan, now: datetime.datetime) -> _Plan:
    """What the overdue sweep leaves on a need done after its completion due time, or still open past it."""
    need = plan.need
    due = need.completion_due_at
    if need.status != S.REJECTED and due < (need.completed_at or now):
        need.completion_overdue_at = due
    return plan


def _fate(rng: random.Random, age: datetime.timedelta) -> str:
    if age < datetime.timedelta(hours=2):
        return rng.choices(["submitted", "accepted", "escalated"], weights=[6, 3, 1])[0]
    if age < OPEN_DAYS * DAY:
        return rng.choices(["submitted", "accepted", "escalated", "matched", "in_progress", "completed", "closed",
                            "rejected", "resolved"], weights=[2, 5, 2, 4, 10, 12, 60, 3, 5])[0]
    return rng.choices(["closed", "rejected", "resolved"], weights=[88, 5, 7])[0]


def _point_in(rng: random.Random, shape) -> Point:
    minx, miny, maxx, maxy = shape.bounds
    for _i in range(100):
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if shape.contains(point):
            return point
    return shape.representative_point()
