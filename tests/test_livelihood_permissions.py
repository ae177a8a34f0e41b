"""The livelihood rows of the permission matrix: for each person of the test world and each action,
exactly which surveys, field visits and communities they may act on.

In one sentence per person: 刘洋 builds, sees and records visits for all of 下沙's surveys; 李娜 and
陈静 see 下沙's surveys and results and record and see visits only in 智格 and 滟澜 respectively; nobody
else in 下沙 sees a survey in the console; nobody of 下沙 sees the other subdistrict's survey (only its
own staff would); everyone logged in may answer an open survey, and anonymous visitors only the one
that allows anonymous answers; the administrator sees and manages everything, but answers like anyone.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.livelihood import services
from jusha.livelihood.models import FieldVisit, Survey
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from tests.livelihood_helpers import draft

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
EVERYONE = dict.fromkeys(PEOPLE)
XIASHA = {"draft", "open", "open_anonymous", "closed"}
ALL = XIASHA | {"elsewhere"}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def objects(world, clock):
    other = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    Community.objects.create(subdistrict=other, code="330114002001", name="白杨社区")
    # Rows are set directly: the matrix is about who sees which survey, not how it got there.
    surveys = {"draft": draft(world), "open": draft(world), "open_anonymous": draft(world, allow_anonymous=True),
               "closed": draft(world), "elsewhere": draft(world)}
    Survey.objects.filter(pk__in=[surveys[n].pk for n in ("open", "open_anonymous")]).update(status="open")
    Survey.objects.filter(pk=surveys["closed"].pk).update(status="closed")
    Survey.objects.filter(pk=surveys["elsewhere"].pk).update(subdistrict=other, status="open")
    visits = {}
    for name, community in (("zhige", world.zhige), ("yanlan", world.yanlan)):
        visits[name] = services.visit_record(actor=world.liuyang, survey=surveys["open"], community=community,
                                             visitors="刘洋", visited_at=clock(), notes="走访记录")
    return surveys, visits


def seen(world, objs, person, action, model):
    by_pk = {o.pk: name for name, o in objs.items()}
    return {by_pk[row.pk] for row in permissions.visible(who(world, person), action, model.objects.all())
            if row.pk in by_pk}


SURVEY_MANAGE = {**NOBODY, "liuyang": XIASHA, "admin": ALL}
SURVEY_VIEW = {**NOBODY, "liuyang": XIASHA, "lina": XIASHA, "chenjing": XIASHA, "admin": ALL}
OPEN = {"open", "open_anonymous", "elsewhere"}
SURVEY_RESPOND = {**dict.fromkeys(PEOPLE, OPEN), "anonymous": {"open_anonymous"}}
VISIT_VIEW = {**NOBODY, "liuyang": {"zhige", "yanlan"}, "lina": {"zhige"}, "chenjing": {"yanlan"},
              "admin": {"zhige", "yanlan"}}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("action", "expected"), [
    (Action.SURVEY_MANAGE, SURVEY_MANAGE), (Action.SURVEY_VIEW, SURVEY_VIEW), (Action.SURVEY_RESPOND, SURVEY_RESPOND),
])
def test_survey_matrix(world, objects, person, action, expected):
    surveys, _visits = objects
    assert seen(world, surveys, person, action, Survey) == expected[person]
    for name, survey in surveys.items():
        assert permissions.can(who(world, person), action, survey) == (name in expected[person])


@pytest.mark.parametrize("person", PEOPLE)
def test_visit_matrix(world, objects, person):
    _surveys, visits = objects
    assert seen(world, visits, person, Action.SURVEY_VIEW, FieldVisit) == VISIT_VIEW[person]


VISIT_RECORD = {**NOBODY, "liuyang": {"zhige", "yanlan"}, "lina": {"zhige"}, "chenjing": {"yanlan"},
                "admin": {"zhige", "yanlan", "baiyang"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_where_visits_may_be_recorded(world, objects, person):
    places = {"zhige": world.zhige, "yanlan": world.yanlan,
              "baiyang": Community.objects.get(code="330114002001")}
    assert seen(world, places, person, Action.VISIT_RECORD, Community) == VISIT_RECORD[person]


GENERAL = {
    Action.SURVEY_MANAGE: {"liuyang", "admin"},
    Action.SURVEY_VIEW: {"liuyang", "lina", "chenjing", "admin"},
    Action.VISIT_RECORD: {"liuyang", "lina", "chenjing", "admin"},
    Action.SURVEY_RESPOND: set(PEOPLE),
}


@pytest.mark.parametrize("action", list(GENERAL))
def test_who_may_use_each_part_at_all(world, action):
    assert {p for p in PEOPLE if permissions.can(who(world, p), action)} == GENERAL[action]
