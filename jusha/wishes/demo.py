"""Demo micro-wishes for `jusha demo`: wishes in every state across the demo communities.

Drawn from a fixed seed, so every machine gets the same wishes; timestamps are relative to now. Rows
are written directly (one bulk insert per table) rather than through the services: the demo needs
history in the past (claims made days ago, lapsed claims), and no delivery photo files are written
to the data directory.
"""

import random
from datetime import timedelta

from django.conf import settings

from jusha.accounts.models import Role, RoleAssignment
from jusha.core import clock
from jusha.places.models import Subdistrict

from .models import MicroWish, WishClaim, public_name_for

SEED = 2026
PER_COMMUNITY = 5

# (category, the wish, estimated value in yuan)
WISHES = [
    ("study", "一个新书包，旧的已经破了", 120),
    ("study", "一套初中数学辅导书", 80),
    ("study", "一盏护眼台灯，晚上写作业用", 150),
    ("study", "一本新华字典和一套彩笔", 60),
    ("daily", "冬天的棉被，家里的太薄了", 200),
    ("daily", "一台电饭煲", 180),
    ("daily", "一个保温水壶", 50),
    ("clothing", "一件过冬的羽绒服（孩子身高140厘米）", 260),
    ("clothing", "一双棉鞋（42码）", 90),
    ("elderly", "一台助听器", 800),
    ("elderly", "一副老花镜和一个放大镜", 70),
    ("elderly", "一根带灯的拐杖", 100),
    ("disability", "一个轮椅坐垫", 120),
    ("disability", "一张洗澡用的防滑凳", 90),
    ("festival", "春节想和孩子一起包一顿饺子，需要面粉和肉馅", 100),
    ("festival", "中秋节的一盒月饼", 60),
    ("other", "想学用智能手机，希望有人教一下", 1),
    ("other", "一个能听戏的收音机", 120),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "秀英桂兰建国淑珍玉梅志强小红明轩子涵雨桐浩然欣怡佳豪思远晓燕海燕国华"

S = MicroWish.Status
# Every state, spread round-robin over the communities so each one has a mix.
STATES = [S.PUBLISHED, S.PUBLISHED, S.CLAIMED, S.CONTACTED, S.DELIVERED, S.FULFILLED, S.FULFILLED, S.DRAFT,
          S.VERIFIED, S.WITHDRAWN, S.EXPIRED, S.CANCELLED]


def seed_wishes(subdistrict: Subdistrict, *, seed: int = SEED) -> int:
    """Add PER_COMMUNITY wishes to each community of `subdistrict`; return how many were added."""
    rng = random.Random(seed)
    now = clock.now()
    today = now.date()
    communities = list(subdistrict.communities.order_by("code"))
    staff = {}
    for ra in (RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, community__in=communities)
               .select_related("user").order_by("user__username")):
        staff.setdefault(ra.community_id, ra.user)
    liaisons = list(RoleAssignment.objects.filter(role=Role.UNIT_LIAISON, member_unit__is_active=True,
                                                  member_unit__alliance__subdistrict=subdistrict)
                    .select_related("user", "member_unit").order_by("user__username"))
    residents = list(RoleAssignment.objects.filter(role=Role.RESIDENT, community__in=communities)
                     .select_related("user").order_by("user_id")[:200])
    wishes, plans = [], []
    n = 0
    for community in communities:
        collector = staff.get(community.pk)
        if collector is None:
            continue
        for _i in range(PER_COMMUNITY):
            status = STATES[n % len(STATES)]
            n += 1
            category, text, value = rng.choice(WISHES)
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            created = now - timedelta(days=rng.randint(10, 40), hours=rng.randint(0, 8))
            target = today + timedelta(days=rng.randint(10, 60))
            if status == S.EXPIRED:
                target = today - timedelta(days=rng.randint(1, 5))
            wish = MicroWish(
                community=community, beneficiary_name=name, public_name=public_name_for(name),
                beneficiary_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                beneficiary_address=f"{community.name}{rng.randint(1, 30)}幢{rng.randint(1, 3)}单元"
                                    f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
                category=category, text=text, estimated_value=value, target_date=target, status=status,
                created_by=collector, created_at=created)
            if status not in (S.DRAFT, S.CANCELLED):
                wish.verified_at = created + timedelta(days=1)
            if status not in (S.DRAFT, S.VERIFIED, S.CANCELLED):
                wish.published_at = created + timedelta(days=2)
                wish.contact_staff = collector
            if status in (S.WITHDRAWN, S.CANCELLED):
                wish.cancel_reason = ("家庭情况已变化，由社区另行帮扶" if status == S.CANCELLED
                                      else "暂缓发布，核实后再上墙")
            wishes.append(wish)
            plans.append(status)
    MicroWish.objects.bulk_create(wishes)

    claims = []
    days = settings.JUSHA_WISH_CONTACT_DAYS
    for i, (wish, status) in enumerate(zip(wishes, plans, strict=True)):
        if status == S.PUBLISHED and i % 3 == 0 and residents:
            # A claim that lapsed: the wish went back on the wall.
            person = residents[i % len(residents)].user
            at = wish.published_at + timedelta(days=1)
            claims.append(WishClaim(wish=wish, claimant=person, status=WishClaim.Status.LAPSED, created_at=at,
                                    contact_due_at=at + timedelta(days=days), ended_at=at + timedelta(days=days),
                                    end_reason="no contact in time"))
        if status not in (S.CLAIMED, S.CONTACTED, S.DELIVERED, S.FULFILLED):
            continue
        by_unit = bool(liaisons) and (i % 2 == 0 or not residents)
        holder = liaisons[i % len(liaisons)] if by_unit else residents[i % len(residents)]
        at = max(wish.published_at + timedelta(days=1), now - timedelta(days=days - 1))
        claim = WishClaim(wish=wish, member_unit=holder.member_unit if by_unit else None, claimant=holder.user,
                          show_name=i % 3 != 1, created_at=at, contact_due_at=at + timedelta(days=days),
                          status=WishClaim.Status.ACTIVE)
        if status in (S.CONTACTED, S.DELIVERED, S.FULFILLED):
            claim.status = WishClaim.Status.CONTACTED
            claim.contacted_at = at + timedelta(hours=20)
            claim.contact_note = f"已与{wish.community.name}联系，约好送达时间"
        if status in (S.DELIVERED, S.FULFILLED):
            claim.status = WishClaim.Status.DELIVERED
            claim.delivered_at = at + timedelta(days=2)
            claim.delivery_note = "已送到社区，由社工陪同转交"
        if status == S.FULFILLED:
            claim.status = WishClaim.Status.DONE
            claim.ended_at = wish.fulfilled_at = at + timedelta(days=3)
        claims.append(claim)
    MicroWish.objects.bulk_update([w for w in wishes if w.fulfilled_at], ["fulfilled_at"])
    WishClaim.objects.bulk_create(claims)
    return len(wishes)
