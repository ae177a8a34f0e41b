"""The command screen (jusha/command): the change feed's cursor, today's tiles on a hand-built set, the
charts' numbers, bounded queries, dispatch from the screen and the page itself."""

from datetime import timedelta

import pytest
from django.urls import reverse

from jusha.cases import services
from jusha.cases.models import Case, CaseDeadline, CaseEvent
from jusha.command import selectors
from jusha.command.selectors import ScreenFilter
from tests.cases_helpers import DRYING, VENDING, bring_to, category, report
from tests.command_helpers import IN_BAIYANG, NOW, baiyang
from tests.conftest import PASSWORD
from tests.devices_helpers import camera
from tests.needs_helpers import IN_YANLAN, IN_ZHIGE

S = Case.Status
CHANGES = "/api/command/changes"


@pytest.fixture
def now(clock):
    clock.current = NOW
    return clock


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def before(case) -> int:
    """The cursor just before the case's first event. Not `latest_cursor()` before the case is made: on
    PostgreSQL the id sequence is not rolled back between tests, so a test's first id follows a hole."""
    return CaseEvent.objects.filter(case=case).order_by("pk").values_list("pk", flat=True)[0] - 1


def feed(client, after):
    response = client.get(CHANGES, {"after": after})
    assert response.status_code == 200, response.content
    return response.json()


# --- the change feed ---------------------------------------------------------------------------------

def test_feed_returns_events_in_id_order_after_the_cursor(client, world, now):
    login(client, world.zhaolei)
    case = bring_to(world, S.FILED)
    body = feed(client, before(case))
    ids = [e["id"] for e in body["events"]]
    assert ids == sorted(ids) and len(ids) == 3
    assert [e["step"] for e in body["events"]] == ["report", "accept", "file"]
    assert {e["case"]["id"] for e in body["events"]} == {case.pk}
    assert body["cursor"] == ids[-1] and body["more"] is False
    assert feed(client, body["cursor"])["events"] == []


def test_a_screen_that_was_away_catches_up_with_nothing_missed(client, world, now):
    login(client, world.zhaolei)
    first = report(world.wangfang)
    seen = feed(client, before(first))
    cursor = seen["cursor"]
    # The screen loses its connection; meanwhile several things happen.
    services.case_accept(actor=world.zhaolei, case=first)
    second = report(world.zhangwei, at=IN_YANLAN)
    services.case_file(actor=world.zhaolei, case=first)
    now.current = NOW + timedelta(minutes=10)
    caught = feed(client, cursor)
    assert [(e["case"]["id"], e["step"]) for e in caught["events"]] == [
        (first.pk, "accept"), (second.pk, "report"), (first.pk, "file")]
    assert caught["cursor"] == CaseEvent.objects.order_by("-pk").first().pk
    assert caught["events"][-1]["case"]["status"] == S.FILED


def test_the_feed_waits_at_a_young_hole_in_the_ids_then_walks_past_it(client, world, now):
    """Ids commit out of order: while the accept step's transaction is still committing, the file step
    after it may already be visible. The feed stops before the hole until it fills (or, after GAP_WAIT,
    counts it as rolled back), so the late commit is never skipped."""
    login(client, world.zhaolei)
    cursor = before(bring_to(world, S.FILED))
    accept = CaseEvent.objects.get(pk__gt=cursor, step="accept")
    CaseEvent.objects.filter(pk=accept.pk).delete()  # not committed yet: nobody can see it
    waiting = feed(client, cursor)
    assert [e["step"] for e in waiting["events"]] == ["report"] and waiting["cursor"] == accept.pk - 1
    CaseEvent.objects.bulk_create([accept])  # the late commit lands
    after = feed(client, waiting["cursor"])
    assert [e["step"] for e in after["events"]] == ["accept", "file"]


def test_an_old_hole_is_a_rollback_and_is_walked_past(client, world, now):
    login(client, world.zhaolei)
    cursor = before(bring_to(world, S.FILED))
    CaseEvent.objects.filter(pk__gt=cursor, step="accept").delete()
    assert [e["step"] for e in feed(client, cursor)["events"]] == ["report"]
    now.current = NOW + selectors.GAP_WAIT + timedelta(seconds=1)
    assert [e["step"] for e in feed(client, cursor)["events"]] == ["report", "file"]


