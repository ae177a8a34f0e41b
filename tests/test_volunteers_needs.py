"""Volunteers in the needs: suggested by matching, matched by staff, claiming from the board.

The story: 王芳 (智格) is an approved volunteer for elderly care and phones, serving 智格 and 滟澜; 张伟
(滟澜) asks for an errand; 陈静 (滟澜's staff) accepts it and may match it to 王芳, who accepts on the need
board; or 王芳 takes it from the board herself. Suspended, she no longer can."""

from datetime import date

import pytest

from jusha import permissions
from jusha.accounts.models import User
from jusha.core.errors import DomainError
from jusha.needs import services as needs
from jusha.needs.models import Claim, Need
from jusha.notifications.models import Message
from jusha.permissions import Action
from jusha.resources import matching
from jusha.resources.matching import suggest_for_need
from jusha.volunteers import services
from tests.needs_helpers import IN_YANLAN, IN_ZHIGE, category, submit
from tests.volunteers_helpers import approved, id_number


def fresh(user) -> User:
    """The person as a new request sees them (the actor's scopes are cached per user object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def volunteer(world):
    return approved(world)


@pytest.fixture
def need(world):
    made = submit(world.zhangwei, at=IN_YANLAN, category=category("errands"))
    needs.need_accept(actor=world.chenjing, need=made)
    return Need.objects.select_related("community", "category").get(pk=made.pk)


def test_an_approved_volunteer_with_fitting_skills_is_suggested_with_the_score_parts(world, volunteer, need):
    found = [s for s in suggest_for_need(actor=world.chenjing, need=need) if s.candidate_kind == "volunteer"]
    assert [s.candidate.pk for s in found] == [volunteer.pk]
    parts = {p.code: p.value for p in found[0].parts}
    assert parts["category"] == 1.0 and parts["distance"] == matching.AREA_VALUE
    assert parts["availability"] == matching.UNKNOWN_VALUE and parts["load"] == 1.0
    assert found[0].resources == ()


def test_volunteers_without_the_skill_suspended_or_not_serving_are_not_suggested(world, volunteer, need):
    approved(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002", skills=["legal"],
             id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1), community=world.yanlan)
    services.volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="投诉")
    assert [s for s in suggest_for_need(actor=world.chenjing, need=need) if s.candidate_kind == "volunteer"] == []


def test_a_volunteer_living_in_the_needs_community_scores_the_full_distance(world, need):
    local = approved(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002",
                     id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1), community=world.yanlan,
                     service_area=[])
    best = next(s for s in suggest_for_need(actor=world.chenjing, need=need) if s.candidate_kind == "volunteer")
    assert best.candidate.pk == local.pk
    assert {p.code: p.value for p in best.parts}["distance"] == 1.0


def test_staff_match_a_need_to_a_volunteer_who_accepts_on_the_board(world, volunteer, need,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim = needs.need_match(actor=world.chenjing, need=need, volunteer=volunteer.pk)
    assert (claim.status, claim.member_unit_id, claim.claimant_id) == (Claim.Status.OFFERED, None, world.wangfang.pk)
    assert Message.objects.filter(recipient=world.wangfang, kind="needs.volunteer_offered").count() == 1
    needs.need_match_accept(actor=fresh(world.wangfang), claim=claim)
    assert Need.objects.get(pk=need.pk).status == Need.Status.IN_PROGRESS


def test_a_volunteer_suspended_after_the_match_cannot_accept_it(world, volunteer, need):
    claim = needs.need_match(actor=world.chenjing, need=need, volunteer=volunteer)
    services.volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="投诉")
    with pytest.raises(DomainError) as refused:
        needs.need_match_accept(actor=fresh(world.wangfang), claim=claim)
    assert refused.value.code == "not_a_volunteer"
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.OFFERED


def test_matching_takes_a_unit_or_a_volunteer_never_both_or_neither(world, volunteer, need):
    for kwargs in ({}, {"unit": world.school.pk, "volunteer": volunteer.pk}):
        with pytest.raises(DomainError):
            needs.need_match(actor=world.chenjing, need=need, **kwargs)
    assert not Claim.objects.exists()


def test_only_volunteers_the_staff_may_match(world, volunteer):
    other = submit(world.wangfang, at=IN_ZHIGE, category=category("errands"), text="帮忙取快递")
    needs.need_accept(actor=world.lina, need=other)
    approved(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002", service_area=[],
             id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1), community=world.yanlan)
    outsider = world.zhangwei.volunteer
    with pytest.raises(DomainError) as refused:
        needs.need_match(actor=world.lina, need=other, volunteer=outsider.pk)
    assert refused.value.code == "invalid_volunteer"


def test_an_approved_volunteer_claims_from_the_board_for_themselves(world, volunteer, need):
    claim = needs.need_claim(actor=fresh(world.wangfang), need=need.pk)
    assert (claim.member_unit_id, claim.claimant_id, claim.via) == (None, world.wangfang.pk, Claim.Via.BOARD)
    assert Need.objects.get(pk=need.pk).status == Need.Status.IN_PROGRESS
    needs.need_complete(actor=fresh(world.wangfang), need=need.pk, resolution="已送到")
    assert Need.objects.get(pk=need.pk).status == Need.Status.COMPLETED


def test_a_suspended_volunteer_loses_the_board(world, volunteer, need):
    services.volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="投诉")
    person = fresh(world.wangfang)
    assert not permissions.can(person, Action.NEED_CLAIM)
    with pytest.raises(DomainError) as refused:
        needs.need_claim(actor=person, need=need.pk)
    assert refused.value.code == "not_a_volunteer"
    assert Need.objects.get(pk=need.pk).status == Need.Status.ACCEPTED and not Claim.objects.exists()


def test_a_volunteer_claims_only_in_the_communities_they_serve(world, need):
    approved(world, service_area=[world.zhige])
    with pytest.raises(DomainError) as refused:
        needs.need_claim(actor=fresh(world.wangfang), need=need.pk)
    assert refused.value.code == "outside_area"
    assert not Claim.objects.exists()


def test_a_resident_who_is_not_a_volunteer_cannot_claim(world, need):
    assert not permissions.can(fresh(world.wangfang), Action.NEED_CLAIM)
    with pytest.raises(DomainError) as refused:
        needs.need_claim(actor=fresh(world.wangfang), need=need.pk)
    assert refused.value.code == "not_a_volunteer"


def test_a_volunteer_holds_a_few_needs_at_a_time(world, volunteer, settings):
    settings.JUSHA_VOLUNTEER_MAX_LIVE_CLAIMS = 1
    first, second = (submit(world.zhangwei, at=IN_YANLAN, text=t, category=category("errands"))
                     for t in ("买菜", "取药"))
    for n in (first, second):
        needs.need_accept(actor=world.chenjing, need=n)
    needs.need_claim(actor=fresh(world.wangfang), need=first.pk)
    with pytest.raises(DomainError) as refused:
        needs.need_claim(actor=fresh(world.wangfang), need=second.pk)
    assert refused.value.code == "claim_limit"


def test_the_board_page_lets_a_volunteer_claim_and_finish(client, world, volunteer, need):
    client.force_login(world.wangfang)
    page = client.get("/needs/board/")
    assert page.status_code == 200 and b'data-testid="claim"' in page.content
    assert client.post(f"/needs/board/{need.pk}/claim/").status_code == 302
    claim = Claim.objects.get(need=need)
    page = client.get("/needs/board/")
    assert b'data-testid="volunteer-claim"' in page.content
    assert client.post(f"/needs/board/claims/{claim.pk}/complete/", {"resolution": "已完成"}).status_code == 302
    assert Need.objects.get(pk=need.pk).status == Need.Status.COMPLETED
    assert client.post(f"/needs/board/claims/{claim.pk}/nonsense/").status_code == 404


def test_the_console_matches_a_suggested_volunteer(client, world, volunteer, need):
    client.force_login(world.chenjing)
    page = client.get(f"/console/needs/{need.pk}/")
    assert f'data-volunteer="{volunteer.pk}"'.encode() in page.content
    assert client.post(f"/console/needs/{need.pk}/match/", {"volunteer": volunteer.pk}).status_code == 302
    assert Claim.objects.get(need=need).claimant_id == world.wangfang.pk


def test_the_suggestions_api_lists_volunteers(client, world, volunteer, need):
    client.force_login(world.chenjing)
    rows = client.get(f"/api/resources/suggestions?need={need.pk}").json()
    assert [(r["candidate_kind"], r["candidate_id"], r["resources"]) for r in rows] == [
        ("volunteer", volunteer.pk, [])]
