"""Demo volunteers for `jusha demo`: 200 residents of the demo subdistrict with volunteer records,
most approved (with numbers), some waiting, rejected, suspended or withdrawn, and some registered by a
member unit as its volunteer team. The demo resident is an approved volunteer, so the need board's
"I'll take this on" works when logged in as them.

Drawn from a fixed seed; rows are written in bulk rather than through the services (the demo needs
applications in the past, and 200 audited reviews would only be noise). Identity numbers are made up
with a valid check character and sealed as the services seal them; the number sequence row is set to
the last number handed out, so approvals made in the demo continue from there.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.orgs.models import MemberUnit
from jusha.places.models import Subdistrict

from . import idnumbers
from .models import NumberSequence, Volunteer
from .skills import Skill

SEED = 2026
COUNT = 200
S = Volunteer.Status
# Out of every 20 records: mostly approved, a few of each other status.
STATUSES = [S.APPROVED] * 15 + [S.APPLIED, S.APPLIED, S.REJECTED, S.SUSPENDED, S.WITHDRAWN]
TEAM_SHARE = 0.15
REJECT_REASONS = ["身份证明材料不清晰，请重新上传", "所填联系方式无法接通"]
SUSPEND_REASONS = ["连续三次报名后未到岗", "服务对象投诉，待核实"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DAY_PARTS = [("08:00", "12:00"), ("13:00", "17:00"), ("18:00", "21:00")]


def _id_number(rng: random.Random, region: str, born: date, gender: str) -> str:
    # The third serial digit is odd for a man, even for a woman (GB 11643).
    serial = rng.randrange(100) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "male" else (0, 2, 4, 6, 8))
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def seed_volunteers(subdistrict: Subdistrict, *, resident_mobile: str, seed: int = SEED) -> int:
    """Give COUNT residents of `subdistrict` volunteer records; return how many were added."""
    rng = random.Random(seed)
    now = clock.now()
    communities = list(subdistrict.communities.order_by("code"))
    by_pk = {c.pk: c for c in communities}
    reviewers = {ra.community_id: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_STAFF, community__in=communities).select_related("user").order_by("-user__username")}
    units = list(MemberUnit.objects.filter(alliance__subdistrict=subdistrict, is_active=True).order_by("pk"))
    demo = User.objects.filter(mobile=resident_mobile).first()
    residents = list(RoleAssignment.objects.filter(role=Role.RESIDENT, community__in=communities)
                     .exclude(user=demo).select_related("user").order_by("user_id"))
    chosen = rng.sample(residents, min(COUNT - 1, len(residents)))
    if demo is not None:
        chosen.insert(0, RoleAssignment.objects.get(user=demo, role=Role.RESIDENT))
    year = timezone.localtime(now).year
    region = subdistrict.district.code
    records, areas, seen = [], [], set()
    last = 0
    for i, ra in enumerate(chosen):
        status = S.APPROVED if i == 0 else STATUSES[i % len(STATUSES)]
        gender = rng.choice(Volunteer.Gender.values)
        born = date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
        number = idnumbers.normalise("resident_id", _id_number(rng, region, born, gender))
        while number in seen:
            number = _id_number(rng, region, born, gender)
        seen.add(number)
        applied = now - timedelta(days=rng.randint(5, 330), hours=rng.randint(0, 10))
        home = by_pk[ra.community_id]
        slots = sorted({(d, *rng.choice(DAY_PARTS)) for d in rng.sample(range(7), rng.randint(1, 3))})
        volunteer = Volunteer(
            user=ra.user, status=status, name=ra.user.name, gender=gender, birth_month=born.replace(day=1),
            id_type=Volunteer.IdType.RESIDENT_ID, id_number_encrypted=idnumbers.seal(number),
            id_number_last4=number[-4:], id_number_digest=idnumbers.digest("resident_id", number),
            mobile=ra.user.mobile or "", community=home,
            skills=sorted(rng.sample(Skill.values, rng.randint(1, 3))),
            availability=[{"weekday": d, "start": a, "end": b} for d, a, b in slots],
            member_unit=rng.choice(units) if units and i > 0 and rng.random() < TEAM_SHARE else None,
            applied_at=applied)
        if i % 7 == 0:
            volunteer.extra = {"occupation": rng.choice(["退休教师", "社区医生", "大学生", "工程师"])}
            volunteer.extra_consent_at = applied
        if status != S.APPLIED:
            volunteer.reviewed_at = applied + timedelta(days=rng.randint(1, 4))
            volunteer.reviewed_by = reviewers.get(home.pk)
        if status in (S.APPROVED, S.SUSPENDED, S.WITHDRAWN):
            last += 1
            volunteer.number = f"{subdistrict.code}{year}{last:05d}"
        if status == S.REJECTED:
            volunteer.reject_reason = rng.choice(REJECT_REASONS)
        if status == S.SUSPENDED:
            volunteer.reject_reason = rng.choice(SUSPEND_REASONS)
        records.append(volunteer)
        nearby = [c for c in communities if c.pk != home.pk]
        areas.append([home, *rng.sample(nearby, min(len(nearby), rng.randint(0, 2)))])
    Volunteer.objects.bulk_create(records)
    Volunteer.service_area.through.objects.bulk_create([
        Volunteer.service_area.through(volunteer_id=v.pk, community_id=c.pk)
        for v, area in zip(records, areas, strict=True) for c in area])
    NumberSequence.objects.update_or_create(subdistrict=subdistrict, year=year, defaults={"last": last})
    return len(records)