def test_an_operator_of_another_subdistrict_sees_nothing_but_keeps_up(client, world, now):
    baiyang(world)
    cursor = before(bring_to(world, S.FILED))
    login(client, world.qianjun)
    body = feed(client, cursor)
    assert body["events"] == []
    assert body["cursor"] == CaseEvent.objects.order_by("-pk").first().pk
    theirs = report(world.wangfang, at=IN_BAIYANG)
    assert [e["case"]["id"] for e in feed(client, body["cursor"])["events"]] == [theirs.pk]
    client.logout()
    login(client, world.zhaolei)
    assert theirs.pk not in {e["case"]["id"] for e in feed(client, cursor)["events"]}


def test_the_feed_is_bounded_and_says_there_is_more(client, world, now, monkeypatch):
    monkeypatch.setattr(selectors, "FEED_LIMIT", 4)
    login(client, world.zhaolei)
    cursor = before(bring_to(world, S.ACCEPTED))  # 2 events each
    for _ in range(2):
        bring_to(world, S.ACCEPTED)
    first = feed(client, cursor)
    assert len(first["events"]) == 4 and first["more"] is True
    rest = feed(client, first["cursor"])
    assert len(rest["events"]) == 2 and rest["more"] is False


@pytest.mark.parametrize("who, status", [
    ("lina", 404), ("wugang", 404), ("zhouqiang", 404), ("zhengli", 404),
    ("sunmin", 200), ("liuyang", 200), ("zhaolei", 200), ("admin", 200)])
def test_who_may_read_the_feed(client, world, who, status):
    login(client, getattr(world, who))
    assert client.get(CHANGES).status_code == status


def test_the_feed_needs_a_login_and_a_numeric_cursor(client, world):
    assert client.get(CHANGES).status_code == 401
    login(client, world.zhaolei)
    assert client.get(CHANGES, {"after": "x"}).status_code == 422
    assert client.get(CHANGES, {"after": "-1"}).status_code == 422


def test_the_feed_runs_a_fixed_number_of_queries(client, world, now, django_assert_max_num_queries):
    login(client, world.zhaolei)
    cursor = before(bring_to(world, S.FILED))
    for _ in range(4):
        bring_to(world, S.FILED)
    client.get(CHANGES, {"after": cursor})  # the session and the actor's roles are cached from now on
    with django_assert_max_num_queries(9):  # session and roles (4), the walk and the fetch (2), session save (3)
        body = feed(client, cursor)
    assert len(body["events"]) == 15


# --- the tiles and the charts --------------------------------------------------------------------------

def test_today_s_tiles_on_a_hand_built_set(world, now):
    baiyang(world)
    # Yesterday: one case reported and filed; today it is dispatched and another is closed.
    now.current = NOW - timedelta(days=1)
    yesterday = bring_to(world, S.FILED)
    old = bring_to(world, S.VERIFIED)
    now.current = NOW
    services.case_dispatch(actor=world.zhaolei, case=yesterday, assignee=world.zhouqiang)
    services.case_close(actor=world.zhaolei, case=old)
    # Today: three new reports (one filed), one in 白杨 that 下沙's screen does not count.
    filed_today = bring_to(world, S.FILED)
    report(world.zhangwei, at=IN_YANLAN)
    report(world.wangfang, code=VENDING)
    report(world.wangfang, at=IN_BAIYANG)
    # One case of today is past its accept deadline and flagged by the sweep.
    overdue = report(world.wangfang, at=IN_ZHIGE)
    CaseDeadline.objects.filter(pk=Case.objects.get(pk=overdue.pk).deadline_id).update(overdue_at=NOW)
    assert selectors.kpis(world.zhaolei, ScreenFilter()) == {
        "new": 4, "filed": 1, "dispatched": 1, "closed": 1, "overdue": 1}
    assert filed_today.status == S.FILED
    assert selectors.kpis(world.zhaolei, ScreenFilter(community=world.yanlan.pk)) == {
        "new": 1, "filed": 0, "dispatched": 0, "closed": 0, "overdue": 0}
    assert selectors.kpis(world.zhaolei, ScreenFilter(source="camera"))["new"] == 0
    assert selectors.kpis(world.qianjun, ScreenFilter())["new"] == 1


