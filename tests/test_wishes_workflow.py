"""The micro-wish workflow: every step from every status, allowed exactly where the table says; the
lapse of claims nobody followed up; per-claimer limits; the thank-you wall's consent.

The story: 李娜 (智格's staff) collects 欧阳小明's wish for a new school bag, verifies and publishes it;
郑丽 claims it for 下沙医院, contacts 李娜, delivers with a photo; 李娜 confirms for the family.
"""

from datetime import timedelta

import pytest

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.wishes import services, workflow
from jusha.wishes.models import MicroWish, WishClaim, WishPhoto, public_name_for
from jusha.wishes.workflow import TRANSITIONS, Step
from tests.needs_helpers import png_bytes, upload
from tests.wishes_helpers import S, collect, live_claim, published


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def bring_to(world, status: str) -> MicroWish:
    """A fresh wish of 智格 in `status`, reached through the services only."""
    wish = collect(world, text=f"wish in {status}")
    if status == S.DRAFT:
        return wish
    if status == S.CANCELLED:
        return services.wish_cancel(actor=world.lina, wish=wish, reason="家庭已搬走")
    services.wish_verify(actor=world.lina, wish=wish)
    if status == S.VERIFIED:
        return MicroWish.objects.get(pk=wish.pk)
    services.wish_publish(actor=world.lina, wish=wish)
    if status == S.PUBLISHED:
        return MicroWish.objects.get(pk=wish.pk)
    if status == S.WITHDRAWN:
        return services.wish_withdraw(actor=world.lina, wish=wish, reason="暂缓")
    if status == S.EXPIRED:
        MicroWish.objects.filter(pk=wish.pk).update(target_date=wish.target_date - timedelta(days=60))
        services.wishes_expire_sweep()
        return MicroWish.objects.get(pk=wish.pk)
    claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    if status == S.CLAIMED:
        return MicroWish.objects.get(pk=wish.pk)
    services.wish_contact(actor=world.zhengli, claim=claim, note="已和李娜电话联系，周六送去")
    if status == S.CONTACTED:
        return MicroWish.objects.get(pk=wish.pk)
    services.wish_deliver(actor=world.zhengli, claim=claim, note="书包已送到", photo_files=[upload(png_bytes())])
    if status == S.DELIVERED:
        return MicroWish.objects.get(pk=wish.pk)
    services.wish_confirm(actor=world.lina, wish=wish)
    assert status == S.FULFILLED
    return MicroWish.objects.get(pk=wish.pk)


def do(world, step: Step, wish: MicroWish, clock):
    claim = live_claim(wish)
    match step:
        case Step.VERIFY:
            return services.wish_verify(actor=world.lina, wish=wish)
        case Step.PUBLISH:
            return services.wish_publish(actor=world.lina, wish=wish,
                                         target_date=clock().date() + timedelta(days=10))
        case Step.CLAIM:
            return services.wish_claim(actor=world.zhangwei, wish=wish)
        case Step.RELEASE:
            return services.wish_claim_release(actor=world.zhengli, claim=claim, reason="单位临时有事")
        case Step.LAPSE:
            clock.advance(days=7)
            return services.wishes_lapse_sweep()
        case Step.CONTACT:
            return services.wish_contact(actor=world.zhengli, claim=claim, note="已联系社区")
        case Step.DELIVER:
            return services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达",
                                         photo_files=[upload(png_bytes())])
        case Step.CONFIRM:
            return services.wish_confirm(actor=world.lina, wish=wish)
        case Step.WITHDRAW:
            return services.wish_withdraw(actor=world.lina, wish=wish, reason="暂缓")
        case Step.EXPIRE:
            clock.advance(days=40)
            return services.wishes_expire_sweep()
        case Step.CANCEL:
            return services.wish_cancel(actor=world.lina, wish=wish, reason="家庭已搬走")
    raise AssertionError(step)


