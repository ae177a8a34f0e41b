"""The review workflow of an activity and its sessions: written as a draft by its organiser, reviewed
by subdistrict or community staff before anyone else sees it; sessions one-off or weekly; cancelling
tells everyone signed up."""

from datetime import timedelta

import pytest

from jusha.activities import services, workflow
from jusha.activities.models import Activity, Session, SignUp
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs.models import Need, NeedCategory
from jusha.notifications.models import Message
from tests.activities_helpers import at_start, draft, first_session, local, published, with_sessions

S = Activity.Status


@pytest.fixture(autouse=True)
def start(clock):
    at_start(clock)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_draft_is_submitted_published_and_the_organiser_is_told(world, committed):
    activity = draft(world)
    assert activity.status == S.DRAFT and activity.organiser_kind == "community"
    with_sessions(world, activity)
    services.activity_submit(actor=world.lina, activity=activity)
    with committed():
        services.activity_publish(actor=world.liuyang, activity=activity)
    activity.refresh_from_db()
    assert (activity.status, activity.reviewed_by, activity.published_at) == (S.PUBLISHED, world.liuyang,
                                                                               local("2026-05-06T09:00"))
    message = Message.objects.get(recipient=world.lina, kind="activities.reviewed")
    assert message.context["outcome"] == "published"
    assert list(AuditEntry.objects.filter(target_id=str(activity.pk)).values_list("action", flat=True)
                .order_by("id")) == ["activities.create", "activities.session_add", "activities.submit",
                                     "activities.publish"]


def test_a_returned_activity_is_edited_and_submitted_again(world, committed):
    activity = draft(world)
    with_sessions(world, activity)
    services.activity_submit(actor=world.lina, activity=activity)
    with committed():
        services.activity_reject(actor=world.lina, activity=activity, reason="请写清楚适合人群")
    assert Activity.objects.get(pk=activity.pk).status == S.REJECTED
    assert Message.objects.get(recipient=world.lina, kind="activities.reviewed").context["outcome"] == "returned"
    services.activity_update(actor=world.lina, activity=activity, min_age=50, description="适合50岁以上")
    services.activity_submit(actor=world.lina, activity=activity)
    assert Activity.objects.get(pk=activity.pk).min_age == 50


def test_an_activity_without_a_future_session_cannot_be_submitted(world):
    activity = draft(world)
    with pytest.raises(DomainError) as refused:
        services.activity_submit(actor=world.lina, activity=activity)
    assert refused.value.code == "no_sessions"


def test_a_published_activity_is_not_edited_and_a_submitted_one_is_not_published_twice(world):
    activity = published(world)
    with pytest.raises(DomainError) as refused:
        services.activity_update(actor=world.lina, activity=activity, title="改名")
    assert refused.value.code == "invalid_transition"
    with pytest.raises(DomainError) as refused:
        services.activity_publish(actor=world.liuyang, activity=activity)
    assert refused.value.code == "invalid_transition"


def test_only_reviewers_of_the_place_publish(world):
    activity = draft(world)
    with_sessions(world, activity)
    services.activity_submit(actor=world.lina, activity=activity)
    for outsider in (world.chenjing, world.zhengli, world.wangfang, world.zhaolei):
        with pytest.raises(NotAllowed):
            services.activity_publish(actor=outsider, activity=activity)
    assert Activity.objects.get(pk=activity.pk).status == S.SUBMITTED


def test_a_unit_liaison_organises_for_their_own_unit_only(world):
    activity = draft(world, actor=world.zhengli, organiser=world.hospital, kind=Activity.Kind.LECTURE,
                     title="健康讲座", host=world.zhige)
    assert (activity.organiser_kind, activity.member_unit, activity.community) == ("unit", world.hospital, world.zhige)
    with pytest.raises(DomainError) as refused:
        draft(world, actor=world.zhengli, organiser=world.school)
    assert refused.value.code == "not_your_organisation"
    with pytest.raises(DomainError) as refused:
        draft(world, actor=world.lina, organiser=world.yanlan)
    assert refused.value.code == "not_your_organisation"


@pytest.mark.parametrize(("fields", "code"), [
    ({"title": " "}, "required"),
    ({"seats": 0}, "out_of_range"),
    ({"kind": "party"}, "invalid_choice"),
    ({"min_age": 10, "max_age": 6}, "age_range"),
    ({"lng": 500.0, "lat": 30.0}, "invalid_location"),
    ({"lng": None, "lat": None, "geofence_m": 100}, "geofence_without_point"),
    ({"signup_opens_at": local("2026-05-08T00:00"), "signup_closes_at": local("2026-05-07T00:00")}, "window_order"),
])
def test_bad_input_is_refused_and_nothing_is_written(world, fields, code):
    with pytest.raises(DomainError) as refused:
        draft(world, **fields)
    assert refused.value.code == code
    assert not Activity.objects.exists()


