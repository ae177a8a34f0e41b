"""A survey's results, question by question, computed when read (answers are never summarised in place).

- choices (single and multiple): how many respondents picked each option, and the share of those who
  answered the question (for multiple choice the shares add up to more than 100%);
- rating: how many gave each of 1–5, and the mean;
- number: how many answered, the mean, the smallest and the largest;
- ranking: each option's average position (1 = put first) and its Borda score: an option placed p-th
  of n gets n − p points from that response, and the score is the sum over responses, so the option
  people put higher more often comes first;
- open text: the answers grouped by their most frequent words (`keywords.group`).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .keywords import KeywordGroup, group
from .models import RATING_MAX, RATING_MIN, Answer, Question, Survey

K = Question.Kind


@dataclass
class Row:
    label: str
    count: int = 0
    percent: float = 0.0
    average_position: float | None = None
    score: int | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    smallest: int | None = None
    largest: int | None = None
    keywords: list[KeywordGroup] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.question.pk}"

    @property
    def chart(self) -> dict:
        """What chart.js draws: labels and values (Borda scores for a ranking, else counts)."""
        if not self.rows:
            return {}
        ranking = self.question.kind == K.RANKING
        return {"labels": [r.label for r in self.rows], "values": [r.score if ranking else r.count
                                                                    for r in self.rows]}


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _choices(question: Question, answers: list[Answer]) -> QuestionResult:
    options = list(question.options.all())
    counts = Counter(oid for a in answers for oid in a.choices)
    total = len(answers)
    return QuestionResult(question=question, answered=total, rows=[
        Row(label=o.text, count=counts[o.pk], percent=_percent(counts[o.pk], total)) for o in options])


def _ranking(question: Question, answers: list[Answer]) -> QuestionResult:
    options = list(question.options.all())
    n = len(options)
    positions: dict[int, list[int]] = defaultdict(list)
    for answer in answers:
        for place, oid in enumerate(answer.choices, start=1):
            positions[oid].append(place)
    rows = []
    for o in options:
        placed = positions[o.pk]
        rows.append(Row(label=o.text, count=sum(1 for p in placed if p == 1),
                        percent=_percent(sum(1 for p in placed if p == 1), len(answers)),
                        average_position=round(sum(placed) / len(placed), 2) if placed else None,
                        score=sum(n - p for p in placed)))
    rows.sort(key=lambda r: -r.score)
    return QuestionResult(question=question, answered=len(answers), rows=rows)


def _numbers(question: Question, answers: list[Answer]) -> QuestionResult:
    values = [a.number for a in answers if a.number is not None]
    result = QuestionResult(question=question, answered=len(values))
    if values:
        result.mean = round(sum(values) / len(values), 2)
        result.smallest, result.largest = min(values), max(values)
    if question.kind == K.RATING:
        counts = Counter(values)
        result.rows = [Row(label=str(v), count=counts[v], percent=_percent(counts[v], len(values)))
                       for v in range(RATING_MIN, RATING_MAX + 1)]
    return result


def _texts(question: Question, answers: list[Answer], *, with_keywords: bool) -> QuestionResult:
    texts = [a.text for a in answers if a.text]
    return QuestionResult(question=question, answered=len(texts), texts=texts,
                          keywords=group(texts) if with_keywords else [])


def survey_results(survey: Survey, *, with_keywords: bool = True) -> tuple[int, list[QuestionResult]]:
    """(number of responses, one result per question in order). Two queries for the questions and their
    options, one for all answers; fine for the thousands of answers a subdistrict's survey gathers."""
    questions = list(survey.questions.select_related("section").prefetch_related("options"))
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.filter(response__survey=survey).only("question_id", "choices", "number", "text"):
        by_question[answer.question_id].append(answer)
    results = []
    for q in questions:
        answers = by_question[q.pk]
        if q.kind in (K.SINGLE, K.MULTIPLE):
            results.append(_choices(q, answers))
        elif q.kind == K.RANKING:
            results.append(_ranking(q, answers))
        elif q.kind in (K.RATING, K.NUMBER):
            results.append(_numbers(q, answers))
        else:
            results.append(_texts(q, answers, with_keywords=with_keywords))
    return survey.responses.count(), results