CLAIM_STEPS = {Step.RELEASE, Step.CONTACT, Step.DELIVER}
SWEEPS = {Step.LAPSE, Step.EXPIRE}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", [s for s in Step if s is not Step.CREATE])
def test_each_step_is_allowed_exactly_where_the_table_says(world, clock, status, step):
    wish = bring_to(world, status)
    expected = TRANSITIONS.get((status, step))
    if step in CLAIM_STEPS and live_claim(wish) is None:
        assert expected is None, "a claimer's step is allowed where no claim can exist"
        return
    audits = AuditEntry.objects.filter(action__startswith="wishes.").count()
    if expected is None:
        if step in SWEEPS:
            do(world, step, wish, clock)  # the sweep leaves a wish it does not concern alone
        else:
            with pytest.raises(DomainError) as refused:
                do(world, step, wish, clock)
            # A wish that is not public is not found by a claimer at all (a 404), as a page would show.
            codes = {"not_found"} if step is Step.CLAIM and status not in workflow.PUBLIC else {
                "invalid_transition", "already_claimed"}
            assert refused.value.code in codes
            assert str(refused.value.message)
            assert AuditEntry.objects.filter(action__startswith="wishes.").count() == audits
        assert MicroWish.objects.get(pk=wish.pk).status == status
        return
    do(world, step, wish, clock)
    assert MicroWish.objects.get(pk=wish.pk).status == expected
    assert AuditEntry.objects.filter(action=f"wishes.{step}", target_id=str(wish.pk)).exists()


def test_every_status_is_reachable_and_every_step_is_in_the_table():
    assert {S.DRAFT} | set(TRANSITIONS.values()) == set(S.values)
    assert {step for (_, step) in TRANSITIONS} == set(Step) - {Step.CREATE}


def test_the_public_name_is_a_surname_initial_never_the_whole_name():
    assert public_name_for("欧阳小明") == "欧**"
    assert public_name_for("张伟") == "张**"
    assert public_name_for("zhang wei") == "Z."
    assert public_name_for("  ") == "**"


def test_a_wish_records_the_private_details_and_derives_the_public_name(world):
    wish = collect(world)
    assert (wish.status, wish.public_name, wish.beneficiary_phone, wish.created_by) == (
        S.DRAFT, "欧**", "13712345678", world.lina)


@pytest.mark.parametrize(("field", "kwargs", "code"), [
    ("beneficiary_name", {"beneficiary_name": " "}, "required"),
    ("text", {"text": ""}, "required"),
    ("text", {"text": "书" * 201}, "too_long"),
    ("category", {"category": "toys"}, "invalid_choice"),
    ("estimated_value", {"estimated_value": 0}, "invalid_value"),
    ("estimated_value", {"estimated_value": 5001}, "invalid_value"),
    ("target_date", {"target_date": None}, "required"),
])
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(world, field, kwargs, code):
    with pytest.raises(DomainError) as refused:
        collect(world, **kwargs)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert MicroWish.objects.count() == 0


def test_a_past_target_date_is_refused(world, clock):
    with pytest.raises(DomainError) as refused:
        collect(world, target_date=clock().date() - timedelta(days=1))
    assert refused.value.code == "invalid_date"


def test_staff_collect_only_for_their_own_community(world):
    with pytest.raises(DomainError) as refused:
        collect(world, community=world.yanlan, actor=world.lina)
    assert refused.value.code == "not_your_community"
    with pytest.raises(DomainError):
        collect(world, actor=world.wangfang)


def test_other_communities_staff_cannot_verify(world):
    wish = collect(world)
    with pytest.raises(NotAllowed):
        services.wish_verify(actor=world.chenjing, wish=wish)
    services.wish_verify(actor=world.liuyang, wish=wish)  # subdistrict staff manage all of theirs
    assert MicroWish.objects.get(pk=wish.pk).status == S.VERIFIED


def test_a_need_photo_that_is_not_an_image_is_refused(world):
    with pytest.raises(DomainError) as refused:
        collect(world, photo_files=[upload(b"not a picture at all", name="x.png")])
    assert refused.value.code == "photo_not_image"
    assert MicroWish.objects.count() == 0


