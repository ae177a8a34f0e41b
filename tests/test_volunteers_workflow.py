"""Applying, reviewing and leaving: the checks on an application (nothing is written when one fails),
every review step from every status as the table says, numbers, encryption of the identity number.

The story: 王芳 (resident of 智格) applies; 李娜 (智格's staff) approves or rejects; 陈静 (滟澜's staff)
may not review 智格's volunteers; 刘洋 (subdistrict staff) may review all of them."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications.models import Message
from jusha.volunteers import idnumbers, services, workflow
from jusha.volunteers.models import Volunteer
from jusha.volunteers.workflow import TRANSITIONS, Step
from tests.volunteers_helpers import WANGFANG_ID, S, application, apply, approved, id_number


def test_an_application_waits_for_review_with_the_number_sealed(world):
    volunteer = apply(world)
    assert volunteer.status == S.APPLIED and volunteer.number is None
    assert volunteer.id_number_last4 == WANGFANG_ID[-4:]
    assert set(volunteer.service_area.values_list("pk", flat=True)) == {world.zhige.pk, world.yanlan.pk}
    assert volunteer.skills == ["elderly_care", "it"]
    entry = AuditEntry.objects.get(action="volunteers.apply")
    assert WANGFANG_ID not in str(entry.after) and WANGFANG_ID[-4:] not in str(entry.after)


def test_the_database_column_never_holds_the_plain_number(world):
    volunteer = apply(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted FROM volunteers_volunteer WHERE id = %s", [volunteer.pk])
        stored = cursor.fetchone()[0]
    assert stored and WANGFANG_ID not in stored and WANGFANG_ID[:14] not in stored
    assert idnumbers.unseal(stored) == WANGFANG_ID


def test_with_storage_none_nothing_but_the_last_four_is_kept(world, settings):
    settings.JUSHA_VOLUNTEER_ID_STORAGE = "none"
    volunteer = apply(world)
    volunteer.refresh_from_db()
    assert volunteer.id_number_encrypted == "" and volunteer.id_number_last4 == WANGFANG_ID[-4:]
    with pytest.raises(DomainError) as refused:
        services.volunteer_reveal_id(actor=world.lina, volunteer=volunteer)
    assert refused.value.code == "not_stored"
    assert not AuditEntry.objects.filter(action="volunteers.reveal_id").exists()


def test_a_configured_key_is_used_and_another_key_cannot_read_it(world, settings):
    from cryptography.fernet import Fernet

    settings.JUSHA_VOLUNTEER_ID_KEY = Fernet.generate_key().decode()
    volunteer = apply(world)
    assert idnumbers.unseal(volunteer.id_number_encrypted) == WANGFANG_ID
    settings.JUSHA_VOLUNTEER_ID_KEY = Fernet.generate_key().decode()
    assert idnumbers.unseal(volunteer.id_number_encrypted) == ""


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"id_number": WANGFANG_ID[:-1] + ("0" if WANGFANG_ID[-1] != "0" else "1")}, "invalid_id_number", "id_number"),
    ({"id_number": "33011419850230024X"}, "invalid_id_number", "id_number"),  # 30 February
    ({"id_number": ""}, "required", "id_number"),
    ({"birth_month": date(1990, 3, 1)}, "id_mismatch", "birth_month"),
    ({"gender": "male"}, "id_mismatch", "gender"),
    ({"id_type": "passport", "id_number": "E1-2"}, "invalid_id_number", "id_number"),
    ({"id_type": "hk_macao", "id_number": "X12345678"}, "invalid_id_number", "id_number"),
    ({"id_type": "martian"}, "invalid_choice", "id_type"),
    ({"name": "  "}, "required", "name"),
    ({"skills": []}, "required", "skills"),
    ({"skills": ["juggling"]}, "invalid_choice", "skills"),
    ({"mobile": "12345"}, "invalid_mobile", "mobile"),
    ({"availability": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "invalid_slot", "availability"),
    ({"availability": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}, "invalid_slot", "availability"),
    ({"extra": {"occupation": "教师"}}, "consent_required", "extra_consent"),
    ({"extra": {"religion": "x"}, "extra_consent": True}, "invalid_choice", "extra"),
    ({"birth_month": date(2999, 1, 1), "id_number": id_number("29990101")}, "invalid_date", "birth_month"),
])
def test_a_bad_application_is_refused_and_changes_nothing(world, overrides, code, field):
    with pytest.raises(DomainError) as refused:
        apply(world, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Volunteer.objects.exists() and not AuditEntry.objects.filter(action__startswith="volunteers").exists()


def test_extras_are_kept_only_with_consent(world, clock):
    volunteer = apply(world, extra={"occupation": "教师", "education": ""}, extra_consent=True)
    assert volunteer.extra == {"occupation": "教师"} and volunteer.extra_consent_at == clock()


def test_other_documents_pass_their_format_checks(world):
    volunteer = apply(world, id_type="passport", id_number="e 1234 5678")
    assert volunteer.id_number_last4 == "5678"
    assert idnumbers.unseal(volunteer.id_number_encrypted) == "E12345678"


def test_one_record_per_person(world):
    apply(world)
    with pytest.raises(DomainError) as refused:
        apply(world)
    assert refused.value.code == "already_applied"
    assert Volunteer.objects.count() == 1


def bring_to(world, status: str) -> Volunteer:
    volunteer = apply(world)
    if status == S.APPLIED:
        return volunteer
    if status == S.REJECTED:
        return services.volunteer_reject(actor=world.lina, volunteer=volunteer, reason="资料不全")
    if status == S.WITHDRAWN:
        return services.volunteer_withdraw(actor=world.wangfang, volunteer=volunteer)
    services.volunteer_approve(actor=world.lina, volunteer=volunteer)
    if status == S.SUSPENDED:
        services.volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="多次缺席")
    return Volunteer.objects.get(pk=volunteer.pk)


def take(world, volunteer: Volunteer, step: Step) -> Volunteer:
    match step:
        case Step.APPLY:
            return services.volunteer_apply(actor=world.wangfang, **application(world))
        case Step.UPDATE:
            return services.volunteer_update(actor=world.wangfang, volunteer=volunteer, skills=["repair"],
                                             mobile="13800000009")
        case Step.APPROVE:
            return services.volunteer_approve(actor=world.lina, volunteer=volunteer)
        case Step.REJECT:
            return services.volunteer_reject(actor=world.lina, volunteer=volunteer, reason="不符合条件")
        case Step.SUSPEND:
            return services.volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="投诉")
        case Step.REINSTATE:
            return services.volunteer_reinstate(actor=world.lina, volunteer=volunteer)
        case Step.WITHDRAW:
            return services.volunteer_withdraw(actor=world.wangfang, volunteer=volunteer)


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(Step))
def test_every_step_from_every_status_is_allowed_exactly_where_the_table_says(world, status, step):
    volunteer = bring_to(world, status)
    before = AuditEntry.objects.count()
    expected = TRANSITIONS.get((status, step))
    if expected is None:
        with pytest.raises(DomainError) as refused:
            take(world, volunteer, step)
        assert refused.value.code in ("invalid_transition", "already_applied")
        assert Volunteer.objects.get(pk=volunteer.pk).status == status
        assert AuditEntry.objects.count() == before
    else:
        take(world, volunteer, step)
        assert Volunteer.objects.get(pk=volunteer.pk).status == expected
        assert AuditEntry.objects.filter(action=f"volunteers.{step}").exists()


def test_approval_gives_a_number_of_the_subdistrict_and_year_and_tells_the_applicant(
        world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        volunteer = approved(world)
    year = timezone.localtime(clock()).year
    assert volunteer.number == f"{world.subdistrict.code}{year}00001"
    assert volunteer.reviewed_by == world.lina
    message = Message.objects.get(recipient=world.wangfang, kind="volunteers.approved")
    assert message.context["number"] == volunteer.number
    other = approved(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002",
                     id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1), community=world.yanlan,
                     service_area=[])
    assert other.number == f"{world.subdistrict.code}{year}00002"
    assert list(other.service_area.values_list("pk", flat=True)) == [world.yanlan.pk]


def test_a_rejection_needs_a_reason_and_the_applicant_reads_it(world, django_capture_on_commit_callbacks):
    volunteer = apply(world)
    with pytest.raises(DomainError) as refused:
        services.volunteer_reject(actor=world.lina, volunteer=volunteer, reason=" ")
    assert refused.value.code == "required"
    with django_capture_on_commit_callbacks(execute=True):
        services.volunteer_reject(actor=world.lina, volunteer=volunteer, reason="请补充身份证明")
    message = Message.objects.get(recipient=world.wangfang, kind="volunteers.rejected")
    assert message.context["reason"] == "请补充身份证明"


def test_a_number_stays_through_withdrawal_and_a_new_application(world):
    volunteer = approved(world)
    number = volunteer.number
    services.volunteer_withdraw(actor=world.wangfang, volunteer=volunteer, reason="搬家")
    again = apply(world)
    assert again.pk == volunteer.pk and again.status == S.APPLIED
    services.volunteer_approve(actor=world.lina, volunteer=again)
    assert Volunteer.objects.get(pk=volunteer.pk).number == number


def test_withdrawal_deletes_the_optional_fields(world):
    volunteer = apply(world, extra={"occupation": "教师"}, extra_consent=True)
    services.volunteer_withdraw(actor=world.wangfang, volunteer=volunteer)
    volunteer.refresh_from_db()
    assert volunteer.extra == {} and volunteer.extra_consent_at is None


@pytest.mark.parametrize("who", ["chenjing", "zhengli", "zhangwei", "wangfang", "zhaolei"])
def test_only_the_communitys_or_subdistricts_staff_review(world, who):
    volunteer = apply(world)
    with pytest.raises(NotAllowed):
        services.volunteer_approve(actor=getattr(world, who), volunteer=volunteer)
    assert Volunteer.objects.get(pk=volunteer.pk).status == S.APPLIED


def test_subdistrict_staff_review_any_community_of_theirs(world):
    volunteer = apply(world)
    services.volunteer_approve(actor=world.liuyang, volunteer=volunteer)
    assert Volunteer.objects.get(pk=volunteer.pk).status == S.APPROVED


def test_staff_do_not_review_their_own_application(world):
    volunteer = apply(world, world.lina, mobile="13900000001")
    with pytest.raises(DomainError) as refused:
        services.volunteer_approve(actor=world.lina, volunteer=volunteer)
    assert refused.value.code == "own_record"


def test_only_the_volunteer_changes_or_withdraws_their_record(world):
    volunteer = apply(world)
    for other in (world.lina, world.admin, world.zhangwei):
        with pytest.raises(NotAllowed):
            services.volunteer_withdraw(actor=other, volunteer=volunteer)


def test_revealing_the_number_is_for_reviewers_and_audited(world):
    volunteer = apply(world)
    assert services.volunteer_reveal_id(actor=world.lina, volunteer=volunteer) == WANGFANG_ID
    entry = AuditEntry.objects.get(action="volunteers.reveal_id")
    assert entry.actor == world.lina and WANGFANG_ID not in str(entry.after) + str(entry.before)
    for other in (world.chenjing, world.zhengli, world.wangfang):
        with pytest.raises(NotAllowed):
            services.volunteer_reveal_id(actor=other, volunteer=volunteer)


def test_an_update_keeps_the_status_and_changes_what_is_offered(world):
    volunteer = approved(world)
    services.volunteer_update(actor=world.wangfang, volunteer=volunteer, skills=["repair", "it"],
                              mobile="13800000009", service_area=[world.yanlan])
    volunteer.refresh_from_db()
    assert volunteer.status == S.APPROVED and volunteer.skills == ["it", "repair"]
    assert list(volunteer.service_area.values_list("pk", flat=True)) == [world.yanlan.pk]


def test_the_review_steps_are_in_the_table():
    assert set(workflow.REVIEW_STEPS) <= {step for (_s, step) in TRANSITIONS}


def test_one_record_per_identity_document_whichever_account_applies(world):
    apply(world)
    with pytest.raises(DomainError) as refused:
        apply(world, world.zhangwei, mobile="13800000002")
    assert (refused.value.code, refused.value.field) == ("id_taken", "id_number")
    assert Volunteer.objects.count() == 1


def test_in_none_mode_no_digest_is_kept_either(world, settings):
    settings.JUSHA_VOLUNTEER_ID_STORAGE = "none"
    assert apply(world).id_number_digest == ""
