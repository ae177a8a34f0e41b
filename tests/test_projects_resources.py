"""Service projects bundle resources: which resources a plan may bundle, and where the link shows.

In one sentence: 刘洋 bundles approved resources of a project's owner or participants (下沙医院's 测血压,
滟澜小学's 作业辅导) and nothing else; a resource retired later stays on the project, marked retired;
李娜 sees the project but not the hospital's resource, so it is listed without a link; 陈静 sees the
school's resource but not the 智格 project, so the resource page does not list it for her.
"""

import re
from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError
from jusha.projects import services
from jusha.projects.models import ServiceProject
from jusha.projects.selectors import project_detail
from jusha.resources import services as resource_services
from jusha.resources.models import Resource
from tests.projects_helpers import YEAR, K, plan, started, target
from tests.resources_helpers import make

R = Resource.Status


@pytest.fixture(autouse=True)
def mid_year(clock):
    clock.current = timezone.make_aware(datetime(YEAR, 6, 15, 10, 0))
    return clock


@pytest.fixture
def offered(world):
    return {
        "bp": make(world, R.APPROVED, title="测血压"),
        "clinic": make(world, R.APPROVED, title="义诊"),
        "submitted": make(world, R.SUBMITTED, title="健康讲座"),
        "homework": make(world, R.APPROVED, unit=world.school, by=world.admin, title="作业辅导",
                         service_area=[world.yanlan]),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def bundled(project) -> set[int]:
    return set(ServiceProject.objects.get(pk=project.pk).resources.values_list("pk", flat=True))


def resource_options(page: str) -> dict[int, bool]:
    """The resources the form's select offers: id → selected."""
    select = re.search(r'<select name="resources".*?</select>', page, re.S).group(0)
    return {int(pk): bool(sel) for pk, sel in re.findall(r'<option value="(\d+)"( selected)?', select)}


def refused_resource(fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == "invalid_resource" and caught.value.field == "resources"


# --- which resources a plan may bundle -------------------------------------------------------------

def test_a_project_bundles_approved_resources_of_its_owner_and_participants(world, offered):
    project = plan(world, units=[world.school], resources=[offered["bp"], offered["homework"].pk])
    assert bundled(project) == {offered["bp"].pk, offered["homework"].pk}
    entry = AuditEntry.objects.get(action="projects.create")
    assert entry.after["resources"] == sorted([offered["bp"].pk, offered["homework"].pk])


@pytest.mark.parametrize("which", ["another_unit", "submitted", "nonexistent", "not_an_id"])
def test_a_resource_the_plan_may_not_bundle_is_refused_and_nothing_is_written(world, offered, which):
    resource = {"another_unit": offered["homework"].pk, "submitted": offered["submitted"].pk,
                "nonexistent": 999999, "not_an_id": "1"}[which]
    refused_resource(plan, world=world, resources=[offered["bp"].pk, resource])
    assert ServiceProject.objects.count() == 0 and not AuditEntry.objects.filter(action="projects.create").exists()

    project = plan(world, resources=[offered["bp"]])
    refused_resource(services.project_update, actor=world.liuyang, project=project, year=YEAR, kind=K.REQUIRED,
                     number=1, title="改了", owner=world.hospital, communities=[world.zhige],
                     starts_on=project.starts_on, ends_on=project.ends_on, targets=[target()],
                     resources=[offered["clinic"].pk, resource])
    project.refresh_from_db()
    assert project.title != "改了" and bundled(project) == {offered["bp"].pk}
    assert not AuditEntry.objects.filter(action="projects.update").exists()


def test_dropping_a_participant_drops_the_right_to_bundle_its_resources(world, offered):
    project = plan(world, units=[world.school], resources=[offered["homework"]])
    refused_resource(services.project_update, actor=world.liuyang, project=project, year=YEAR, kind=K.REQUIRED,
                     number=1, title=project.title, owner=world.hospital, units=[], communities=[world.zhige],
                     starts_on=project.starts_on, ends_on=project.ends_on, targets=[target()],
                     resources=[offered["homework"]])


def _update(world, project, resources):
    return services.project_update(actor=world.liuyang, project=project, year=YEAR, kind=K.REQUIRED, number=1,
                                   title=project.title, owner=world.hospital, communities=[world.zhige],
                                   starts_on=project.starts_on, ends_on=project.ends_on, targets=[target()],
                                   resources=resources)


def test_a_retired_resource_stays_bundled_but_cannot_be_added_anew(world, offered):
    project = started(world, resources=[offered["bp"]])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["bp"])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["clinic"])
    _update(world, project, [offered["bp"].pk])  # the plan is saved again as it was: the history stays
    assert bundled(project) == {offered["bp"].pk}
    refused_resource(_update, world=world, project=project, resources=[offered["bp"].pk, offered["clinic"].pk])
    entry = AuditEntry.objects.filter(action="projects.update").get()
    assert entry.before["resources"] == entry.after["resources"] == [offered["bp"].pk]


# --- the console pages ----------------------------------------------------------------------------

def test_the_form_offers_the_approved_resources_labelled_with_their_unit(client, world, offered):
    page = as_user(client, world.liuyang).get(reverse("projects_console:new")).content.decode()
    assert set(resource_options(page)) == {offered[k].pk for k in ("bp", "clinic", "homework")}
    assert "滟澜小学 · 作业辅导" in page  # names, not labels: they are data


