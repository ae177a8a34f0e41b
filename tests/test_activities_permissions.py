"""The activity rows of the permission matrix: for each person of the test world and each action,
exactly which activities (and sign-ups) they may act on.

In one sentence per person: everyone, anonymous included, sees published activities only; 李娜 organises
智格's own activities and reviews those held in 智格 by a community or a unit, and sees 智格's (the
hospital's talk held there too); 陈静 the same for 滟澜; 刘洋 sees, manages and reviews the whole
subdistrict's; 郑丽 (下沙医院) manages her unit's activity; the administrator sees and does everything
except cancelling someone else's sign-up; residents, operators, supervisors, grid workers and team
members see nothing beyond the public list and cancel only their own sign-ups.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.activities import services
from jusha.activities.models import Activity, SignUp
from jusha.permissions import Action
from tests.activities_helpers import at_start, draft, first_session, published

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige_draft", "zhige_public", "unit_talk", "yanlan_public", "subdistrict_fair"}
PUBLIC = {"zhige_public", "yanlan_public", "subdistrict_fair"}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def activities(world, clock):
    at_start(clock)
    a = {"zhige_draft": draft(world, title="草稿"),
         "zhige_public": published(world, title="太极"),
         "unit_talk": draft(world, actor=world.zhengli, organiser=world.hospital, host=world.zhige,
                            kind=Activity.Kind.LECTURE, title="健康讲座"),
         "yanlan_public": draft(world, actor=world.chenjing, organiser=world.yanlan, title="国画")}
    services.session_add(actor=world.chenjing, activity=a["yanlan_public"], starts_at=clock.current.replace(day=9),
                         ends_at=clock.current.replace(day=9, hour=11))
    services.activity_submit(actor=world.chenjing, activity=a["yanlan_public"])
    services.activity_publish(actor=world.chenjing, activity=a["yanlan_public"])
    services.session_add(actor=world.zhengli, activity=a["unit_talk"], starts_at=clock.current.replace(day=10),
                         ends_at=clock.current.replace(day=10, hour=11))
    services.activity_submit(actor=world.zhengli, activity=a["unit_talk"])
    fair = services.activity_create(actor=world.liuyang, organiser=world.subdistrict, kind=Activity.Kind.ALLIANCE,
                                    title="联盟集市", place_name="下沙广场", seats=100)
    services.session_add(actor=world.liuyang, activity=fair, starts_at=clock.current.replace(day=11),
                         ends_at=clock.current.replace(day=11, hour=12))
    services.activity_submit(actor=world.liuyang, activity=fair)
    services.activity_publish(actor=world.liuyang, activity=fair)
    a["subdistrict_fair"] = fair
    return a


def seen(world, activities, person, action):
    by_pk = {a.pk: name for name, a in activities.items()}
    return {by_pk[a.pk] for a in permissions.visible(who(world, person), action, Activity.objects.all())}


ZHIGE = {"zhige_draft", "zhige_public", "unit_talk"}
EXPECTED = {
    Action.ACTIVITY_VIEW_PUBLIC: dict.fromkeys(PEOPLE, PUBLIC),
    Action.SIGNUP_CREATE: {**dict.fromkeys(PEOPLE, PUBLIC), "anonymous": set()},
    Action.ACTIVITY_VIEW: {**NOBODY, "lina": ZHIGE, "chenjing": {"yanlan_public"}, "liuyang": ALL, "admin": ALL,
                           "zhengli": {"unit_talk"}},
    Action.ACTIVITY_MANAGE: {**NOBODY, "lina": {"zhige_draft", "zhige_public"}, "chenjing": {"yanlan_public"},
                             "liuyang": ALL, "admin": ALL, "zhengli": {"unit_talk"}},
    Action.ACTIVITY_REVIEW: {**NOBODY, "lina": ZHIGE, "chenjing": {"yanlan_public"}, "liuyang": ALL, "admin": ALL},
}


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("person", PEOPLE)
def test_activity_matrix(world, activities, person, action):
    assert seen(world, activities, person, action) == EXPECTED[action][person]
    for name, activity in activities.items():
        assert permissions.can(who(world, person), action, activity) == (name in EXPECTED[action][person])


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_person_cancels_their_sign_up(world, activities, person):
    signup = services.signup_create(actor=world.wangfang, session=first_session(activities["zhige_public"]))[0]
    allowed = permissions.visible(who(world, person), Action.SIGNUP_CANCEL, SignUp.objects.all())
    assert (signup in allowed) == (person == "wangfang")


@pytest.mark.parametrize(("person", "places"), [
    ("lina", {"智格社区"}), ("chenjing", {"滟澜社区"}),
    ("liuyang", {"下沙街道", "智格社区", "滟澜社区", "下沙医院", "滟澜小学"}),
    ("zhengli", {"下沙医院"}), ("wangfang", set()), ("zhaolei", set()), ("anonymous", set()),
])
def test_who_organises_for_which_place_or_unit(world, person, places):
    from jusha.orgs.models import MemberUnit
    from jusha.places.models import Community, Subdistrict

    names = set()
    for model in (Subdistrict, Community, MemberUnit):
        names |= {o.name for o in permissions.visible(who(world, person), Action.ACTIVITY_ORGANISE,
                                                      model.objects.all())}
    assert names == places


@pytest.mark.parametrize("person", PEOPLE)
def test_general_actions(world, person):
    user = who(world, person)
    staff = person in ("lina", "chenjing", "liuyang", "zhengli", "admin")
    assert permissions.can(user, Action.ACTIVITY_VIEW_PUBLIC)
    assert permissions.can(user, Action.SIGNUP_CREATE) == (person != "anonymous")
    assert permissions.can(user, Action.ACTIVITY_MANAGE) == staff
    assert permissions.can(user, Action.ACTIVITY_REVIEW) == (staff and person != "zhengli")
