"""Building, opening and answering a survey, and recording field visits, through the services.

刘洋 (subdistrict staff) builds 下沙's survey; 李娜 (community staff of 智格) answers for 智格 and records
visits there; 郑丽 answers for 下沙医院; 王芳 for herself. Questions lock with the first answer; each
person, unit, community and device answers once; the period and the audience are enforced.
"""

from datetime import timedelta

import pytest

from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.livelihood import services
from jusha.livelihood.models import FieldVisit, Question, Response, Survey, VisitPhoto
from jusha.livelihood.services import QuestionSpec
from tests.livelihood_helpers import Built, add, draft, settings_for, submit
from tests.needs_helpers import png_bytes, upload

pytestmark = pytest.mark.django_db
K = Question.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def code_of(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_only_subdistrict_staff_create_a_survey(world, clock):
    for person in (world.lina, world.zhengli, world.wangfang, world.zhaolei):
        with pytest.raises(NotAllowed):
            services.survey_create(actor=person, subdistrict=world.subdistrict, settings=settings_for())
    survey = draft(world)
    assert survey.status == Survey.Status.DRAFT
    assert AuditEntry.objects.filter(action="livelihood.survey_create", target_id=str(survey.pk)).exists()


def test_a_survey_must_close_after_it_opens(world, clock):
    now = clock()
    assert code_of(lambda: draft(world, opens_at=now, closes_at=now)) == "invalid_period"
    assert code_of(lambda: draft(world, title=" ")) == "required"
    assert Survey.objects.count() == 0


def test_questions_are_numbered_in_order_and_can_be_inserted(world, clock):
    survey = draft(world)
    first = add(world, survey, K.RATING, "满意度")
    second = add(world, survey, K.TEXT, "建议")
    inserted = add(world, survey, K.NUMBER, "人数", position=1)
    assert list(survey.questions.values_list("pk", flat=True)) == [inserted.pk, first.pk, second.pk]
    assert list(survey.questions.values_list("position", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize(("spec", "code"), [
    (QuestionSpec(kind="essay", text="?"), "invalid_choice"),
    (QuestionSpec(kind=K.SINGLE, text=""), "required"),
    (QuestionSpec(kind=K.SINGLE, text="?", options=("只有一个",)), "invalid_options"),
    (QuestionSpec(kind=K.SINGLE, text="?", options=("一样", "一样")), "invalid_options"),
    (QuestionSpec(kind=K.MULTIPLE, text="?", options=("a", "b"), min_choices=2, max_choices=1), "invalid_range"),
    (QuestionSpec(kind=K.MULTIPLE, text="?", options=("a", "b"), max_choices=3), "invalid_number"),
    (QuestionSpec(kind=K.NUMBER, text="?", min_value=10, max_value=1), "invalid_range"),
    (QuestionSpec(kind=K.TEXT, text="?", max_length=100000), "invalid_number"),
])
def test_a_badly_defined_question_is_refused(world, clock, spec, code):
    survey = draft(world)
    assert code_of(lambda: services.question_add(actor=world.liuyang, survey=survey, spec=spec)) == code
    assert survey.questions.count() == 0


def test_a_survey_without_questions_cannot_open(world, clock):
    survey = draft(world)
    assert code_of(lambda: services.survey_open(actor=world.liuyang, survey=survey)) == "no_questions"


def test_questions_and_options_lock_once_answered(world, clock):
    built = Built(world)
    services.question_update(actor=world.liuyang, question=built.single, spec=QuestionSpec(
        kind=K.SINGLE, text="您最关心哪方面？（可改）", options=("养老", "教育", "环境", "就业")))
    assert built.single.options.count() == 4
    built.opt = {o.text: o.pk for q in (built.single, built.multiple, built.ranking) for o in q.options.all()}
    submit(built, world.wangfang)
    for change in (
        lambda: services.question_update(actor=world.liuyang, question=built.single,
                                         spec=QuestionSpec(kind=K.SINGLE, text="改", options=("a", "b"))),
        lambda: services.question_delete(actor=world.liuyang, question=built.text),
        lambda: add(world, built.survey, K.TEXT, "新问题"),
        lambda: services.section_add(actor=world.liuyang, survey=built.survey, title="第二部分"),
    ):
        assert code_of(change) == "questions_locked"
    assert built.survey.questions.count() == 6 and built.single.options.count() == 4
    assert Question.objects.get(pk=built.single.pk).text == "您最关心哪方面？（可改）"


def test_community_staff_cannot_change_questions(world, clock):
    built = Built(world, open_it=False)
    with pytest.raises(NotAllowed):
        services.question_delete(actor=world.lina, question=built.text)
    with pytest.raises(NotAllowed):
        services.survey_open(actor=world.lina, survey=built.survey)


def test_a_person_answers_once_and_the_answer_is_final(world, clock):
    built = Built(world)
    submit(built, world.wangfang)
    assert code_of(lambda: submit(built, world.wangfang)) == "already_answered"
    assert Response.objects.filter(survey=built.survey).count() == 1
    submit(built, world.zhangwei)
    assert AuditEntry.objects.filter(action="livelihood.response_submit").count() == 2


def test_a_unit_answers_once_whoever_its_liaison_is(world, clock):
    from jusha.accounts.models import Role, RoleAssignment, User

    built = Built(world)
    second = User.objects.create_user(username="liaison2", name="第二联络员")
    RoleAssignment.objects.create(user=second, role=Role.UNIT_LIAISON, member_unit=world.hospital)
    response = submit(built, world.zhengli, respond_as="unit", unit=world.hospital.pk)
    assert (response.respondent_as, response.member_unit) == ("unit", world.hospital)
    assert code_of(lambda: submit(built, second, respond_as="unit", unit=world.hospital.pk)) == "already_answered"
    # The liaison may still answer for themselves as a resident.
    assert submit(built, world.zhengli).respondent_as == "resident"


def test_only_a_units_liaison_answers_for_it(world, clock):
    built = Built(world)
    assert code_of(lambda: submit(built, world.wangfang, respond_as="unit", unit=world.hospital.pk)) \
        == "not_allowed_as"
    assert code_of(lambda: submit(built, world.zhengli, respond_as="unit", unit=world.school.pk)) == "not_allowed_as"


def test_community_staff_answer_once_for_their_own_community(world, clock):
    built = Built(world)
    assert submit(built, world.lina, respond_as="community", community=world.zhige.pk).community == world.zhige
    assert code_of(lambda: submit(built, world.lina, respond_as="community", community=world.zhige.pk)) \
        == "already_answered"
    assert code_of(lambda: submit(built, world.lina, respond_as="community", community=world.yanlan.pk)) \
        == "not_allowed_as"
    assert submit(built, world.chenjing, respond_as="community", community=world.yanlan.pk).pk


def test_audiences_the_survey_does_not_allow_are_refused(world, clock):
    built = Built(world, allow_residents=False, allow_units=False, allow_communities=False)
    assert code_of(lambda: submit(built, world.wangfang)) == "not_allowed_as"
    assert code_of(lambda: submit(built, world.zhengli, respond_as="unit", unit=world.hospital.pk)) \
        == "not_allowed_as"
    assert code_of(lambda: submit(built, world.lina, respond_as="community", community=world.zhige.pk)) \
        == "not_allowed_as"


def test_anonymous_answers_need_the_surveys_permission_and_count_once_per_device(world, clock):
    closed_to_anonymous = Built(world)
    with pytest.raises(NotAllowed):
        submit(closed_to_anonymous, None, respond_as="anonymous", device="a" * 32)
    built = Built(world, allow_anonymous=True)
    response = submit(built, None, respond_as="anonymous", device="a" * 32)
    assert (response.respondent_as, response.submitted_by, response.device) == ("anonymous", None, "a" * 32)
    assert code_of(lambda: submit(built, None, respond_as="anonymous", device="a" * 32)) == "already_answered"
    assert code_of(lambda: submit(built, None, respond_as="anonymous", device="")) == "no_device"
    assert submit(built, None, respond_as="anonymous", device="b" * 32).pk


def test_answers_are_taken_only_within_the_period_of_an_open_survey(world, clock):
    built = Built(world, opens_at=clock() + timedelta(days=1), closes_at=clock() + timedelta(days=3))
    assert code_of(lambda: submit(built, world.wangfang)) == "not_open_yet"
    clock.advance(days=3)
    assert code_of(lambda: submit(built, world.wangfang)) == "closed"
    draft_only = Built(world, open_it=False)
    with pytest.raises(NotAllowed):
        submit(draft_only, world.wangfang)
    assert Response.objects.count() == 0


def test_closing_stops_answers_and_reopening_is_possible_within_the_period(world, clock):
    built = Built(world)
    services.survey_close(actor=world.liuyang, survey=built.survey)
    with pytest.raises(NotAllowed):
        submit(built, world.wangfang)
    services.survey_open(actor=world.liuyang, survey=built.survey)
    assert submit(built, world.wangfang).pk
    assert code_of(lambda: services.survey_open(actor=world.liuyang, survey=built.survey)) == "invalid_transition"


def test_staff_record_field_visits_in_their_communities(world, clock):
    built = Built(world)
    visit = services.visit_record(actor=world.lina, survey=built.survey, community=world.zhige, visitors="李娜、周强",
                                  place="智格社区3幢", visited_at=clock() - timedelta(hours=2),
                                  notes="老人反映上下楼困难", suggestions="加装电梯", lat=30.305, lng=120.305,
                                  photo_files=[upload(png_bytes())])
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert AuditEntry.objects.filter(action="livelihood.visit_record", community=world.zhige).count() == 1
    assert code_of(lambda: services.visit_record(
        actor=world.lina, survey=built.survey, community=world.yanlan, visitors="李娜",
        visited_at=clock(), notes="…")) == "not_your_community"
    assert code_of(lambda: services.visit_record(
        actor=world.lina, survey=built.survey, community=world.zhige, visitors="李娜",
        visited_at=clock() + timedelta(days=1), notes="…")) == "invalid_date"
    assert code_of(lambda: services.visit_record(
        actor=world.lina, survey=built.survey, community=world.zhige, visitors="李娜",
        visited_at=clock(), notes="…", photo_files=[upload(b"not an image")])) != ""
    assert code_of(lambda: services.visit_record(
        actor=world.liuyang, survey=built.survey, community=world.zhige, visitors="刘洋",
        visited_at=clock(), notes="…", lat=95, lng=120)) == "invalid_point"
    assert FieldVisit.objects.count() == 1


def test_the_sweep_closes_surveys_past_their_closing_time_once(world, clock):
    built = Built(world)
    assert services.surveys_close_sweep() == 0
    clock.advance(days=8)
    assert services.surveys_close_sweep() == 1
    assert services.surveys_close_sweep() == 0
    built.survey.refresh_from_db()
    assert (built.survey.status, built.survey.closed_at) == ("closed", built.survey.closes_at)
    assert AuditEntry.objects.filter(action="livelihood.survey_close", actor=None).count() == 1