def test_trend_categories_and_league(world, now):
    now.current = NOW - timedelta(days=2)
    report(world.wangfang)
    now.current = NOW
    report(world.wangfang)
    report(world.zhangwei, at=IN_YANLAN)
    report(world.wangfang, code=VENDING)
    trend = selectors.trend(world.zhaolei, ScreenFilter())
    assert len(trend["labels"]) == 7 and trend["labels"][-1] == "11-27"
    assert [s["values"] for s in trend["series"]] == [[0, 0, 0, 0, 1, 0, 3]]
    assert len(selectors.trend(world.zhaolei, ScreenFilter(days=30))["labels"]) == 30
    breakdown = selectors.category_breakdown(world.zhaolei, ScreenFilter())
    assert sorted(breakdown["values"], reverse=True) == breakdown["values"] == [3, 1]
    league = selectors.league(world.zhaolei, ScreenFilter())
    assert [(r["community"], r["open"]) for r in league] == [(world.zhige.pk, 3), (world.yanlan.pk, 1)]
    assert selectors.league(world.zhaolei, ScreenFilter(category=category(DRYING).parent_id))[0]["open"] == 2


def test_the_map_is_bounded_and_filtered(world, now):
    for _ in range(3):
        report(world.wangfang)
    report(world.zhangwei, at=IN_YANLAN)
    result = selectors.map_cases(world.zhaolei, ScreenFilter(), limit=2)
    assert len(result["cases"]) == 2 and result["total"] == 4 and result["truncated"] is True
    bbox = selectors.BBox.parse("120.30,30.31,120.32,30.32")
    assert selectors.map_cases(world.zhaolei, ScreenFilter(), bbox)["total"] == 1
    assert selectors.map_cases(world.zhaolei, ScreenFilter(stage="dispatched"))["total"] == 0
    assert selectors.BBox.parse("1,2,3") is None and selectors.BBox.parse("5,0,1,0") is None


def test_the_data_endpoint_runs_a_fixed_number_of_queries(client, world, now, django_assert_max_num_queries):
    login(client, world.zhaolei)
    url = reverse("command_console:data")
    client.get(url)
    for _ in range(4):
        bring_to(world, S.FILED)
    with django_assert_max_num_queries(14):
        few = client.get(url).json()
    for _ in range(8):
        report(world.zhangwei, at=IN_YANLAN)
    with django_assert_max_num_queries(14):
        many = client.get(url, {"bbox": "120.2,30.2,120.5,30.5"}).json()
    assert few["map"]["total"] == 4 and many["map"]["total"] == 12


# --- dispatch from the screen ----------------------------------------------------------------------

