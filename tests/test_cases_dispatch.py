"""One-click dispatch: who is suggested for a filed case, in which order, and why.

周强 works 智格一; a second grid worker 钱多 also works 智格一; 吴刚 and a second member 冯军 are in
the 综合管理大队, which handles street vending (无照游商).
"""

import pytest

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.cases import selectors, services
from jusha.orgs.models import FieldStatus, GridWorker
from tests.cases_helpers import IN_ZHIGE, VENDING, ZHIGE_B, S, bring_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def qianduo(world):
    person = User.objects.create_user(username="qianduo", name="钱多")
    GridWorker.objects.create(user=person).grids.add(world.zhige1)
    return person


@pytest.fixture
def fengjun(world):
    person = User.objects.create_user(username="fengjun", name="冯军")
    RoleAssignment.objects.create(user=person, role=Role.TEAM_MEMBER, team=world.brigade)
    return person


def seen(person, at):
    FieldStatus.objects.update_or_create(user=person, defaults={"lng": at[0], "lat": at[1]})


def names(suggestions):
    return [s.user.name for s in suggestions]


def test_grid_categories_suggest_the_grids_workers_nearest_first(world, qianduo):
    case = bring_to(world, S.FILED)
    seen(world.zhouqiang, ZHIGE_B)
    seen(qianduo, IN_ZHIGE)
    ranked = selectors.suggestions(case)
    assert names(ranked) == ["钱多", "周强"]
    assert ranked[0].distance_m < 1 and 400 < ranked[1].distance_m < 450
    assert ranked[1].reasons[0] == str(ranked[1].reasons[0]) and len(ranked[1].reasons) == 4


def test_open_load_outweighs_a_short_distance(world, qianduo):
    seen(world.zhouqiang, ZHIGE_B)
    seen(qianduo, IN_ZHIGE)
    for _ in range(2):  # two open tasks for 钱多: 2 × 500 m > the 420 m 周强 is further away
        busy = bring_to(world, S.FILED)
        services.case_dispatch(actor=world.zhaolei, case=busy, assignee=qianduo)
    ranked = selectors.suggestions(bring_to(world, S.FILED))
    assert names(ranked) == ["周强", "钱多"]
    assert [s.load for s in ranked] == [0, 2]


def test_off_duty_people_come_last(world, qianduo):
    seen(world.zhouqiang, IN_ZHIGE)
    seen(qianduo, ZHIGE_B)
    GridWorker.objects.filter(user=world.zhouqiang).update(on_duty=False)
    ranked = selectors.suggestions(bring_to(world, S.FILED))
    assert names(ranked) == ["钱多", "周强"] and not ranked[1].on_duty


def test_unknown_position_ranks_after_known_nearby(world, qianduo):
    seen(qianduo, ZHIGE_B)
    ranked = selectors.suggestions(bring_to(world, S.FILED))
    assert names(ranked) == ["钱多", "周强"] and ranked[1].distance_m is None


def test_team_categories_suggest_the_responsible_teams_members(world, fengjun):
    case = bring_to(world, S.FILED, code=VENDING)
    FieldStatus.objects.create(user=world.wugang, on_duty=False)
    ranked = selectors.suggestions(case)
    assert names(ranked) == ["冯军", "吴刚"]
    case = services.case_dispatch(actor=world.zhaolei, case=case, assignee=ranked[0].user)
    assert case.team == world.brigade and case.assignee == fengjun and case.status == S.DISPATCHED


def test_no_team_of_that_kind_means_no_suggestions(world):
    from tests.cases_helpers import category

    case = bring_to(world, S.FILED, code=VENDING)
    case.category = category("SJ0504")  # noise: the environment team, which 下沙 has not set up
    assert selectors.suggestions(case) == []


def test_one_click_dispatch_from_the_console(world, client, qianduo):
    case = bring_to(world, S.FILED)
    seen(qianduo, IN_ZHIGE)
    client.force_login(world.zhaolei)
    page = client.get(f"/console/cases/{case.pk}/")
    assert page.status_code == 200
    assert page.context["suggestions"][0].user == qianduo
    response = client.post(f"/console/cases/{case.pk}/dispatch/", {"assignee": str(qianduo.pk)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.DISPATCHED and case.assignee == qianduo


def test_dispatch_to_someone_not_suggested_is_refused_on_the_page(world, client):
    case = bring_to(world, S.FILED)
    client.force_login(world.zhaolei)
    for bad in (str(world.wangfang.pk), "abc", "", "99999999999999"):
        response = client.post(f"/console/cases/{case.pk}/dispatch/", {"assignee": bad})
        assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == S.FILED
