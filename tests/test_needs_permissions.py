"""The needs rows of the permission matrix: for each person of the test world and each action, exactly
which needs (photos, claims, communities) they may act on.

In one sentence per person: 王芳 and 张伟 see their own needs and the public board; 李娜 sees and
triages 智格's needs (not 滟澜's, and not 智格's while the subdistrict has them); 陈静 the same for 滟澜;
刘洋 sees and triages the whole subdistrict; 郑丽 (下沙医院) sees only what was offered to, taken on or
done by her unit — not a need her unit declined; nobody else sees needs; the administrator sees all.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.needs import selectors, services
from jusha.needs.models import Claim, Need, NeedPhoto
from jusha.permissions import Action
from jusha.places.models import Community
from tests.needs_helpers import IN_YANLAN, category, png_bytes, submit, upload

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige_new", "zhige_offered", "zhige_open", "zhige_for_grandma", "yanlan_new", "yanlan_escalated",
       "yanlan_declined"}
ZHIGE = {n for n in ALL if n.startswith("zhige")}
YANLAN = ALL - ZHIGE


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def needs(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    n = {}
    n["zhige_new"] = submit(world.wangfang, text="帮我买眼药水")
    n["zhige_offered"] = submit(world.wangfang, text="帮忙修水龙头", photo_files=[upload(png_bytes())])
    services.need_match(actor=world.lina, need=n["zhige_offered"], unit=world.hospital)
    n["zhige_open"] = submit(world.wangfang, text="周末陪我去公园散步")
    services.need_accept(actor=world.lina, need=n["zhige_open"])
    n["zhige_for_grandma"], _ = services.need_submit_on_behalf(
        actor=world.lina, community=world.zhige, resident_name="李奶奶", category=category(), text="买米")
    n["yanlan_new"] = submit(world.zhangwei, at=IN_YANLAN, text="孩子作业辅导")
    n["yanlan_escalated"] = submit(world.zhangwei, at=IN_YANLAN, text="楼道堆物需要清理")
    services.need_escalate(actor=world.chenjing, need=n["yanlan_escalated"], reason="需要街道协调")
    n["yanlan_declined"] = submit(world.zhangwei, at=IN_YANLAN, text="需要法律咨询")
    claim = services.need_match(actor=world.liuyang, need=n["yanlan_declined"], unit=world.hospital)
    services.need_match_decline(actor=world.zhengli, claim=claim, reason="不是医院的专业")
    return n


def seen(world, needs, person, action, model=Need):
    by_pk = {need.pk: name for name, need in needs.items()}
    field = "need_id" if model is not Need else "pk"
    rows = permissions.visible(who(world, person), action, model.objects.all())
    return {by_pk[getattr(row, field)] for row in rows}


NEED_VIEW = {
    **NOBODY,
    "wangfang": {"zhige_new", "zhige_offered", "zhige_open"},
    "zhangwei": YANLAN,
    "lina": ZHIGE,
    "chenjing": YANLAN,
    "liuyang": ALL,
    "zhengli": {"zhige_offered"},
    "admin": ALL,
}


@pytest.mark.parametrize("person", PEOPLE)
def test_which_needs_each_person_may_see(world, needs, person):
    assert seen(world, needs, person, Action.NEED_VIEW) == NEED_VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_photos_are_seen_by_exactly_those_who_see_the_need(world, needs, person):
    assert seen(world, needs, person, Action.NEED_VIEW, NeedPhoto) == NEED_VIEW[person] & {"zhige_offered"}


NEED_TRIAGE = {
    **NOBODY,
    "lina": ZHIGE,
    "chenjing": YANLAN - {"yanlan_escalated"},
    "liuyang": ALL,
    "admin": ALL,
}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_triages_which_needs_and_escalated_ones_are_the_subdistricts(world, needs, person):
    assert seen(world, needs, person, Action.NEED_TRIAGE) == NEED_TRIAGE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_the_public_board_shows_open_needs_to_everyone_logged_in(world, needs, person):
    expected = set() if person == "anonymous" else ALL if person == "admin" else {"zhige_open", "yanlan_declined"}
    assert seen(world, needs, person, Action.NEED_BOARD_VIEW) == expected
    if person != "anonymous":
        on_board = {item.text for item in selectors.board(who(world, person))}
        assert on_board == {needs["zhige_open"].text, needs["yanlan_declined"].text}


@pytest.mark.parametrize("person", PEOPLE)
def test_only_unit_liaisons_claim_from_the_board(world, needs, person):
    expected = ALL if person in {"zhengli", "admin"} else set()
    assert seen(world, needs, person, Action.NEED_CLAIM) == expected


NEED_CONFIRM = {
    **NOBODY,
    "wangfang": {"zhige_new", "zhige_offered", "zhige_open"},
    "zhangwei": YANLAN,
    # 代办: staff confirm for the resident without a phone, and only that need.
    "lina": {"zhige_for_grandma"},
    "liuyang": {"zhige_for_grandma"},
    "admin": ALL,
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", [Action.NEED_CONFIRM, Action.NEED_REOPEN])
def test_who_confirms_and_reopens(world, needs, person, action):
    assert seen(world, needs, person, action) == NEED_CONFIRM[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_units_liaison_handles_its_claims(world, needs, person):
    expected = {"zhige_offered", "yanlan_declined"} if person in {"zhengli", "admin"} else set()
    assert seen(world, needs, person, Action.CLAIM_HANDLE, Claim) == expected


ON_BEHALF = {**NOBODY, "lina": {"智格社区"}, "chenjing": {"滟澜社区"}, "liuyang": {"智格社区", "滟澜社区"},
             "admin": {"智格社区", "滟澜社区"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_enters_needs_on_behalf_of_residents_for_which_community(world, person):
    places = permissions.visible(who(world, person), Action.NEED_SUBMIT_ON_BEHALF, Community.objects.all())
    assert {c.name for c in places} == ON_BEHALF[person]
    assert permissions.can(who(world, person), Action.NEED_SUBMIT_ON_BEHALF) == bool(ON_BEHALF[person])


@pytest.mark.parametrize("person", PEOPLE)
def test_general_needs_actions(world, person):
    actor = who(world, person)
    assert permissions.can(actor, Action.NEED_SUBMIT) == (person != "anonymous")
    assert permissions.can(actor, Action.NEED_TRIAGE) == (person in {"lina", "chenjing", "liuyang", "admin"})
    assert permissions.can(actor, Action.NEED_EXPORT) == (person in {"lina", "chenjing", "liuyang", "admin"})
    assert permissions.can(actor, Action.CALENDAR_CHANGE) == (person in {"liuyang", "admin"})
    assert permissions.can(actor, Action.NEED_CLAIM) == (person == "zhengli")
