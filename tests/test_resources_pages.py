"""The resource pages through the test client: the list (资源清单) with its filters and Excel export,
one resource's page with the review, and the liaison's forms."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jusha.resources.models import Resource
from tests.needs_helpers import category
from tests.resources_helpers import make

S = Resource.Status


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def listed(world):
    return {
        "draft": make(world, S.DRAFT, title="草稿资源"),
        "bp": make(world, S.APPROVED, title="测血压"),
        "hall": make(world, S.SUBMITTED, title="会议室", kind=Resource.Kind.VENUE,
                     categories=[category("culture_sports")], service_area=[world.zhige, world.yanlan]),
        "tutoring": make(world, S.APPROVED, unit=world.school, by=world.admin, title="作业辅导",
                         categories=[category("tutoring")]),
    }


def rows(page: str, listed) -> set[str]:
    by_pk = {str(r.pk): name for name, r in listed.items()}
    return {by_pk[pk] for pk in re.findall(r'data-testid="resource-row" data-id="(\d+)"', page)}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"bp", "hall", "tutoring"}),
    ({"status": "approved"}, {"bp", "tutoring"}),
    ({"kind": "venue"}, {"hall"}),
    ({"community": "yanlan"}, {"hall", "tutoring"}),
    ({"category": "tutoring"}, {"tutoring"}),
    ({"status": "nonsense", "kind": "<b>", "community": "abc", "category": "-1"}, {"bp", "hall", "tutoring"}),
])
def test_the_list_filters_by_community_category_kind_and_status(client, world, listed, query, expected):
    if query.get("community") == "yanlan":
        query = {**query, "community": world.yanlan.pk}
    if query.get("category") == "tutoring":
        query = {**query, "category": category("tutoring").pk}
    page = as_user(client, world.liuyang).get(reverse("resources_console:list"), query).content.decode()
    assert rows(page, listed) == expected


def test_community_staff_list_only_what_serves_their_community(client, world, listed):
    page = as_user(client, world.chenjing).get(reverse("resources_console:list")).content.decode()
    assert rows(page, listed) == {"hall", "tutoring"}


def test_the_filter_swaps_only_the_results_for_htmx(client, world, listed):
    response = as_user(client, world.liuyang).get(reverse("resources_console:list"), {"kind": "venue"},
                                                  HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">') and rows(page, listed) == {"hall"}
    assert "kind=venue" in page  # the export link follows the filter


def test_the_list_runs_a_fixed_number_of_queries(client, world, listed, django_assert_max_num_queries):
    client = as_user(client, world.liuyang)
    client.get(reverse("resources_console:list"))
    for n in range(10):
        make(world, S.SUBMITTED, title=f"更多资源{n}")
    with django_assert_max_num_queries(14):
        client.get(reverse("resources_console:list"))


def test_the_export_is_exactly_the_filtered_scoped_list(client, world, listed):
    response = as_user(client, world.chenjing).get(reverse("resources_console:export"), {"status": "approved"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content)).active
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in data] == [(listed["tutoring"].pk, "作业辅导")]
    assert sheet.max_column == 14


def test_the_export_defuses_formulas(client, world):
    make(world, S.SUBMITTED, title="=HYPERLINK(\"http://evil\")")
    sheet = load_workbook(io.BytesIO(as_user(client, world.liuyang).get(reverse("resources_console:export")).content)
                          ).active
    assert sheet.cell(row=2, column=4).value.startswith("'=")


def test_people_without_resources_get_404(client, world, listed):
    for person in (world.wangfang, world.zhaolei, world.wugang):
        client.force_login(person)
        assert client.get(reverse("resources_console:list")).status_code == 404
        assert client.get(reverse("resources_console:export")).status_code == 404
        assert client.get(reverse("resources_console:detail", args=[listed["bp"].pk])).status_code == 404


def test_a_draft_is_a_404_to_staff(client, world, listed):
    assert as_user(client, world.liuyang).get(reverse("resources_console:detail", args=[listed["draft"].pk])
                                              ).status_code == 404


def test_the_reviewer_approves_and_rejects_from_the_page(client, world, listed):
    client = as_user(client, world.liuyang)
    hall = listed["hall"]
    page = client.get(reverse("resources_console:detail", args=[hall.pk])).content.decode()
    assert 'data-testid="action-approve"' in page and 'data-testid="action-reject"' in page
    response = client.post(reverse("resources_console:act", args=[hall.pk, "reject"]), {"reason": ""})
    assert response.status_code == 400 and 'data-testid="action-error"' in response.content.decode()
    assert Resource.objects.get(pk=hall.pk).status == S.SUBMITTED
    response = client.post(reverse("resources_console:act", args=[hall.pk, "reject"]), {"reason": "请写明面积"})
    assert response.status_code == 302 and Resource.objects.get(pk=hall.pk).status == S.REJECTED
    response = client.post(reverse("resources_console:act", args=[hall.pk, "approve"]))
    assert response.status_code == 400 and Resource.objects.get(pk=hall.pk).status == S.REJECTED


def test_community_staff_see_no_review_buttons_and_cannot_post_them(client, world, listed):
    client = as_user(client, world.lina)
    page = client.get(reverse("resources_console:detail", args=[listed["hall"].pk])).content.decode()
    assert 'data-testid="action-' not in page
    assert client.post(reverse("resources_console:act", args=[listed["hall"].pk, "approve"])).status_code == 404
    assert client.post(reverse("resources_console:act", args=[listed["hall"].pk, "explode"])).status_code == 404


def form_data(world, **overrides):
    data = {"unit": world.hospital.pk, "kind": "service", "title": "上门理疗", "description": "康复科护士上门",
            "categories": [category("health").pk, category("elderly_disabled").pk], "capacity": "10",
            "capacity_period": "week", "weekdays": ["0", "2"], "time_from": "14:00", "time_until": "17:00",
            "contact_name": "郑丽", "contact_mobile": "139 0000 0003", "crs": "wgs84"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_liaison_creates_edits_and_submits_from_the_pages(client, world):
    client = as_user(client, world.zhengli)
    assert client.get(reverse("resources_console:mine")).status_code == 200
    assert client.get(reverse("resources_console:new")).status_code == 200
    response = client.post(reverse("resources_console:new"), form_data(world))
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert (resource.status, resource.capacity, resource.contact_mobile) == (S.DRAFT, 10, "13900000003")
    assert resource.availability == [{"weekday": 0, "start": "14:00", "end": "17:00"},
                                     {"weekday": 2, "start": "14:00", "end": "17:00"}]
    assert list(resource.service_area.all()) == [world.zhige]
    page = client.get(reverse("resources_console:edit", args=[resource.pk])).content.decode()
    assert 'value="14:00"' in page and "上门理疗" in page
    response = client.post(reverse("resources_console:edit", args=[resource.pk]),
                           form_data(world, title="上门理疗（周一、三）", service_area=[world.yanlan.pk]))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "上门理疗（周一、三）" and list(resource.service_area.all()) == [world.yanlan]
    response = client.post(reverse("resources_console:act", args=[resource.pk, "submit"]))
    assert response.status_code == 302 and Resource.objects.get(pk=resource.pk).status == S.SUBMITTED
    page = client.get(reverse("resources_console:mine")).content.decode()
    assert f'data-id="{resource.pk}"' in page


@pytest.mark.parametrize("overrides", [
    {"title": ""},
    {"title": "x" * 200},
    {"categories": []},
    {"categories": ["999999"]},
    {"capacity": "-3"},
    {"capacity": "lots"},
    {"weekdays": ["0"], "time_from": None},
    {"weekdays": ["9"]},
    {"contact_mobile": "123"},
    {"lng": "120.3", "lat": None},
    {"lng": "abc", "lat": "30"},
    {"unit": "school"},
    {"service_area": ["999999"]},
    {"kind": "spaceship"},
])
def test_bad_form_input_is_shown_on_the_form_and_saves_nothing(client, world, overrides):
    if overrides.get("unit") == "school":
        overrides = {**overrides, "unit": world.school.pk}
    response = as_user(client, world.zhengli).post(reverse("resources_console:new"), form_data(world, **overrides))
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not Resource.objects.exists()


def test_text_is_escaped(client, world):
    resource = make(world, S.SUBMITTED, title="<script>alert(1)</script>", description="<img src=x>")
    page = as_user(client, world.liuyang).get(reverse("resources_console:detail", args=[resource.pk])
                                              ).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "<img src=x>" not in page


def test_only_liaisons_may_add_and_no_one_edits_another_units_resource(client, world, listed):
    assert as_user(client, world.liuyang).get(reverse("resources_console:new")).status_code == 404
    assert client.get(reverse("resources_console:edit", args=[listed["bp"].pk])).status_code == 404
    assert as_user(client, world.zhengli).get(reverse("resources_console:edit", args=[listed["tutoring"].pk])
                                              ).status_code == 404


def test_the_navigation_links_the_resource_pages(client, world):
    staff = as_user(client, world.lina).get(reverse("console:home")).content.decode()
    assert reverse("resources_console:list") in staff and reverse("resources_console:mine") not in staff
    liaison = as_user(client, world.zhengli).get(reverse("console:home")).content.decode()
    assert reverse("resources_console:mine") in liaison


def test_the_admin_lists_resources_read_only(client, world, listed):
    client.force_login(world.admin)
    page = client.get(reverse("admin:resources_resource_changelist")).content.decode()
    assert "测血压" in page
    assert client.get(reverse("admin:resources_resource_add")).status_code == 403
