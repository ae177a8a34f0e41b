"""The organiser's side: marking attendance by hand, verifying hours, correcting them with a reason
(audited before and after), and deciding a volunteer's correction request; the volunteer is told
after commit. Every refusal changes nothing."""

from decimal import Decimal

import pytest

from jusha.activities.models import SignUp
from jusha.attendance import services
from jusha.attendance.models import Attendance, CorrectionRequest, ServiceRecord
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications.models import Message
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up

D = Decimal


@pytest.fixture
def done(world, clock):
    """A finished two-hour morning session; 王芳 volunteered, 张伟 took part."""
    clock.current = at(2026, 5, 1, 8, 0)
    activity = make_activity(world)
    session = make_session(activity, starts_at=at(2026, 5, 1, 9, 0))
    make_volunteer(world, world.wangfang)
    volunteer = sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
    participant = sign_up(session, world.zhangwei)
    clock.current = at(2026, 5, 1, 12, 0)
    return session, volunteer, participant


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)
    return run


def record_of(world):
    return ServiceRecord.objects.get(volunteer__user=world.wangfang)


def test_marking_present_by_hand_defaults_to_the_whole_session(world, done):
    session, volunteer, participant = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    attendance = Attendance.objects.get(signup=volunteer)
    assert (attendance.checked_in_at, attendance.checked_out_at) == (session.starts_at, session.ends_at)
    assert attendance.check_in_method == "hand" and attendance.marked_by == world.lina
    assert record_of(world).hours == D("2.00")
    assert ServiceRecord.objects.count() == 1


def test_marking_absent_removes_unverified_hours(world, done):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    services.attendance_mark(actor=world.lina, signup=volunteer, present=False)
    assert Attendance.objects.get(signup=volunteer).status == "absent"
    assert not ServiceRecord.objects.exists()
    assert AuditEntry.objects.filter(action="attendance.mark").count() == 2


@pytest.mark.parametrize(("came", "left", "code"), [
    (at(2026, 5, 1, 10), at(2026, 5, 1, 9, 30), "times_out_of_order"),
    (at(2026, 5, 1, 10), at(2026, 5, 1, 13), "times_in_future"),
])
def test_hand_marking_refuses_impossible_times(world, done, came, left, code):
    _, volunteer, _ = done
    with pytest.raises(DomainError) as caught:
        services.attendance_mark(actor=world.lina, signup=volunteer, present=True, checked_in_at=came,
                                 checked_out_at=left)
    assert caught.value.code == code and not Attendance.objects.exists()


def test_only_organisers_mark_by_hand(world, done):
    _, volunteer, _ = done
    for outsider in (world.chenjing, world.zhangwei, world.zhengli):
        with pytest.raises(NotAllowed):
            services.attendance_mark(actor=outsider, signup=volunteer, present=True)


def test_verifying_tells_the_volunteer_once_and_freezes_hand_marking(world, done, commit):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    record = commit(services.service_record_verify, actor=world.lina, record=record_of(world))
    assert record.status == "verified" and record.verified_by == world.lina
    assert Message.objects.filter(recipient=world.wangfang, kind="attendance.hours_verified").count() == 1
    with pytest.raises(DomainError) as caught:
        services.service_record_verify(actor=world.lina, record=record)
    assert caught.value.code == "already_verified"
    with pytest.raises(DomainError) as caught:
        services.attendance_mark(actor=world.lina, signup=volunteer, present=False)
    assert caught.value.code == "already_verified"


def test_correcting_needs_a_reason_and_is_audited_before_and_after(world, done, commit):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    record = record_of(world)
    with pytest.raises(DomainError) as caught:
        services.service_record_correct(actor=world.lina, record=record, hours="1.5", reason=" ")
    assert caught.value.code == "required"
    for wrong in ("2.5", "-1", "abc", "1.234", "NaN"):
        with pytest.raises(DomainError) as caught:
            services.service_record_correct(actor=world.lina, record=record, hours=wrong, reason="迟到半小时")
        assert caught.value.code == "invalid_hours"
    commit(services.service_record_correct, actor=world.lina, record=record, hours="1.5", reason="迟到半小时")
    record.refresh_from_db()
    assert (record.counted_hours, record.hours, record.correction_reason) == (D("2.00"), D("1.50"), "迟到半小时")
    entry = AuditEntry.objects.get(action="attendance.correct")
    assert entry.before == {"hours": "2.00"} and entry.after["hours"] == "1.5"
    message = Message.objects.get(recipient=world.wangfang, kind="attendance.hours_corrected")
    assert message.context["before"] == "2.00" and message.context["hours"] == "1.50"


