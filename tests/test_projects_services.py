"""Planning service projects, the yearly ten items, the workflow and progress through the services.

In one sentence: 刘洋 (subdistrict staff of 下沙) plans the year's five required and five optional
items, and a sixth of a kind is refused — by the service with a clear code, and by the database.
"""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications.models import Message
from jusha.projects import services
from jusha.projects.models import ProgressQuantity, ProjectProgress, ProjectTarget, ServiceProject
from jusha.projects.selectors import project_detail, project_percent
from tests.needs_helpers import png_bytes, upload
from tests.projects_helpers import YEAR, K, plan, started, target

S = ServiceProject.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mid_year(clock):
    clock.current = timezone.make_aware(datetime(YEAR, 6, 15, 10, 0))
    return clock


def refused(code, fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- the ten items of a year ---------------------------------------------------------------------

def test_a_year_takes_five_required_items_and_refuses_a_sixth(world):
    for n in range(1, 6):
        plan(world, number=n)
    before = ServiceProject.objects.count()
    error = refused("items_full", plan, world, number=3)
    assert error.field == "number"
    refused("invalid_item_number", plan, world, number=6)
    assert ServiceProject.objects.count() == before == 5
    plan(world, kind=K.OPTIONAL, number=1)  # the optional items are counted apart


def test_an_item_number_taken_is_refused_with_its_own_code(world):
    plan(world, number=2)
    refused("item_number_taken", plan, world, number=2)


def test_the_database_refuses_a_sixth_item_or_a_number_twice(world):
    first = plan(world, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceProject.objects.filter(pk=first.pk).update(number=6)
    second = plan(world, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceProject.objects.filter(pk=second.pk).update(number=1)
    other = plan(world, kind=K.OTHER)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceProject.objects.filter(pk=other.pk).update(number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceProject.objects.filter(pk=first.pk).update(number=None)


def test_a_cancelled_item_gives_its_number_back(world):
    for n in range(1, 6):
        plan(world, number=n)
    services.project_cancel(actor=world.liuyang, project=ServiceProject.objects.get(number=4), reason="经费调整")
    replacement = plan(world, number=4, title="替换项目")
    assert replacement.status == S.PLANNED
    assert ServiceProject.objects.filter(kind=K.REQUIRED, number=4).count() == 2


def test_other_projects_have_no_number_and_no_limit(world):
    for _ in range(7):
        project = plan(world, kind=K.OTHER)
    assert project.number is None


def test_the_service_checks_everything_before_writing(world):
    refused("invalid_year", plan, world, year=1999)
    refused("invalid_kind", plan, world, kind="extra")
    refused("required", plan, world, title="   ")
    refused("too_long", plan, world, title="长" * 101)
    refused("required", plan, world, communities=[])
    refused("invalid_community", plan, world, communities=[999999])
    refused("invalid_unit", plan, world, units=[987654])
    refused("invalid_category", plan, world, categories=[123456])
    refused("invalid_period", plan, world, starts_on=date(YEAR, 5, 1), ends_on=date(YEAR, 4, 1))
    refused("invalid_period", plan, world, starts_on=date(YEAR + 1, 1, 1), ends_on=date(YEAR + 1, 6, 1))
    refused("required", plan, world, targets=[])
    refused("invalid_quantity", plan, world, targets=[target(quantity=0)])
    refused("invalid_measure", plan, world, targets=[target(measure="kilos")])
    refused("too_many_targets", plan, world, targets=[target(f"t{i}") for i in range(4)])
    assert ServiceProject.objects.count() == 0 and AuditEntry.objects.filter(action__startswith="projects").count() == 0


def test_an_owner_outside_the_alliance_is_refused(world):
    from jusha.orgs.models import Alliance, MemberUnit
    from jusha.places.models import Subdistrict

    elsewhere = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    stranger = MemberUnit.objects.create(alliance=Alliance.objects.create(subdistrict=elsewhere, name="白杨联盟"),
                                         name="白杨公司", category="enterprise")
    refused("invalid_owner", services.project_create, actor=world.liuyang, alliance=world.alliance, year=YEAR,
            kind=K.OTHER, title="x", owner=stranger.pk, communities=[world.zhige], starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 2, 1), targets=[target()])


def test_only_subdistrict_staff_and_administrators_plan(world):
    for person in (world.lina, world.zhengli, world.zhaolei, world.wangfang):
        with pytest.raises(NotAllowed):
            plan(world, actor=person)
    assert plan(world, actor=world.admin).created_by == world.admin


def test_planning_is_audited(world):
    project = plan(world, units=[world.hospital, world.school])
    entry = AuditEntry.objects.get(action="projects.create")
    assert entry.actor == world.liuyang and entry.subdistrict_id == world.subdistrict.pk
    assert entry.after["units"] == sorted([world.hospital.pk, world.school.pk]) and entry.target_id == str(project.pk)


def test_update_changes_the_plan_and_keeps_targets_with_progress(world, mid_year):
    project = started(world, targets=[target("服务人次", 100), target("活动场次", 10, "sessions")])
    people, sessions = project.targets.all()
    services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 6, 1), quantities={people.pk: 5})
    common = {"actor": world.liuyang, "project": project, "year": YEAR, "kind": K.REQUIRED, "number": 1,
              "title": "新标题", "owner": world.hospital, "communities": [world.zhige, world.yanlan],
              "starts_on": date(YEAR, 1, 1), "ends_on": date(YEAR, 12, 31)}
    refused("target_has_progress", services.project_update, **common, targets=[target("活动场次", 12, "sessions",
                                                                                       id=sessions.pk)])
    services.project_update(**common, targets=[target("服务人次", 120, id=people.pk), target("入户", 30, "households")])
    project.refresh_from_db()
    assert project.title == "新标题" and set(project.communities.all()) == {world.zhige, world.yanlan}
    assert [(t.label, t.quantity) for t in project.targets.order_by("id")] == [("服务人次", 120), ("入户", 30)]
    assert not ProjectTarget.objects.filter(pk=sessions.pk).exists()
    assert AuditEntry.objects.filter(action="projects.update").count() == 1


def test_update_cannot_take_a_number_or_a_target_of_another(world):
    plan(world, number=1)
    second = plan(world, number=2)
    other = plan(world, kind=K.OTHER)
    common = {"actor": world.liuyang, "project": second, "year": YEAR, "kind": K.REQUIRED, "title": "x",
              "communities": [world.zhige], "starts_on": date(YEAR, 1, 1), "ends_on": date(YEAR, 12, 31)}
    refused("item_number_taken", services.project_update, **common, number=1, targets=[target()])
    refused("invalid_target", services.project_update, **common, number=2,
            targets=[target(id=other.targets.get().pk)])


# --- the workflow ------------------------------------------------------------------------------

def test_planned_active_finished(world, mid_year):
    project = plan(world)
    project = services.project_start(actor=world.liuyang, project=project)
    assert project.status == S.ACTIVE and project.started_at == mid_year.current
    project = services.project_finish(actor=world.liuyang, project=project)
    assert project.status == S.FINISHED and project.ended_at == mid_year.current
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="projects.").order_by("id")] == [
        "projects.create", "projects.start", "projects.finish"]


