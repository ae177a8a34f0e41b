"""The need workflow: every step from every status, allowed exactly where the transition table says.

The story: 王芳 (resident of 智格社区) asks for eye drops; 李娜 (智格's community staff) triages; 刘洋
(subdistrict staff) takes escalated needs; 郑丽 is the liaison of 下沙医院, which serves 智格; 滟澜小学
serves 滟澜 only, so 李娜 cannot match it but 刘洋 can.
"""

import pytest

from jusha.accounts.models import Role, RoleAssignment
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import services, workflow
from jusha.needs.models import Claim, Need, NeedEvent, Rating
from jusha.needs.workflow import BACK, SYSTEM_STEPS, TRANSITIONS, Step
from tests.needs_helpers import submit

S = Need.Status


def live_claim(need) -> Claim | None:
    return Claim.objects.filter(need=need, status__in=Claim.LIVE).first()


def bring_to(world, status: str) -> Need:
    """A fresh need of 王芳's in `status`, reached through the services only."""
    need = submit(world.wangfang, text=f"need in {status}")
    if status == S.SUBMITTED:
        return need
    if status == S.ACCEPTED:
        return services.need_accept(actor=world.lina, need=need)
    if status == S.REJECTED:
        return services.need_reject(actor=world.lina, need=need, reason="不在服务范围")
    if status == S.ESCALATED:
        return services.need_escalate(actor=world.lina, need=need, reason="需要跨社区资源")
    services.need_match(actor=world.lina, need=need, unit=world.hospital)
    if status == S.MATCHED:
        return Need.objects.get(pk=need.pk)
    services.need_match_accept(actor=world.zhengli, claim=live_claim(need))
    if status == S.IN_PROGRESS:
        return Need.objects.get(pk=need.pk)
    services.need_complete(actor=world.zhengli, need=need, resolution="已送到眼药水")
    if status == S.COMPLETED:
        return Need.objects.get(pk=need.pk)
    services.need_confirm(actor=world.wangfang, need=need, stars=5, comment="谢谢")
    assert status == S.CLOSED
    return Need.objects.get(pk=need.pk)


def do(world, step: Step, need: Need):
    """Take `step` on `need` as the person whose job it is."""
    claim = live_claim(need) or Claim.objects.filter(need=need).first()
    match step:
        case Step.ACCEPT:
            return services.need_accept(actor=world.liuyang, need=need)
        case Step.REJECT:
            return services.need_reject(actor=world.liuyang, need=need, reason="重复提交")
        case Step.RESOLVE:
            return services.need_resolve(actor=world.liuyang, need=need, resolution="电话指导已解决")
        case Step.ESCALATE:
            return services.need_escalate(actor=world.liuyang, need=need, reason="需要街道协调")
        case Step.SEND_BACK:
            return services.need_send_back(actor=world.liuyang, need=need, reason="社区可以处理")
        case Step.MATCH:
            return services.need_match(actor=world.liuyang, need=need, unit=world.hospital)
        case Step.REASSIGN:
            other = world.school if claim and claim.member_unit_id == world.hospital.pk else world.hospital
            return services.need_reassign(actor=world.liuyang, need=need, unit=other, reason="换一家单位")
        case Step.MATCH_ACCEPT:
            return services.need_match_accept(actor=world.zhengli, claim=claim)
        case Step.MATCH_DECLINE:
            return services.need_match_decline(actor=world.zhengli, claim=claim, reason="人手不足")
        case Step.CLAIM:
            return services.need_claim(actor=world.zhengli, need=need)
        case Step.CLAIM_RELEASE:
            return services.claim_release(actor=world.zhengli, claim=claim, reason="临时有事")
        case Step.COMPLETE:
            actor = world.zhengli if claim and claim.is_live else world.liuyang
            return services.need_complete(actor=actor, need=need, resolution="已办好")
        case Step.CONFIRM:
            return services.need_confirm(actor=world.wangfang, need=need, stars=4)
        case Step.REOPEN:
            return services.need_reopen(actor=world.wangfang, need=need, reason="眼药水买错了")
    raise AssertionError(step)


