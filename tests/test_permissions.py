"""The permission matrix: for each person of the test world, each kind of object and each action,
exactly which objects they may act on. A new capability adds its rows here."""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.accounts.models import User
from jusha.audit.models import AuditEntry
from jusha.audit.services import audit_record
from jusha.orgs.models import MemberUnit, Team
from jusha.permissions import Action
from jusha.places.models import Community, Grid, Subdistrict

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
EVERYONE_IN_WORLD = {"wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
                     "zhengli", "zhouqiang", "admin"}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


def names(world, objects) -> set[str]:
    by_pk = {getattr(world, n).pk: n for n in EVERYONE_IN_WORLD}
    return {by_pk.get(o.pk, str(o)) for o in objects}


# person → the people (by fixture name) they may see in the staff console.
PERSON_VIEW = {
    "anonymous": set(),
    "wangfang": {"wangfang"},
    "zhangwei": {"zhangwei"},
    "lina": {"wangfang", "lina", "zhouqiang"},
    "chenjing": {"zhangwei", "chenjing"},
    "liuyang": EVERYONE_IN_WORLD - {"admin"},
    "zhaolei": {"zhaolei"},
    "sunmin": {"sunmin"},
    "wugang": {"wugang"},
    "zhengli": {"zhengli"},
    "zhouqiang": {"zhouqiang"},
    "admin": EVERYONE_IN_WORLD,
}
PERSON_REVEAL_MOBILE = {
    **{n: set() for n in PEOPLE},
    "lina": {"wangfang", "lina", "zhouqiang"},
    "chenjing": {"zhangwei", "chenjing"},
    "liuyang": EVERYONE_IN_WORLD - {"admin"},
    "admin": EVERYONE_IN_WORLD,
}


@pytest.mark.parametrize("person", PEOPLE)
def test_people_each_role_may_see(world, person):
    seen = permissions.visible(who(world, person), Action.PERSON_VIEW, User.objects.all())
    assert names(world, seen) == PERSON_VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_whose_mobile_each_role_may_reveal(world, person):
    seen = permissions.visible(who(world, person), Action.PERSON_REVEAL_MOBILE, User.objects.all())
    assert names(world, seen) == PERSON_REVEAL_MOBILE[person]


UNIT_VIEW = {
    **{n: set() for n in PEOPLE},
    "lina": {"下沙医院"},
    "chenjing": {"滟澜小学"},
    "liuyang": {"下沙医院", "滟澜小学"},
    "zhaolei": {"下沙医院", "滟澜小学"},
    "sunmin": {"下沙医院", "滟澜小学"},
    "zhengli": {"下沙医院"},
    "admin": {"下沙医院", "滟澜小学"},
}
UNIT_CHANGE = {**{n: set() for n in PEOPLE}, "liuyang": {"下沙医院", "滟澜小学"}, "zhengli": {"下沙医院"},
               "admin": {"下沙医院", "滟澜小学"}}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("action", "expected"), [(Action.UNIT_VIEW, UNIT_VIEW), (Action.UNIT_CHANGE, UNIT_CHANGE)])
def test_member_units_by_role(world, person, action, expected):
    units = permissions.visible(who(world, person), action, MemberUnit.objects.all())
    assert {u.name for u in units} == expected[person]


TEAM_VIEW = {**{n: set() for n in PEOPLE}, **{n: {"综合管理大队"} for n in
                                              ["lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang", "admin"]}}


@pytest.mark.parametrize("person", PEOPLE)
def test_teams_by_role(world, person):
    teams = permissions.visible(who(world, person), Action.TEAM_VIEW, Team.objects.all())
    assert {t.name for t in teams} == TEAM_VIEW[person]
    changeable = permissions.visible(who(world, person), Action.TEAM_CHANGE, Team.objects.all())
    assert bool(changeable) == (person in {"liuyang", "admin"})


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("model", [Subdistrict, Community, Grid])
def test_places_are_public_but_only_subdistrict_staff_and_admins_change_them(world, person, model):
    actor = who(world, person)
    assert permissions.visible(actor, Action.PLACE_VIEW, model.objects.all()).count() == model.objects.count()
    may_change = permissions.visible(actor, Action.PLACE_CHANGE, model.objects.all()).count()
    assert may_change == (model.objects.count() if person in {"liuyang", "admin"} else 0)