@pytest.mark.parametrize(("steps", "refused_step"), [
    ([], "finish"),
    (["start", "finish"], "start"),
    (["start", "finish"], "cancel"),
    (["cancel"], "start"),
    (["cancel"], "cancel"),
])
def test_transitions_outside_the_table_are_refused(world, steps, refused_step):
    project = plan(world)
    step_fns = {"start": services.project_start, "finish": services.project_finish,
                "cancel": lambda **kw: services.project_cancel(reason="不做了", **kw)}
    for step in steps:
        step_fns[step](actor=world.liuyang, project=project)
    status = ServiceProject.objects.get(pk=project.pk).status
    refused("invalid_transition", step_fns[refused_step], actor=world.liuyang, project=project)
    assert ServiceProject.objects.get(pk=project.pk).status == status


def test_cancelling_needs_a_reason_and_keeps_it(world):
    project = plan(world)
    refused("required", services.project_cancel, actor=world.liuyang, project=project, reason="  ")
    project = services.project_cancel(actor=world.liuyang, project=project, reason="合作单位退出")
    assert (project.status, project.cancel_reason) == (S.CANCELLED, "合作单位退出")


def test_a_finished_project_can_no_longer_be_changed(world):
    project = started(world)
    services.project_finish(actor=world.liuyang, project=project)
    refused("invalid_transition", services.project_update, actor=world.liuyang, project=project, year=YEAR,
            kind=K.REQUIRED, number=1, title="x", communities=[world.zhige], starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 12, 31), targets=[target()])


