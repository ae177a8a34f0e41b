"""Service hours per the record rules: actual time from check-in to check-out, clipped to the
session's window (so never more than its length), rounded by the configured step and mode; sessions
that end after midnight count correctly; forgotten check-outs are closed by rule and flagged."""

from decimal import Decimal

import pytest

from jusha.activities.models import SignUp
from jusha.attendance import hours as rules
from jusha.attendance import services
from jusha.attendance.models import Attendance, ServiceRecord
from jusha.audit.models import AuditEntry
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up, token

D = Decimal


# --- the rules alone --------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "step", "rounding", "expected"), [
    (110, 30, "down", D("1.50")),
    (110, 30, "nearest", D("2.00")),
    (104, 30, "nearest", D("1.50")),
    (105, 30, "nearest", D("2.00")),
    (110, 15, "down", D("1.75")),
    (110, 15, "nearest", D("1.75")),
    (113, 15, "nearest", D("2.00")),
    (110, 60, "down", D("1.00")),
    (29, 30, "down", D("0.00")),
])
def test_rounding_modes(minutes, step, rounding, expected):
    assert rules.to_hours(rules.rounded_minutes(minutes, step=step, rounding=rounding)) == expected


def test_the_default_rounds_down_to_the_half_hour(settings):
    settings.JUSHA_SERVICE_HOURS_STEP_MINUTES = 30
    settings.JUSHA_SERVICE_HOURS_ROUNDING = "down"
    assert rules.counted_hours(at(2026, 5, 1, 9, 0), at(2026, 5, 1, 10, 59), at(2026, 5, 1, 9), at(2026, 5, 1, 12)) \
        == D("1.50")


def test_a_session_across_midnight_counts_the_hours_on_both_days():
    start, end = at(2026, 5, 1, 22, 0), at(2026, 5, 2, 2, 0)
    assert rules.counted_hours(at(2026, 5, 1, 22, 0), at(2026, 5, 2, 1, 30), start, end) == D("3.50")
    assert rules.session_hours(start, end) == D("4.00")


def test_a_check_in_before_the_start_counts_from_the_start():
    start, end = at(2026, 5, 1, 9), at(2026, 5, 1, 11)
    assert rules.served_minutes(at(2026, 5, 1, 8, 15), at(2026, 5, 1, 10), start, end) == 60


def test_hours_are_capped_at_the_session_length_even_when_rounding_up():
    start, end = at(2026, 5, 1, 9), at(2026, 5, 1, 10, 40)
    assert rules.counted_hours(at(2026, 5, 1, 8), at(2026, 5, 1, 13), start, end) == D("1.50")
    # 100 minutes rounded to the nearest hour would be 2 h: more than the session's 1 h 40 min.
    assert rules.counted_hours(start, end, start, end, step=60, rounding="nearest") == D("1.67")


def test_a_check_out_before_the_start_counts_nothing():
    start, end = at(2026, 5, 1, 9), at(2026, 5, 1, 11)
    assert rules.counted_hours(at(2026, 5, 1, 8), at(2026, 5, 1, 8, 50), start, end) == D("0.00")


# --- through the services -----------------------------------------------------------------------

@pytest.fixture
def night(world, clock):
    """A night patrol 22:00–02:00 with 王芳 as volunteer and 张伟 as participant."""
    clock.current = at(2026, 5, 1, 21, 0)
    activity = make_activity(world, title="夜间巡逻")
    session = make_session(activity, starts_at=at(2026, 5, 1, 22, 0), hours=4)
    make_volunteer(world, world.wangfang)
    volunteer = sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
    participant = sign_up(session, world.zhangwei)
    return session, volunteer, participant


def scan(actor, session, purpose):
    step = services.attendance_check_in if purpose == "in" else services.attendance_check_out
    return step(actor=actor, session=session, token=token(session, purpose))


def test_a_volunteer_across_midnight_gets_a_pending_record_of_the_hours_served(world, clock, night):
    session, _, _ = night
    clock.current = at(2026, 5, 1, 21, 40)
    scan(world.wangfang, session, "in")
    clock.current = at(2026, 5, 2, 1, 20)
    attendance = scan(world.wangfang, session, "out")
    record = ServiceRecord.objects.get(attendance=attendance)
    assert record.status == "pending" and record.counted_hours == record.hours == D("3.00")
    assert record.volunteer.number == "V0001"


def test_a_participant_is_recorded_present_but_earns_no_hours(world, clock, night):
    session, _, _ = night
    clock.current = at(2026, 5, 1, 22, 5)
    scan(world.zhangwei, session, "in")
    clock.current = at(2026, 5, 2, 0, 5)
    attendance = scan(world.zhangwei, session, "out")
    assert attendance.status == "present" and attendance.checked_out_at == at(2026, 5, 2, 0, 5)
    assert not ServiceRecord.objects.exists()


def test_a_forgotten_check_out_is_closed_at_the_session_end_and_flagged_once(world, clock, night, settings):
    settings.JUSHA_CHECKOUT_RULE = "session_end"
    settings.JUSHA_CHECKOUT_GRACE_MINUTES = 60
    session, _, _ = night
    clock.current = at(2026, 5, 1, 23, 0)
    scan(world.wangfang, session, "in")
    clock.current = at(2026, 5, 2, 2, 30)
    assert services.attendance_close_forgotten() == 0  # still within the grace time
    clock.current = at(2026, 5, 2, 3, 0)
    assert services.attendance_close_forgotten() == 1
    assert services.attendance_close_forgotten() == 0
    attendance = Attendance.objects.get(person=world.wangfang)
    assert attendance.closed_by_rule and attendance.check_out_method == "rule"
    assert attendance.checked_out_at == at(2026, 5, 2, 2, 0)
    assert ServiceRecord.objects.get().hours == D("3.00")
    assert AuditEntry.objects.filter(action="attendance.close_forgotten").count() == 1


def test_the_check_in_rule_closes_without_hours_until_the_organiser_fixes_it(world, clock, night, settings):
    settings.JUSHA_CHECKOUT_RULE = "check_in"
    session, volunteer, _ = night
    clock.current = at(2026, 5, 1, 22, 10)
    scan(world.wangfang, session, "in")
    clock.current = at(2026, 5, 2, 6, 0)
    services.attendance_close_forgotten()
    assert ServiceRecord.objects.get().hours == D("0.00")
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True, checked_in_at=at(2026, 5, 1, 22, 10),
                             checked_out_at=at(2026, 5, 2, 1, 45))
    attendance = Attendance.objects.get(person=world.wangfang)
    assert not attendance.closed_by_rule
    assert ServiceRecord.objects.get().hours == D("3.50")


def test_the_sweep_leaves_finished_and_running_attendance_alone(world, clock, night):
    session, _, _ = night
    clock.current = at(2026, 5, 1, 22, 0)
    scan(world.wangfang, session, "in")
    scan(world.zhangwei, session, "in")
    clock.current = at(2026, 5, 1, 23, 0)
    scan(world.zhangwei, session, "out")
    assert services.attendance_close_forgotten() == 0
    assert Attendance.objects.get(person=world.wangfang).checked_out_at is None