def test_a_weekly_course_gets_six_sessions_at_the_same_local_time(world):
    activity = draft(world)
    sessions = services.session_add(actor=world.lina, activity=activity, starts_at=local("2026-05-09T19:00"),
                                    ends_at=local("2026-05-09T20:30"), weeks=6, seats=12)
    assert [s.seq for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert [s.starts_at for s in sessions] == [local("2026-05-09T19:00") + timedelta(weeks=w) for w in range(6)]
    assert {s.seats for s in sessions} == {12}
    more = services.session_add(actor=world.lina, activity=activity, starts_at=local("2026-06-20T19:00"),
                                ends_at=local("2026-06-20T20:30"))
    assert more[0].seq == 7


def test_a_session_may_end_after_midnight_but_not_before_it_starts(world):
    activity = draft(world, kind=Activity.Kind.VOLUNTEER_SERVICE, title="跨年夜巡")
    [night] = services.session_add(actor=world.lina, activity=activity, starts_at=local("2026-05-09T22:00"),
                                   ends_at=local("2026-05-10T01:00"))
    assert night.ends_at - night.starts_at == timedelta(hours=3)
    for starts, ends, code in [("2026-05-09T22:00", "2026-05-09T21:00", "ends_before_start"),
                               ("2026-05-01T09:00", "2026-05-01T10:00", "in_the_past"),
                               ("2026-05-09T09:00", "2026-05-10T10:00", "too_long")]:
        with pytest.raises(DomainError) as refused:
            services.session_add(actor=world.lina, activity=activity, starts_at=local(starts), ends_at=local(ends))
        assert refused.value.code == code


def test_cancelling_an_activity_ends_every_sign_up_and_tells_the_people(world, committed):
    activity = published(world, weeks=2)
    session = first_session(activity)
    services.signup_create(actor=world.wangfang, session=session)
    services.signup_create(actor=world.zhangwei, session=session)
    with committed():
        services.activity_cancel(actor=world.lina, activity=activity, reason="场地维修")
    assert Activity.objects.get(pk=activity.pk).status == S.CANCELLED
    assert set(Session.objects.filter(activity=activity).values_list("status", flat=True)) == {"cancelled"}
    assert set(SignUp.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Session.objects.get(pk=session.pk).confirmed_count == 0
    for person in (world.wangfang, world.zhangwei):
        assert Message.objects.filter(recipient=person, kind="activities.cancelled").count() == 1
    with pytest.raises(DomainError) as refused:
        services.activity_cancel(actor=world.lina, activity=activity, reason="again")
    assert refused.value.code == "invalid_transition"


def test_cancelling_one_session_tells_only_its_people(world, committed):
    activity = published(world, weeks=2, signup_scope="session")
    one, two = activity.sessions.order_by("seq")
    services.signup_create(actor=world.wangfang, session=one)
    services.signup_create(actor=world.zhangwei, session=two)
    with committed():
        services.session_cancel(actor=world.lina, session=one, reason="老师生病")
    assert Message.objects.filter(kind="activities.cancelled").get().recipient == world.wangfang
    assert SignUp.objects.get(person=world.zhangwei).status == "confirmed"


def test_a_course_is_built_from_common_needs_and_the_needs_are_linked_unchanged(world):
    category = NeedCategory.objects.create(code="culture", name="文体", name_en="culture")
    needs = [Need.objects.create(resident=world.wangfang, community=world.zhige, category=category,
                                 text=f"想学太极{i}", status=Need.Status.ACCEPTED,
                                 submitted_at=local("2026-05-01T09:00"))
             for i in range(3)]
    other = Need.objects.create(resident=world.zhangwei, community=world.yanlan, category=category, text="滟澜的",
                                submitted_at=local("2026-05-01T09:00"))
    activity = draft(world, needs=[n.pk for n in needs])
    assert set(activity.needs.all()) == set(needs)
    assert {n.status for n in Need.objects.filter(pk__in=[n.pk for n in needs])} == {"accepted"}
    assert list(needs[0].activities.all()) == [activity]
    with pytest.raises(DomainError) as refused:
        draft(world, needs=[other.pk])
    assert refused.value.code == "invalid_need"


def test_the_table_allows_cancelling_from_every_live_status():
    assert {s for (s, step) in workflow.TRANSITIONS if step == workflow.Step.CANCEL} == \
        {S.DRAFT, S.SUBMITTED, S.REJECTED, S.PUBLISHED}
