"""The demo alliance's service projects: this year's ten service items and a few other projects, each
bundling one to three approved resources of its owner and participants (the resources are seeded first).

Deterministic for a given day (a seeded random); progress runs monthly from each project's start to
today. Rows are bulk-created like the rest of the demo, so no audit entries or notifications appear
for work nobody did.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.needs.models import NeedCategory
from jusha.orgs.models import Alliance, MemberUnit
from jusha.places.models import Community
from jusha.resources.models import Resource

from .models import ProgressQuantity, ProjectProgress, ProjectTarget, ServiceProject

SEED = 2026
K = ServiceProject.Kind
S = ServiceProject.Status
M = ProjectTarget.Measure

# (title, owner's unit category, need category, description, [(target label, measure, quantity)])
REQUIRED = [
    ("助老服务", "social_organisation", "elderly_disabled", "为辖区高龄、独居老人提供助餐、助浴、代购等上门服务。",
     [("上门服务", M.PERSON_TIMES, 1200), ("受益老人", M.HOUSEHOLDS, 150)]),
    ("四点半课堂", "university", "tutoring", "高校志愿者在放学后为双职工家庭孩子辅导作业、开展兴趣课程。",
     [("开课", M.SESSIONS, 160), ("服务学生", M.PERSON_TIMES, 2400)]),
    ("义诊进社区", "hospital", "health", "医院专家每月进社区开展义诊、健康咨询和慢病随访。",
     [("义诊", M.SESSIONS, 24), ("服务居民", M.PERSON_TIMES, 1800)]),
    ("法律援助进社区", "government_department", "legal", "律师和司法所工作人员定期坐班，提供法律咨询和纠纷调解。",
     [("坐班咨询", M.SESSIONS, 48), ("咨询人次", M.PERSON_TIMES, 500)]),
    ("垃圾分类宣传", "enterprise", "sanitation", "入户宣传垃圾分类知识，组织志愿者桶边督导。",
     [("入户宣传", M.HOUSEHOLDS, 3000), ("桶边督导", M.HOURS, 800)]),
]
OPTIONAL = [
    ("心理健康讲座", "hospital", "counselling", "面向青少年和老年人的心理健康讲座与一对一疏导。",
     [("讲座", M.SESSIONS, 12), ("参与人次", M.PERSON_TIMES, 600)]),
    ("家电义务维修", "enterprise", "repairs", "每月一次在社区广场免费维修小家电、磨刀补鞋。",
     [("维修物品", M.ITEMS, 900)]),
    ("邻里文化节", "social_organisation", "culture_sports", "以社区为单位举办邻里节、广场舞展演和亲子运动会。",
     [("活动", M.SESSIONS, 8), ("参与人次", M.PERSON_TIMES, 3000)]),
    ("暑期青少年成长营", "school", "tutoring", "暑期开展安全教育、科普体验和社会实践。",
     [("参与学生", M.PERSON_TIMES, 800)]),
    ("独居老人关爱探访", "other", "elderly_disabled", "银行、通信企业党员结对独居老人，定期电话问候和上门探访。",
     [("探访", M.HOUSEHOLDS, 200), ("电话问候", M.PERSON_TIMES, 2400)]),
]
# (title, status, owner's unit category or None for the subdistrict, need category, [(label, measure, quantity)])
OTHERS = [
    ("社区微更新", S.ACTIVE, None, "sanitation", [("改造点位", M.ITEMS, 20)]),
    ("春节送温暖", S.FINISHED, "other", "errands", [("慰问困难家庭", M.HOUSEHOLDS, 300)]),
    ("智慧助老培训", S.PLANNED, "university", "elderly_disabled", [("培训", M.SESSIONS, 10)]),
    ("夜间托管试点", S.CANCELLED, "school", "tutoring", [("托管学生", M.PERSON_TIMES, 400)]),
]


def seed_projects(*, alliance: Alliance, year: int | None = None) -> list[ServiceProject]:
    """Give `alliance` its service projects for `year` (this year by default)."""
    rng = random.Random(SEED)
    today = timezone.localdate(clock.now())
    year = year or today.year
    now = clock.now()
    planner = User.objects.filter(role_assignments__role=Role.SUBDISTRICT_STAFF,
                                  role_assignments__subdistrict=alliance.subdistrict_id).order_by("pk").first()
    units_by_category: dict[str, list[MemberUnit]] = {}
    for unit in MemberUnit.objects.filter(alliance=alliance, is_active=True).order_by("pk"):
        units_by_category.setdefault(unit.category, []).append(unit)
    all_units = [u for units in units_by_category.values() for u in units]
    communities = list(Community.objects.filter(subdistrict=alliance.subdistrict_id).order_by("code"))
    categories = {c.code: c for c in NeedCategory.objects.filter(parent__isnull=True)}

    def owner_for(category: str | None, *, first: bool = False) -> MemberUnit | None:
        if category is None or not units_by_category.get(category):
            return None
        choices = units_by_category[category]
        return choices[0] if first else rng.choice(choices)

    rows: list[tuple[ServiceProject, list, list, list, list]] = []

    def add(*, kind, number, title, description, status, owner, need, targets, starts_on, ends_on):
        project = ServiceProject(
            alliance=alliance, year=year, kind=kind, number=number, title=title, description=description,
            owner=owner, starts_on=starts_on, ends_on=ends_on, status=status, created_by=planner, created_at=now,
            updated_at=now, started_at=now if status in (S.ACTIVE, S.FINISHED) else None,
            ended_at=now if status in (S.FINISHED, S.CANCELLED) else None,
            cancel_reason="合作学校场地调整，本年度暂停。" if status == S.CANCELLED else "")
        others = rng.sample([u for u in all_units if u != owner], min(2, len(all_units) - 1))
        covered = rng.sample(communities, min(len(communities), rng.randint(2, 5)))
        rows.append((project, [categories[need]] if need in categories else [], others, covered, targets))

    start_of_year = date(year, 1, 1)
    for kind, items in ((K.REQUIRED, REQUIRED), (K.OPTIONAL, OPTIONAL)):
        for number, (title, unit_category, need, description, targets) in enumerate(items, start=1):
            starts_on = start_of_year + timedelta(days=rng.randint(0, 75))
            status = S.ACTIVE if starts_on <= today else S.PLANNED
            # The first university owns 四点半课堂: its liaison is the demo's `liaison` login.
            owner = owner_for(unit_category, first=unit_category == "university")
            add(kind=kind, number=number, title=title, description=description, status=status, owner=owner,
                need=need, targets=targets, starts_on=starts_on, ends_on=date(year, 12, 31))
    for title, status, unit_category, need, targets in OTHERS:
        starts_on = start_of_year + timedelta(days=rng.randint(10, 40))
        add(kind=K.OTHER, number=None, title=title, description="", status=status, owner=owner_for(unit_category),
            need=need, targets=targets, starts_on=starts_on, ends_on=starts_on + timedelta(days=rng.randint(30, 200)))

    projects = ServiceProject.objects.bulk_create([r[0] for r in rows])
    for project, cats, others, covered, _targets in rows:
        project.categories.set(cats)
        project.units.set(others)
        project.communities.set(covered)
    _bundle(projects, {p.pk: others for p, _cats, others, *_rest in rows})
    targets = ProjectTarget.objects.bulk_create([
        ProjectTarget(project=project, label=label, measure=measure, quantity=quantity)
        for project, *_rest, spec in rows for label, measure, quantity in spec])
    _progress(rng, projects, targets, today=today, planner=planner, now=now)
    return projects


def _bundle(projects, participants: dict[int, list[MemberUnit]]) -> None:
    """One to three approved resources of each project's owner and participants, where they have any.
    A random of its own, so that bundling leaves the rest of the demo as it was."""
    rng = random.Random(SEED + 1)
    approved: dict[int, list[int]] = {}
    for pk, unit in Resource.objects.filter(status=Resource.Status.APPROVED).order_by("pk").values_list(
            "pk", "member_unit"):
        approved.setdefault(unit, []).append(pk)
    links = []
    for project in projects:
        units = [project.owner_id, *(u.pk for u in participants[project.pk])]
        offered = [r for u in units if u for r in approved.get(u, [])]
        if offered:
            links += [ServiceProject.resources.through(serviceproject_id=project.pk, resource_id=r)
                      for r in rng.sample(offered, rng.randint(1, min(3, len(offered))))]
    ServiceProject.resources.through.objects.bulk_create(links)


def _progress(rng, projects, targets, *, today, planner, now) -> None:
    """Monthly reports from each running or finished project's start to today (or its end)."""
    liaisons = dict(RoleAssignment.objects.filter(
        role=Role.UNIT_LIAISON, member_unit__in=[p.owner_id for p in projects if p.owner_id]).order_by(
        "pk").values_list("member_unit", "user"))
    by_project: dict[int, list[ProjectTarget]] = {}
    for t in targets:
        by_project.setdefault(t.project_id, []).append(t)
    entries, amounts = [], []
    for project in projects:
        if project.status not in (S.ACTIVE, S.FINISHED):
            continue
        last = min(today, project.ends_on)
        months = max(1, (project.ends_on - project.starts_on).days // 30)
        day = project.starts_on + timedelta(days=rng.randint(5, 20))
        while day <= last:
            entry = ProjectProgress(project=project, on=day, note=rng.choice(["按计划开展", "居民反响良好", "", ""]),
                                    member_unit_id=project.owner_id, created_at=now,
                                    recorded_by_id=liaisons.get(project.owner_id, planner.pk))
            entries.append(entry)
            amounts.append([(t, max(1, round(t.quantity / months * rng.uniform(0.6, 1.3))))
                            for t in by_project[project.pk]])
            day += timedelta(days=rng.randint(25, 35))
    ProjectProgress.objects.bulk_create(entries)
    ProgressQuantity.objects.bulk_create([ProgressQuantity(progress=entry, target=t, quantity=q)
                                          for entry, pairs in zip(entries, amounts, strict=True) for t, q in pairs])
