"""Demo points for `jusha demo`: the subdistrict's rules, a catalogue of rewards donated by member
units and the subdistrict, awards for residents and for the liaisons who took on closed needs, and
redemptions in every state — the demo resident among them, with a code waiting for pickup.

Unlike the other demo steps this one goes through the services: the ledger's rows must balance and
its cached balances must equal their sums, which only `services._post` guarantees. Drawn from a fixed
seed, so every machine gets the same catalogue, awards and redemptions; timestamps are now.
"""

import random

from jusha.accounts.models import Role, User
from jusha.core.errors import DomainError
from jusha.needs.models import Claim, Need
from jusha.orgs.models import MemberUnit
from jusha.places.models import Subdistrict

from . import services
from .models import PointsTransaction, Trigger

SEED = 2026
AWARDED_RESIDENTS = 200
REDEEMING = 60
NEED_AWARDS = 80

RULES = [(Trigger.HOURS, 10), (Trigger.LECTURE, 5), (Trigger.COURSE, 5), (Trigger.YOUTH_EXPERIENCE, 5),
         (Trigger.VOLUNTEER_SERVICE, 20), (Trigger.ALLIANCE_ACTIVITY, 10), (Trigger.NEED_FULFILLED, 30),
         (Trigger.WISH_FULFILLED, 50)]
BONUSES = [("优秀志愿者", 100), ("社区之星", 50)]

# (name, cost, stock, per-person limit, description); the first few come from the subdistrict itself.
SUBDISTRICT_REWARDS = [
    ("环保购物袋", 20, 200, 2, "可重复使用的帆布购物袋。"),
    ("聚沙讲堂优先报名资格", 50, 30, 1, "下一期聚沙讲堂优先报名一次。"),
]
UNIT_REWARDS = [
    ("洗衣液一瓶", 60, 40, 2, "2公斤装洗衣液。"),
    ("东北大米5斤", 80, 50, 1, "当季新米。"),
    ("免费体检一次", 300, 10, 1, "含血常规、血压、血糖检查，需提前预约。"),
    ("理发券", 40, 60, 3, "社区便民理发点通用。"),
    ("电影票两张", 150, 20, 1, "周一至周五场次通用。"),
    ("儿童绘本一套", 120, 15, 1, "适合3-8岁儿童。"),
    ("保温杯", 100, 25, 1, "500毫升不锈钢保温杯。"),
    ("家政服务2小时", 200, 12, 1, "日常保洁，需提前三天预约。"),
    ("食用油一桶", 90, 40, 1, "5升装食用油。"),
    ("手机贴膜", 30, 80, 2, "到店免费贴膜一次。"),
]
REASONS = ["参加社区清洁日", "协助疫苗接种点秩序维护", "垃圾分类督导", "关爱独居老人探访", "文明劝导志愿服务",
           "协助社区文艺汇演", "参与平安巡防"]


def seed_points(subdistrict: Subdistrict, *, resident_mobile: str, seed: int = SEED) -> int:
    """Seed the points of `subdistrict`; return how many ledger movements were posted."""
    rng = random.Random(seed)
    staff = User.objects.filter(username="subdistrict").first()
    if staff is None:
        return 0
    for trigger, points in RULES:
        services.points_rule_set(actor=staff, subdistrict=subdistrict, trigger=trigger, points=points)
    bonuses = [services.points_rule_set(actor=staff, subdistrict=subdistrict, trigger=Trigger.BONUS, points=points,
                                        name=name) for name, points in BONUSES]
    units = list(MemberUnit.objects.filter(alliance__subdistrict=subdistrict, is_active=True).order_by("pk"))
    catalogue = []
    for name, cost, stock, limit, description in SUBDISTRICT_REWARDS:
        catalogue.append(services.reward_create(
            actor=staff, subdistrict=subdistrict, name=name, cost=cost, stock=stock, per_person_limit=limit,
            description=description, pickup_place=f"{subdistrict.name}党群服务中心"))
    for name, cost, stock, limit, description in UNIT_REWARDS:
        unit = rng.choice(units)
        catalogue.append(services.reward_create(
            actor=staff, subdistrict=subdistrict, member_unit=unit, name=name, cost=cost, stock=stock,
            per_person_limit=limit, description=description, pickup_place=unit.address or unit.name))

    residents = list(User.objects.filter(role_assignments__role=Role.RESIDENT,
                                         role_assignments__community__subdistrict=subdistrict)
                     .exclude(mobile=resident_mobile).order_by("pk"))
    awarded = rng.sample(residents, min(AWARDED_RESIDENTS, len(residents)))
    for person in awarded:
        for _i in range(rng.randint(1, 3)):
            services.points_manual_award(actor=staff, person=person, amount=rng.randrange(10, 90, 5),
                                         reason=rng.choice(REASONS))
    for person in awarded[:5]:
        services.points_manual_award(actor=staff, person=person, amount=0, reason="年度表彰",
                                     bonus=rng.choice(bonuses))
    for person in awarded[-8:]:
        services.points_hide_from_leaderboards(actor=person, hidden=True)

    helped = (Claim.objects.filter(status=Claim.Status.DONE, claimant__isnull=False, need__status=Need.Status.CLOSED,
                                   need__community__subdistrict=subdistrict)
              .select_related("need", "claimant").order_by("pk")[:NEED_AWARDS])
    for claim in helped:
        services.points_award_for(actor=None, person=claim.claimant, trigger=Trigger.NEED_FULFILLED,
                                  source=claim.need)

    for person in rng.sample(awarded, min(REDEEMING, len(awarded))):
        item = rng.choice(catalogue)
        try:
            made = services.redemption_create(actor=person, reward=item)
        except DomainError:
            continue  # not enough points for this one, or out of stock: a refusal is part of the demo too
        fate = rng.random()
        if fate < 0.5:
            services.redemption_pickup(actor=staff, code=made.code)
        elif fate < 0.65:
            services.redemption_cancel(actor=person, redemption=made)

    resident = User.objects.filter(mobile=resident_mobile).first()
    if resident is not None:
        services.points_manual_award(actor=staff, person=resident, amount=180, reason=REASONS[0])
        services.redemption_create(actor=resident, reward=catalogue[0])
    # The demo is only ever seeded into an empty database, so every movement is this subdistrict's.
    return PointsTransaction.objects.count()