# The worker's steps (the overdue escalation, the automatic confirmation): tests/test_needs_clocks.py.
STEPS_AFTER_SUBMIT = [s for s in Step if s is not Step.SUBMIT and s not in SYSTEM_STEPS]
ANSWERS_TO_A_CLAIM = {Step.MATCH_ACCEPT, Step.MATCH_DECLINE, Step.CLAIM_RELEASE}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", STEPS_AFTER_SUBMIT)
def test_each_step_is_allowed_exactly_where_the_table_says(world, status, step):
    need = bring_to(world, status)
    events_before = NeedEvent.objects.filter(need=need).count()
    expected = TRANSITIONS.get((status, step))
    if step in ANSWERS_TO_A_CLAIM and not Claim.objects.filter(need=need).exists():
        assert expected is None, "a step answering a claim is allowed where no claim can exist"
        return
    if expected is None:
        with pytest.raises(DomainError) as refused:
            do(world, step, need)
        assert refused.value.code in {"invalid_transition", "already_claimed"}
        assert str(refused.value.message)
        assert Need.objects.get(pk=need.pk).status == status
        assert NeedEvent.objects.filter(need=need).count() == events_before
        return
    do(world, step, need)
    need.refresh_from_db()
    if expected == BACK:
        expected = S.ESCALATED if need.level == Need.Level.SUBDISTRICT else S.ACCEPTED
    assert need.status == expected
    event = NeedEvent.objects.filter(need=need).order_by("-id").first()
    assert (event.step, event.from_status, event.to_status) == (step, status, expected)
    assert AuditEntry.objects.filter(action=f"needs.{step}", target_id=str(need.pk)).exists()


def test_every_status_is_reachable_and_every_step_appears_in_the_table():
    reached = {S.SUBMITTED} | set(TRANSITIONS.values()) - {BACK} | {S.ACCEPTED, S.ESCALATED}
    assert reached == set(S.values)
    assert {step for (_, step) in TRANSITIONS} == set(STEPS_AFTER_SUBMIT) | SYSTEM_STEPS


def test_the_refusal_names_the_current_status_in_the_readers_language(world):
    from django.utils import translation

    need = bring_to(world, S.REJECTED)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.need_accept(actor=world.lina, need=need)
    assert "not accepted" in str(refused.value.message)


def test_the_rejection_reason_is_shown_to_the_resident_but_escalation_reasons_are_not(world):
    rejected = bring_to(world, S.REJECTED)
    event = rejected.events.get(step=Step.REJECT)
    assert (event.note, event.note_is_internal) == ("不在服务范围", False)
    escalated = bring_to(world, S.ESCALATED)
    assert escalated.events.get(step=Step.ESCALATE).note_is_internal


def test_a_reason_is_required_and_length_limited(world):
    need = submit(world.wangfang)
    with pytest.raises(DomainError) as missing:
        services.need_reject(actor=world.lina, need=need, reason="   ")
    assert (missing.value.code, missing.value.field) == ("required", "reason")
    with pytest.raises(DomainError) as long:
        services.need_escalate(actor=world.lina, need=need, reason="很" * 501)
    assert long.value.code == "too_long"
    assert Need.objects.get(pk=need.pk).status == S.SUBMITTED


def test_escalated_need_is_the_subdistricts_until_sent_back(world):
    need = bring_to(world, S.ESCALATED)
    assert need.level == Need.Level.SUBDISTRICT and need.escalated_at
    with pytest.raises(NotAllowed):
        services.need_match(actor=world.lina, need=need, unit=world.hospital)
    with pytest.raises(NotAllowed):
        services.need_send_back(actor=world.chenjing, need=need, reason="x")
    services.need_send_back(actor=world.liuyang, need=need, reason="社区可以处理")
    need.refresh_from_db()
    assert (need.status, need.level) == (S.SUBMITTED, Need.Level.COMMUNITY)
    services.need_accept(actor=world.lina, need=need)


def test_community_staff_match_only_units_serving_their_community(world):
    need = submit(world.wangfang)
    with pytest.raises(DomainError) as refused:
        services.need_match(actor=world.lina, need=need, unit=world.school)
    assert refused.value.code == "invalid_unit"
    assert list(services.matchable_units(world.lina, need)) == [world.hospital]
    assert set(services.matchable_units(world.liuyang, need)) == {world.hospital, world.school}
    claim = services.need_match(actor=world.liuyang, need=need, unit=world.school)
    assert (claim.status, claim.via, claim.offered_by) == (Claim.Status.OFFERED, Claim.Via.MATCH, world.liuyang)


def test_a_declined_match_goes_back_to_whoever_matched_it(world):
    by_community = bring_to(world, S.MATCHED)
    services.need_match_decline(actor=world.zhengli, claim=live_claim(by_community), reason="人手不足")
    by_community.refresh_from_db()
    assert by_community.status == S.ACCEPTED
    by_subdistrict = bring_to(world, S.ESCALATED)
    claim = services.need_match(actor=world.liuyang, need=by_subdistrict, unit=world.hospital)
    services.need_match_decline(actor=world.zhengli, claim=claim, reason="人手不足")
    by_subdistrict.refresh_from_db()
    assert by_subdistrict.status == S.ESCALATED
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason) == (Claim.Status.DECLINED, "人手不足")


