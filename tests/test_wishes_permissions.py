"""The micro-wish rows of the permission matrix: for each person of the test world and each action,
exactly which wishes (photos, claims) they may act on.

In one sentence per person: everyone, anonymous included, sees the public wishes on the walls (not the
collected or verified ones, not a withdrawn, expired or cancelled one); 李娜 manages 智格's wishes and
陈静 滟澜's; 刘洋 manages the whole subdistrict's; 郑丽 (下沙医院) sees in full only the wish her unit
claimed; 王芳 sees the wish she claimed for herself; nobody else sees a wish in full; the administrator
sees everything.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.permissions import Action
from jusha.wishes import services
from jusha.wishes.models import MicroWish, WishClaim, WishPhoto
from tests.needs_helpers import png_bytes, upload
from tests.wishes_helpers import collect, published

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige_draft", "zhige_wall", "zhige_unit", "zhige_self", "yanlan_wall", "yanlan_cancelled"}
ZHIGE = {w for w in ALL if w.startswith("zhige")}
YANLAN = ALL - ZHIGE
PUBLIC = {"zhige_wall", "zhige_unit", "zhige_self", "yanlan_wall"}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def wishes(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = {"zhige_draft": collect(world, text="冬天的棉被", photo_files=[upload(png_bytes())]),
         "zhige_wall": published(world, text="一台助听器"),
         "zhige_unit": published(world, text="一个新书包"),
         "zhige_self": published(world, text="一套绘本"),
         "yanlan_wall": published(world, community=world.yanlan, text="一双棉鞋"),
         "yanlan_cancelled": collect(world, community=world.yanlan, text="一把轮椅")}
    services.wish_claim(actor=world.zhengli, wish=w["zhige_unit"], unit=world.hospital)
    services.wish_claim(actor=world.wangfang, wish=w["zhige_self"])
    services.wish_cancel(actor=world.chenjing, wish=w["yanlan_cancelled"], reason="已由亲属解决")
    return w


def seen(world, wishes, person, action, model=MicroWish):
    by_pk = {wish.pk: name for name, wish in wishes.items()}
    field = "pk" if model is MicroWish else "wish_id"
    return {by_pk[getattr(row, field)] for row in permissions.visible(who(world, person), action,
                                                                       model.objects.all())}


WISH_VIEW = {**NOBODY, "lina": ZHIGE, "chenjing": YANLAN, "liuyang": ALL, "admin": ALL,
             "zhengli": {"zhige_unit"}, "wangfang": {"zhige_self"}}
WISH_MANAGE = {**NOBODY, "lina": ZHIGE, "chenjing": YANLAN, "liuyang": ALL, "admin": ALL}


@pytest.mark.parametrize("person", PEOPLE)
def test_which_wishes_each_person_sees_in_full(world, wishes, person):
    assert seen(world, wishes, person, Action.WISH_VIEW) == WISH_VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_photos_are_seen_by_exactly_those_who_see_the_wish_in_full(world, wishes, person):
    assert seen(world, wishes, person, Action.WISH_VIEW, WishPhoto) == WISH_VIEW[person] & {"zhige_draft"}


@pytest.mark.parametrize("person", PEOPLE)
def test_which_wishes_each_person_manages(world, wishes, person):
    assert seen(world, wishes, person, Action.WISH_MANAGE) == WISH_MANAGE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_everyone_sees_the_public_wishes_on_the_walls(world, wishes, person):
    assert seen(world, wishes, person, Action.WISH_WALL_VIEW) == PUBLIC


@pytest.mark.parametrize("person", PEOPLE)
def test_anyone_logged_in_may_claim_what_is_on_the_wall(world, wishes, person):
    expected = {"zhige_wall", "yanlan_wall"} if person != "anonymous" else set()
    assert seen(world, wishes, person, Action.WISH_CLAIM) == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_claimer_handles_a_claim(world, wishes, person):
    expected = {"zhengli": {"zhige_unit"}, "wangfang": {"zhige_self"}, "admin": {"zhige_unit", "zhige_self"}}
    assert seen(world, wishes, person, Action.WISH_CLAIM_HANDLE, WishClaim) == expected.get(person, set())


@pytest.mark.parametrize("person", PEOPLE)
def test_staff_confirm_for_the_family(world, wishes, person):
    assert seen(world, wishes, person, Action.WISH_CONFIRM) == WISH_MANAGE[person]


def test_the_beneficiary_with_an_account_sees_and_confirms_their_own_wish(world, wishes):
    own = collect(world, beneficiary=world.zhangwei, beneficiary_name="", community=world.yanlan)
    assert permissions.can(world.zhangwei, Action.WISH_VIEW, own)
    assert permissions.can(world.zhangwei, Action.WISH_CONFIRM, own)
    assert not permissions.can(world.wangfang, Action.WISH_VIEW, own)


@pytest.mark.parametrize(("person", "expected"), [("anonymous", False), ("wangfang", False), ("zhengli", False),
                                                  ("lina", True), ("liuyang", True), ("zhaolei", False),
                                                  ("admin", True)])
def test_who_may_use_the_wish_console(world, person, expected):
    assert permissions.can(who(world, person), Action.WISH_MANAGE) is expected
