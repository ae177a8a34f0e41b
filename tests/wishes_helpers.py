"""Helpers for the micro-wish tests: 李娜 (智格's staff) collects 小明's wish for a new school bag.

The beneficiary's private details are unusual strings on purpose, so a test can search a whole page
or JSON body for them and be sure they never leak.
"""

from datetime import timedelta

from jusha.core import clock
from jusha.wishes import services
from jusha.wishes.models import MicroWish, WishClaim

BENEFICIARY = "欧阳小明"
PHONE = "13712345678"
ADDRESS = "智格社区7幢2单元501室"
SCHOOL_BAG = "想要一个新书包，旧的已经破了。"
PRIVATE = (BENEFICIARY, "小明", PHONE, ADDRESS)

S = MicroWish.Status


def collect(world, *, community=None, text: str = SCHOOL_BAG, actor=None, **kwargs) -> MicroWish:
    kwargs.setdefault("beneficiary_name", BENEFICIARY)
    kwargs.setdefault("beneficiary_phone", PHONE)
    kwargs.setdefault("beneficiary_address", ADDRESS)
    kwargs.setdefault("category", MicroWish.Category.STUDY)
    kwargs.setdefault("estimated_value", 120)
    kwargs.setdefault("target_date", clock.now().date() + timedelta(days=30))
    community = community or world.zhige
    actor = actor or (world.lina if community == world.zhige else world.chenjing)
    return services.wish_create(actor=actor, community=community, text=text, **kwargs)


def published(world, **kwargs) -> MicroWish:
    wish = collect(world, **kwargs)
    staff = world.lina if wish.community_id == world.zhige.pk else world.chenjing
    services.wish_verify(actor=staff, wish=wish)
    return services.wish_publish(actor=staff, wish=wish)


def live_claim(wish) -> WishClaim | None:
    return WishClaim.objects.filter(wish=wish, status__in=WishClaim.LIVE).first()
