"""Results on a hand-built set of five responses, the open-text keyword groups (jieba), and the two
Excel exports.

The five responses (R1–R5), by 王芳, 张伟, 郑丽, 李娜 and 刘洋 each for themselves:
- single: 养老, 养老, 教育, 养老, 环境 → 3 / 1 / 1 of 5;
- multiple: 停车位 in R1, R2, R4; 充电桩 in R1, R5; 长椅 in R3, R4; 健身器材 in R3;
- rating: 5, 4, 4, —, 2 → mean 3.75 of 4 answers; number: 3, 2, —, 5, 4 → mean 3.5;
- open text: 停车位 in three answers, 老年 and 食堂 in two (jieba splits 老年食堂 into both), R4 empty;
- ranking of [加装电梯 A, 老旧小区改造 B, 口袋公园 C] with n = 3, so a first place is worth 2 points:
  R1 A>C>B, R2 A>B>C, R3 B>A>C, R4 C>A>B, R5 A>B>C
  A: places 1,1,2,2,1 → average 1.4, Borda 2+2+1+1+2 = 8; B: 3,2,1,3,2 → 2.2, 0+1+2+0+1 = 4;
  C: 2,3,3,1,3 → 2.4, 1+0+0+2+0 = 3.
"""

import io

import pytest
from openpyxl import load_workbook

from jusha.livelihood import exports, keywords
from jusha.livelihood.results import survey_results
from tests.livelihood_helpers import Built, submit

pytestmark = pytest.mark.django_db

PEOPLE = ["wangfang", "zhangwei", "zhengli", "lina", "liuyang"]


@pytest.fixture
def five(world, clock):
    built = Built(world)
    o = built.opt
    a, b, c = o["加装电梯"], o["老旧小区改造"], o["口袋公园"]
    rows = [
        {"single": [o["养老"]], "multiple": [o["停车位"], o["充电桩"]], "ranking": [a, c, b],
         "rating": 5, "number": 3, "text": "希望小区多建停车位"},
        {"single": [o["养老"]], "multiple": [o["停车位"]], "ranking": [a, b, c],
         "rating": 4, "number": 2, "text": "停车位太少，晚上停车难"},
        {"single": [o["教育"]], "multiple": [o["健身器材"], o["长椅"]], "ranking": [b, a, c],
         "rating": 4, "number": None, "text": "增加老年食堂"},
        {"single": [o["养老"]], "multiple": [o["停车位"], o["长椅"]], "ranking": [c, a, b],
         "rating": None, "number": 5, "text": ""},
        {"single": [o["环境"]], "multiple": [o["充电桩"]], "ranking": [a, b, c],
         "rating": 2, "number": 4, "text": "老年食堂和停车位都需要"},
    ]
    for person, row in zip(PEOPLE, rows, strict=True):
        submit(built, getattr(world, person), answers=built.answers(**row))
    return built


def by_label(result):
    return {r.label: r for r in result.rows}


def test_choice_counts_and_percentages(five):
    total, results = survey_results(five.survey)
    assert total == 5
    single = by_label(results[0])
    assert {k: (r.count, r.percent) for k, r in single.items()} == {"养老": (3, 60.0), "教育": (1, 20.0),
                                                                    "环境": (1, 20.0)}
    multiple = by_label(results[1])
    assert results[1].answered == 5
    assert {k: (r.count, r.percent) for k, r in multiple.items()} == {
        "停车位": (3, 60.0), "健身器材": (1, 20.0), "充电桩": (2, 40.0), "长椅": (2, 40.0)}


def test_ranking_average_position_and_borda_score(five):
    ranking = survey_results(five.survey)[1][2]
    assert [(r.label, r.average_position, r.score, r.count) for r in ranking.rows] == [
        ("加装电梯", 1.4, 8, 3), ("老旧小区改造", 2.2, 4, 1), ("口袋公园", 2.4, 3, 1)]
    assert ranking.chart == {"labels": ["加装电梯", "老旧小区改造", "口袋公园"], "values": [8, 4, 3]}


def test_rating_counts_and_mean(five):
    rating = survey_results(five.survey)[1][3]
    assert rating.answered == 4
    assert rating.mean == 3.75
    assert [(r.label, r.count) for r in rating.rows] == [("1", 0), ("2", 1), ("3", 0), ("4", 2), ("5", 1)]


def test_number_mean_and_range(five):
    number = survey_results(five.survey)[1][4]
    assert (number.answered, number.mean, number.smallest, number.largest) == (4, 3.5, 2, 5)


def test_open_text_is_grouped_by_keyword_frequency(five):
    text = survey_results(five.survey)[1][5]
    assert text.answered == 4
    groups = {g.word: g for g in text.keywords}
    assert text.keywords[0].word == "停车位"
    assert groups["停车位"].count == 3
    assert (groups["老年"].count, groups["食堂"].count) == (2, 2)
    assert groups["停车位"].answers == ["希望小区多建停车位", "停车位太少，晚上停车难", "老年食堂和停车位都需要"]
    assert "希望" not in groups and "和" not in groups


def test_keyword_words_drop_stop_words_numbers_and_single_characters():
    assert keywords.words("我们希望 2026 年加装电梯，电梯！") == ["加装", "电梯"]
    assert [g.word for g in keywords.group(["电梯", "电梯坏了", "公园"], top=1)] == ["电梯"]


def test_the_responses_export_has_one_row_per_response_and_a_column_per_question(five, world):
    book = load_workbook(io.BytesIO(exports.responses_workbook(five.survey)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    assert len(rows[0]) == 4 + 6
    first = rows[1]
    assert first[4:] == ("养老", "停车位; 充电桩", "加装电梯 > 口袋公园 > 老旧小区改造", 5, 3, "希望小区多建停车位")
    assert rows[3][5:7] == ("健身器材; 长椅", "老旧小区改造 > 加装电梯 > 口袋公园")
    assert rows[4][7] is None  # R4 left the rating empty
    assert "王芳" not in str(rows)  # residents are never named


def test_the_summary_export_has_the_counts_scores_and_means(five):
    book = load_workbook(io.BytesIO(exports.summary_workbook(five.survey)))
    rows = list(book.active.iter_rows(values_only=True))
    cells = {(r[1], r[2]) for r in rows}
    assert (None, 5) in cells  # five responses
    assert ("养老", 3) in cells and ("停车位", 3) in cells
    ranking = next(r for r in rows if r[1] == "加装电梯")
    assert ranking[4:6] == (1.4, 8)
    rating_title = next(r for r in rows if r[0] and r[0].startswith("4."))
    assert rating_title[6] == 3.75


def test_a_formula_in_an_answer_is_exported_as_text(world, clock):
    built = Built(world)
    submit(built, world.wangfang, answers=built.answers(text="=HYPERLINK(\"x\")"))
    book = load_workbook(io.BytesIO(exports.responses_workbook(built.survey)))
    cell = list(book.active.iter_rows())[1][9]
    assert cell.data_type == "s" and cell.value.startswith("=")
