"""Case deadlines and overdue supervision (督办): each stage's due time from the category's limits on the
working-time calendar (2026), the clock across extension, park and rework, and the sweep that flags and
escalates once, however often and by however many workers it runs.

王芳 reports clothes drying along the street (SJ0104: accept 30, dispatch 30, handle 120, verify 120
working minutes) at 17:25 on 30 September 2026, the day before National Day: five working minutes
are left that day, so accepting it is due on 8 October, the first working day after the holiday, at 08:55.
"""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from jusha.audit.models import AuditEntry
from jusha.calendars import selectors as calendar
from jusha.calendars import services as calendar_services
from jusha.cases import services
from jusha.cases.models import Case, CaseDeadline, CaseEvent
from jusha.cases.workflow import Step
from jusha.notifications.models import Message
from tests.cases_helpers import DRYING, IN_ZHIGE, VENDING, ZHIGE_B, S, bring_to, category, photo, report

SH = ZoneInfo("Asia/Shanghai")
D = CaseDeadline.Stage


def at(m, d, hh=0, mm=0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def holidays(db):
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    calendar.invalidate()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def current(case: Case) -> CaseDeadline | None:
    return Case.objects.select_related("deadline").get(pk=case.pk).deadline


def kinds(user) -> list[str]:
    return [m.kind for m in Message.objects.filter(recipient=user).order_by("id")]


def test_a_report_before_national_day_is_due_to_be_accepted_after_the_holiday(world, clock, holidays):
    clock.current = at(9, 30, 17, 25)
    case = report(world.wangfang)
    deadline = current(case)
    assert (deadline.stage, deadline.started_at, deadline.due_at) == (D.ACCEPT, at(9, 30, 17, 25), at(10, 8, 8, 55))


def test_a_category_counting_calendar_hours_ignores_the_calendar(world, clock, holidays):
    drying = category(DRYING)
    drying.working_hours = False
    drying.save()
    clock.current = at(9, 30, 17, 25)
    case = report(world.wangfang)
    assert current(case).due_at == at(9, 30, 17, 55)


def test_each_stage_starts_its_clock_and_the_last_one_ends_met(world, clock, holidays):
    clock.current = at(10, 12, 9)
    case = report(world.wangfang)
    services.case_accept(actor=world.zhaolei, case=case)
    assert current(case) is None  # accepted: filing follows, no clock
    clock.current = at(10, 12, 9, 10)
    services.case_file(actor=world.zhaolei, case=case)
    assert (current(case).stage, current(case).due_at) == (D.DISPATCH, at(10, 12, 9, 40))
    clock.current = at(10, 12, 9, 20)
    services.case_dispatch(actor=world.zhaolei, case=case, assignee=world.zhouqiang)
    assert (current(case).stage, current(case).due_at) == (D.HANDLE, at(10, 12, 11, 20))
    services.case_take(actor=world.zhouqiang, case=case)
    assert current(case).stage == D.HANDLE and current(case).started_at == at(10, 12, 9, 20)  # same clock
    clock.current = at(10, 12, 12)  # late: 40 minutes after its due time
    services.case_handle(actor=world.zhouqiang, case=case, note="已劝导", photo_files=[photo()])
    assert current(case).stage == D.VERIFY
    clock.current = at(10, 12, 13)
    services.case_verify(actor=world.sunmin, case=case)
    assert current(case) is None
    rows = {d.stage: d for d in CaseDeadline.objects.filter(case=case)}
    assert all(d.met and d.ended_at for d in rows.values())
    assert [s for s, d in rows.items() if d.late] == [D.HANDLE]


def test_an_approved_extension_moves_the_handling_due_time_and_lowers_the_flag(world, clock, holidays, committed):
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.HANDLING)
    handle = current(case)
    clock.current = at(10, 13, 9)
    with committed():
        assert services.cases_overdue_sweep() == (1, 0)
    services.case_extension_request(actor=world.zhouqiang, case=case, until=date(2026, 10, 15), reason="协调物业")
    services.case_extension_approve(actor=world.zhaolei, case=case)
    moved = current(case)
    assert moved.pk == handle.pk
    assert moved.due_at == at(10, 16, 0) and moved.due_before_extension == handle.due_at
    assert moved.overdue_at is None
    clock.current = at(10, 15, 23, 59)
    assert services.cases_overdue_sweep() == (0, 0)
    clock.current = at(10, 16, 0, 1)
    assert services.cases_overdue_sweep() == (1, 0)


