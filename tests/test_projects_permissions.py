"""The service project rows of the permission matrix: for each person of the test world and each
action, exactly which projects they may act on.

In one sentence per person: 刘洋 (subdistrict staff) sees, plans and records progress on every project
of 下沙's alliance; 赵磊 and 孙敏 see them all but change nothing; 李娜 sees the projects covering 智格,
陈静 those covering 滟澜; 郑丽 (下沙医院) sees and records progress on the projects her unit owns or takes
part in; residents, 吴刚 and 周强 see no project in the console; every logged-in person (the administrator
too) sees the same public summary: the year's items not cancelled and the projects running or done.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.orgs.models import Alliance
from jusha.permissions import Action
from jusha.projects import services
from jusha.projects.models import ServiceProject
from tests.projects_helpers import K, plan

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige_item", "yanlan_item_active", "both_other_active", "yanlan_cancelled", "zhige_other_planned"}
LOGGED_IN = [p for p in PEOPLE if p != "anonymous"]


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def projects(world):
    p = {}
    p["zhige_item"] = plan(world, number=1)
    p["yanlan_item_active"] = plan(world, kind=K.OPTIONAL, number=1, owner="school", communities=[world.yanlan])
    p["both_other_active"] = plan(world, kind=K.OTHER, owner=None, units=[world.hospital],
                                  communities=[world.zhige, world.yanlan])
    p["yanlan_cancelled"] = plan(world, kind=K.OTHER, owner="school", communities=[world.yanlan])
    p["zhige_other_planned"] = plan(world, kind=K.OTHER, owner=None)
    for name in ("yanlan_item_active", "both_other_active"):
        services.project_start(actor=world.liuyang, project=p[name])
    services.project_cancel(actor=world.liuyang, project=p["yanlan_cancelled"], reason="合作取消")
    return p


def seen(world, projects, person, action):
    by_pk = {project.pk: name for name, project in projects.items()}
    return {by_pk[row.pk] for row in permissions.visible(who(world, person), action, ServiceProject.objects.all())}


PROJECT_VIEW = {
    **NOBODY,
    "lina": {"zhige_item", "both_other_active", "zhige_other_planned"},
    "chenjing": {"yanlan_item_active", "both_other_active", "yanlan_cancelled"},
    "liuyang": ALL, "zhaolei": ALL, "sunmin": ALL, "admin": ALL,
    "zhengli": {"zhige_item", "both_other_active"},
}
PUBLIC = {**NOBODY, **dict.fromkeys(LOGGED_IN, {"zhige_item", "yanlan_item_active", "both_other_active"})}
MANAGE = {**NOBODY, "liuyang": ALL, "admin": ALL}
RECORD = {**MANAGE, "zhengli": {"zhige_item", "both_other_active"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_which_projects_each_person_sees_in_the_console(world, projects, person):
    assert seen(world, projects, person, Action.PROJECT_VIEW) == PROJECT_VIEW[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_everyone_logged_in_sees_the_same_public_summary(world, projects, person):
    assert seen(world, projects, person, Action.PROJECT_VIEW_PUBLIC) == PUBLIC[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_only_subdistrict_staff_and_administrators_change_projects(world, projects, person):
    assert seen(world, projects, person, Action.PROJECT_MANAGE) == MANAGE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_owners_participants_and_subdistrict_staff_record_progress(world, projects, person):
    assert seen(world, projects, person, Action.PROJECT_RECORD_PROGRESS) == RECORD[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_plans_the_alliances_year(world, person):
    planners = set(permissions.visible(who(world, person), Action.PROJECT_MANAGE, Alliance.objects.all()))
    assert planners == ({world.alliance} if person in ("liuyang", "admin") else set())


@pytest.mark.parametrize("person", PEOPLE)
def test_the_general_answers_agree_with_the_rows(world, projects, person):
    actor = who(world, person)
    for action, rows in ((Action.PROJECT_VIEW, PROJECT_VIEW), (Action.PROJECT_MANAGE, MANAGE),
                         (Action.PROJECT_RECORD_PROGRESS, RECORD)):
        if rows[person]:
            assert permissions.can(actor, action), action
    assert permissions.can(actor, Action.PROJECT_VIEW_PUBLIC) == (person != "anonymous")