def test_one_click_dispatch_with_the_suggestion(client, world, now):
    case = bring_to(world, S.FILED)
    login(client, world.zhaolei)
    suggestion = client.get(f"/api/command/cases/{case.pk}/suggestion").json()
    assert suggestion["assignee"] == world.zhouqiang.pk and suggestion["reasons"]
    response = client.post(f"/api/command/cases/{case.pk}/dispatch", {"assignee": suggestion["assignee"]},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["case"]["status"] == S.DISPATCHED
    case.refresh_from_db()
    assert case.assignee == world.zhouqiang and case.status == S.DISPATCHED


def test_dispatching_what_someone_else_dispatched_is_a_clear_400(client, world, now):
    case = bring_to(world, S.FILED)
    services.case_dispatch(actor=world.liuyang, case=case, assignee=world.zhouqiang)
    login(client, world.zhaolei)
    response = client.post(f"/api/command/cases/{case.pk}/dispatch", {"assignee": world.zhouqiang.pk},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert CaseEvent.objects.filter(case=case, step="dispatch").count() == 1


@pytest.mark.parametrize("who", ["sunmin", "qianjun", "lina"])
def test_those_who_may_not_dispatch_get_a_404(client, world, now, who):
    baiyang(world)
    case = bring_to(world, S.FILED)
    login(client, getattr(world, who))
    assert client.get(f"/api/command/cases/{case.pk}/suggestion").status_code == 404
    response = client.post(f"/api/command/cases/{case.pk}/dispatch", {"assignee": world.zhouqiang.pk},
                           content_type="application/json")
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == S.FILED


def test_a_person_who_is_not_suggested_is_refused(client, world, now):
    case = bring_to(world, S.FILED)
    login(client, world.zhaolei)
    response = client.post(f"/api/command/cases/{case.pk}/dispatch", {"assignee": world.wugang.pk},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_assignee"


# --- the page ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [
    ("zhaolei", 200), ("liuyang", 200), ("sunmin", 200), ("admin", 200),
    ("lina", 404), ("wugang", 404), ("zhengli", 404)])
def test_who_sees_the_screen(client, world, who, status):
    login(client, getattr(world, who))
    assert client.get(reverse("command_console:screen")).status_code == status
    assert client.get(reverse("command_console:data")).status_code == status


def test_the_page_renders_its_first_picture(client, world, now):
    from jusha.orgs.models import FieldStatus

    bring_to(world, S.FILED)
    camera(world)
    FieldStatus.objects.create(user=world.zhouqiang, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], located_at=NOW)
    FieldStatus.objects.create(user=world.wugang, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], located_at=NOW)
    login(client, world.zhaolei)
    response = client.get(reverse("command_console:screen"), {"stage": "waiting", "community": "x"})
    assert response.status_code == 200
    assert response.context["filters"] == ScreenFilter(stage="waiting")
    assert response.context["data"]["map"]["total"] == 1
    assert response.context["cursor"] == CaseEvent.objects.order_by("-pk").first().pk
    assert response.context["may_dispatch"] is True
    layers = response.context["layers"]
    assert len(layers["grids"]["features"]) == 4
    assert [d["code"] for d in layers["devices"]] == ["CAM-001"]
    assert [w["lng"] for w in layers["workers"]] == [IN_ZHIGE[0]]  # 周强, the grid worker; not the team member
    content = response.content.decode()
    assert 'id="command-data"' in content and 'data-testid="command-map"' in content


def test_a_supervisor_sees_the_screen_without_dispatch(client, world):
    login(client, world.sunmin)
    assert client.get(reverse("command_console:screen")).context["may_dispatch"] is False


# --- the permission matrix: person × object, Action.COMMAND_SCREEN ----------------------------------------

@pytest.mark.parametrize("who, sees_xiasha, sees_baiyang", [
    ("zhaolei", True, False), ("liuyang", True, False), ("sunmin", True, False), ("qianjun", False, True),
    ("admin", True, True), ("lina", False, False), ("wugang", False, False), ("zhouqiang", False, False),
    ("zhengli", False, False), ("wangfang", False, False)])
def test_screen_matrix(world, who, sees_xiasha, sees_baiyang):
    from jusha import permissions
    from jusha.orgs.models import GridWorker
    from jusha.permissions import Action
    from jusha.places.models import Grid

    baiyang(world)
    ours, theirs = report(world.wangfang), report(world.wangfang, at=IN_BAIYANG)
    person = getattr(world, who)
    assert permissions.can(person, Action.COMMAND_SCREEN) is (sees_xiasha or sees_baiyang)
    for case, expected in ((ours, sees_xiasha), (theirs, sees_baiyang)):
        assert permissions.can(person, Action.COMMAND_SCREEN, case) is expected
        assert permissions.visible(person, Action.COMMAND_SCREEN, CaseEvent.objects.filter(case=case)).exists() \
            is expected
    assert permissions.visible(person, Action.COMMAND_SCREEN, Grid.objects.filter(
        community__subdistrict=world.subdistrict)).count() == (4 if sees_xiasha else 0)
    assert permissions.visible(person, Action.COMMAND_SCREEN, GridWorker.objects.all()).exists() is sees_xiasha
    assert permissions.visible(person, Action.COMMAND_SCREEN, world.zhige.__class__.objects.filter(
        subdistrict=world.baiyang)).exists() is sees_baiyang
    device, _secret = camera(world)
    assert permissions.can(person, Action.COMMAND_SCREEN, device) is sees_xiasha