def test_a_parked_case_has_no_clock_and_taking_it_up_again_starts_the_stage_afresh(world, clock, holidays):
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.HANDLING)
    handle = current(case)
    services.case_park(actor=world.zhaolei, case=case, reason="需要资金")
    handle.refresh_from_db()
    assert current(case) is None and handle.ended_at == at(10, 12, 9) and not handle.met
    clock.current = at(10, 30, 9)  # weeks later: nothing is overdue while parked
    assert services.cases_overdue_sweep() == (0, 0)
    services.case_unpark(actor=world.zhaolei, case=case)
    again = current(case)
    assert (again.stage, again.started_at, again.due_at) == (D.HANDLE, at(10, 30, 9), at(10, 30, 11))


def test_rework_meets_the_verification_and_starts_handling_again(world, clock, holidays):
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.HANDLED)
    clock.current = at(10, 12, 10)
    services.case_rework(actor=world.sunmin, case=case, reason="还有衣物")
    assert (current(case).stage, current(case).due_at) == (D.HANDLE, at(10, 12, 12))
    assert CaseDeadline.objects.get(case=case, stage=D.VERIFY).met


def test_leaving_a_stage_otherwise_ends_the_clock_unmet(world, clock, holidays):
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.DISPATCHED)
    services.case_return(actor=world.zhouqiang, case=case, reason="不是我的网格")
    handle = CaseDeadline.objects.get(case=case, stage=D.HANDLE)
    assert handle.ended_at and not handle.met
    assert current(case).stage == D.DISPATCH  # back with the center: a new dispatch clock
    services.case_cancel(actor=world.zhaolei, case=case, reason="重复上报")
    assert current(case) is None and not CaseDeadline.objects.filter(case=case, ended_at=None).exists()


def test_a_self_handled_case_waits_for_verification_on_the_clock(world, clock, holidays):
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.REPORTED)  # a report to compare with
    assert current(case).stage == D.ACCEPT
    own = services.case_self_handle(actor=world.zhouqiang, category=category(DRYING).pk, description="晾晒衣物",
                                    lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], note="已收回",
                                    before_photos=[photo()], after_photos=[photo("b.png")])
    assert (current(own).stage, current(own).due_at) == (D.VERIFY, at(10, 12, 11))


def test_the_sweep_supervises_once_and_escalates_once(world, clock, holidays, committed, settings):
    settings.JUSHA_CASE_ESCALATE_AFTER_MINUTES = 120
    clock.current = at(10, 12, 9)
    case = bring_to(world, S.DISPATCHED)  # handling due at 11:00
    clock.current = at(10, 12, 10, 59)
    with committed():
        assert services.cases_overdue_sweep() == (0, 0)
    clock.current = at(10, 12, 11, 1)
    with committed():
        assert services.cases_overdue_sweep() == (1, 0)
    with committed():
        assert services.cases_overdue_sweep() == (0, 0)
    assert kinds(world.zhouqiang).count("cases.overdue") == 1
    assert "cases.overdue" not in kinds(world.liuyang)
    event = CaseEvent.objects.get(case=case, step=Step.OVERDUE)
    assert event.actor is None and event.note_is_internal and event.to_status == S.DISPATCHED
    assert AuditEntry.objects.filter(action="cases.overdue", target_id=str(case.pk), actor=None).count() == 1
    clock.current = at(10, 12, 13)
    with committed():
        assert services.cases_overdue_sweep() == (0, 0)  # 119 minutes after the flag
    clock.current = at(10, 12, 13, 2)
    with committed():
        assert services.cases_overdue_sweep() == (0, 1)
    with committed():
        assert services.cases_overdue_sweep() == (0, 0)
    assert kinds(world.liuyang) == ["cases.escalated"]
    assert CaseEvent.objects.filter(case=case, step=Step.ESCALATE).count() == 1
    # Handling it ends the clock: the record keeps that it ran late.
    services.case_take(actor=world.zhouqiang, case=case)
    services.case_handle(actor=world.zhouqiang, case=case, note="已劝导", photo_files=[photo()])
    handle = CaseDeadline.objects.get(case=case, stage=D.HANDLE)
    assert handle.met and handle.late and handle.escalated_at == at(10, 12, 13, 2)


@pytest.mark.parametrize(("status", "told"), [(S.REPORTED, "zhaolei"), (S.FILED, "zhaolei"),
                                              (S.HANDLED, "sunmin")])
def test_whoever_holds_the_late_stage_is_told(world, clock, holidays, committed, status, told):
    clock.current = at(10, 12, 9)
    bring_to(world, status)
    clock.current = at(10, 13, 9)
    with committed():
        assert services.cases_overdue_sweep() == (1, 0)
    assert kinds(getattr(world, told)).count("cases.overdue") == 1
    assert "cases.overdue" not in kinds(world.zhouqiang)


def test_a_team_case_late_in_handling_tells_the_assignee_and_the_team(world, clock, holidays, committed):
    clock.current = at(10, 12, 9)
    bring_to(world, S.DISPATCHED, code=VENDING)
    clock.current = at(10, 14, 9)
    with committed():
        services.cases_overdue_sweep()
    assert kinds(world.wugang).count("cases.overdue") == 1


