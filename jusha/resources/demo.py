"""Demo resources: what the demo alliance's member units offer, for `jusha demo` (jusha/demo/seed.py).

Most units get one to three resources fitting what they are (a hospital offers free clinics, a school
its sports ground); nearly all are approved, a few wait for review or were sent back. Drawn from a
fixed seed and bulk-created, so every machine gets the same list in well under a second.
"""

import random
from datetime import timedelta

from jusha.accounts.models import Role, RoleAssignment
from jusha.core import clock
from jusha.needs.models import NeedCategory
from jusha.orgs.models import MemberUnit
from jusha.places.geometry import to_shape

from .models import Resource

K, P = Resource.Kind, Resource.Period
WEEKDAYS, WEEKEND = (0, 1, 2, 3, 4), (5, 6)

# unit category → (kind, title, need category codes, capacity, per, days, start, end)
OFFERS = {
    MemberUnit.Category.HOSPITAL: [
        (K.SERVICE, "社区义诊", ["health"], 60, P.WEEK, WEEKEND[:1], "08:30", "11:30"),
        (K.SERVICE, "上门测血压", ["health", "elderly_disabled"], 20, P.WEEK, (1, 3), "09:00", "11:00"),
        (K.SKILL, "健康知识讲座", ["health"], 2, P.WEEK, (2,), "14:00", "16:00"),
    ],
    MemberUnit.Category.UNIVERSITY: [
        (K.SKILL, "大学生学业辅导", ["tutoring"], 30, P.WEEK, WEEKDAYS, "18:30", "20:30"),
        (K.SKILL, "法学院法律援助", ["legal"], 10, P.WEEK, (2, 4), "14:00", "17:00"),
        (K.VENUE, "体育馆错峰开放", ["culture_sports"], 200, P.WEEK, WEEKEND, "08:00", "12:00"),
    ],
    MemberUnit.Category.SCHOOL: [
        (K.VENUE, "操场周末开放", ["culture_sports"], 100, P.WEEK, WEEKEND, "07:00", "10:00"),
        (K.SKILL, "课后作业辅导", ["tutoring"], 15, P.WEEK, WEEKDAYS, "16:30", "18:00"),
    ],
    MemberUnit.Category.ENTERPRISE: [
        (K.FUNDS, "公益帮扶资金", ["elderly_disabled", "other"], 20000, P.TOTAL, (), "", ""),
        (K.GOODS, "爱心物资", ["errands", "elderly_disabled"], 200, P.TOTAL, (), "", ""),
        (K.SERVICE, "家电义务维修", ["repairs"], 8, P.WEEK, WEEKEND[:1], "09:00", "16:00"),
    ],
    MemberUnit.Category.SOCIAL_ORGANISATION: [
        (K.SERVICE, "心理疏导热线", ["counselling"], 40, P.WEEK, WEEKDAYS, "19:00", "21:00"),
        (K.SERVICE, "助老陪伴", ["elderly_disabled", "errands"], 25, P.WEEK, (0, 2, 4), "09:00", "17:00"),
    ],
    MemberUnit.Category.GOVERNMENT_DEPARTMENT: [
        (K.SERVICE, "政策咨询进社区", ["legal", "other"], 4, P.WEEK, (1,), "09:00", "11:30"),
        (K.SERVICE, "环境卫生整治", ["sanitation"], 2, P.WEEK, (3,), "08:00", "11:00"),
    ],
    MemberUnit.Category.OTHER: [
        (K.VENUE, "活动室借用", ["culture_sports"], 10, P.WEEK, WEEKDAYS, "09:00", "20:00"),
        (K.SERVICE, "便民代办", ["errands"], 30, P.WEEK, WEEKDAYS, "09:00", "17:00"),
    ],
}
SHARE_WITH_RESOURCES = 0.9
REJECT_REASON = "请写明服务时间和可服务人数"


def seed_resources(*, units, reviewer, seed: int) -> list[Resource]:
    """Give most of `units` one to three resources; `reviewer` (a subdistrict staff member) approved them.
    Returns the resources created. Deterministic for a given seed and units."""
    rng = random.Random(seed)
    codes = dict(NeedCategory.objects.values_list("code", "pk"))
    liaisons = dict(RoleAssignment.objects.filter(role=Role.UNIT_LIAISON, member_unit__in=units)
                    .values_list("member_unit", "user"))
    areas = {u.pk: [c.pk for c in u.service_area.all()] for u in
             MemberUnit.objects.filter(pk__in=[u.pk for u in units]).prefetch_related("service_area")}
    homes = {u.pk: u.sub_alliance.community for u in
             MemberUnit.objects.filter(pk__in=[u.pk for u in units]).select_related("sub_alliance__community")
             if u.sub_alliance_id}
    now = clock.now()
    rows, links = [], []
    for unit in units:
        if rng.random() > SHARE_WITH_RESOURCES:
            continue
        offers = OFFERS[unit.category]
        for kind, title, categories, capacity, period, days, start, end in rng.sample(
                offers, rng.randint(1, min(3, len(offers)))):
            status = rng.choices([Resource.Status.APPROVED, Resource.Status.SUBMITTED, Resource.Status.REJECTED],
                                 weights=[88, 8, 4])[0]
            created = now - timedelta(days=rng.randint(10, 400))
            lng = lat = None
            if kind == K.VENUE and unit.pk in homes:
                point = to_shape(homes[unit.pk].boundary).representative_point()
                lng, lat = round(point.x, 6), round(point.y, 6)
            rows.append(Resource(
                member_unit=unit, kind=kind, title=title, description=_description(unit, title, capacity, period),
                capacity=capacity, capacity_period=period,
                availability=[{"weekday": d, "start": start, "end": end} for d in days],
                lng=lng, lat=lat, contact_name=unit.contact_name or "联络员",
                contact_mobile=unit.contact_mobile or "13800000000", status=status,
                reject_reason=REJECT_REASON if status == Resource.Status.REJECTED else "",
                created_by_id=liaisons.get(unit.pk, reviewer.pk), created_at=created,
                updated_at=created + timedelta(days=1), submitted_at=created + timedelta(hours=2),
                reviewed_by=reviewer if status != Resource.Status.SUBMITTED else None,
                reviewed_at=created + timedelta(days=1) if status != Resource.Status.SUBMITTED else None,
            ))
            links.append(([codes[c] for c in categories if c in codes], areas.get(unit.pk, [])))
    created_rows = Resource.objects.bulk_create(rows)
    Resource.categories.through.objects.bulk_create([
        Resource.categories.through(resource=r, needcategory_id=c)
        for r, (categories, _area) in zip(created_rows, links, strict=True) for c in categories])
    Resource.service_area.through.objects.bulk_create([
        Resource.service_area.through(resource=r, community_id=c)
        for r, (_categories, area) in zip(created_rows, links, strict=True) for c in area])
    return created_rows


def _description(unit: MemberUnit, title: str, capacity: int, period: str) -> str:
    amount = f"每周 {capacity}" if period == P.WEEK else f"共 {capacity}"
    return f"{unit.name}提供{title}，{amount}（人次/件/元），请提前与联系人预约。"
