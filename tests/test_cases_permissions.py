"""Who sees and does what with cases, person by person (the permission matrix).

- case A: 王芳's clothes drying in 智格一, dispatched to 周强 (its grid worker);
- case B: 张伟's anonymous street vending in 滟澜一, dispatched to the 综合管理大队 (吴刚);
- case C: 张伟's clothes drying in 滟澜一, just reported.
A reporter sees their own; 李娜 sees 智格's, 陈静 滟澜's; 刘洋, 赵磊 and 孙敏 the whole subdistrict;
周强 his grid's and his tasks; 吴刚 only what was dispatched to his team; 郑丽 (a liaison) none.
"""

import pytest

from jusha import permissions
from jusha.audit.models import AuditEntry
from jusha.cases import services
from jusha.cases.models import Case
from jusha.permissions import Action
from tests.cases_helpers import IN_YANLAN, VENDING, S, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    a = report(world.wangfang)
    b = report(world.zhangwei, code=VENDING, at=IN_YANLAN, anonymous=True, description="无照游商占道")
    c = report(world.zhangwei, at=IN_YANLAN)
    for case in (a, b):
        services.case_accept(actor=world.zhaolei, case=case)
        services.case_file(actor=world.zhaolei, case=case)
    services.case_dispatch(actor=world.zhaolei, case=a, assignee=world.zhouqiang)
    services.case_dispatch(actor=world.zhaolei, case=b, team=world.brigade)
    return {"A": a, "B": b, "C": c}


VIEW = {
    "wangfang": "A", "zhangwei": "BC", "lina": "A", "chenjing": "BC", "liuyang": "ABC", "zhaolei": "ABC",
    "sunmin": "ABC", "zhouqiang": "A", "wugang": "B", "zhengli": "", "admin": "ABC",
}
COMMAND = {"liuyang": "ABC", "zhaolei": "ABC", "admin": "ABC"}
HANDLE = {"zhouqiang": "A", "wugang": "B"}
RATE = {"wangfang": "A", "zhangwei": "BC"}


@pytest.mark.parametrize("action, table", [(Action.CASE_VIEW, VIEW), (Action.CASE_COMMAND, COMMAND),
                                           (Action.CASE_HANDLE, HANDLE), (Action.CASE_RATE, RATE)])
def test_the_matrix(world, cases, action, table):
    for name in VIEW:
        person = getattr(world, name)
        seen = permissions.visible(person, action, Case.objects.all())
        expected = {cases[k].pk for k in table.get(name, "")}
        assert set(seen.values_list("pk", flat=True)) == expected, (name, action)
        for key, case in cases.items():
            assert permissions.can(person, action, case) == (key in table.get(name, "")), (name, key, action)


def test_only_supervisors_verify(world, cases):
    for name in VIEW:
        assert permissions.can(getattr(world, name), Action.CASE_VERIFY) == (name in ("sunmin", "admin")), name


def test_category_tree_is_edited_by_subdistrict_staff_and_administrators(world):
    for name in VIEW:
        expected = name in ("liuyang", "admin")
        assert permissions.can(getattr(world, name), Action.CASE_CATEGORY_CHANGE) == expected, name


@pytest.mark.parametrize("name, key, status", [
    ("wangfang", "B", 404), ("wangfang", "A", 200), ("lina", "B", 404), ("wugang", "A", 404),
    ("wugang", "B", 200), ("zhouqiang", "B", 404), ("zhengli", "A", 404),
])
def test_pages_and_api_hide_what_is_not_theirs(world, cases, client, name, key, status):
    client.force_login(getattr(world, name))
    assert client.get(f"/cases/{cases[key].pk}/").status_code == status
    assert client.get(f"/api/cases/{cases[key].pk}").status_code == status


def test_staff_never_see_an_anonymous_reporter(world, cases, client):
    b = cases["B"]
    assert b.events.get(step="report").actor is None
    entry = AuditEntry.objects.get(action="cases.report", target_id=str(b.pk))
    assert entry.actor is None and entry.actor_label == "system"
    for name in ("zhaolei", "liuyang", "chenjing"):
        client.force_login(getattr(world, name))
        page = client.get(f"/console/cases/{b.pk}/")
        assert page.status_code == 200
        assert "张伟" not in page.content.decode() and "13800000002" not in page.content.decode()
        api = client.get(f"/api/cases/{b.pk}").content.decode()
        assert "张伟" not in api
    client.force_login(world.zhangwei)
    assert b.pk in [c["id"] for c in client.get("/api/cases").json()]


def test_the_command_queue_is_scoped_and_its_query_count_fixed(world, cases, client, django_assert_max_num_queries):
    client.force_login(world.lina)
    page = client.get("/console/cases/?status=all")
    assert [c.pk for c in page.context["page"]] == [cases["A"].pk]
    client.force_login(world.zhaolei)
    for _ in range(5):
        report(world.wangfang)
    with django_assert_max_num_queries(25):
        page = client.get("/console/cases/?status=all")
    assert len(page.context["page"]) == 8


def test_a_team_case_waits_for_any_member_then_is_theirs(world, cases):
    b = services.case_take(actor=world.wugang, case=cases["B"])
    assert b.assignee == world.wugang and b.status == S.HANDLING


def test_lists_have_a_fixed_query_count(world, cases, client, django_assert_max_num_queries):
    for _ in range(6):
        report(world.wangfang)
    client.force_login(world.wangfang)
    with django_assert_max_num_queries(12):
        mine = client.get("/api/cases").json()
    assert len(mine) == 7
    with django_assert_max_num_queries(15):
        assert client.get("/cases/").status_code == 200
    client.force_login(world.zhouqiang)
    with django_assert_max_num_queries(15):
        assert len(client.get("/cases/tasks/").context["tasks"]) == 1