def test_the_sweep_is_on_the_workers_timer(settings):
    assert "jusha.cases.services.cases_overdue_sweep" in [path for path, _ in settings.JUSHA_PERIODIC_JOBS]


def _sweep(barrier, results, index):
    try:
        barrier.wait(timeout=30)
        results[index] = services.cases_overdue_sweep()
    except Exception as exc:  # noqa: BLE001 (reported by the assertions)
        results[index] = repr(exc)
    finally:
        connection.close()


def _run_workers(n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    threads = [threading.Thread(target=_sweep, args=(barrier, results, i)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_supervise_and_escalate_exactly_once(world, clock, settings):
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    calendar.invalidate()
    settings.JUSHA_CASE_ESCALATE_AFTER_MINUTES = 60
    clock.current = at(10, 12, 9)
    cases = [report(world.wangfang, description=f"第{i}处晾晒") for i in range(5)]
    clock.current = at(10, 13, 9)
    results = _run_workers(4)
    assert all(isinstance(r, tuple) for r in results), results
    assert tuple(map(sum, zip(*results, strict=True))) == (5, 0)
    clock.current = at(10, 13, 11)
    results = _run_workers(4)
    assert tuple(map(sum, zip(*results, strict=True))) == (0, 5)
    for case in cases:
        assert CaseEvent.objects.filter(case=case, step=Step.OVERDUE).count() == 1
        assert CaseEvent.objects.filter(case=case, step=Step.ESCALATE).count() == 1
    assert Message.objects.filter(recipient=world.zhaolei, kind="cases.overdue").count() == 5
    assert Message.objects.filter(recipient=world.liuyang, kind="cases.escalated").count() == 5
    assert timedelta(0) < current(cases[0]).due_at - at(10, 12, 9)


def _late_pair(world, clock):
    """Two dispatched cases of 王芳's in 智格 for 周强: one overdue and supervised, one on time."""
    clock.current = at(10, 12, 9)
    late = bring_to(world, S.DISPATCHED)
    clock.current = at(10, 12, 12)
    services.cases_overdue_sweep()
    fresh = bring_to(world, S.DISPATCHED, at=ZHIGE_B)
    return late, fresh


@pytest.mark.parametrize(("who", "sees"), [("zhaolei", {"late"}), ("sunmin", {"late"}), ("liuyang", {"late"}),
                                           ("lina", {"late"}), ("chenjing", set()), ("zhouqiang", {"late"}),
                                           ("wugang", set())])
def test_the_supervised_cases_are_a_filter_of_the_queue_for_whoever_sees_the_cases(client, world, clock, holidays,
                                                                                   who, sees):
    late, fresh = _late_pair(world, clock)
    client.force_login(getattr(world, who))
    response = client.get("/console/cases/", {"status": "all", "overdue": "1"})
    assert response.status_code == 200
    names = {late.pk: "late", fresh.pk: "fresh"}
    assert {names[c.pk] for c in response.context["page"] if c.pk in names} == sees
    if sees:
        assert b'data-testid="overdue"' in response.content


def test_residents_do_not_get_the_supervised_list(client, world, clock, holidays):
    _late_pair(world, clock)
    client.force_login(world.wangfang)
    assert client.get("/console/cases/", {"status": "all", "overdue": "1"}).status_code == 404


def test_the_task_list_shows_the_due_time_and_filters_the_overdue(client, world, clock, holidays):
    late, fresh = _late_pair(world, clock)
    client.force_login(world.zhouqiang)
    everything = client.get("/cases/tasks/")
    assert {c.pk for c in everything.context["tasks"]} >= {late.pk}
    assert b'data-testid="due"' in everything.content and b'data-testid="overdue"' in everything.content
    only = client.get("/cases/tasks/", {"overdue": "1"})
    assert [c.pk for c in only.context["tasks"]] == [late.pk]


def test_the_case_page_shows_each_stage_and_the_api_the_due_time(client, world, clock, holidays):
    late, _fresh = _late_pair(world, clock)
    client.force_login(world.zhaolei)
    page = client.get(f"/console/cases/{late.pk}/")
    assert [d.stage for d in page.context["deadlines"]] == [D.ACCEPT, D.DISPATCH, D.HANDLE]
    assert page.content.count(b'data-testid="deadline-row"') == 3
    body = client.get(f"/api/cases/{late.pk}").json()
    assert datetime.fromisoformat(body["due_at"]) == at(10, 12, 11) and body["overdue"] is True
    client.force_login(world.wangfang)
    assert client.get(f"/api/cases/{late.pk}").json()["overdue"] is True