def test_delivery_needs_a_real_photo_and_a_note(world):
    wish = bring_to(world, S.CONTACTED)
    claim = live_claim(wish)
    with pytest.raises(DomainError) as refused:
        services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达", photo_files=[])
    assert refused.value.code == "photo_required"
    with pytest.raises(DomainError) as refused:
        services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达",
                              photo_files=[upload(b"%PDF-1.4 fake", name="bag.jpg", content_type="image/jpeg")])
    assert refused.value.code == "photo_not_image"
    with pytest.raises(DomainError) as refused:
        services.wish_deliver(actor=world.zhengli, claim=claim, note=" ", photo_files=[upload(png_bytes())])
    assert refused.value.code == "required"
    assert MicroWish.objects.get(pk=wish.pk).status == S.CONTACTED and WishPhoto.objects.count() == 0


def test_a_unit_claim_is_by_its_liaison_and_a_person_claims_for_themselves(world):
    wish = published(world)
    with pytest.raises(DomainError) as refused:
        services.wish_claim(actor=world.wangfang, wish=wish, unit=world.hospital)
    assert refused.value.code == "invalid_unit"
    claim = services.wish_claim(actor=world.wangfang, wish=wish, show_name=True)
    assert (claim.member_unit, claim.claimant, claim.show_name, claim.status) == (None, world.wangfang, True, "active")
    with pytest.raises(DomainError) as refused:
        services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    assert refused.value.code == "already_claimed"


