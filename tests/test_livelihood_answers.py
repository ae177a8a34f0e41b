"""Every answer is checked against its question before anything is saved: each kind's rules, required
questions, options that belong to the question, rankings that are permutations, number ranges, text
length. One wrong answer refuses the whole response, with one message per wrong question."""

import pytest

from jusha.livelihood.answers import AnswersInvalid
from jusha.livelihood.models import Answer, Response
from tests.livelihood_helpers import Built, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world, clock):
    return Built(world)


def refused(built, actor, **answers) -> dict[int, str]:
    with pytest.raises(AnswersInvalid) as caught:
        submit(built, actor, answers=built.answers(**answers))
    assert caught.value.code == "invalid_answers"
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    return caught.value.errors


def test_a_complete_valid_response_is_saved_with_one_answer_per_question(world, built):
    response = submit(built, world.wangfang)
    answers = {a.question_id: a for a in response.answers.all()}
    assert answers[built.single.pk].choices == [built.opt["养老"]]
    o = built.opt
    assert answers[built.ranking.pk].choices == [o["加装电梯"], o["口袋公园"], o["老旧小区改造"]]
    assert (answers[built.rating.pk].number, answers[built.number.pk].number) == (4, 3)
    assert answers[built.text.pk].text == "希望多建停车位"


def test_optional_questions_may_be_left_empty(world, built):
    response = submit(built, world.wangfang, answers=built.answers(rating=None, number="", text="  "))
    assert {a.question_id for a in response.answers.all()} == {built.single.pk, built.multiple.pk, built.ranking.pk}


def test_a_required_question_left_empty_is_refused(world, built):
    errors = refused(built, world.wangfang, single=[], ranking=None)
    assert set(errors) == {built.single.pk, built.ranking.pk}


@pytest.mark.parametrize("value", [["x"], [True], [999999]])
def test_single_choice_takes_only_an_option_of_the_question(world, built, value):
    assert set(refused(built, world.wangfang, single=value)) == {built.single.pk}


def test_single_choice_takes_exactly_one_option(world, built):
    assert set(refused(built, world.wangfang, single=[built.opt["养老"], built.opt["教育"]])) == {built.single.pk}


def test_an_option_of_another_question_is_refused(world, built):
    assert set(refused(built, world.wangfang, single=[built.opt["停车位"]])) == {built.single.pk}


def test_multiple_choice_respects_its_minimum_and_maximum(world, built):
    o = built.opt
    assert set(refused(built, world.wangfang, multiple=[o["停车位"], o["健身器材"], o["长椅"]])) == {built.multiple.pk}
    assert set(refused(built, world.wangfang, multiple=[o["停车位"], o["停车位"]])) == {built.multiple.pk}


def test_a_ranking_must_place_every_option_once(world, built):
    o = built.opt
    for wrong in ([o["加装电梯"], o["口袋公园"]], [o["加装电梯"], o["加装电梯"], o["口袋公园"]],
                  [o["加装电梯"], o["口袋公园"], o["老旧小区改造"], o["长椅"]]):
        assert set(refused(built, world.wangfang, ranking=wrong)) == {built.ranking.pk}


@pytest.mark.parametrize("value", [0, 6, "4.5", "abc", True])
def test_a_rating_is_a_whole_number_from_1_to_5(world, built, value):
    assert set(refused(built, world.wangfang, rating=value)) == {built.rating.pk}


@pytest.mark.parametrize("value", [0, 21, "-1", "3.5"])
def test_a_number_must_be_whole_and_in_range(world, built, value):
    assert set(refused(built, world.wangfang, number=value)) == {built.number.pk}


def test_numbers_as_form_text_are_accepted(world, built):
    response = submit(built, world.wangfang, answers=built.answers(number="20", rating="1"))
    assert sorted(a.number for a in response.answers.all() if a.number is not None) == [1, 20]


def test_open_text_is_limited_to_its_length(world, built):
    assert set(refused(built, world.wangfang, text="长" * 51)) == {built.text.pk}
    assert set(refused(built, world.wangfang, text=["not", "text"])) == {built.text.pk}
    assert submit(built, world.wangfang, answers=built.answers(text="长" * 50)).pk


def test_a_question_of_another_survey_is_refused(world, built, clock):
    other = Built(world)
    answers = {**built.answers(), other.single.pk: [other.opt["养老"]]}
    with pytest.raises(AnswersInvalid) as caught:
        submit(built, world.wangfang, answers=answers)
    assert set(caught.value.errors) == {other.single.pk}


def test_all_wrong_answers_are_reported_at_once(world, built):
    errors = refused(built, world.wangfang, single=[], rating=9, number=99, text="长" * 80)
    assert set(errors) == {built.single.pk, built.rating.pk, built.number.pk, built.text.pk}
