"""The case workflow: every step from every status, allowed exactly where the transition table says.

The story: 王芳 reports clothes drying along the street in 智格一; 赵磊 (command operator) accepts,
files and dispatches it to 周强 (the grid's worker); 周强 takes it on and handles it; 孙敏 (supervisor)
verifies; 赵磊 closes; 王芳 rates or reopens.
"""

import contextlib
import datetime

import pytest

from jusha.audit.models import AuditEntry
from jusha.cases import services, workflow
from jusha.cases.models import Case, CaseEvent, CasePhoto, CaseRating, Report
from jusha.cases.workflow import BACK, TRANSITIONS, Step
from jusha.core.errors import DomainError, NotAllowed
from tests.cases_helpers import DRYING, IN_YANLAN, IN_ZHIGE, VENDING, ZHIGE_B, S, bring_to, category, photo, report

pytestmark = pytest.mark.django_db

STATUSES = [S.REPORTED, S.ACCEPTED, S.FILED, S.DISPATCHED, S.HANDLING, S.HANDLED, S.VERIFIED, S.CLOSED, S.PARKED,
            S.CANCELLED, S.MERGED]
STEPS = [s for s in Step if s not in (Step.REPORT, Step.SELF_HANDLE, Step.OVERDUE, Step.ESCALATE)]


def do(world, step: Step, case: Case):
    """Take `step` on `case` as the person whose job it is."""
    match step:
        case Step.FOLLOW:
            return services.report_submit(actor=world.zhangwei, category=case.category_id, description="又看到了",
                                          lng=case.lng, lat=case.lat, follow=case.pk)
        case Step.MERGE:
            into = report(world.zhangwei, at=IN_YANLAN)
            return services.case_merge(actor=world.zhaolei, case=case, into=into)
        case Step.ACCEPT:
            return services.case_accept(actor=world.zhaolei, case=case)
        case Step.FILE:
            return services.case_file(actor=world.zhaolei, case=case)
        case Step.CANCEL:
            return services.case_cancel(actor=world.zhaolei, case=case, reason="重复上报")
        case Step.DISPATCH:
            return services.case_dispatch(actor=world.zhaolei, case=case, assignee=world.zhouqiang)
        case Step.TAKE:
            return services.case_take(actor=world.zhouqiang, case=case)
        case Step.ARRIVE:
            return services.case_arrive(actor=world.zhouqiang, case=case, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1])
        case Step.RETURN:
            return services.case_return(actor=world.zhouqiang, case=case, reason="不是我的网格")
        case Step.HANDLE:
            return services.case_handle(actor=world.zhouqiang, case=case, note="已处理", photo_files=[photo()])
        case Step.EXTENSION_REQUEST:
            return services.case_extension_request(actor=world.zhouqiang, case=case, until=_tomorrow(),
                                                   reason="需要协调物业")
        case Step.EXTENSION_APPROVE | Step.EXTENSION_REFUSE:
            with contextlib.suppress(DomainError):
                services.case_extension_request(actor=world.zhouqiang, case=case, until=_tomorrow(), reason="协调")
            case = Case.objects.get(pk=case.pk)
            if step == Step.EXTENSION_APPROVE:
                return services.case_extension_approve(actor=world.zhaolei, case=case)
            return services.case_extension_refuse(actor=world.zhaolei, case=case, reason="今天可以完成")
        case Step.PARK:
            return services.case_park(actor=world.zhaolei, case=case, reason="需要资金")
        case Step.UNPARK:
            return services.case_unpark(actor=world.zhaolei, case=case)
        case Step.VERIFY:
            return services.case_verify(actor=world.sunmin, case=case)
        case Step.REWORK:
            return services.case_rework(actor=world.sunmin, case=case, reason="衣物仍在")
        case Step.CLOSE:
            return services.case_close(actor=world.zhaolei, case=case)
        case Step.RATE:
            return services.case_rate(actor=world.wangfang, case=case, stars=5)
        case Step.REOPEN:
            return services.case_reopen(actor=world.wangfang, case=case, reason="又晾出来了")
        case Step.SPOT_CHECK_PASS:
            return services.case_spot_check(actor=world.sunmin, case=case, passed=True)
        case Step.SPOT_CHECK_FAIL:
            return services.case_spot_check(actor=world.sunmin, case=case, passed=False, note="复查未通过")
    raise AssertionError(step)


def _tomorrow():
    from jusha.core import clock

    return clock.now().date() + datetime.timedelta(days=1)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("step", STEPS)
