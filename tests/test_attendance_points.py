"""Attendance pays points through the ledger, inside the attendance services' transactions: verified
hours pay the "hours" rule, a correction of verified hours posts only the difference (never below a
zero balance), and being present at an activity pays its kind's rule once per attendance."""

from decimal import Decimal

import pytest

from jusha.activities.models import Activity, SignUp
from jusha.attendance import services
from jusha.attendance.models import Attendance, CorrectionRequest, ServiceRecord
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError
from jusha.places.models import Subdistrict
from jusha.points import services as points_services
from jusha.points.models import PointsRule, PointsTransaction, Trigger
from jusha.points.services import points_award_for, points_award_revise
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up, token
from tests.points_helpers import assert_books_balance, balance, give, reward, rule

D = Decimal
K = PointsTransaction.Kind


@pytest.fixture
def done(world, clock):
    """A finished two-hour tai chi session of 智格 (a course); 王芳 volunteered, 张伟 took part. Rules: 10
    points a verified hour, 5 a course session attended."""
    clock.current = at(2026, 5, 1, 8, 0)
    rule(world, Trigger.HOURS, 10)
    rule(world, Trigger.COURSE, 5)
    activity = make_activity(world)
    session = make_session(activity, starts_at=at(2026, 5, 1, 9, 0))
    make_volunteer(world, world.wangfang)
    volunteer = sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
    participant = sign_up(session, world.zhangwei)
    clock.current = at(2026, 5, 1, 12, 0)
    return session, volunteer, participant


def hours_paid(person) -> int:
    moved = PointsTransaction.objects.filter(person=person, trigger=Trigger.HOURS)
    return sum(m.signed_amount for m in moved)


def verified_record(world, volunteer) -> ServiceRecord:
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    record = ServiceRecord.objects.get(attendance__signup=volunteer)
    return services.service_record_verify(actor=world.lina, record=record)


# --- (a) verified hours --------------------------------------------------------------------------------

