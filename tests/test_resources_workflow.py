"""The resource workflow: every step from every status, allowed exactly where the transition table says,
with its audit entry and the people told.

The story: 郑丽 (liaison of 下沙医院) describes a blood-pressure service and submits it; 刘洋 (subdistrict
staff) approves it or sends it back; 郑丽 edits and resubmits; it is retired when the unit stops.
"""

import pytest

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications.models import Message
from jusha.resources import services
from jusha.resources.models import Resource
from jusha.resources.workflow import TRANSITIONS, Step
from tests.needs_helpers import category
from tests.resources_helpers import fields, make

S = Resource.Status


def do(world, step: Step, resource: Resource) -> Resource:
    match step:
        case Step.UPDATE:
            return services.resource_update(actor=world.zhengli, resource=resource, **fields(title="上门测血压（新）"))
        case Step.SUBMIT:
            return services.resource_submit(actor=world.zhengli, resource=resource)
        case Step.APPROVE:
            return services.resource_approve(actor=world.liuyang, resource=resource)
        case Step.REJECT:
            return services.resource_reject(actor=world.liuyang, resource=resource, reason="请补充容量")
        case Step.RETIRE:
            return services.resource_retire(actor=world.zhengli, resource=resource)


CASES = [(status, step) for status in S.values for step in Step]


@pytest.mark.parametrize(("status", "step"), CASES)
def test_every_step_from_every_status_follows_the_table(world, status, step):
    resource = make(world, status)
    allowed = (status, step) in TRANSITIONS
    if allowed:
        do(world, step, resource)
        assert Resource.objects.get(pk=resource.pk).status == TRANSITIONS[(status, step)]
    else:
        with pytest.raises(DomainError) as refused:
            do(world, step, resource)
        # A draft is the unit's own: to a reviewer it does not exist yet.
        hidden = status == S.DRAFT and step in (Step.APPROVE, Step.REJECT)
        assert refused.value.code == ("not_found" if hidden else "invalid_transition")
        assert Resource.objects.get(pk=resource.pk).status == status


def test_a_new_resource_is_a_draft_serving_the_units_own_area_by_default(world):
    resource = make(world)
    assert resource.status == S.DRAFT
    assert list(resource.service_area.all()) == [world.zhige]
    assert list(resource.categories.values_list("code", flat=True)) == ["health"]
    entry = AuditEntry.objects.get(action="resources.create")
    assert entry.actor == world.zhengli and entry.subdistrict_id == world.subdistrict.pk
    assert entry.after["title"] == "上门测血压"


