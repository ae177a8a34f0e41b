"""The pages and the API: the resident's report and tracking pages, the field's task list and
patrol page, the console queue, detail, verify queue and category tree; bad input never a 500."""

import pytest

from jusha.audit.models import AuditEntry
from jusha.cases.models import Case, CaseCategory, CasePhoto
from tests.cases_helpers import DRYING, IN_ZHIGE, MANHOLE, OUTSIDE, S, bring_to, category, photo

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {"category": str(category(DRYING).pk), "description": "沿街晾晒", "lng": str(IN_ZHIGE[0]),
            "lat": str(IN_ZHIGE[1]), "crs": "wgs84"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_resident_reports_and_lands_on_the_tracking_page(world, client):
    client.force_login(world.wangfang)
    assert client.get("/cases/new/").status_code == 200
    assert b"/cases/new/" in client.get("/services/").content
    response = client.post("/cases/new/", form(anonymous="on", photos=photo()))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.reports.get().anonymous and case.photos.count() == 1
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and page.context["case"] == case
    assert client.get(case.photos.get().get_absolute_url()).status_code == 200
    assert [c.pk for c in client.get("/cases/").context["cases"]] == [case.pk]


def test_the_nearby_case_is_shown_and_can_be_followed(world, client):
    first = bring_to(world, S.FILED)
    client.force_login(world.zhangwei)
    shown = client.post("/cases/new/", form())
    assert shown.status_code == 409 and [c.pk for c in shown.context["nearby"]] == [first.pk]
    followed = client.post("/cases/new/", form(follow=str(first.pk)))
    assert followed.status_code == 302 and Case.objects.count() == 1
    assert first.reports.filter(reporter=world.zhangwei, followed=True).exists()
    new = client.post("/cases/new/", form(new_anyway="1"))
    assert new.status_code == 302 and Case.objects.count() == 2


@pytest.mark.parametrize("changes", [
    {"lng": None, "lat": None}, {"lng": str(OUTSIDE[0]), "lat": str(OUTSIDE[1])}, {"category": "x"},
    {"category": str(10**15)}, {"description": ""}, {"description": "x" * 600}, {"crs": "utm"},
    {"lng": "nan"}, {"follow": "-1"}, {"follow": str(10**9)}, {"category": lambda: str(category(MANHOLE).pk)},
])
def test_bad_report_input_is_a_clear_400(world, client, changes):
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    client.force_login(world.wangfang)
    response = client.post("/cases/new/", form(**changes))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_rate_and_reopen_from_the_tracking_page(world, client):
    case = bring_to(world, S.CLOSED)
    client.force_login(world.wangfang)
    page = client.get(f"/cases/{case.pk}/")
    assert page.context["may_rate"] and page.context["may_reopen"]
    assert client.post(f"/cases/{case.pk}/rate/", {"stars": "9"}).status_code == 400
    assert client.post(f"/cases/{case.pk}/rate/", {"stars": "5", "comment": "很快"}).status_code == 302
    assert not client.get(f"/cases/{case.pk}/").context["may_rate"]
    assert client.post(f"/cases/{case.pk}/reopen/", {"reason": ""}).status_code == 400
    assert client.post(f"/cases/{case.pk}/reopen/", {"reason": "又晾出来了"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.FILED
    client.force_login(world.zhangwei)
    assert client.post(f"/cases/{case.pk}/rate/", {"stars": "1"}).status_code == 404


def test_the_grid_worker_works_the_task_list(world, client):
    case = bring_to(world, S.DISPATCHED)
    client.force_login(world.zhouqiang)
    assert [c.pk for c in client.get("/cases/tasks/").context["tasks"]] == [case.pk]
    assert client.post(f"/cases/tasks/{case.pk}/take/").status_code == 302
    arrive = {"lng": str(IN_ZHIGE[0]), "lat": str(IN_ZHIGE[1]), "crs": "wgs84"}
    assert client.post(f"/cases/tasks/{case.pk}/arrive/", arrive).status_code == 302
    assert client.post(f"/cases/tasks/{case.pk}/extension_request/", {"until": "bad", "reason": "x"}
                       ).status_code == 400
    assert client.post(f"/cases/tasks/{case.pk}/handle/", {"note": "已处理"}).status_code == 400
    assert client.post(f"/cases/tasks/{case.pk}/handle/", {"note": "已处理", "photos": photo()}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == S.HANDLED
    assert client.post(f"/cases/tasks/{case.pk}/nonsense/").status_code == 404
    client.force_login(world.wangfang)
    assert client.get("/cases/tasks/").status_code == 404


def test_duty_toggle(world, client):
    from jusha.orgs.models import GridWorker

    client.force_login(world.zhouqiang)
    client.post("/cases/tasks/duty/", {"on_duty": "0"})
    assert not GridWorker.objects.get(user=world.zhouqiang).on_duty
    assert AuditEntry.objects.filter(action="cases.duty_set").exists()


def test_patrol_handle_on_the_spot_page(world, client):
    client.force_login(world.zhouqiang)
    assert client.get("/cases/patrol/").status_code == 200
    data = form(mode="self_handle", note="已劝导收回", before_photos=photo("b.png"), after_photos=photo("a.png"))
    assert client.post("/cases/patrol/", data).status_code == 302
    case = Case.objects.get()
    assert case.status == S.HANDLED and case.self_handled
    assert client.post("/cases/patrol/", form(mode="self_handle", note="x")).status_code == 400
    assert client.post("/cases/patrol/", form(mode="report")).status_code == 302
    assert Case.objects.filter(status=S.REPORTED, source="patrol").count() == 1
    client.force_login(world.wangfang)
    assert client.get("/cases/patrol/").status_code == 404


def test_console_accept_file_and_verify_close(world, client):
    case = bring_to(world, S.REPORTED)
    client.force_login(world.zhaolei)
    assert client.get("/console/cases/").status_code == 200
    for step in ("accept", "file"):
        assert client.post(f"/console/cases/{case.pk}/{step}/").status_code == 302
    assert client.post(f"/console/cases/{case.pk}/cancel/", {"reason": ""}).status_code == 400
    assert client.post(f"/console/cases/{case.pk}/verify/").status_code == 404  # not a supervisor
    assert client.post(f"/console/cases/{case.pk}/bogus/").status_code == 404
    handled = bring_to(world, S.HANDLED)
    client.force_login(world.sunmin)
    assert [c.pk for c in client.get("/console/cases/verify/").context["handled"]] == [handled.pk]
    assert client.post(f"/console/cases/{handled.pk}/verify/", {"note": "现场核查通过"}).status_code == 302
    client.force_login(world.zhaolei)
    assert client.post(f"/console/cases/{handled.pk}/close/").status_code == 302
    assert Case.objects.get(pk=handled.pk).status == S.CLOSED


def test_console_merge_into_a_nearby_case(world, client):
    first = bring_to(world, S.FILED)
    second = bring_to(world, S.REPORTED)
    client.force_login(world.zhaolei)
    page = client.get(f"/console/cases/{second.pk}/")
    assert [c.pk for c in page.context["merge_into"]] == [first.pk]
    response = client.post(f"/console/cases/{second.pk}/merge/", {"into": str(first.pk)})
    assert response.status_code == 302 and response["Location"] == f"/console/cases/{first.pk}/"
    assert Case.objects.get(pk=second.pk).status == S.MERGED


def test_category_tree_edit(world, client):
    leaf = category(DRYING)
    client.force_login(world.liuyang)
    assert client.get("/console/cases/categories/").status_code == 200
    data = {"name": leaf.name, "name_en": leaf.name_en, "sort_order": "3", "is_active": "on", "handler": "team",
            "team_kind": "", "urgency": "2", "accept_minutes": "20", "dispatch_minutes": "20",
            "handle_minutes": "60", "verify_minutes": "60"}
    assert client.post(f"/console/cases/categories/{leaf.pk}/", data).status_code == 400
    data["team_kind"] = "integrated_brigade"
    assert client.post(f"/console/cases/categories/{leaf.pk}/", data).status_code == 302
    leaf.refresh_from_db()
    assert leaf.handler == "team" and leaf.handle_minutes == 60 and not leaf.working_hours
    assert AuditEntry.objects.get(action="cases.category_saved").before["handle_minutes"] == 120
    new = {**data, "code": "SJ0105", "name": "道路不洁", "name_en": "Dirty road", "handler": "grid"}
    assert client.post(f"/console/cases/categories/new/{leaf.parent_id}/", new).status_code == 302
    assert CaseCategory.objects.get(code="SJ0105").parent == leaf.parent
    assert client.post(f"/console/cases/categories/new/{leaf.pk}/", new).status_code == 404
    client.force_login(world.zhaolei)
    assert client.get("/console/cases/categories/").status_code == 404


def test_api_report_nearby_and_list(world, client):
    client.force_login(world.wangfang)
    data = form(photos=photo())
    created = client.post("/api/cases", data)
    assert created.status_code == 201 and created.json()["status"] == "reported"
    case_id = created.json()["id"]
    client.force_login(world.zhangwei)
    nearby = client.post("/api/cases", form())
    assert nearby.status_code == 409 and nearby.json()["nearby"][0]["id"] == case_id
    followed = client.post("/api/cases", form(follow=str(case_id)))
    assert followed.status_code == 200 and followed.json()["followed"]
    assert client.post("/api/cases", form(lng=str(OUTSIDE[0]), lat=str(OUTSIDE[1]))).json()["code"] == "outside_area"
    assert client.post("/api/cases", form(category="abc")).status_code == 422
    assert [c["id"] for c in client.get("/api/cases").json()] == [case_id]
    assert client.get("/api/cases/categories").status_code == 200
    assert client.get("/api/cases/99999999").status_code == 404
    client.logout()
    assert client.post("/api/cases", form()).status_code == 401
    assert CasePhoto.objects.count() == 1


def test_the_admin_lists_cases_read_only(world, client):
    case = bring_to(world, S.REPORTED)
    client.force_login(world.admin)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/cases/casecategory/").status_code == 200
    assert client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403


def test_merge_without_a_target_is_a_clear_400(world, client):
    case = bring_to(world, S.REPORTED)
    client.force_login(world.zhaolei)
    for into in ("", "x", str(case.pk)):
        assert client.post(f"/console/cases/{case.pk}/merge/", {"into": into}).status_code == 400
    assert Case.objects.get(pk=case.pk).status == S.REPORTED