def test_a_volunteer_asks_for_a_correction_and_the_organiser_accepts_it(world, done, commit):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True, checked_in_at=at(2026, 5, 1, 9),
                             checked_out_at=at(2026, 5, 1, 10))
    record = services.service_record_verify(actor=world.lina, record=record_of(world))
    request = services.correction_request(actor=world.wangfang, record=record, hours="2", reason="忘记签退")
    with pytest.raises(DomainError) as caught:
        services.correction_request(actor=world.wangfang, record=record, hours="1.5", reason="再问一次")
    assert caught.value.code == "correction_pending"
    commit(services.correction_accept, actor=world.lina, correction=request)
    record.refresh_from_db()
    assert record.hours == D("2.00") and record.status == "verified" and record.correction_reason == "忘记签退"
    assert CorrectionRequest.objects.get().status == "accepted"
    message = Message.objects.get(recipient=world.wangfang, kind="attendance.correction_decided")
    assert message.context["decision"] == "accepted"
    with pytest.raises(DomainError) as caught:
        services.correction_reject(actor=world.lina, correction=request, reason="重复")
    assert caught.value.code == "already_decided"


def test_a_rejected_request_leaves_the_hours_and_says_why(world, done, commit):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    request = services.correction_request(actor=world.wangfang, record=record_of(world), hours="1", reason="少一些")
    with pytest.raises(DomainError):
        services.correction_reject(actor=world.lina, correction=request, reason="")
    commit(services.correction_reject, actor=world.lina, correction=request, reason="签到记录完整")
    assert record_of(world).hours == D("2.00")
    assert CorrectionRequest.objects.get().decision_note == "签到记录完整"
    assert Message.objects.get(kind="attendance.correction_decided").context["decision"] == "rejected"


def test_only_the_volunteer_asks_about_their_own_record(world, done):
    _, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    for other in (world.zhangwei, world.lina, world.admin):
        with pytest.raises(NotAllowed):
            services.correction_request(actor=other, record=record_of(world), hours="1", reason="x")


def test_the_console_page_shows_the_qr_code_roster_and_queue(client, world, done):
    session, volunteer, _ = done
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    services.correction_request(actor=world.wangfang, record=record_of(world), hours="1.5", reason="早退")
    client.force_login(world.lina)
    page = client.get(f"/console/attendance/sessions/{session.pk}/")
    assert page.status_code == 200
    text = page.text
    assert "<svg" in text and f"/attendance/sessions/{session.pk}/check-in/?t=" in text
    assert text.count('data-testid="roster-row"') == 2 and 'data-testid="to-verify"' in text
    assert 'data-testid="correction"' in text
    partial = client.get(f"/console/attendance/sessions/{session.pk}/qr/out/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "check-out/?t=" in partial.text and "<html" not in partial.text
    listing = client.get("/console/attendance/")
    assert f'data-session="{session.pk}"' in listing.text


def test_the_console_verifies_corrects_and_decides_by_form(client, world, done):
    session, volunteer, participant = done
    client.force_login(world.lina)
    base = f"/console/attendance/sessions/{session.pk}"
    assert client.post(f"{base}/mark/{volunteer.pk}/", {"present": "1"}).status_code == 302
    assert client.post(f"{base}/mark/{participant.pk}/", {"present": "1", "checked_in_at": "2026-05-01T09:10",
                                                          "checked_out_at": "2026-05-01T10:40"}).status_code == 302
    assert Attendance.objects.get(signup=participant).checked_in_at == at(2026, 5, 1, 9, 10)
    record = record_of(world)
    bad = client.post(f"{base}/correct/{record.pk}/", {"hours": "9", "reason": "x"})
    assert bad.status_code == 400 and 'data-key="correct-' in bad.text
    assert client.post(f"{base}/correct/{record.pk}/", {"hours": "1.5", "reason": "迟到"}).status_code == 302
    assert client.post(f"{base}/verify/").status_code == 302
    assert record_of(world).status == "verified"
    request = services.correction_request(actor=world.wangfang, record=record, hours="2", reason="没有迟到")
    assert client.post(f"{base}/corrections/{request.pk}/rejected/", {"reason": "有签到记录"}).status_code == 302
    assert CorrectionRequest.objects.get().status == "rejected"
    assert client.post(f"{base}/corrections/{request.pk}/sideways/").status_code == 404


def test_another_communitys_staff_do_not_find_the_console_page(client, world, done):
    session, _, _ = done
    client.force_login(world.chenjing)
    assert client.get(f"/console/attendance/sessions/{session.pk}/").status_code == 404


def test_the_console_pages_run_a_fixed_number_of_queries(client, world, done, django_assert_max_num_queries):
    session, volunteer, participant = done
    for person in (world.liuyang, world.zhaolei, world.sunmin, world.wugang):
        sign_up(session, person)
    services.attendance_mark(actor=world.lina, signup=volunteer, present=True)
    services.attendance_mark(actor=world.lina, signup=participant, present=True)
    services.correction_request(actor=world.wangfang, record=record_of(world), hours="1", reason="早退")
    client.force_login(world.lina)
    with django_assert_max_num_queries(16):
        assert client.get(f"/console/attendance/sessions/{session.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/console/attendance/").status_code == 200
