"""Demo activities for `jusha demo`: a year of lectures (聚沙讲堂), courses (惠民课堂, e.g. a 6-week tai
chi course), youth experiences (成长体验馆: 小小田园家, 小小银行家, 小小工程师), volunteer services and
alliance days across the demo communities, six months back and six ahead, with sessions and sign-ups.

Drawn from a fixed seed; times are relative to now. Rows are written directly (one bulk insert per
table) rather than through the services: the demo needs history in the past (sessions already held),
which the services refuse to create. The rows keep every invariant the services keep: seats never
oversold, arrival numbers in order, one live sign-up per person and session, no person in two
sessions at the same time, a whole course booked under one booking id.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment
from jusha.core import clock
from jusha.needs.models import Need
from jusha.orgs.models import MemberUnit
from jusha.places.models import Subdistrict
from jusha.volunteers.models import Volunteer

from .models import Activity, Session, SignUp, VolunteerSlot

SEED = 2027
K = Activity.Kind

# (kind, title, description, sessions (weekly), seats, ages, start hour, hours, volunteer skill)
CATALOGUE = [
    (K.LECTURE, "聚沙讲堂：防范电信诈骗", "民警讲解常见诈骗手法，教您守好钱袋子。", 1, 60, None, 14, 1.5, ""),
    (K.LECTURE, "聚沙讲堂：老年人健康饮食", "医院营养科医生讲解三高人群的日常饮食。", 1, 50, None, 9, 1.5, "medical"),
    (K.LECTURE, "聚沙讲堂：垃圾分类知多少", "分一分，更美丽：垃圾分类的要点和常见误区。", 1, 80, None, 19, 1, ""),
    (K.LECTURE, "聚沙讲堂：家庭急救常识", "心肺复苏、海姆立克急救法现场教学。", 1, 40, None, 14, 2, "medical"),
    (K.LECTURE, "聚沙讲堂：法律知识进社区", "律师讲解赡养、继承与租房合同。", 1, 50, None, 19, 1.5, "legal"),
    (K.COURSE, "惠民课堂：太极拳入门", "六周太极拳课程，从二十四式开始，适合零基础。", 6, 20, (40, 80), 7, 1, ""),
    (K.COURSE, "惠民课堂：手机摄影", "四周课程：构图、光线和修图。", 4, 25, None, 19, 1.5, "photography"),
    (K.COURSE, "惠民课堂：短视频剪辑", "四周课程：从拍摄到剪辑，做一条自己的短视频。", 4, 20, (16, 70), 19, 2, "it"),
    (K.COURSE, "惠民课堂：国画入门", "六周课程：笔墨基础、花鸟小品。", 6, 15, None, 14, 2, "arts"),
    (K.COURSE, "惠民课堂：日常化妆技巧", "三周课程：职场和日常淡妆。", 3, 20, (18, 60), 19, 1.5, ""),
    (K.COURSE, "惠民课堂：智能手机使用", "四周课程：微信视频、扫码支付、网上挂号。", 4, 20, (55, 90), 9, 1.5, "it"),
    (K.YOUTH, "成长体验馆：小小田园家", "在社区农场认识蔬菜，亲手种下一棵苗。", 1, 15, (6, 12), 9, 2, "child_care"),
    (K.YOUTH, "成长体验馆：小小银行家", "走进银行网点，体验点钞和存取款。", 1, 12, (8, 12), 14, 2, "child_care"),
    (K.YOUTH, "成长体验馆：小小工程师", "在高校实验室动手搭建电路和小机器人。", 1, 12, (9, 14), 14, 2.5, "teaching"),
    (K.VOLUNTEER_SERVICE, "社区环境清洁日", "一起清理小区公共区域和绿化带。", 1, 30, None, 8, 2, "cleaning"),
    (K.VOLUNTEER_SERVICE, "助老上门服务日", "为独居老人打扫卫生、检查水电。", 1, 10, None, 9, 3, "elderly_care"),
    (K.ALLIANCE, "聚沙党建联盟共建日", "联盟单位集中开展便民服务：义诊、理发、家电维修。", 1, 200, None, 9, 3, "event"),
]
PER_MONTH = 6
MONTHS_BACK, MONTHS_AHEAD = 6, 6


def seed_activities(subdistrict: Subdistrict, *, seed: int = SEED) -> int:
    """Add a year of activities to `subdistrict`; return how many were added."""
    rng = random.Random(seed)
    now = clock.now()
    communities = list(subdistrict.communities.order_by("code"))
    staff = {ra.community_id: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_STAFF, community__in=communities).select_related("user").order_by("pk")}
    sub_staff = RoleAssignment.objects.filter(role=Role.SUBDISTRICT_STAFF, subdistrict=subdistrict).select_related(
        "user").order_by("pk").first()
    reviewer = sub_staff.user if sub_staff else None
    residents: dict[int, list[int]] = {}
    for user_id, community_id in RoleAssignment.objects.filter(role=Role.RESIDENT, community__in=communities) \
            .order_by("pk").values_list("user_id", "community_id"):
        residents.setdefault(community_id, []).append(user_id)
    units = list(MemberUnit.objects.filter(alliance__subdistrict=subdistrict, is_active=True).order_by("pk"))
    liaisons = {ra.member_unit_id: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.UNIT_LIAISON, member_unit__in=units).select_related("user")}
    if reviewer is None or not communities:
        return 0
    liaised = [u for u in units if u.pk in liaisons]

    plans = []
    for month in range(-MONTHS_BACK, MONTHS_AHEAD):
        for _ in range(PER_MONTH):
            entry = rng.choice(CATALOGUE)
            community = rng.choice(communities)
            day = now.date() + timedelta(days=month * 30 + rng.randrange(1, 29))
            plans.append((entry, community, day))
    plans.sort(key=lambda p: p[2])

    activities, sessions_of, slots_of = [], [], []
    for i, ((kind, title, text, weeks, seats, ages, hour, hours, skill), community, day) in enumerate(plans):
        starts = timezone.make_aware(datetime.combine(day, time(hour, 0)))
        unit = rng.choice(liaised) if kind in (K.LECTURE, K.YOUTH) and liaised and rng.random() < 0.4 else None
        organiser = (Activity.Organiser.SUBDISTRICT if kind == K.ALLIANCE else
                     Activity.Organiser.UNIT if unit else Activity.Organiser.COMMUNITY)
        author = (reviewer if organiser == Activity.Organiser.SUBDISTRICT else
                  liaisons[unit.pk] if unit else staff.get(community.pk, reviewer))
        created = starts - timedelta(days=rng.randrange(14, 30))
        status = Activity.Status.PUBLISHED
        if starts > now and i % 17 == 0:
            status = Activity.Status.SUBMITTED
        elif starts > now and i % 23 == 0:
            status = Activity.Status.DRAFT
        elif i % 29 == 0:
            status = Activity.Status.CANCELLED
        published = created + timedelta(days=2) if status in (Activity.Status.PUBLISHED,
                                                               Activity.Status.CANCELLED) else None
        activities.append(Activity(
            kind=kind, title=title, description=text, organiser_kind=organiser, subdistrict=subdistrict,
            community=None if organiser == Activity.Organiser.SUBDISTRICT else community, member_unit=unit,
            place_name=f"{unit.name}" if unit else f"{community.name}党群服务中心",
            lng=None, lat=None, min_age=ages[0] if ages else None, max_age=ages[1] if ages else None, seats=seats,
            signup_scope=Activity.SignupScope.COURSE if weeks > 1 else Activity.SignupScope.SESSION,
            cancel_hours=2, status=status, created_by=author, created_at=min(created, now),
            submitted_at=min(created + timedelta(days=1), now) if status != Activity.Status.DRAFT else None,
            reviewed_by=reviewer if published else None, reviewed_at=min(published, now) if published else None,
            published_at=min(published, now) if published else None,
            cancelled_at=min(starts - timedelta(days=1), now) if status == Activity.Status.CANCELLED else None,
            cancel_reason="场地临时维修" if status == Activity.Status.CANCELLED else ""))
        sessions_of.append([(starts + timedelta(weeks=w), starts + timedelta(weeks=w, hours=hours))
                            for w in range(weeks)])
        slots_of.append(skill)
    Activity.objects.bulk_create(activities)

    sessions = []
    for activity, times in zip(activities, sessions_of, strict=True):
        for seq, (starts, ends) in enumerate(times, start=1):
            cancelled = activity.status == Activity.Status.CANCELLED
            sessions.append(Session(activity=activity, seq=seq, starts_at=starts, ends_at=ends, seats=activity.seats,
                                    status=Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED,
                                    cancelled_at=activity.cancelled_at, cancel_reason=activity.cancel_reason))
    Session.objects.bulk_create(sessions)
    by_activity: dict[int, list[Session]] = {}
    for s in sessions:
        by_activity.setdefault(s.activity_id, []).append(s)

    VolunteerSlot.objects.bulk_create([
        VolunteerSlot(activity=a, skill=skill, count=2) for a, skill in zip(activities, slots_of, strict=True)
        if skill])

    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    signups = []
    for activity in activities:
        if activity.status != Activity.Status.PUBLISHED:
            continue
        own = by_activity[activity.pk]
        pool = residents.get(activity.community_id) or [p for ps in residents.values() for p in ps]
        wanted = min(len(pool), activity.seats + rng.randrange(0, 6) if rng.random() < 0.4 else
                     rng.randrange(activity.seats // 3, activity.seats + 1))
        people = rng.sample(pool, wanted)
        arrived = activity.published_at or activity.created_at
        for person in people:
            if any(s.starts_at < e and s.ends_at > b for s in own for b, e in busy.get(person, ())):
                continue
            booking = uuid.UUID(int=rng.getrandbits(128)) if len(own) > 1 else None
            arrived += timedelta(minutes=rng.randrange(1, 90))
            for session in own:
                confirmed = session.confirmed_count < session.seats
                signups.append(SignUp(
                    session=session, person_id=person, role=SignUp.Role.PARTICIPANT, position=session.next_position,
                    status=SignUp.Status.CONFIRMED if confirmed else SignUp.Status.WAITLISTED,
                    course_booking=booking, attendee_age=_age(activity, rng), created_at=min(arrived, now),
                    confirmed_at=min(arrived, now) if confirmed else None,
                    reminded_at=session.starts_at - timedelta(hours=24) if confirmed and session.starts_at < now
                    else None))
                session.next_position += 1
                session.confirmed_count += confirmed
                busy.setdefault(person, []).append((session.starts_at, session.ends_at))
    # Approved volunteers fill the volunteer slots (they take no seat, so `confirmed_count` is unchanged).
    volunteers = list(Volunteer.objects.filter(community__subdistrict=subdistrict, status=Volunteer.Status.APPROVED,
                                               number__isnull=False).order_by("pk").values_list("user_id", flat=True))
    for slot in VolunteerSlot.objects.filter(activity__in=[a for a in activities
                                                           if a.status == Activity.Status.PUBLISHED]).order_by("pk"):
        for session in by_activity[slot.activity_id]:
            taken = 0
            for person in rng.sample(volunteers, min(len(volunteers), slot.count * 3)):
                if taken == slot.count or any(session.starts_at < e and session.ends_at > b
                                              for b, e in busy.get(person, ())):
                    continue
                arrived = min(session.starts_at - timedelta(days=3), now)
                signups.append(SignUp(session=session, person_id=person, role=SignUp.Role.VOLUNTEER, slot=slot,
                                      position=session.next_position, status=SignUp.Status.CONFIRMED,
                                      created_at=arrived, confirmed_at=arrived))
                session.next_position += 1
                taken += 1
                busy.setdefault(person, []).append((session.starts_at, session.ends_at))
    SignUp.objects.bulk_create(signups, batch_size=2000)
    Session.objects.bulk_update(sessions, ["confirmed_count", "next_position"], batch_size=1000)

    # 惠民课堂 from common needs: the first course of each community answers its open needs.
    linked = set()
    for activity in activities:
        if activity.kind == K.COURSE and activity.community_id and activity.community_id not in linked:
            needs = list(Need.objects.filter(community=activity.community_id, status=Need.Status.ACCEPTED)
                         .order_by("pk").values_list("pk", flat=True)[:3])
            if needs:
                activity.needs.set(needs)
                linked.add(activity.community_id)
    return len(activities)


def _age(activity: Activity, rng: random.Random) -> int | None:
    if activity.min_age is None and activity.max_age is None:
        return None
    return rng.randint(activity.min_age or 0, activity.max_age or 90)
