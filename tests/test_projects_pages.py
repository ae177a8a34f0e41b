"""The service project pages through the test client: the console's 项目清单 (filters, htmx, Excel
export), the year's items, the plan/edit form, one project's page and its decisions, the residents'
H5 page and /api/projects."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jusha.projects import services
from jusha.projects.models import ProjectProgress, ServiceProject
from tests.needs_helpers import category, png_bytes, upload
from tests.projects_helpers import YEAR, K, plan, started, target

S = ServiceProject.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def mid_year(clock):
    clock.current = timezone.make_aware(datetime(YEAR, 6, 15, 10, 0))
    return clock


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(world, **overrides):
    data = {"year": YEAR, "kind": K.REQUIRED, "number": 1, "title": "义诊进社区", "description": "每月一次",
            "categories": [category("health").pk], "owner": world.hospital.pk, "units": [world.school.pk],
            "communities": [world.zhige.pk], "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31",
            "target_label_1": "服务人次", "target_quantity_1": 600, "target_measure_1": "person_times",
            "target_label_2": "", "target_quantity_2": "", "target_measure_2": "person_times"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the list, its filters and the export ------------------------------------------------------

@pytest.fixture
def listed(world):
    return {
        "zhige": started(world, number=1, title="义诊进社区"),
        "yanlan": plan(world, kind=K.OPTIONAL, number=2, owner="school", communities=[world.yanlan],
                       title="四点半课堂", categories=[category("tutoring")]),
        "last_year": plan(world, kind=K.OTHER, year=YEAR - 1, title="旧项目", starts_on=date(YEAR - 1, 3, 1),
                          ends_on=date(YEAR - 1, 9, 1)),
    }


def rows(response) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-testid="project-row" data-project="(\d+)"', response.content.decode())}


def test_the_list_shows_what_the_person_may_see(client, world, listed):
    assert rows(as_user(client, world.liuyang).get(reverse("projects_console:list"))) == {
        p.pk for p in listed.values()}
    assert rows(as_user(client, world.lina).get(reverse("projects_console:list"))) == {
        listed["zhige"].pk, listed["last_year"].pk}


@pytest.mark.parametrize(("query", "expected"), [
    ({"year": YEAR}, {"zhige", "yanlan"}),
    ({"kind": "optional"}, {"yanlan"}),
    ({"status": "active"}, {"zhige"}),
    ({"category": "tutoring"}, {"yanlan"}),
    ({"community": "yanlan"}, {"yanlan"}),
    ({"year": "abc", "kind": "<b>", "status": "9" * 30, "community": "-1"}, {"zhige", "yanlan", "last_year"}),
])
def test_the_filters_narrow_the_list(client, world, listed, query, expected):
    if "category" in query:
        query["category"] = category(query["category"]).pk
    if query.get("community") == "yanlan":
        query["community"] = world.yanlan.pk
    response = as_user(client, world.liuyang).get(reverse("projects_console:list"), query)
    assert response.status_code == 200
    assert rows(response) == {listed[name].pk for name in expected}


def test_the_list_swaps_only_its_results_for_htmx_with_a_fixed_number_of_queries(
        client, world, django_assert_max_num_queries):
    for n in range(1, 6):
        plan(world, number=n, units=[world.school], communities=[world.zhige, world.yanlan])
        plan(world, kind=K.OPTIONAL, number=n)
    client = as_user(client, world.liuyang)
    with django_assert_max_num_queries(20):
        partial = client.get(reverse("projects_console:list"), headers={"HX-Request": "true", "HX-Target": "results"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="results">') and html.count('data-testid="project-row"') == 10
    filtered = client.get(reverse("projects_console:list"), {"kind": "optional"},
                          headers={"HX-Request": "true", "HX-Target": "results"}).content.decode()
    assert f'{reverse("projects_console:export")}?kind=optional' in filtered


def test_the_export_is_exactly_the_filtered_scoped_list(client, world, listed):
    services.progress_record(actor=world.zhengli, project=listed["zhige"], on=date(YEAR, 6, 1),
                             quantities={listed["zhige"].targets.get().pk: 25})
    response = as_user(client, world.liuyang).get(reverse("projects_console:export"), {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(BytesIO(response.content)).active
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3], r[4], r[12]) for r in data] == [
        (YEAR, 1, "义诊进社区", "下沙医院", 25), (YEAR, 2, "四点半课堂", "滟澜小学", 0)]
    assert data[0][6] == "智格社区" and data[0][11].startswith("服务人次 25/100")
    lina = load_workbook(BytesIO(as_user(client, world.lina).get(reverse("projects_console:export")).content)).active
    assert [r[3] for r in lina.iter_rows(min_row=2, values_only=True)] == ["义诊进社区", "旧项目"]


def test_people_without_projects_get_404_on_the_console_pages(client, world, listed):
    for person in (world.wugang, world.zhouqiang):
        client = as_user(client, person)
        for url in (reverse("projects_console:list"), reverse("projects_console:export"),
                    reverse("projects_console:items"), reverse("projects_console:detail", args=[listed["zhige"].pk])):
            assert client.get(url).status_code == 404, (person, url)


# --- the year's items ----------------------------------------------------------------------------

def test_the_items_page_warns_while_the_year_has_fewer_than_five_of_a_kind(client, world):
    for n in range(1, 6):
        plan(world, number=n)
    plan(world, kind=K.OPTIONAL, number=3)
    page = as_user(client, world.liuyang).get(reverse("projects_console:items")).content.decode()
    assert page.count('data-testid="item"') == 6
    assert page.count('data-testid="items-missing"') == 1 and 'data-missing="4"' in page
    # 李娜 sees only the items covering 智格 (here all of them), and no warning: she does not plan the year.
    community = as_user(client, world.lina).get(reverse("projects_console:items")).content.decode()
    assert community.count('data-testid="item"') == 6 and 'data-testid="items-missing"' not in community


def test_the_items_page_shows_progress_bars(client, world):
    project = started(world, targets=[target(quantity=200)])
    services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 6, 1),
                             quantities={project.targets.get().pk: 50})
    page = as_user(client, world.liuyang).get(reverse("projects_console:items"), {"year": YEAR}).content.decode()
    assert '<progress max="100" value="25"' in page
    assert as_user(client, world.liuyang).get(reverse("projects_console:items"), {"year": "x"}).status_code == 200


# --- planning through the form -----------------------------------------------------------------

def test_staff_plan_an_item_through_the_form(client, world):
    response = as_user(client, world.liuyang).post(reverse("projects_console:new"), form_data(world))
    project = ServiceProject.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert (project.kind, project.number, project.owner, project.status) == (K.REQUIRED, 1, world.hospital,
                                                                               S.PLANNED)
    assert [(t.label, t.quantity) for t in project.targets.all()] == [("服务人次", 600)]


def test_the_form_shows_the_sixth_item_refusal(client, world):
    for n in range(1, 6):
        plan(world, number=n)
    response = as_user(client, world.liuyang).post(reverse("projects_console:new"), form_data(world, number=2))
    assert response.status_code == 400 and ServiceProject.objects.count() == 5
    assert response.context["form"].errors["number"]


@pytest.mark.parametrize("bad", [
    {"year": "abc"}, {"year": "1800"}, {"number": "9"}, {"kind": "bogus"}, {"title": ""}, {"title": "长" * 101},
    {"communities": []}, {"communities": ["999999"]}, {"owner": "999999"}, {"starts_on": "not a date"},
    {"ends_on": f"{YEAR - 1}-01-01"}, {"target_label_1": "", "target_quantity_1": ""},
    {"target_quantity_1": "-5"}, {"target_measure_1": "kilos"}, {"units": ["x"]},
])
def test_bad_input_on_the_form_is_a_400_and_changes_nothing(client, world, bad):
    response = as_user(client, world.liuyang).post(reverse("projects_console:new"), form_data(world, **bad))
    assert response.status_code == 400 and ServiceProject.objects.count() == 0


def test_only_planners_reach_the_form(client, world):
    assert as_user(client, world.lina).get(reverse("projects_console:new")).status_code == 404
    assert as_user(client, world.liuyang).get(reverse("projects_console:new"), {"kind": "optional"}).status_code == 200


def test_staff_change_a_project_through_the_form(client, world):
    project = plan(world)
    client = as_user(client, world.liuyang)
    page = client.get(reverse("projects_console:edit", args=[project.pk]))
    assert page.status_code == 200 and "服务人次" in page.content.decode()
    data = form_data(world, title="义诊进社区（扩大）", target_id_1=project.targets.get().pk, target_quantity_1=800,
                     target_label_2="入户", target_quantity_2=50, target_measure_2="households")
    response = client.post(reverse("projects_console:edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "义诊进社区（扩大）"
    assert [(t.label, t.quantity) for t in project.targets.order_by("id")] == [("服务人次", 800), ("入户", 50)]
    assert as_user(client, world.lina).get(reverse("projects_console:edit", args=[project.pk])).status_code == 404


# --- one project's page --------------------------------------------------------------------------

def test_the_page_offers_each_person_only_their_decisions(client, world):
    project = started(world)
    staff = as_user(client, world.liuyang).get(project.get_absolute_url()).content.decode()
    assert 'data-testid="step-finish"' in staff and 'data-testid="step-cancel"' in staff
    assert 'data-testid="step-start"' not in staff and 'data-testid="progress-form"' in staff
    liaison = as_user(client, world.zhengli).get(project.get_absolute_url()).content.decode()
    assert 'data-testid="progress-form"' in liaison and 'data-testid="step-' not in liaison
    community = as_user(client, world.lina).get(project.get_absolute_url()).content.decode()
    assert 'data-testid="progress-form"' not in community and 'data-testid="step-' not in community


def test_start_and_cancel_through_the_page(client, world):
    project = plan(world)
    client = as_user(client, world.liuyang)
    assert client.post(reverse("projects_console:act", args=[project.pk, "start"])).status_code == 302
    response = client.post(reverse("projects_console:act", args=[project.pk, "cancel"]), {"reason": ""})
    assert response.status_code == 400 and 'data-testid="step-error"' in response.content.decode()
    assert client.post(reverse("projects_console:act", args=[project.pk, "start"])).status_code == 400
    assert client.post(reverse("projects_console:act", args=[project.pk, "explode"])).status_code == 404
    assert client.post(reverse("projects_console:act", args=[project.pk, "cancel"]),
                       {"reason": "场地调整"}).status_code == 302
    assert ServiceProject.objects.get(pk=project.pk).status == S.CANCELLED
    assert as_user(client, world.lina).post(reverse("projects_console:act", args=[project.pk, "start"])
                                            ).status_code == 404


def test_a_liaison_records_progress_with_a_photo(client, world):
    project = started(world)
    field = f"quantity_{project.targets.get().pk}"
    client = as_user(client, world.zhengli)
    response = client.post(reverse("projects_console:progress", args=[project.pk]),
                           {"on": f"{YEAR}-06-10", field: "30", "note": "<b>义诊</b>", "photos": upload(png_bytes())})
    assert response.status_code == 302
    entry = ProjectProgress.objects.get()
    assert entry.member_unit == world.hospital and entry.quantities.get().quantity == 30
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-percent="30"' in page and "&lt;b&gt;义诊&lt;/b&gt;" in page
    photo_url = entry.photos.get().get_absolute_url()
    assert client.get(photo_url).status_code == 200
    assert as_user(client, world.chenjing).get(photo_url).status_code == 404


@pytest.mark.parametrize("bad", [
    {"on": "2026-13-01"}, {"on": f"{YEAR}-12-01"}, {"quantity": "0"}, {"quantity": "-3"}, {"quantity": "lots"},
    {"note": "很" * 501}, {"photos": "not-a-file"},
])
def test_bad_progress_is_a_400_and_records_nothing(client, world, bad):
    project = started(world)
    field = f"quantity_{project.targets.get().pk}"
    data = {"on": f"{YEAR}-06-10", field: bad.pop("quantity", "5"), **bad}
    if data.get("photos") == "not-a-file":
        data["photos"] = upload(b"no picture", "x.jpg", "image/jpeg")
    response = as_user(client, world.zhengli).post(reverse("projects_console:progress", args=[project.pk]), data)
    assert response.status_code == 400 and ProjectProgress.objects.count() == 0


def test_progress_by_someone_not_involved_is_a_404(client, world):
    project = started(world, owner="school")
    field = f"quantity_{project.targets.get().pk}"
    response = as_user(client, world.zhengli).post(reverse("projects_console:progress", args=[project.pk]),
                                                   {"on": f"{YEAR}-06-10", field: "5"})
    assert response.status_code == 404 and ProjectProgress.objects.count() == 0


# --- the residents' page and the API ---------------------------------------------------------------

@pytest.fixture
def public_world(world):
    item = started(world, number=1, title="助老服务", targets=[target(quantity=400)])
    services.progress_record(actor=world.zhengli, project=item, on=date(YEAR, 5, 1), note="内部备注",
                             quantities={item.targets.get().pk: 100})
    return {"item": item, "planned_other": plan(world, kind=K.OTHER, title="筹备中的项目"),
            "optional": plan(world, kind=K.OPTIONAL, number=1, title="四点半课堂", owner=None)}


def test_the_services_tab_links_to_the_years_items(client, world):
    page = as_user(client, world.wangfang).get(reverse("web:services")).content.decode()
    assert reverse("projects:public") in page


def test_residents_see_the_years_items_and_their_progress_but_nothing_internal(client, world, public_world):
    page = as_user(client, world.wangfang).get(reverse("projects:public")).content.decode()
    assert page.count('data-testid="public-project"') == 2
    assert "助老服务" in page and "四点半课堂" in page and "筹备中的项目" not in page
    assert '<progress max="100" value="25"' in page and "内部备注" not in page and "郑丽" not in page
    assert "下沙街道" in page  # the subdistrict owns what no unit owns


def test_the_public_page_needs_a_log_in(client, db):
    response = client.get(reverse("projects:public"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_api_lists_the_public_summary(client, world, public_world):
    client = as_user(client, world.zhangwei)
    body = client.get("/api/projects").json()
    assert [p["title"] for p in body] == ["助老服务", "四点半课堂"]
    assert body[0]["targets"] == [{"label": "服务人次", "measure": body[0]["targets"][0]["measure"], "quantity": 400,
                                   "done": 100, "percent": 25}]
    assert body[0]["percent"] == 25 and body[0]["owner"] == "下沙医院" and body[1]["owner"] == "下沙街道"
    assert set(body[0]) >= {"units", "communities", "status", "kind", "number"} and "note" not in str(body)
    assert client.get("/api/projects", {"year": YEAR - 1}).json() == []
    one = client.get(f"/api/projects/{public_world['item'].pk}")
    assert one.status_code == 200 and one.json()["title"] == "助老服务"


def test_the_public_lists_run_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(1, 6):
        started(world, number=n, units=[world.school], communities=[world.zhige, world.yanlan])
        started(world, kind=K.OPTIONAL, number=n)
    client = as_user(client, world.wangfang)
    with django_assert_max_num_queries(15):
        assert len(client.get("/api/projects").json()) == 10
    with django_assert_max_num_queries(15):
        assert client.get(reverse("projects:public")).content.decode().count('data-testid="public-project"') == 10


def test_the_api_hides_what_is_not_public_and_refuses_bad_input(client, world, public_world):
    assert client.get("/api/projects").status_code == 401
    client = as_user(client, world.wangfang)
    assert client.get(f"/api/projects/{public_world['planned_other'].pk}").status_code == 404
    assert client.get("/api/projects/999999").status_code == 404
    assert client.get("/api/projects", {"year": "abc"}).status_code == 422
    assert client.get("/api/projects/0").status_code == 422
    assert client.get("/api/projects", {"year": 1900}).json()["code"] == "invalid"
