"""Checking one respondent's answers against the survey's questions, before anything is written.

`clean(questions, raw)` takes the raw answers by question id — option ids (one, several, or all of them
in ranked order), a number, or a text, as the H5 form or the API sent them — and returns the answers
to store, or raises `AnswersInvalid` with one translated message per question that is wrong, so the
page can show them all at once and nothing is saved.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jusha.core.errors import DomainError

from .models import ANSWER_MAX_LENGTH, RATING_MAX, RATING_MIN, Question

K = Question.Kind


class AnswersInvalid(DomainError):
    """Some answers are wrong; `errors` maps question id → message. `field` names the first one."""

    def __init__(self, errors: dict[int, str]):
        first = next(iter(errors))
        super().__init__(_("Some answers need another look: %(message)s") % {"message": errors[first]},
                         code="invalid_answers", field=f"q{first}")
        self.errors = errors


@dataclass
class Cleaned:
    choices: list[int] = field(default_factory=list)
    number: int | None = None
    text: str = ""


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _ids(value) -> list[int] | None:
    values = value if isinstance(value, list | tuple) else [value]
    ids = [_integer(v) for v in values]
    return None if any(i is None for i in ids) else ids


def _choices(question: Question, value) -> list[int]:
    option_ids = [o.pk for o in question.options.all()]
    ids = _ids(value)
    if ids is None or any(i not in option_ids for i in ids):
        raise ValueError(_("Choose from the options given."))
    if len(set(ids)) != len(ids):
        raise ValueError(_("Each option can be chosen only once."))
    if question.kind == K.SINGLE and len(ids) != 1:
        raise ValueError(_("Choose one option."))
    if question.kind == K.MULTIPLE:
        low, high = question.min_choices or 1, question.max_choices or len(option_ids)
        if len(ids) < low:
            raise ValueError(ngettext("Choose at least %(n)s option.", "Choose at least %(n)s options.", low)
                             % {"n": low})
        if len(ids) > high:
            raise ValueError(ngettext("Choose at most %(n)s option.", "Choose at most %(n)s options.", high)
                             % {"n": high})
    if question.kind == K.RANKING and sorted(ids) != sorted(option_ids):
        raise ValueError(_("Put every option in order, each with its own place."))
    return ids


def _number(question: Question, value) -> int:
    number = _integer(value)
    if number is None:
        raise ValueError(_("Enter a whole number."))
    low, high = (RATING_MIN, RATING_MAX) if question.kind == K.RATING else (question.min_value, question.max_value)
    if (low is not None and number < low) or (high is not None and number > high):
        if question.kind == K.RATING:
            raise ValueError(_("Give a rating from %(low)s to %(high)s.") % {"low": low, "high": high})
        if low is not None and high is not None:
            raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        if low is not None:
            raise ValueError(_("Enter a number of at least %(low)s.") % {"low": low})
        raise ValueError(_("Enter a number of at most %(high)s.") % {"high": high})
    return number


def _text(question: Question, value) -> str:
    if not isinstance(value, str):
        raise ValueError(_("Write your answer as text."))
    text = value.strip()
    limit = question.max_length or ANSWER_MAX_LENGTH
    if len(text) > limit:
        raise ValueError(_("Please keep this to %(limit)s characters (now %(count)s).")
                         % {"limit": limit, "count": len(text)})
    return text


def clean(questions: list[Question], raw: dict[int, object]) -> dict[int, Cleaned]:
    """The answers to store, by question id; unanswered optional questions are left out."""
    by_id = {q.pk: q for q in questions}
    errors: dict[int, str] = {}
    for qid in raw:
        if qid not in by_id:
            errors[qid] = _("This question is not part of the survey.")
    cleaned: dict[int, Cleaned] = {}
    for question in questions:
        value = raw.get(question.pk)
        if _blank(value):
            if question.required:
                errors[question.pk] = _("Please answer this question.")
            continue
        try:
            if question.has_options:
                cleaned[question.pk] = Cleaned(choices=_choices(question, value))
            elif question.kind in (K.RATING, K.NUMBER):
                cleaned[question.pk] = Cleaned(number=_number(question, value))
            else:
                text = _text(question, value)
                if text:
                    cleaned[question.pk] = Cleaned(text=text)
        except ValueError as refused:
            errors[question.pk] = str(refused)
    if errors:
        raise AnswersInvalid(errors)
    return cleaned