def test_every_step_from_every_status_follows_the_table(world, status, step):
    case = bring_to(world, status)
    events_before = CaseEvent.objects.filter(case=case).count()
    expected = TRANSITIONS.get((status, step))
    if expected is None:
        with pytest.raises(DomainError) as refused:
            do(world, step, case)
        # A field step on a case nobody was dispatched to is nobody's task: it is not found.
        # Nor does the reporter of a merged case see it any more: their report moved to the other case.
        field_step = step in (Step.TAKE, Step.ARRIVE, Step.RETURN, Step.HANDLE, Step.EXTENSION_REQUEST) or (
            status == S.MERGED and step in (Step.RATE, Step.REOPEN))
        assert refused.value.code in {"invalid_transition", "invalid_follow", "invalid_merge",
                                      "no_extension_request"} | ({"not_found"} if field_step else set())
        assert Case.objects.get(pk=case.pk).status == status
        assert CaseEvent.objects.filter(case=case).count() == events_before
    else:
        do(world, step, case)
        after = Case.objects.get(pk=case.pk)
        assert after.status == (case.parked_from if expected == BACK else expected)
        last = CaseEvent.objects.filter(case=case, step=step).last()
        assert last is not None and last.from_status == status
        assert AuditEntry.objects.filter(action=f"cases.{step}", target_id=str(case.pk)).exists()


def test_the_whole_story_fills_every_stage_timestamp(world, clock):
    case = bring_to(world, S.CLOSED)
    for field in ("reported_at", "accepted_at", "filed_at", "dispatched_at", "handling_at", "handled_at",
                  "verified_at", "closed_at"):
        assert getattr(case, field) is not None, field
    assert case.assignee == world.zhouqiang
    assert case.number.startswith("SJ") and len(case.number) == 16
    assert [e.step for e in case.events.all()] == ["report", "accept", "file", "dispatch", "take", "handle",
                                                   "verify", "close"]
    assert CasePhoto.objects.filter(case=case, stage=CasePhoto.Stage.AFTER).count() == 1


def test_team_category_goes_to_the_responsible_team(world):
    case = bring_to(world, S.DISPATCHED, code=VENDING)
    assert case.team == world.brigade and case.assignee == world.wugang
    services.case_take(actor=world.wugang, case=case)
    assert Case.objects.get(pk=case.pk).status == S.HANDLING


def test_a_case_sent_to_the_team_is_taken_by_a_member(world):
    case = bring_to(world, S.FILED, code=VENDING)
    services.case_dispatch(actor=world.zhaolei, case=case, team=world.brigade)
    case = services.case_take(actor=world.wugang, case=case)
    assert case.assignee == world.wugang and case.status == S.HANDLING


def test_return_sends_the_case_back_to_the_center_without_assignee(world):
    case = bring_to(world, S.HANDLING)
    case = services.case_return(actor=world.zhouqiang, case=case, reason="属于物业管理")
    assert case.status == S.FILED and case.assignee is None and case.team is None
    assert CaseEvent.objects.filter(case=case, step="return").get().note_is_internal


def test_rework_goes_back_to_the_same_assignee_and_counts(world):
    case = bring_to(world, S.HANDLED)
    case = services.case_rework(actor=world.sunmin, case=case, reason="衣物仍在")
    assert case.status == S.HANDLING and case.assignee == world.zhouqiang and case.rework_count == 1


def test_extension_approved_stores_the_new_date(world):
    case = bring_to(world, S.HANDLING)
    until = _tomorrow() + datetime.timedelta(days=2)
    services.case_extension_request(actor=world.zhouqiang, case=case, until=until, reason="等待物业")
    with pytest.raises(DomainError) as twice:
        services.case_extension_request(actor=world.zhouqiang, case=case, until=until, reason="再等")
    assert twice.value.code == "extension_pending"
    case = services.case_extension_approve(actor=world.zhaolei, case=case)
    assert case.extended_until == until and case.extension_requested_until is None


def test_extension_date_must_be_in_the_future(world, clock):
    case = bring_to(world, S.HANDLING)
    with pytest.raises(DomainError) as refused:
        services.case_extension_request(actor=world.zhouqiang, case=case, until=clock().date(), reason="x")
    assert refused.value.code == "invalid_date"


def test_unpark_returns_to_where_it_was_parked(world):
    case = bring_to(world, S.HANDLING)
    services.case_park(actor=world.zhaolei, case=case, reason="等待资金")
    case = services.case_unpark(actor=world.zhaolei, case=Case.objects.get(pk=case.pk))
    assert case.status == S.HANDLING and case.parked_from == ""


def test_reopen_within_the_window_only(world, clock, settings):
    settings.JUSHA_CASE_REOPEN_DAYS = 7
    case = bring_to(world, S.CLOSED)
    clock.advance(days=7, minutes=1)
    with pytest.raises(DomainError) as late:
        services.case_reopen(actor=world.wangfang, case=case, reason="又晾了")
    assert late.value.code == "reopen_window_over"
    other = bring_to(world, S.CLOSED, at=ZHIGE_B)
    clock.advance(days=6)
    other = services.case_reopen(actor=world.wangfang, case=other, reason="又晾了")
    assert other.status == S.FILED and other.reopen_count == 1 and other.assignee is None


def test_spot_check_failure_reopens_for_rework(world):
    case = bring_to(world, S.CLOSED)
    case = services.case_spot_check(actor=world.sunmin, case=case, passed=False, note="复查仍有衣物")
    assert case.status == S.HANDLING and case.closed_at is None and case.rework_count == 1
    with pytest.raises(DomainError):
        services.case_spot_check(actor=world.sunmin, case=bring_to(world, S.CLOSED, at=ZHIGE_B), passed=False)


