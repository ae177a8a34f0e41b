"""The resources rows of the permission matrix: for each person of the test world and each action,
exactly which resources they may act on.

In one sentence per person: 郑丽 (liaison of 下沙医院) manages all of her unit's resources, drafts
included, and nobody else's; 李娜 sees the submitted and approved resources serving 智格, 陈静 those
serving 滟澜; 刘洋 sees and reviews every resource of the alliance except drafts; residents, the
operator, the supervisor, team members and grid workers see none; the administrator sees all.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.resources.models import Resource
from tests.resources_helpers import make

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"hospital_draft", "hospital_submitted", "hospital_approved", "school_draft", "school_approved"}
S = Resource.Status


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def resources(world):
    return {
        "hospital_draft": make(world, S.DRAFT, title="草稿"),
        "hospital_submitted": make(world, S.SUBMITTED, title="义诊", service_area=[world.zhige, world.yanlan]),
        "hospital_approved": make(world, S.APPROVED, title="测血压"),
        # The school has no liaison in the test world; the administrator enters its resources.
        "school_draft": make(world, S.DRAFT, unit=world.school, by=world.admin, title="操场"),
        "school_approved": make(world, S.APPROVED, unit=world.school, by=world.admin, title="作业辅导"),
    }


def seen(world, resources, person, action) -> set[str]:
    by_pk = {r.pk: name for name, r in resources.items()}
    return {by_pk[r.pk] for r in permissions.visible(who(world, person), action, Resource.objects.all())}


RESOURCE_VIEW = {
    **NOBODY,
    "lina": {"hospital_submitted", "hospital_approved"},
    "chenjing": {"hospital_submitted", "school_approved"},
    "liuyang": ALL - {"hospital_draft", "school_draft"},
    "zhengli": {"hospital_draft", "hospital_submitted", "hospital_approved"},
    "admin": ALL,
}
RESOURCE_MANAGE = {**NOBODY, "zhengli": {"hospital_draft", "hospital_submitted", "hospital_approved"},
                   "admin": ALL}
RESOURCE_REVIEW = {**NOBODY, "liuyang": ALL - {"hospital_draft", "school_draft"}, "admin": ALL}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("action", "expected"), [
    (Action.RESOURCE_VIEW, RESOURCE_VIEW),
    (Action.RESOURCE_MANAGE, RESOURCE_MANAGE),
    (Action.RESOURCE_REVIEW, RESOURCE_REVIEW),
], ids=["view", "manage", "review"])
def test_which_resources_each_person_may(world, resources, person, action, expected):
    assert seen(world, resources, person, action) == expected[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_can_agrees_with_visible(world, resources, person):
    for action in (Action.RESOURCE_VIEW, Action.RESOURCE_MANAGE, Action.RESOURCE_REVIEW):
        visible = seen(world, resources, person, action)
        for name, resource in resources.items():
            assert permissions.can(who(world, person), action, resource) == (name in visible)


GENERAL = {
    Action.RESOURCE_VIEW: {"lina", "chenjing", "liuyang", "zhengli", "admin"},
    Action.RESOURCE_MANAGE: {"zhengli", "admin"},
    Action.RESOURCE_REVIEW: {"liuyang", "admin"},
}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_use_each_part_of_the_resource_pages(world, person):
    for action, allowed in GENERAL.items():
        assert permissions.can(who(world, person), action) == (person in allowed), action


@pytest.mark.parametrize("person", PEOPLE)
def test_for_which_units_each_person_may_add_resources(world, person):
    units = permissions.visible(who(world, person), Action.RESOURCE_MANAGE, MemberUnit.objects.all())
    expected = {"zhengli": {"下沙医院"}, "admin": {"下沙医院", "滟澜小学"}}.get(person, set())
    assert {u.name for u in units} == expected