@pytest.mark.parametrize("person", PEOPLE)
def test_audit_entries_by_role(world, person):
    audit_record(actor=world.lina, action="test.zhige", target=world.wangfang, community_id=world.zhige.pk)
    audit_record(actor=world.chenjing, action="test.yanlan", target=world.zhangwei, community_id=world.yanlan.pk)
    audit_record(actor=world.admin, action="test.global", target=world.admin)
    expected = {
        "lina": {"test.zhige"},
        "chenjing": {"test.yanlan"},
        "liuyang": {"test.zhige", "test.yanlan"},
        "sunmin": {"test.zhige", "test.yanlan"},
        "admin": {"test.zhige", "test.yanlan", "test.global"},
    }.get(person, set())
    seen = permissions.visible(who(world, person), Action.AUDIT_VIEW, AuditEntry.objects.all())
    assert {e.action for e in seen} == expected
    assert permissions.can(who(world, person), Action.AUDIT_VIEW) == bool(expected)


@pytest.mark.parametrize("person", PEOPLE)
def test_console_is_for_staff_only(world, person):
    staff = person not in {"anonymous", "wangfang", "zhangwei"}
    assert permissions.can(who(world, person), Action.CONSOLE_USE) == staff


def test_can_and_visible_agree_for_one_object(world):
    assert permissions.can(world.lina, Action.PERSON_VIEW, world.wangfang)
    assert not permissions.can(world.lina, Action.PERSON_VIEW, world.zhangwei)


def test_fetch_of_a_forbidden_object_looks_like_not_found(world):
    from jusha.core.errors import NotAllowed

    with pytest.raises(NotAllowed) as info:
        permissions.fetch(world.lina, Action.PERSON_VIEW, User.objects.all(), pk=world.zhangwei.pk)
    with pytest.raises(NotAllowed) as missing:
        permissions.fetch(world.lina, Action.PERSON_VIEW, User.objects.all(), pk=999_999)
    assert info.value.status == missing.value.status == 404
    assert str(info.value) == str(missing.value)


def test_deactivated_staff_lose_every_scope(world):
    world.liuyang.is_active = False
    world.liuyang.save()
    assert not permissions.visible(world.liuyang, Action.PERSON_VIEW, User.objects.all()).exists()


# --- onboarding imports: only administrators and the subdistrict's own staff import, only admins create.
@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_import_into_which_subdistrict_and_see_its_imports(world, person):
    from jusha.onboarding.models import ImportJob

    other = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    ours = ImportJob.objects.create(subdistrict=world.subdistrict, kind="units", filename="a.xlsx", content=b"x",
                                    created_at=world.admin.date_joined)
    theirs = ImportJob.objects.create(subdistrict=other, kind="units", filename="b.xlsx", content=b"x",
                                      created_at=world.admin.date_joined)
    actor = who(world, person)
    expected = {"liuyang": {world.subdistrict.pk}, "admin": {world.subdistrict.pk, other.pk}}.get(person, set())
    into = permissions.visible(actor, Action.IMPORT_RUN, Subdistrict.objects.all())
    assert set(into.values_list("pk", flat=True)) == expected
    jobs = permissions.visible(actor, Action.IMPORT_RUN, ImportJob.objects.all())
    assert set(jobs.values_list("pk", flat=True)) == {j.pk for j in (ours, theirs) if j.subdistrict_id in expected}
    assert permissions.can(actor, Action.IMPORT_RUN) == bool(expected)
    assert permissions.can(actor, Action.SUBDISTRICT_CREATE) == (person == "admin")