def test_verifying_hours_pays_the_hours_rule_for_the_record(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    award = PointsTransaction.objects.get(person=world.wangfang, trigger=Trigger.HOURS)
    assert (award.kind, award.amount, award.source_id, award.actor) == (K.AWARD, 20, str(record.pk), world.lina)
    assert award.source_type.model == "servicerecord"
    assert_books_balance()


def test_verifying_twice_pays_once(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    with pytest.raises(DomainError) as caught:
        services.service_record_verify(actor=world.lina, record=record)
    assert caught.value.code == "already_verified"
    assert hours_paid(world.wangfang) == 20


def test_pending_hours_pay_nothing_until_verified(world, done):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    record = ServiceRecord.objects.get(attendance__signup=volunteer)
    services.service_record_correct(actor=world.lina, record=record, hours="1.5", reason="晚到半小时")
    assert hours_paid(world.wangfang) == 0
    services.service_record_verify(actor=world.lina, record=record)
    assert hours_paid(world.wangfang) == 15


def test_the_rule_of_the_activitys_subdistrict_pays(world, done):
    """An attendance or service record pays by its activity's subdistrict's rule, not the person's."""
    session, volunteer, _ = done
    record = verified_record(world, volunteer)
    other = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    PointsRule.objects.create(subdistrict=other, trigger=Trigger.VOLUNTEER_SERVICE, points=30, updated_by=world.lina,
                              updated_at=record.verified_at)
    Activity.objects.filter(pk=session.activity_id).update(subdistrict=other, community=None,
                                                           organiser_kind="subdistrict")
    record = ServiceRecord.objects.select_related("session__activity").get(pk=record.pk)
    award = points_award_for(actor=None, person=world.wangfang, trigger=Trigger.VOLUNTEER_SERVICE, source=record)
    assert award.amount == 30
    attendance = Attendance.objects.select_related("session__activity").get(signup=volunteer)
    assert points_award_for(actor=None, person=world.wangfang, trigger=Trigger.VOLUNTEER_SERVICE,
                            source=attendance).amount == 30


# --- (b) corrections of verified hours --------------------------------------------------------------------

def test_correcting_verified_hours_posts_only_the_difference(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    services.service_record_correct(actor=world.lina, record=record, hours="1.5", reason="早退半小时")
    assert hours_paid(world.wangfang) == 15
    deduction = PointsTransaction.objects.get(person=world.wangfang, kind=K.DEDUCTION)
    assert (deduction.amount, deduction.trigger, deduction.source_id, deduction.is_revision) == (
        5, Trigger.HOURS, str(record.pk), True)
    services.service_record_correct(actor=world.lina, record=record, hours="2", reason="核实后恢复")
    assert hours_paid(world.wangfang) == 20
    assert balance(world.wangfang) == 20 + 5  # and the course session she was present at
    assert AuditEntry.objects.filter(action="points.award_revise").count() == 2
    assert_books_balance()


def test_an_accepted_correction_request_revises_the_points(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    request = services.correction_request(actor=world.wangfang, record=record, hours="1", reason="只服务了一小时")
    services.correction_accept(actor=world.lina, correction=request)
    assert CorrectionRequest.objects.get(pk=request.pk).status == "accepted"
    assert hours_paid(world.wangfang) == 10 and balance(world.wangfang) == 10 + 5


def test_a_rejected_correction_request_changes_no_points(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    request = services.correction_request(actor=world.wangfang, record=record, hours="1", reason="只服务了一小时")
    services.correction_reject(actor=world.lina, correction=request, reason="签到记录完整")
    assert hours_paid(world.wangfang) == 20


def test_a_decrease_takes_only_what_the_balance_allows_and_says_so(world, done):
    """王芳 earned 20 for her hours and 5 for being there, and spent 20; her hours drop to 0: the 5 left
    are taken back, the other 15 are noted."""
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    points_services.redemption_create(actor=world.wangfang, reward=reward(world, cost=20))
    services.service_record_correct(actor=world.lina, record=record, hours="0", reason="当天未到岗")
    assert balance(world.wangfang) == 0
    deduction = PointsTransaction.objects.get(person=world.wangfang, kind=K.DEDUCTION)
    assert deduction.amount == 5 and "15" in deduction.reason
    entry = AuditEntry.objects.get(action="points.award_revise")
    assert entry.after["not_taken_back"] == 15 and entry.after["posted"] == -5
    assert_books_balance()
    # Nothing left to take: a further decrease is a no-op on the ledger, and never goes below zero.
    services.service_record_correct(actor=world.lina, record=record, hours="0.25", reason="补记一刻钟")
    assert balance(world.wangfang) == 0 and hours_paid(world.wangfang) == 15
    assert_books_balance()


def test_revising_to_the_same_amount_posts_nothing(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    assert points_award_revise(actor=world.lina, person=world.wangfang, trigger=Trigger.HOURS, quantity=D("2"),
                               source=record) is None
    assert PointsTransaction.objects.filter(person=world.wangfang).count() == 2  # the hours and the course


def test_without_an_active_rule_a_revision_takes_nothing_back(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    rule(world, Trigger.HOURS, 10, is_active=False)
    services.service_record_correct(actor=world.lina, record=record, hours="1", reason="早退一小时")
    assert hours_paid(world.wangfang) == 20


def test_a_revision_refuses_an_unknown_trigger_or_a_bad_quantity(world, done):
    _, volunteer, _ = done
    record = verified_record(world, volunteer)
    for trigger, quantity in ((Trigger.BONUS, 1), ("nope", 1), (Trigger.HOURS, "-1"), (Trigger.HOURS, "x")):
        with pytest.raises(DomainError):
            points_award_revise(actor=world.lina, person=world.wangfang, trigger=trigger, quantity=quantity,
                                source=record)
    assert hours_paid(world.wangfang) == 20


# --- (c) attending an activity --------------------------------------------------------------------------

def course_paid(person) -> int:
    return sum(m.signed_amount for m in PointsTransaction.objects.filter(person=person, trigger=Trigger.COURSE))


def test_checking_in_pays_the_course_rule_once(world, clock, done):
    session, _, participant = done
    clock.current = at(2026, 5, 1, 8, 55)
    attendance = services.attendance_check_in(actor=world.zhangwei, session=session, token=token(session))
    award = PointsTransaction.objects.get(person=world.zhangwei)
    assert (award.trigger, award.amount, award.source_id) == (Trigger.COURSE, 5, str(attendance.pk))
    assert award.source_type.model == "attendance"
    with pytest.raises(DomainError):
        services.attendance_check_in(actor=world.zhangwei, session=session, token=token(session))
    clock.current = at(2026, 5, 1, 12, 0)
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    assert course_paid(world.zhangwei) == 5
    assert PointsTransaction.objects.filter(person=world.zhangwei).count() == 1
    assert_books_balance()


def test_a_volunteer_present_earns_the_kind_and_later_the_hours(world, done):
    _, volunteer, _ = done
    verified_record(world, volunteer)
    assert course_paid(world.wangfang) == 5 and hours_paid(world.wangfang) == 20


def test_marked_absent_gives_the_points_back_and_present_again_pays_again(world, done):
    _, _, participant = done
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    services.attendance_mark(actor=world.lina, signup=participant, present=False)
    assert course_paid(world.zhangwei) == 0 and balance(world.zhangwei) == 0
    services.attendance_mark(actor=world.lina, signup=participant, present=False)
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    assert course_paid(world.zhangwei) == 5
    assert PointsTransaction.objects.filter(person=world.zhangwei).count() == 3
    assert_books_balance()


def test_marked_absent_without_having_been_present_moves_nothing(world, done):
    _, _, participant = done
    services.attendance_mark(actor=world.lina, signup=participant, present=False)
    assert not PointsTransaction.objects.filter(person=world.zhangwei).exists()


@pytest.mark.parametrize(("kind", "trigger"), [
    (Activity.Kind.LECTURE, Trigger.LECTURE), (Activity.Kind.COURSE, Trigger.COURSE),
    (Activity.Kind.YOUTH, Trigger.YOUTH_EXPERIENCE), (Activity.Kind.VOLUNTEER_SERVICE, Trigger.VOLUNTEER_SERVICE),
    (Activity.Kind.ALLIANCE, Trigger.ALLIANCE_ACTIVITY)])
def test_each_kind_of_activity_pays_its_own_trigger(world, clock, kind, trigger):
    clock.current = at(2026, 5, 1, 8, 0)
    rule(world, trigger, 3)
    activity = make_activity(world)
    Activity.objects.filter(pk=activity.pk).update(kind=kind)
    session = make_session(activity, starts_at=at(2026, 5, 1, 9, 0))
    signup = sign_up(session, world.zhangwei)
    clock.current = at(2026, 5, 1, 12, 0)
    services.attendance_mark(actor=world.lina, signup=signup, present=True)
    award = PointsTransaction.objects.get(person=world.zhangwei)
    assert (award.trigger, award.amount) == (trigger, 3)
    assert award.source_id == str(Attendance.objects.get(signup=signup).pk)


def test_no_rule_for_the_kind_pays_nothing(world, clock, done):
    session, _, _ = done
    clock.current = at(2026, 5, 1, 8, 55)
    rule(world, Trigger.COURSE, 5, is_active=False)
    services.attendance_check_in(actor=world.zhangwei, session=session, token=token(session))
    assert not PointsTransaction.objects.filter(person=world.zhangwei).exists()


def test_a_manual_award_is_untouched_by_revisions(world, done):
    _, volunteer, _ = done
    give(world, world.wangfang, 7)
    record = verified_record(world, volunteer)
    services.service_record_correct(actor=world.lina, record=record, hours="0", reason="当天未到岗")
    assert balance(world.wangfang) == 7 + 5
