"""The points rows of the permission matrix: for each person of the test world and each action,
exactly which accounts, rewards, redemptions, places and units they may act on.

In one sentence per person: 王芳 (智格) sees her own points and redemptions and redeems the rewards open
to the whole subdistrict or to 智格; 张伟 likewise for 滟澜; 李娜 sees and awards the points of 智格's
people, keeps 智格's rewards, hands out 智格's rewards and the subdistrict-wide ones to 智格's residents,
and sees 智格's leaderboard; 陈静 the same for 滟澜; 刘洋 does all of it for the whole subdistrict and
alone sets its rules; 郑丽 keeps 下沙医院's rewards, hands them out and sees its leaderboard; the
operator, supervisor, team member and grid worker have nothing to do with points; the administrator
may do everything, but sees the same catalogue as everyone else (as a person who redeems).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from jusha.points import services
from jusha.points.models import PointsAccount, Redemption, Reward
from tests.points_helpers import give, reward

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def things(world):
    rewards = {
        "hospital_all": reward(world, unit=world.hospital),                        # donated by 下沙医院, for all
        "zhige_only": reward(world, unit=None, community=world.zhige, actor=world.lina),
        "yanlan_only": reward(world, unit=world.school, community=world.yanlan),
        "inactive": reward(world, unit=None, is_active=False),
    }
    for person in (world.wangfang, world.zhangwei):
        give(world, person, 100)
    redemptions = {
        "wangfang_hospital": services.redemption_create(actor=world.wangfang, reward=rewards["hospital_all"]),
        "wangfang_zhige": services.redemption_create(actor=world.wangfang, reward=rewards["zhige_only"]),
        "zhangwei_yanlan": services.redemption_create(actor=world.zhangwei, reward=rewards["yanlan_only"]),
    }
    return {"rewards": rewards, "redemptions": redemptions}


def _names(objs: dict, queryset) -> set[str]:
    by_pk = {o.pk: name for name, o in objs.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True) if pk in by_pk}


REWARD_MANAGE = {**NOBODY, "lina": {"zhige_only"}, "chenjing": {"yanlan_only"},
                 "liuyang": {"hospital_all", "zhige_only", "yanlan_only", "inactive"},
                 "zhengli": {"hospital_all"}, "admin": {"hospital_all", "zhige_only", "yanlan_only", "inactive"}}
REWARD_REDEEM = {**NOBODY, "wangfang": {"hospital_all", "zhige_only"}, "zhangwei": {"hospital_all", "yanlan_only"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_keeps_which_rewards(world, things, person):
    qs = permissions.visible(who(world, person), Action.REWARD_MANAGE, Reward.objects.all())
    assert _names(things["rewards"], qs) == REWARD_MANAGE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_redeem_which_rewards(world, things, person):
    qs = permissions.visible(who(world, person), Action.REWARD_REDEEM, Reward.objects.all())
    assert _names(things["rewards"], qs) == REWARD_REDEEM[person]


ALL_REDEMPTIONS = {"wangfang_hospital", "wangfang_zhige", "zhangwei_yanlan"}
REDEMPTION_HANDLE = {**NOBODY, "lina": {"wangfang_hospital", "wangfang_zhige"}, "chenjing": {"zhangwei_yanlan"},
                     "liuyang": ALL_REDEMPTIONS, "zhengli": {"wangfang_hospital"}, "admin": ALL_REDEMPTIONS}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_hands_out_which_redemptions(world, things, person):
    qs = permissions.visible(who(world, person), Action.REDEMPTION_HANDLE, Redemption.objects.all())
    assert _names(things["redemptions"], qs) == REDEMPTION_HANDLE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_which_redemptions(world, things, person):
    own = {"wangfang": {"wangfang_hospital", "wangfang_zhige"}, "zhangwei": {"zhangwei_yanlan"}}
    qs = permissions.visible(who(world, person), Action.REDEMPTION_VIEW, Redemption.objects.all())
    assert _names(things["redemptions"], qs) == REDEMPTION_HANDLE[person] | own.get(person, set())


POINTS_SEEN = {**NOBODY, "wangfang": {"wangfang"}, "zhangwei": {"zhangwei"}, "lina": {"wangfang"},
               "chenjing": {"zhangwei"}, "liuyang": {"wangfang", "zhangwei"}, "admin": {"wangfang", "zhangwei"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_whose_points(world, things, person):
    accounts = {a.person.username or a.person.name: a for a in PointsAccount.objects.filter(kind="person")
                .select_related("person")}
    names = {"王芳": "wangfang", "张伟": "zhangwei"}
    by_pk = {a.pk: names[key] for key, a in accounts.items() if key in names}
    seen = {by_pk[pk] for pk in permissions.visible(who(world, person), Action.POINTS_VIEW, PointsAccount.objects
                                                    .all()).values_list("pk", flat=True) if pk in by_pk}
    assert seen == POINTS_SEEN[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_who_awards_whom(world, person):
    from jusha.accounts.models import User

    targets = {"wangfang": world.wangfang, "zhangwei": world.zhangwei}
    seen = {name for name, user in targets.items()
            if permissions.visible(who(world, person), Action.POINTS_AWARD, User.objects.filter(pk=user.pk)).exists()}
    assert seen == (POINTS_SEEN[person] if person not in ("wangfang", "zhangwei") else set())


@pytest.mark.parametrize("person", PEOPLE)
def test_who_sets_rules_and_sees_leaderboards(world, person):
    actor = who(world, person)
    rules = permissions.visible(actor, Action.POINTS_RULES, Subdistrict.objects.all()).exists()
    assert rules is (person in ("liuyang", "admin"))
    communities = {c.name for c in permissions.visible(actor, Action.POINTS_LEADERBOARD, Community.objects.all())}
    units = {u.name for u in permissions.visible(actor, Action.POINTS_LEADERBOARD, MemberUnit.objects.all())}
    expected_communities = {"lina": {"智格社区"}, "chenjing": {"滟澜社区"}, "liuyang": {"智格社区", "滟澜社区"},
                            "admin": {"智格社区", "滟澜社区"}}.get(person, set())
    expected_units = {"zhengli": {"下沙医院"}, "liuyang": {"下沙医院", "滟澜小学"},
                      "admin": {"下沙医院", "滟澜小学"}}.get(person, set())
    assert (communities, units) == (expected_communities, expected_units)


@pytest.mark.parametrize(("person", "expected"), [
    ("anonymous", set()), ("wangfang", {"view", "redeem"}), ("zhaolei", {"view", "redeem"}),
    ("lina", {"view", "redeem", "award", "rewards", "leaderboard"}),
    ("liuyang", {"view", "redeem", "award", "rewards", "leaderboard", "rules"}),
    ("zhengli", {"view", "redeem", "rewards", "leaderboard"}),
    ("admin", {"view", "redeem", "award", "rewards", "leaderboard", "rules"}),
])
def test_which_parts_of_points_each_person_uses(world, person, expected):
    actor = who(world, person)
    general = {"view": Action.POINTS_VIEW, "redeem": Action.REWARD_REDEEM, "award": Action.POINTS_AWARD,
               "rewards": Action.REWARD_MANAGE, "leaderboard": Action.POINTS_LEADERBOARD,
               "rules": Action.POINTS_RULES}
    assert {name for name, action in general.items() if permissions.can(actor, action)} == expected