def test_staff_bundle_resources_through_the_form(client, world, offered):
    from tests.test_projects_pages import form_data

    client = as_user(client, world.liuyang)
    response = client.post(reverse("projects_console:new"),
                           form_data(world, resources=[offered["bp"].pk, offered["homework"].pk]))
    assert response.status_code == 302
    project = ServiceProject.objects.get()
    assert bundled(project) == {offered["bp"].pk, offered["homework"].pk}
    bad = client.post(reverse("projects_console:edit", args=[project.pk]),
                      form_data(world, title="改了", resources=[offered["bp"].pk, offered["submitted"].pk]))
    assert bad.status_code == 400 and bundled(project) == {offered["bp"].pk, offered["homework"].pk}


def test_a_retired_resource_is_still_offered_on_the_edit_form_of_a_project_bundling_it(client, world, offered):
    project = plan(world, resources=[offered["bp"]])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["bp"])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["clinic"])
    page = as_user(client, world.liuyang).get(reverse("projects_console:edit", args=[project.pk])).content.decode()
    assert resource_options(page) == {offered["bp"].pk: True, offered["homework"].pk: False}


def test_the_project_page_lists_the_resources_and_links_those_the_viewer_may_see(client, world, offered):
    project = started(world, units=[world.school], resources=[offered["bp"], offered["homework"]])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["bp"])
    url = reverse("projects_console:detail", args=[project.pk])
    page = as_user(client, world.liuyang).get(url).content.decode()
    assert page.count('data-testid="bundled-resource"') == 2
    assert f'data-resource="{offered["bp"].pk}" data-status="retired"' in page
    assert page.count('data-testid="resource-retired"') == 1
    for r in (offered["bp"], offered["homework"]):
        assert f'href="{reverse("resources_console:detail", args=[r.pk])}"' in page
    # 李娜 sees the 智格 project, but neither resource serves 智格: listed, not linked.
    page = as_user(client, world.lina).get(url).content.decode()
    assert page.count('data-testid="bundled-resource"') == 2 and "作业辅导" in page
    assert reverse("resources_console:detail", args=[offered["homework"].pk]) not in page


def test_the_export_has_a_resources_column(client, world, offered):
    started(world, units=[world.school], resources=[offered["bp"], offered["homework"]])
    response = as_user(client, world.liuyang).get(reverse("projects_console:export"), {"year": YEAR})
    sheet = load_workbook(BytesIO(response.content)).active
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert set(row[-1].split("、")) == {"作业辅导（滟澜小学）", "测血压（下沙医院）"}


def test_the_resource_page_lists_only_the_projects_the_viewer_may_see(client, world, offered):
    project = started(world, units=[world.school], resources=[offered["homework"]], title="义诊进社区")
    other = plan(world, kind=K.OPTIONAL, number=1, owner="school", communities=[world.yanlan],
                 resources=[offered["homework"]], title="四点半课堂")
    url = reverse("resources_console:detail", args=[offered["homework"].pk])
    page = as_user(client, world.liuyang).get(url).content.decode()
    assert {f'data-project="{p.pk}"' in page for p in (project, other)} == {True}
    assert reverse("projects_console:detail", args=[project.pk]) in page
    # 陈静 sees the school's resource (it serves 滟澜) and the 滟澜 project, not the one covering only 智格.
    page = as_user(client, world.chenjing).get(url).content.decode()
    assert f'data-project="{other.pk}"' in page and f'data-project="{project.pk}"' not in page
    assert "义诊进社区" not in page


def test_a_resource_bundled_nowhere_shows_no_project_list(client, world, offered):
    page = as_user(client, world.liuyang).get(
        reverse("resources_console:detail", args=[offered["clinic"].pk])).content.decode()
    assert 'data-testid="resource-project"' not in page


# --- the public summary ---------------------------------------------------------------------------

def test_the_public_summary_names_the_resources_and_units_but_no_contact(client, world, offered):
    project = started(world, units=[world.school], resources=[offered["bp"], offered["homework"]])
    resource_services.resource_retire(actor=world.zhengli, resource=offered["bp"])
    client = as_user(client, world.wangfang)
    body = client.get(f"/api/projects/{project.pk}").json()
    assert {(r["title"], r["unit"], r["kind"], r["retired"]) for r in body["resources"]} == {
        ("作业辅导", "滟澜小学", "service", False), ("测血压", "下沙医院", "service", True)}
    assert all(set(r) == {"title", "unit", "kind", "kind_label", "retired"} for r in body["resources"])
    assert "13900000003" not in str(client.get("/api/projects").json())
    page = client.get(reverse("projects:public")).content.decode()
    assert page.count('data-testid="public-resource"') == 2 and "作业辅导" in page and "13900000003" not in page


def test_the_detail_selector_reads_the_resources_in_a_fixed_number_of_queries(world, offered,
                                                                             django_assert_max_num_queries):
    project = started(world, units=[world.school], resources=[offered["bp"], offered["homework"]])
    with django_assert_max_num_queries(12):
        found = project_detail(world.liuyang, project.pk)
        assert {(r.title, r.member_unit.name) for r in found.resources.all()} == {("作业辅导", "滟澜小学"),
                                                                                 ("测血压", "下沙医院")}