def test_each_reporter_rates_once_per_closing(world):
    case = bring_to(world, S.CLOSED)
    services.case_rate(actor=world.wangfang, case=case, stars=4, comment="及时")
    with pytest.raises(DomainError) as again:
        services.case_rate(actor=world.wangfang, case=case, stars=5)
    assert again.value.code == "already_rated"
    for stars in (0, 6, "5", True):
        with pytest.raises(DomainError):
            services.case_rate(actor=world.wangfang, case=case, stars=stars)
    assert CaseRating.objects.filter(case=case).count() == 1


def test_merge_moves_the_reports_to_the_other_case(world):
    first = report(world.wangfang)
    second = report(world.zhangwei, at=IN_YANLAN)
    services.case_merge(actor=world.zhaolei, case=second, into=first)
    assert Case.objects.get(pk=second.pk).status == S.MERGED
    assert set(Report.objects.filter(case=first).values_list("reporter", flat=True)) == {world.wangfang.pk,
                                                                                        world.zhangwei.pk}
    with pytest.raises(DomainError):
        services.case_merge(actor=world.zhaolei, case=first, into=first)


def test_cancel_needs_a_reason_and_the_reporter_sees_it(world):
    case = report(world.wangfang)
    with pytest.raises(DomainError) as missing:
        services.case_cancel(actor=world.zhaolei, case=case, reason="  ")
    assert missing.value.code == "required"
    case = services.case_cancel(actor=world.zhaolei, case=case, reason="不属于城市管理问题")
    assert case.status == S.CANCELLED and case.cancel_reason == "不属于城市管理问题"


def test_wrong_people_are_refused_as_not_found(world):
    case = report(world.wangfang)
    for person in (world.wangfang, world.zhouqiang, world.sunmin, world.lina, world.wugang):
        with pytest.raises(NotAllowed):
            services.case_accept(actor=person, case=case)
    case = bring_to(world, S.DISPATCHED)
    for person in (world.wugang, world.zhaolei, world.wangfang):
        with pytest.raises(NotAllowed):
            services.case_take(actor=person, case=case)
    handled = bring_to(world, S.HANDLED, at=ZHIGE_B)
    for person in (world.zhaolei, world.zhouqiang, world.lina):
        with pytest.raises(NotAllowed):
            services.case_verify(actor=person, case=handled)


def test_dispatch_only_to_candidates(world):
    case = bring_to(world, S.FILED)
    for bad in (world.wugang, world.wangfang, world.zhaolei.pk, "x", 10**12):
        with pytest.raises(DomainError) as refused:
            services.case_dispatch(actor=world.zhaolei, case=case, assignee=bad)
        assert refused.value.code == "invalid_assignee"
    with pytest.raises(DomainError) as nobody:
        services.case_dispatch(actor=world.zhaolei, case=case)
    assert nobody.value.code == "required"
    assert Case.objects.get(pk=case.pk).status == S.FILED


def test_handle_needs_a_photo_and_a_note(world):
    case = bring_to(world, S.HANDLING)
    with pytest.raises(DomainError) as no_photo:
        services.case_handle(actor=world.zhouqiang, case=case, note="已处理")
    assert no_photo.value.code == "photo_required"
    with pytest.raises(DomainError) as no_note:
        services.case_handle(actor=world.zhouqiang, case=case, note="", photo_files=[photo()])
    assert no_note.value.code == "required"


def test_arrive_records_the_position_and_last_known_place(world):
    from jusha.orgs.models import FieldStatus

    case = bring_to(world, S.HANDLING)
    case = services.case_arrive(actor=world.zhouqiang, case=case, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1])
    assert case.arrived_lng == pytest.approx(IN_ZHIGE[0]) and case.arrived_at is not None
    status = FieldStatus.objects.get(user=world.zhouqiang)
    assert status.lng == pytest.approx(IN_ZHIGE[0])


def test_categories_are_seeded_with_codes_and_limits():
    from jusha.cases.models import CaseCategory

    category(DRYING)
    names = set(CaseCategory.objects.values_list("name", flat=True))
    for name in ("乱扔垃圾", "占道经营", "无照游商", "沿街晾晒", "乱堆物堆料", "非法小广告", "暴露垃圾",
                 "井盖缺失/破损/位移", "道路破损", "违章停车", "噪声扰民"):
        assert name in names
    tops = CaseCategory.objects.filter(parent=None)
    assert set(tops.filter(kind="event").values_list("name", flat=True)) == {
        "市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "扩展事件"}
    assert set(tops.filter(kind="component").values_list("name", flat=True)) == {
        "公用设施", "道路交通", "市容环境", "园林绿化", "其他设施", "扩展部件"}
    for leaf in CaseCategory.objects.exclude(parent=None):
        assert leaf.code.startswith(leaf.parent.code) and len(leaf.code) == 6
        assert leaf.accept_minutes and leaf.dispatch_minutes and leaf.handle_minutes and leaf.verify_minutes
        assert leaf.handler == "grid" or leaf.team_kind


def test_allowed_steps_lists_the_table():
    assert workflow.allowed_steps(S.FILED) >= {Step.DISPATCH, Step.CANCEL, Step.PARK, Step.MERGE}