def test_only_the_matched_units_liaison_answers_the_offer(world):
    need = bring_to(world, S.MATCHED)
    claim = live_claim(need)
    for outsider in (world.lina, world.wangfang, world.liuyang):
        with pytest.raises(NotAllowed):
            services.need_match_accept(actor=outsider, claim=claim)
    accepted = services.need_match_accept(actor=world.zhengli, claim=claim)
    assert (accepted.status, accepted.claimant) == (Claim.Status.ACTIVE, world.zhengli)
    assert Need.objects.get(pk=need.pk).started_at is not None


def test_reassigning_withdraws_the_claim_and_offers_the_need_to_another_unit(world):
    need = bring_to(world, S.IN_PROGRESS)
    old = live_claim(need)
    new = services.need_reassign(actor=world.liuyang, need=need, unit=world.school, reason="医院人手不足")
    old.refresh_from_db()
    assert old.status == Claim.Status.WITHDRAWN and old.end_reason == "医院人手不足"
    assert (new.member_unit, new.status) == (world.school, Claim.Status.OFFERED)
    assert Need.objects.get(pk=need.pk).status == S.MATCHED
    with pytest.raises(DomainError) as same:
        services.need_reassign(actor=world.liuyang, need=need, unit=world.school, reason="x")
    assert same.value.code == "invalid_unit"


def test_complete_confirm_and_reopen(world):
    need = bring_to(world, S.IN_PROGRESS)
    services.need_complete(actor=world.zhengli, need=need, resolution="下午三点已送到眼药水")
    need.refresh_from_db()
    assert (need.status, need.resolution) == (S.COMPLETED, "下午三点已送到眼药水")
    assert Claim.objects.get(need=need).status == Claim.Status.DONE
    with pytest.raises(NotAllowed):
        services.need_confirm(actor=world.zhangwei, need=need, stars=5)
    for stars in (0, 6, "5", True):
        with pytest.raises(DomainError) as bad:
            services.need_confirm(actor=world.wangfang, need=need, stars=stars)
        assert bad.value.field == "stars"
    rating = services.need_confirm(actor=world.wangfang, need=need, stars=5, comment="很及时")
    assert (rating.stars, rating.comment, rating.member_unit) == (5, "很及时", world.hospital)
    assert Need.objects.get(pk=need.pk).status == S.CLOSED
    services.need_reopen(actor=world.wangfang, need=need, reason="眼药水买错了")
    need.refresh_from_db()
    assert (need.status, need.level, need.reopen_count, need.closed_at) == (S.SUBMITTED, "community", 1, None)
    assert Rating.objects.filter(need=need).count() == 1


def test_staff_may_complete_for_the_unit_but_an_outsider_may_not(world):
    need = bring_to(world, S.IN_PROGRESS)
    with pytest.raises(NotAllowed):
        services.need_complete(actor=world.chenjing, need=need, resolution="x")
    services.need_complete(actor=world.lina, need=need, resolution="单位电话告知已送达")
    assert Need.objects.get(pk=need.pk).status == S.COMPLETED


def test_first_response_is_the_first_staff_decision(world, clock):
    need = submit(world.wangfang)
    clock.advance(minutes=10)
    services.need_accept(actor=world.lina, need=need)
    need.refresh_from_db()
    assert need.first_response_at - need.submitted_at == clock.current - need.submitted_at
    first = need.first_response_at
    clock.advance(minutes=5)
    services.need_match(actor=world.lina, need=need, unit=world.hospital)
    need.refresh_from_db()
    assert need.first_response_at == first


def test_a_step_on_a_need_changed_meanwhile_is_refused_not_applied_twice(world):
    need = submit(world.wangfang)
    stale = Need.objects.get(pk=need.pk)
    services.need_accept(actor=world.lina, need=need)
    with pytest.raises(DomainError) as refused:
        services.need_accept(actor=world.liuyang, need=stale)
    assert refused.value.code == "invalid_transition"
    assert need.events.filter(step=Step.ACCEPT).count() == 1


def test_a_liaison_of_several_units_says_which_unit_claims(world):
    RoleAssignment.objects.create(user=world.zhengli, role=Role.UNIT_LIAISON, member_unit=world.school)
    need = bring_to(world, S.ACCEPTED)
    with pytest.raises(DomainError) as which:
        services.need_claim(actor=world.zhengli, need=need)
    assert which.value.code == "invalid_unit"
    claim = services.need_claim(actor=world.zhengli, need=need, unit=world.school)
    assert claim.member_unit == world.school


def test_the_target_of_back_depends_on_the_level(world):
    need = Need(status=S.MATCHED, level=Need.Level.SUBDISTRICT)
    assert workflow.target(need, Step.MATCH_DECLINE) == S.ESCALATED
    need.level = Need.Level.COMMUNITY
    assert workflow.target(need, Step.MATCH_DECLINE) == S.ACCEPTED
