"""The demo's attendance: past sessions with confirmed sign-ups get attendance and the volunteers get
service records, the same for the same seed, and a second run adds nothing."""

from jusha.activities.models import SignUp
from jusha.attendance.demo import seed_attendance
from jusha.attendance.models import Attendance, ServiceRecord
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up


def test_past_sessions_get_attendance_and_hours_once(world, clock):
    clock.current = at(2026, 4, 1, 8, 0)
    activity = make_activity(world)
    past = [make_session(activity, starts_at=at(2026, 4, day, 9, 0)) for day in range(1, 21)]
    future = make_session(activity, starts_at=at(2026, 6, 1, 9, 0))
    people = [world.wangfang, world.zhangwei, world.lina, world.liuyang]
    make_volunteer(world, world.wangfang)
    make_volunteer(world, world.lina, number="V0002")
    for session in [*past, future]:
        for person in people:
            sign_up(session, person, role=SignUp.Role.VOLUNTEER if person in (world.wangfang, world.lina)
                    else SignUp.Role.PARTICIPANT)
    clock.current = at(2026, 5, 1, 12, 0)

    added = seed_attendance(world.subdistrict)

    assert added == 20 * 4
    assert not Attendance.objects.filter(session=future).exists()
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert statuses == {"present", "absent"}
    records = ServiceRecord.objects.all()
    assert records.count() == Attendance.objects.filter(status="present", signup__role="volunteer").count()
    assert {r.status for r in records} == {"verified", "pending"}
    assert all(0 <= r.hours <= 2 for r in records)
    assert not ServiceRecord.objects.filter(status="verified", attendance__closed_by_rule=True).exists()
    assert seed_attendance(world.subdistrict) == 0


def test_the_demo_pays_attendance_and_verified_hours_by_the_rules_once(world, clock):
    from jusha.attendance.demo import pay_attendance_points
    from jusha.points.models import PointsTransaction
    from tests.points_helpers import assert_books_balance, rule

    clock.current = at(2026, 4, 1, 8, 0)
    rule(world, "hours", 10)
    rule(world, "course", 5)
    activity = make_activity(world)
    sessions = [make_session(activity, starts_at=at(2026, 4, day, 9, 0)) for day in range(1, 11)]
    make_volunteer(world, world.wangfang)
    for session in sessions:
        sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
        sign_up(session, world.zhangwei)
    clock.current = at(2026, 5, 1, 23, 30)
    seed_attendance(world.subdistrict)

    paid = pay_attendance_points(world.subdistrict)

    present = Attendance.objects.filter(status="present").count()
    hours = ServiceRecord.objects.filter(status="verified", hours__gte="0.1")
    assert PointsTransaction.objects.filter(trigger="course").count() == present
    assert PointsTransaction.objects.filter(trigger="hours").count() == hours.count() > 0
    assert paid == present + hours.count()
    assert pay_attendance_points(world.subdistrict) == 0
    assert_books_balance()
