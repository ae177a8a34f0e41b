"""The volunteer rows of the permission matrix: for each person of the test world and each action,
exactly which volunteer records (or units) they may act on.

In one sentence per person: 王芳 and 张伟 see and change only their own record; 李娜 reviews 智格's
records (王芳's, and the 下沙医院 team member's) and 陈静 滟澜's; 刘洋 reviews the whole subdistrict's;
郑丽 (下沙医院's liaison) registers her unit's team and sees its records, never reviews them; the command
operator, supervisor, team member and grid worker see none; the administrator sees and reviews all but
changes nobody's own record.
"""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.accounts.models import User
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.volunteers import services
from jusha.volunteers.models import Volunteer
from tests.volunteers_helpers import apply, approved, id_number

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige_self", "zhige_team", "yanlan"}
ZHIGE = {"zhige_self", "zhige_team"}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else User.objects.get(pk=getattr(world, name).pk)


@pytest.fixture
def records(world):
    team = services.volunteer_register_team(actor=world.zhengli, unit=world.hospital, members=[{
        "name": "钱医生", "gender": "male", "birth_month": date(1980, 1, 1), "id_type": "resident_id",
        "id_number": id_number("19800101", "011"), "community": world.zhige, "skills": ["medical"],
        "mobile": "13700000001"}])[0]
    return {"zhige_self": approved(world), "zhige_team": team,
            "yanlan": apply(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002",
                            id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1),
                            community=world.yanlan)}


def seen(world, records, person, action):
    by_pk = {v.pk: name for name, v in records.items()}
    return {by_pk[v.pk] for v in permissions.visible(who(world, person), action, Volunteer.objects.all())}


VIEW = {**NOBODY, "wangfang": {"zhige_self"}, "zhangwei": {"yanlan"}, "lina": ZHIGE, "chenjing": {"yanlan"},
        "liuyang": ALL, "zhengli": {"zhige_team"}, "admin": ALL}
REVIEW = {**NOBODY, "lina": ZHIGE, "chenjing": {"yanlan"}, "liuyang": ALL, "admin": ALL}
EDIT = {**NOBODY, "wangfang": {"zhige_self"}, "zhangwei": {"yanlan"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_which_records_each_person_sees(world, records, person):
    assert seen(world, records, person, Action.VOLUNTEER_VIEW) == VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", [Action.VOLUNTEER_REVIEW, Action.VOLUNTEER_REVEAL_ID])
def test_only_the_places_staff_review_and_reveal(world, records, person, action):
    assert seen(world, records, person, action) == REVIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_volunteer_changes_their_record(world, records, person):
    assert seen(world, records, person, Action.VOLUNTEER_EDIT) == EDIT[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_registers_a_units_team(world, person):
    expected = {"zhengli": {world.hospital.pk}, "admin": {world.hospital.pk, world.school.pk}}
    units = permissions.visible(who(world, person), Action.VOLUNTEER_REGISTER_TEAM, MemberUnit.objects.all())
    assert set(units.values_list("pk", flat=True)) == expected.get(person, set())


@pytest.mark.parametrize(("person", "apply_", "review", "team"), [
    ("anonymous", False, False, False), ("wangfang", True, False, False), ("zhengli", True, False, True),
    ("lina", True, True, False), ("liuyang", True, True, False), ("zhaolei", True, False, False),
    ("admin", True, True, True)])
def test_who_may_use_each_part(world, person, apply_, review, team):
    actor = who(world, person)
    assert permissions.can(actor, Action.VOLUNTEER_APPLY) is apply_
    assert permissions.can(actor, Action.VOLUNTEER_REVIEW) is review
    assert permissions.can(actor, Action.VOLUNTEER_REGISTER_TEAM) is team


@pytest.mark.parametrize(("person", "expected"), [("wangfang", True), ("zhangwei", False), ("zhengli", True),
                                                  ("lina", False), ("anonymous", False)])
def test_approved_volunteers_and_liaisons_claim_from_the_board(world, records, person, expected):
    assert permissions.can(who(world, person), Action.NEED_CLAIM) is expected
    assert permissions.can(who(world, person), Action.CLAIM_HANDLE) is expected
