"""Signing up: seats first come first served, then a waiting list in arrival order that moves up by
itself when someone cancels (who is told); refusals outside the window, after the cancellation
deadline, twice, outside the audience, and for two places at the same time; a course booked as a
whole; volunteers in slots by skill; the reminder sent once."""

from datetime import date, timedelta

import pytest

from jusha.activities import services
from jusha.activities.models import Activity, Session, SignUp
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications.models import Message
from jusha.volunteers.models import Volunteer
from tests.activities_helpers import at_start, draft, first_session, local, published, residents, statuses

C, W, X = SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED, SignUp.Status.CANCELLED


@pytest.fixture(autouse=True)
def start(clock):
    at_start(clock)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def refused(code: str, fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_seats_are_confirmed_first_come_then_people_wait_in_arrival_order(world):
    session = first_session(published(world, seats=2))
    people = residents(world, 4)
    for p in people:
        services.signup_create(actor=p, session=session)
    assert statuses(session) == [("居民000", C, 1), ("居民001", C, 2), ("居民002", W, 3), ("居民003", W, 4)]
    assert Session.objects.get(pk=session.pk).confirmed_count == 2


def test_a_cancelled_seat_goes_to_the_first_waiting_person_who_is_told(world, committed):
    session = first_session(published(world, seats=2))
    people = residents(world, 4)
    made = [services.signup_create(actor=p, session=session)[0] for p in people]
    with committed():
        services.signup_cancel(actor=people[0], signup=made[0])
    assert statuses(session) == [("居民000", X, 1), ("居民001", C, 2), ("居民002", C, 3), ("居民003", W, 4)]
    promoted = SignUp.objects.get(pk=made[2].pk)
    assert promoted.promoted_at == local("2026-05-06T09:00")
    assert Message.objects.filter(recipient=people[2], kind="activities.promoted").count() == 1
    assert not Message.objects.filter(recipient=people[3]).exists()
    assert Session.objects.get(pk=session.pk).confirmed_count == 2
    # Leaving the waiting list frees no seat and promotes nobody.
    services.signup_cancel(actor=people[3], signup=made[3])
    assert Session.objects.get(pk=session.pk).confirmed_count == 2


def test_someone_who_cancelled_may_sign_up_again_at_the_back(world):
    session = first_session(published(world, seats=1))
    a, b = residents(world, 2)
    [mine] = services.signup_create(actor=a, session=session)
    services.signup_create(actor=b, session=session)
    services.signup_cancel(actor=a, signup=mine)
    [again] = services.signup_create(actor=a, session=session)
    assert (again.status, again.position) == (W, 3)


def test_more_seats_promote_the_waiting_list(world, committed):
    session = first_session(published(world, seats=1))
    people = residents(world, 3)
    for p in people:
        services.signup_create(actor=p, session=session)
    with committed():
        services.session_set_seats(actor=world.lina, session=session, seats=2)
    assert [s[1] for s in statuses(session)] == [C, C, W]
    refused("below_confirmed", services.session_set_seats, actor=world.lina, session=session, seats=1)


def test_signing_up_twice_is_refused(world):
    session = first_session(published(world))
    services.signup_create(actor=world.wangfang, session=session)
    refused("already_signed_up", services.signup_create, actor=world.wangfang, session=session)
    assert SignUp.objects.count() == 1


def test_two_places_at_the_same_time_are_refused_with_the_other_activity_named(world):
    first = first_session(published(world, first=local("2026-05-09T09:00"), hours=2))
    other = first_session(published(world, title="手机摄影", first=local("2026-05-09T10:30"), hours=1))
    later = first_session(published(world, title="国画", first=local("2026-05-09T11:00"), hours=1))
    services.signup_create(actor=world.wangfang, session=first)
    error = refused("overlap", services.signup_create, actor=world.wangfang, session=other)
    assert "太极拳入门" in str(error.message)
    # Back to back is not an overlap.
    services.signup_create(actor=world.wangfang, session=later)
    assert SignUp.objects.filter(person=world.wangfang).count() == 2


def test_an_overlap_with_a_sign_up_that_ended_is_no_overlap(world):
    first = first_session(published(world, first=local("2026-05-09T09:00"), hours=2))
    other = first_session(published(world, title="手机摄影", first=local("2026-05-09T10:00"), hours=1))
    [mine] = services.signup_create(actor=world.wangfang, session=first)
    services.signup_cancel(actor=world.wangfang, signup=mine)
    services.signup_create(actor=world.wangfang, session=other)


def test_sign_up_outside_the_window_is_refused(world, clock):
    activity = published(world, signup_opens_at=local("2026-05-07T08:00"), signup_closes_at=local("2026-05-08T20:00"))
    session = first_session(activity)
    refused("not_open_yet", services.signup_create, actor=world.wangfang, session=session)
    clock.current = local("2026-05-07T08:00")
    services.signup_create(actor=world.wangfang, session=session)
    clock.current = local("2026-05-08T20:00")
    refused("signup_closed", services.signup_create, actor=world.zhangwei, session=session)


def test_sign_up_closes_when_the_session_starts(world, clock):
    session = first_session(published(world))
    clock.current = session.starts_at
    refused("signup_closed", services.signup_create, actor=world.wangfang, session=session)


def test_cancelling_after_the_deadline_is_refused_and_keeps_the_seat(world, clock):
    session = first_session(published(world, cancel_hours=24))
    [mine] = services.signup_create(actor=world.wangfang, session=session)
    clock.current = session.starts_at - timedelta(hours=24)
    refused("too_late", services.signup_cancel, actor=world.wangfang, signup=mine)
    assert SignUp.objects.get(pk=mine.pk).status == C
    clock.current = session.starts_at - timedelta(hours=25)
    services.signup_cancel(actor=world.wangfang, signup=mine)
    assert SignUp.objects.get(pk=mine.pk).status == X


def test_nobody_cancels_someone_elses_sign_up(world):
    session = first_session(published(world))
    [mine] = services.signup_create(actor=world.wangfang, session=session)
    for other in (world.zhangwei, world.lina, world.admin):
        with pytest.raises(NotAllowed):
            services.signup_cancel(actor=other, signup=mine)


def test_only_published_activities_take_sign_ups(world):
    activity = draft(world)
    [session] = services.session_add(actor=world.lina, activity=activity, starts_at=local("2026-05-09T09:00"),
                                     ends_at=local("2026-05-09T10:00"))
    with pytest.raises(NotAllowed):
        services.signup_create(actor=world.wangfang, session=session)


def test_the_audience_is_checked_by_community_and_age(world):
    session = first_session(published(world, audience_communities=[world.zhige], min_age=6, max_age=12,
                                      kind=Activity.Kind.YOUTH, title="小小银行家"))
    refused("not_in_audience", services.signup_create, actor=world.zhangwei, session=session, age=8)
    refused("required", services.signup_create, actor=world.wangfang, session=session)
    refused("age_out_of_range", services.signup_create, actor=world.wangfang, session=session, age=13)
    [made] = services.signup_create(actor=world.wangfang, session=session, age=8)
    assert made.attendee_age == 8


def test_a_course_is_booked_and_cancelled_as_a_whole(world, clock):
    activity = published(world, weeks=6, seats=1, signup_scope=Activity.SignupScope.COURSE)
    sessions = list(activity.sessions.order_by("seq"))
    booked = services.signup_create(actor=world.wangfang, session=sessions[3])
    assert [s.session.seq for s in booked] == [1, 2, 3, 4, 5, 6]
    assert {s.status for s in booked} == {C} and len({s.course_booking for s in booked}) == 1
    waiting = services.signup_create(actor=world.zhangwei, session=sessions[0])
    assert {s.status for s in waiting} == {W}
    # After the second week, the rest of the course is given back and the next person moves up.
    clock.current = sessions[1].ends_at + timedelta(hours=1)
    ended = services.signup_cancel(actor=world.wangfang, signup=booked[0])
    assert [s.session.seq for s in ended] == [3, 4, 5, 6]
    assert list(SignUp.objects.filter(person=world.wangfang).order_by("session__seq")
                .values_list("status", flat=True)) == [C, C, X, X, X, X]
    assert list(SignUp.objects.filter(person=world.zhangwei).order_by("session__seq")
                .values_list("status", flat=True)) == [W, W, C, C, C, C]


def test_a_course_that_overlaps_one_of_its_weeks_is_refused_as_a_whole(world):
    course = published(world, weeks=6, signup_scope=Activity.SignupScope.COURSE,
                       first=local("2026-05-09T09:00"))
    clash = first_session(published(world, title="讲座", kind=Activity.Kind.LECTURE,
                                    first=local("2026-05-30T09:30"), hours=1))
    services.signup_create(actor=world.wangfang, session=clash)
    refused("overlap", services.signup_create, actor=world.wangfang, session=first_session(course))
    assert SignUp.objects.filter(person=world.wangfang).count() == 1


def _volunteer(world, user, skills):
    return Volunteer.objects.create(user=user, number=f"V{user.pk:05d}", status=Volunteer.Status.APPROVED,
                                    name=user.name, gender=Volunteer.Gender.FEMALE, birth_month=date(1980, 1, 1),
                                    mobile=user.mobile or "13800000000", skills=skills, community=world.zhige,
                                    applied_at=local("2026-01-01T09:00"))


def test_volunteer_slots_take_approved_volunteers_with_the_skill(world):
    activity = draft(world)
    services.session_add(actor=world.lina, activity=activity, starts_at=local("2026-05-09T09:00"),
                         ends_at=local("2026-05-09T10:00"))
    slot = services.volunteer_slot_add(actor=world.lina, activity=activity, skill="medical", count=1)
    services.activity_submit(actor=world.lina, activity=activity)
    services.activity_publish(actor=world.liuyang, activity=activity)
    session = first_session(activity)
    refused("not_a_volunteer", services.signup_create, actor=world.wangfang, session=session, as_volunteer=True)
    _volunteer(world, world.wangfang, ["teaching"])
    refused("skill_mismatch", services.signup_create, actor=world.wangfang, session=session, as_volunteer=True)
    _volunteer(world, world.zhangwei, ["medical"])
    _volunteer(world, world.zhengli, ["medical", "it"])
    [first] = services.signup_create(actor=world.zhangwei, session=session, as_volunteer=True)
    [second] = services.signup_create(actor=world.zhengli, session=session, as_volunteer=True)
    assert (first.slot, first.status, second.status) == (slot, C, W)
    # Volunteers do not take participants' seats.
    assert Session.objects.get(pk=session.pk).confirmed_count == 0
    services.signup_cancel(actor=world.zhangwei, signup=first)
    assert SignUp.objects.get(pk=second.pk).status == C


def test_the_reminder_goes_to_confirmed_people_once(world, clock, settings, committed):
    settings.JUSHA_ACTIVITY_REMIND_HOURS = 24
    session = first_session(published(world, seats=1))
    services.signup_create(actor=world.wangfang, session=session)
    services.signup_create(actor=world.zhangwei, session=session)
    assert services.activities_remind_sweep() == 0
    clock.current = session.starts_at - timedelta(hours=23)
    assert services.activities_remind_sweep() == 1
    assert services.activities_remind_sweep() == 0
    assert Message.objects.filter(kind="activities.reminder").get().recipient == world.wangfang
    assert SignUp.objects.get(person=world.wangfang).reminded_at == clock.current


def test_every_sign_up_and_cancellation_is_audited(world):
    session = first_session(published(world))
    [mine] = services.signup_create(actor=world.wangfang, session=session)
    services.signup_cancel(actor=world.wangfang, signup=mine, reason="有事")
    assert list(AuditEntry.objects.filter(actor=world.wangfang).values_list("action", flat=True)
                .order_by("id")) == ["activities.sign_up", "activities.sign_up_cancel"]
