"""The needs' clocks: due times in service time (the 2026 calendar), the overdue sweep (escalate and
tell once, however often and by however many workers it runs), and the automatic confirmation.

王芳 asks for eye drops at 17:25 on 30 September 2026, the day before National Day: the first
response is due on the first working day after the holiday, 8 October, at 08:35."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from jusha.audit.models import AuditEntry
from jusha.calendars import selectors as calendar
from jusha.calendars import services as calendar_services
from jusha.needs import services
from jusha.needs.models import Claim, Need, NeedCategory, NeedEvent, Rating
from jusha.needs.workflow import Step
from jusha.notifications.models import Message
from tests.needs_helpers import category, submit

SH = ZoneInfo("Asia/Shanghai")
S = Need.Status


def at(m, d, hh=0, mm=0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def holidays(db):
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    calendar.invalidate()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def inbox(user) -> list[str]:
    return [m.kind for m in Message.objects.filter(recipient=user).order_by("id")]


def test_a_need_before_national_day_is_due_after_the_holiday(world, clock, holidays):
    clock.current = at(9, 30, 17, 25)
    need = submit(world.wangfang)
    assert need.first_response_due_at == at(10, 8, 8, 35)
    # 24 service hours: 5 minutes on 30 September, then 7.5 h on 8, 9 (Friday), 10 (make-up Saturday) …
    assert need.completion_due_at == calendar.add_working_time(at(9, 30, 17, 25), timedelta(hours=24))
    assert need.completion_due_at == at(10, 12, 9, 55)  # … and 1 h 25 min on Monday 12 October


def test_a_category_sets_its_targets_and_a_subcategory_inherits_them(world, clock, holidays):
    top = category("health")
    top.first_response_minutes, top.completion_hours = 30, 8
    top.save()
    child = NeedCategory.objects.create(parent=top, code="medicine", name="代购药品", name_en="Medicine")
    assert child.first_response_target == timedelta(minutes=30)
    assert child.completion_target == timedelta(hours=8)
    assert category("errands").first_response_target == timedelta(minutes=10)
    clock.current = at(10, 12, 9)
    need = submit(world.wangfang, category=child)
    assert need.first_response_due_at == at(10, 12, 9, 30)
    assert need.completion_due_at == at(10, 13, 9, 30)


def test_the_sweep_escalates_a_need_nobody_answered_and_tells_both_levels_once(world, clock, holidays,
                                                                              committed):
    clock.current = at(9, 30, 17, 25)
    need = submit(world.wangfang)
    clock.current = at(10, 8, 8, 34)
    with committed():
        assert services.needs_overdue_sweep() == (0, 0)
    clock.current = at(10, 8, 8, 36)
    with committed():
        assert services.needs_overdue_sweep() == (1, 0)
    with committed():
        assert services.needs_overdue_sweep() == (0, 0)
    need.refresh_from_db()
    assert (need.status, need.level) == (S.ESCALATED, Need.Level.SUBDISTRICT)
    assert need.first_response_overdue_at == clock.current and need.first_response_at is None
    assert need.is_overdue
    event = NeedEvent.objects.filter(need=need).latest("id")
    assert (event.step, event.actor, event.note_is_internal) == (Step.ESCALATE_OVERDUE, None, True)
    entry = AuditEntry.objects.get(action="needs.escalate_overdue")
    assert entry.actor is None and entry.actor_label == "system"
    assert inbox(world.lina).count("needs.response_overdue") == 1
    assert inbox(world.liuyang).count("needs.response_overdue") == 1
    assert "needs.queue" not in inbox(world.liuyang), "one message about it, not two"
    assert inbox(world.chenjing) == []
    assert inbox(world.wangfang) == ["needs.progress"]
    # The subdistrict answers: no longer overdue.
    services.need_match(actor=world.liuyang, need=need, unit=world.school)
    need.refresh_from_db()
    assert not need.is_overdue and need.first_response_at == clock.current


def test_a_need_answered_in_time_is_not_chased(world, clock, holidays):
    clock.current = at(10, 12, 9)
    need = submit(world.wangfang)
    clock.advance(minutes=9)
    services.need_accept(actor=world.lina, need=need)
    clock.advance(minutes=5)
    assert services.needs_overdue_sweep() == (0, 0)
    need.refresh_from_db()
    assert need.first_response_overdue_at is None and need.status == S.ACCEPTED


def test_a_need_not_done_in_time_is_flagged_and_the_subdistrict_told_but_the_unit_keeps_it(world, clock, holidays,
                                                                                           committed):
    clock.current = at(10, 12, 9)
    need = submit(world.wangfang)
    services.need_accept(actor=world.lina, need=need)
    claim = services.need_match(actor=world.lina, need=need, unit=world.hospital)
    services.need_match_accept(actor=world.zhengli, claim=claim)
    clock.current = need.completion_due_at + timedelta(minutes=1)
    with committed():
        assert services.needs_overdue_sweep() == (0, 1)
        assert services.needs_overdue_sweep() == (0, 0)
    need.refresh_from_db()
    assert need.status == S.IN_PROGRESS and need.level == Need.Level.COMMUNITY
    assert need.completion_overdue_at == clock.current and need.is_overdue
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.ACTIVE
    assert inbox(world.liuyang) == ["needs.completion_overdue"]
    assert "needs.completion_overdue" not in inbox(world.lina)
    entry = AuditEntry.objects.get(action="needs.completion_overdue")
    assert entry.actor is None
    services.need_complete(actor=world.zhengli, need=need, resolution="已送到")
    need.refresh_from_db()
    assert not need.is_overdue and need.next_due_at is None


def test_reopening_starts_both_clocks_again(world, clock, holidays):
    clock.current = at(10, 12, 9)
    need = submit(world.wangfang)
    services.need_resolve(actor=world.lina, need=need, resolution="电话指导")
    clock.current = at(10, 16, 17, 25)
    services.need_reopen(actor=world.wangfang, need=need, reason="还是不行")
    need.refresh_from_db()
    assert need.first_response_at is None
    assert need.first_response_due_at == at(10, 19, 8, 35)
    assert need.first_response_overdue_at is None and need.completion_overdue_at is None


def test_an_unconfirmed_need_is_confirmed_after_the_configured_days(world, clock, holidays, committed, settings):
    settings.JUSHA_NEED_AUTO_CONFIRM_DAYS = 7
    clock.current = at(10, 12, 9)
    need = submit(world.wangfang)
    services.need_resolve(actor=world.lina, need=need, resolution="电话指导")
    clock.advance(days=7, seconds=-1)
    assert services.needs_auto_confirm() == 0
    clock.advance(seconds=2)
    with committed():
        assert services.needs_auto_confirm() == 1
        assert services.needs_auto_confirm() == 0
    need.refresh_from_db()
    assert need.status == S.CLOSED and need.closed_at == clock.current
    assert not Rating.objects.filter(need=need).exists()
    event = NeedEvent.objects.filter(need=need).latest("id")
    assert (event.step, event.actor) == (Step.AUTO_CONFIRM, None)
    assert AuditEntry.objects.get(action="needs.auto_confirm").actor is None
    assert inbox(world.wangfang)[-1] == "needs.progress"
    # "Closed is not fixed": she may still reopen it.
    services.need_reopen(actor=world.wangfang, need=need, reason="还是不行")


def test_the_jobs_are_on_the_workers_timer(settings):
    paths = [path for path, _interval in settings.JUSHA_PERIODIC_JOBS]
    assert "jusha.needs.services.needs_overdue_sweep" in paths
    assert "jusha.needs.services.needs_auto_confirm" in paths


def _sweep(barrier, results, index):
    try:
        barrier.wait(timeout=30)
        results[index] = services.needs_overdue_sweep()
    except Exception as exc:  # noqa: BLE001 (reported by the assertions)
        results[index] = repr(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_escalate_and_tell_exactly_once(world, clock):
    calendar_services.calendar_seed_statutory(actor=None, year=2026)
    calendar.invalidate()
    clock.current = at(10, 12, 9)
    needs = [submit(world.wangfang, text=f"第{i}件事：请帮忙{'买药送药看病理发'[i % 8]}{i}") for i in range(5)]
    clock.current = at(10, 20, 9)  # both clocks long run out
    workers = 4
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    threads = [threading.Thread(target=_sweep, args=(barrier, results, i)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, tuple) for r in results), results
    assert tuple(map(sum, zip(*results, strict=True))) == (5, 5)
    for need in needs:
        assert NeedEvent.objects.filter(need=need, step=Step.ESCALATE_OVERDUE).count() == 1
        assert AuditEntry.objects.filter(action="needs.completion_overdue", target_id=str(need.pk)).count() == 1
    assert Message.objects.filter(recipient=world.liuyang, kind="needs.response_overdue").count() == 5
    assert Message.objects.filter(recipient=world.liuyang, kind="needs.completion_overdue").count() == 5


def test_the_api_shows_the_due_times(client, world, clock, holidays):
    clock.current = at(9, 30, 17, 25)
    need = submit(world.wangfang)
    clock.current = at(10, 8, 9)
    services.needs_overdue_sweep()
    client.force_login(world.wangfang)
    body = client.get(f"/api/needs/{need.pk}").json()
    assert datetime.fromisoformat(body["first_response_due_at"]) == at(10, 8, 8, 35)
    assert body["overdue"] is True and body["completion_due_at"]