def test_the_review_story_tells_the_reviewers_and_then_the_liaison(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resource = make(world)
        services.resource_submit(actor=world.zhengli, resource=resource)
    assert set(Message.objects.filter(kind="resources.submitted").values_list("recipient__username", flat=True)) \
        == {"liuyang"}
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_reject(actor=world.liuyang, resource=resource, reason="请补充服务时间")
    resource.refresh_from_db()
    assert (resource.status, resource.reject_reason, resource.reviewed_by) == (S.REJECTED, "请补充服务时间",
                                                                                world.liuyang)
    rejected = Message.objects.get(kind="resources.rejected")
    assert rejected.recipient == world.zhengli and rejected.context["reason"] == "请补充服务时间"
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(actor=world.zhengli, resource=resource, **fields(description="周二上午 9–12 点"))
        services.resource_submit(actor=world.zhengli, resource=resource)
        services.resource_approve(actor=world.liuyang, resource=resource)
    resource.refresh_from_db()
    assert (resource.status, resource.reject_reason) == (S.APPROVED, "")
    assert Message.objects.filter(kind="resources.submitted").count() == 2
    assert Message.objects.get(kind="resources.approved").recipient == world.zhengli
    assert list(AuditEntry.objects.filter(action__startswith="resources.").order_by("id")
                .values_list("action", flat=True)) == [
        "resources.create", "resources.submit", "resources.reject", "resources.update", "resources.submit",
        "resources.approve"]


def test_editing_an_approved_resource_sends_it_back_for_review(world, django_capture_on_commit_callbacks):
    resource = make(world, S.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(actor=world.zhengli, resource=resource, **fields(capacity=5))
    resource.refresh_from_db()
    assert (resource.status, resource.capacity) == (S.SUBMITTED, 5)
    assert Message.objects.filter(kind="resources.submitted", recipient=world.liuyang).exists()


def test_community_staff_may_not_approve(world):
    resource = make(world, S.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.resource_approve(actor=world.lina, resource=resource)
    assert Resource.objects.get(pk=resource.pk).status == S.SUBMITTED


def test_a_liaison_may_not_approve_their_own_resource(world):
    resource = make(world, S.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.resource_approve(actor=world.zhengli, resource=resource)


def test_reviewers_retire_an_approved_resource_but_never_see_drafts(world):
    approved = make(world, S.APPROVED)
    assert services.resource_retire(actor=world.liuyang, resource=approved).status == S.RETIRED
    with pytest.raises(NotAllowed):
        services.resource_retire(actor=world.liuyang, resource=make(world))


def test_another_units_liaison_cannot_touch_the_resource(world):
    from jusha.accounts.models import Role, RoleAssignment, User

    other = User.objects.create_user(username="school-liaison", name="滟澜老师")
    RoleAssignment.objects.create(user=other, role=Role.UNIT_LIAISON, member_unit=world.school)
    resource = make(world)
    with pytest.raises(NotAllowed):
        services.resource_submit(actor=other, resource=resource)
    with pytest.raises(NotAllowed):
        services.resource_update(actor=other, resource=resource, **fields())
    with pytest.raises(DomainError) as refused:
        services.resource_create(actor=other, unit=world.hospital, **fields())
    assert refused.value.code == "invalid_unit"


def test_a_rejection_needs_a_reason(world):
    resource = make(world, S.SUBMITTED)
    with pytest.raises(DomainError) as refused:
        services.resource_reject(actor=world.liuyang, resource=resource, reason="  ")
    assert (refused.value.code, refused.value.field) == ("required", "reason")
    assert Resource.objects.get(pk=resource.pk).status == S.SUBMITTED


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"title": ""}, "required", "title"),
    ({"title": "长" * 81}, "too_long", "title"),
    ({"kind": "spaceship"}, "invalid_choice", "kind"),
    ({"categories": []}, "required", "categories"),
    ({"categories": [999999]}, "invalid_category", "categories"),
    ({"categories": ["1"]}, "invalid_choice", "categories"),
    ({"capacity": 0}, "invalid_capacity", "capacity"),
    ({"capacity": True}, "invalid_capacity", "capacity"),
    ({"capacity_period": "year"}, "invalid_choice", "capacity_period"),
    ({"availability": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "invalid_availability", "availability"),
    ({"availability": [{"weekday": 1, "start": "12:00", "end": "09:00"}]}, "invalid_availability", "availability"),
    ({"availability": [{"weekday": 1, "start": "9", "end": "10:00"}]}, "invalid_availability", "availability"),
    ({"availability": ["monday"]}, "invalid_availability", "availability"),
    ({"lng": 120.3, "lat": None}, "invalid_location", "location"),
    ({"lng": 500.0, "lat": 30.0}, "invalid_location", "location"),
    ({"lng": 120.3, "lat": 30.3, "crs": "mars"}, "invalid_location", "location"),
    ({"contact_mobile": "12345"}, "invalid_mobile", "contact_mobile"),
    ({"contact_name": ""}, "required", "contact_name"),
    ({"service_area": [999999]}, "invalid_community", "service_area"),
])
def test_bad_input_is_refused_with_a_code_and_writes_nothing(world, overrides, code, field):
    with pytest.raises(DomainError) as refused:
        make(world, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Resource.objects.exists() and not AuditEntry.objects.filter(action__startswith="resources.").exists()


def test_a_place_in_gcj02_is_stored_in_wgs84(world):
    from jusha.places.coords import wgs84_to_gcj02

    lng, lat = wgs84_to_gcj02(120.305, 30.305)
    resource = make(world, lng=lng, lat=lat, crs="gcj02")
    assert resource.lng == pytest.approx(120.305, abs=1e-5) and resource.lat == pytest.approx(30.305, abs=1e-5)


def test_a_chosen_service_area_replaces_the_units_own(world):
    resource = make(world, service_area=[world.zhige, world.yanlan], categories=[category("health"),
                                                                                 category("errands")])
    assert set(resource.service_area.all()) == {world.zhige, world.yanlan}
    assert resource.categories.count() == 2


def test_retiring_needs_a_visible_resource(world):
    with pytest.raises(NotAllowed):
        services.resource_retire(actor=world.zhengli, resource=987654)