def test_anonymous_visitors_cannot_claim(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        services.wish_claim(actor=AnonymousUser(), wish=published(world))


def test_another_claimer_cannot_act_on_someone_elses_claim(world):
    wish = published(world)
    claim = services.wish_claim(actor=world.wangfang, wish=wish)
    with pytest.raises(NotAllowed):
        services.wish_contact(actor=world.zhangwei, claim=claim, note="我来")
    with pytest.raises(NotAllowed):
        services.wish_claim_release(actor=world.zhengli, claim=claim, reason="x")


def test_the_beneficiary_with_an_account_confirms_but_nobody_else_outside_staff(world):
    wish = collect(world, beneficiary=world.wangfang, beneficiary_name="")
    assert wish.beneficiary_name == "王芳" and wish.public_name == "王**"
    services.wish_verify(actor=world.lina, wish=wish)
    services.wish_publish(actor=world.lina, wish=wish)
    with pytest.raises(DomainError) as refused:
        services.wish_claim(actor=world.wangfang, wish=wish)
    assert refused.value.code == "own_wish"
    claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    services.wish_contact(actor=world.zhengli, claim=claim, note="已联系")
    services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达", photo_files=[upload(png_bytes())])
    with pytest.raises(NotAllowed):
        services.wish_confirm(actor=world.zhengli, wish=wish)
    services.wish_confirm(actor=world.wangfang, wish=wish)
    assert MicroWish.objects.get(pk=wish.pk).status == S.FULFILLED
    assert WishClaim.objects.get(pk=claim.pk).status == WishClaim.Status.DONE


# --- the contact deadline -----------------------------------------------------------------------

def test_a_claim_without_contact_lapses_on_day_seven_and_the_wish_returns_to_the_wall(world, clock,
                                                                                      django_capture_on_commit_callbacks):
    wish = published(world)
    claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    clock.advance(days=6, hours=23)
    assert services.wishes_lapse_sweep() == 0
    assert MicroWish.objects.get(pk=wish.pk).status == S.CLAIMED
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.wishes_lapse_sweep() == 1
    assert MicroWish.objects.get(pk=wish.pk).status == S.PUBLISHED
    assert WishClaim.objects.get(pk=claim.pk).status == WishClaim.Status.LAPSED
    assert services.wishes_lapse_sweep() == 0
    assert AuditEntry.objects.filter(action="wishes.lapse", target_id=str(wish.pk)).count() == 1
    # Back on the wall, someone else may claim it.
    services.wish_claim(actor=world.zhangwei, wish=wish)


def test_a_claim_with_contact_does_not_lapse(world, clock):
    wish = published(world)
    claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    clock.advance(days=6)
    services.wish_contact(actor=world.zhengli, claim=claim, note="已联系社区")
    clock.advance(days=30)
    assert services.wishes_lapse_sweep() == 0
    assert MicroWish.objects.get(pk=wish.pk).status == S.CONTACTED


def test_the_contact_deadline_is_a_setting(world, clock, settings):
    settings.JUSHA_WISH_CONTACT_DAYS = 2
    wish = published(world)
    services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    clock.advance(days=2)
    assert services.wishes_lapse_sweep() == 1


def test_published_wishes_past_their_date_expire_once_and_can_be_published_again(world, clock):
    wish = published(world)
    clock.advance(days=30)
    assert services.wishes_expire_sweep() == 0
    clock.advance(days=1)
    assert services.wishes_expire_sweep() == 1
    assert services.wishes_expire_sweep() == 0
    assert MicroWish.objects.get(pk=wish.pk).status == S.EXPIRED
    with pytest.raises(DomainError) as refused:
        services.wish_publish(actor=world.lina, wish=wish)
    assert refused.value.code == "invalid_date"
    services.wish_publish(actor=world.lina, wish=wish, target_date=clock().date() + timedelta(days=14))
    assert MicroWish.objects.get(pk=wish.pk).status == S.PUBLISHED


def test_the_sweeps_are_registered_with_the_worker(settings):
    paths = [path for path, _ in settings.JUSHA_PERIODIC_JOBS]
    assert "jusha.wishes.services.wishes_lapse_sweep" in paths
    assert "jusha.wishes.services.wishes_expire_sweep" in paths


# --- per-claimer limits ---------------------------------------------------------------------------

def test_a_person_holds_at_most_the_configured_number_of_wishes(world, settings):
    settings.JUSHA_WISH_MAX_LIVE_CLAIMS_PER_PERSON = 2
    wishes = [published(world, text=f"心愿{i}") for i in range(3)]
    first = services.wish_claim(actor=world.wangfang, wish=wishes[0])
    services.wish_claim(actor=world.wangfang, wish=wishes[1])
    with pytest.raises(DomainError) as refused:
        services.wish_claim(actor=world.wangfang, wish=wishes[2])
    assert refused.value.code == "claim_limit"
    assert MicroWish.objects.get(pk=wishes[2].pk).status == S.PUBLISHED
    # Giving one back makes room again; a unit's claims do not count against its liaison personally.
    services.wish_claim_release(actor=world.wangfang, claim=first, reason="时间冲突")
    services.wish_claim(actor=world.wangfang, wish=wishes[2])


def test_a_unit_holds_at_most_the_configured_number_of_wishes(world, settings):
    settings.JUSHA_WISH_MAX_LIVE_CLAIMS_PER_UNIT = 1
    one, two = published(world, text="心愿一"), published(world, text="心愿二")
    services.wish_claim(actor=world.zhengli, wish=one, unit=world.hospital)
    with pytest.raises(DomainError) as refused:
        services.wish_claim(actor=world.zhengli, wish=two, unit=world.hospital)
    assert refused.value.code == "claim_limit"
    services.wish_claim(actor=world.zhengli, wish=two)  # for herself, not the unit


# --- the thank-you wall's consent ---------------------------------------------------------------

def test_the_claimer_may_change_their_mind_about_being_named_until_fulfilled(world):
    wish = bring_to(world, S.DELIVERED)
    claim = live_claim(wish)
    assert claim.show_name is False
    services.wish_claim_show_name(actor=world.zhengli, claim=claim, show_name=True)
    services.wish_confirm(actor=world.lina, wish=wish)
    with pytest.raises(DomainError) as refused:
        services.wish_claim_show_name(actor=world.zhengli, claim=claim, show_name=False)
    assert refused.value.code == "invalid_transition"
    assert WishClaim.objects.get(pk=claim.pk).show_name is True


def test_cancelling_a_claimed_wish_ends_the_claim(world):
    wish = bring_to(world, S.CONTACTED)
    claim = live_claim(wish)
    services.wish_cancel(actor=world.lina, wish=wish, reason="家庭已搬走")
    assert WishClaim.objects.get(pk=claim.pk).status == WishClaim.Status.CANCELLED
    assert workflow.TRANSITIONS.get((S.CANCELLED, Step.PUBLISH)) is None