def test_participants_hear_the_start_and_staff_hear_progress(world, mid_year, django_capture_on_commit_callbacks):
    project = plan(world, owner=None, units=[world.hospital])
    with django_capture_on_commit_callbacks(execute=True):
        services.project_start(actor=world.liuyang, project=project)
    assert list(Message.objects.filter(recipient=world.zhengli).values_list("kind", flat=True)) == [
        "projects.started"]
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 6, 1),
                                 quantities={project.targets.get().pk: 3})
    assert list(Message.objects.filter(recipient=world.liuyang).values_list("kind", flat=True)) == [
        "projects.progress"]
    assert Message.objects.get(recipient=world.liuyang).link == f"/console/projects/{project.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.project_cancel(actor=world.liuyang, project=project, reason="暂停")
    assert Message.objects.filter(recipient=world.zhengli, kind="projects.cancelled").count() == 1


# --- progress ------------------------------------------------------------------------------------

def test_progress_adds_up_per_target_and_the_project_is_the_average(world, mid_year):
    project = started(world, targets=[target("服务人次", 200), target("活动场次", 10, "sessions")])
    people, sessions = project.targets.all()
    services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 3, 1),
                             quantities={people.pk: 50, sessions.pk: 2}, note="第一次义诊")
    services.progress_record(actor=world.liuyang, project=project, on=date(YEAR, 4, 1),
                             quantities={people.pk: 30, sessions.pk: 0})
    services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 5, 1), quantities={sessions.pk: 11})
    detail = project_detail(world.liuyang, project.pk)
    by_label = {t.label: (t.done, t.percent) for t in detail.targets.all()}
    assert by_label == {"服务人次": (80, 40), "活动场次": (13, 100)}  # capped at 100 for the bar
    assert project_percent(detail.targets.all()) == 70
    assert ProgressQuantity.objects.filter(target=sessions).count() == 2  # a zero is not stored
    entries = ProjectProgress.objects.order_by("on")
    assert [e.member_unit for e in entries] == [world.hospital, None, world.hospital]


def test_a_target_without_progress_is_at_zero(world):
    project = plan(world)
    detail = project_detail(world.liuyang, project.pk)
    assert [(t.done, t.percent) for t in detail.targets.all()] == [(0, 0)]


def test_progress_is_refused_when_it_makes_no_sense(world, mid_year):
    planned = plan(world, number=1)
    target_pk = planned.targets.get().pk
    refused("invalid_transition", services.progress_record, actor=world.liuyang, project=planned,
            on=date(YEAR, 6, 1), quantities={target_pk: 1})
    project = started(world, number=2, starts_on=date(YEAR, 3, 1))
    mine = project.targets.get().pk
    record = {"actor": world.zhengli, "project": project}
    refused("invalid_date", services.progress_record, **record, on=date(YEAR, 6, 16), quantities={mine: 1})
    refused("invalid_date", services.progress_record, **record, on=date(YEAR, 2, 28), quantities={mine: 1})
    refused("nothing_recorded", services.progress_record, **record, on=date(YEAR, 6, 1), quantities={mine: 0})
    refused("invalid_quantity", services.progress_record, **record, on=date(YEAR, 6, 1), quantities={mine: -1})
    refused("invalid_target", services.progress_record, **record, on=date(YEAR, 6, 1), quantities={target_pk: 1})
    refused("too_long", services.progress_record, **record, on=date(YEAR, 6, 1), quantities={mine: 1},
            note="很" * 501)
    refused("photo_not_image", services.progress_record, **record, on=date(YEAR, 6, 1), quantities={mine: 1},
            photo_files=[upload(b"not a picture", "x.png")])
    assert ProjectProgress.objects.count() == 0


def test_progress_photos_are_cleaned_and_kept(world, mid_year):
    project = started(world)
    entry = services.progress_record(actor=world.zhengli, project=project, on=date(YEAR, 6, 1),
                                     quantities={project.targets.get().pk: 4},
                                     photo_files=[upload(png_bytes()), upload(png_bytes((20, 20)))])
    assert entry.photos.count() == 2


def test_only_the_owner_participants_and_subdistrict_staff_record_progress(world, mid_year):
    project = started(world, owner=None, units=[world.school])
    for person in (world.zhengli, world.lina, world.zhaolei, world.wangfang):
        with pytest.raises(NotAllowed):
            services.progress_record(actor=person, project=project, on=date(YEAR, 6, 1),
                                     quantities={project.targets.get().pk: 1})
