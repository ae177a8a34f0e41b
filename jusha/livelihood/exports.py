"""A survey's answers and summary as Excel workbooks, for staff to take to the planning meeting.

The responses workbook has one row per response and one column per question; it names units and
communities that answered, never a resident (the file leaves the building).
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import Question, Response, Survey
from .results import survey_results
from .selectors import responses_for_export, structure

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
K = Question.Kind


def _plain(sheet, value):
    """Text stays text: an answer starting with "=" must not become a formula in the reader's Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _bold_row(sheet, values) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _answer_value(question: Question, answer, option_text: dict[int, str]):
    if answer is None:
        return None
    if question.kind == K.SINGLE:
        return option_text.get(answer.choices[0]) if answer.choices else None
    if question.kind == K.MULTIPLE:
        return "; ".join(option_text.get(oid, "") for oid in answer.choices)
    if question.kind == K.RANKING:
        return " > ".join(option_text.get(oid, "") for oid in answer.choices)
    if question.kind in (K.RATING, K.NUMBER):
        return answer.number
    return answer.text


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def responses_workbook(survey: Survey) -> bytes:
    questions = structure(survey)
    option_text = {o.pk: o.text for q in questions for o in q.options.all()}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses"))
    sheet.append(_bold_row(sheet, [_("Number"), _("Submitted at"), _("Answered as"), _("Unit or community"),
                                   *[f"{i}. {q.text}" for i, q in enumerate(questions, start=1)]]))
    for response in responses_for_export(survey):
        by_question = {a.question_id: a for a in response.answers.all()}
        who = response.member_unit.name if response.member_unit_id else (
            response.community.name if response.community_id else "")
        sheet.append([response.pk, timezone.localtime(response.submitted_at).replace(tzinfo=None),
                      str(Response.As(response.respondent_as).label), _plain(sheet, who),
                      *[_plain(sheet, _answer_value(q, by_question.get(q.pk), option_text)) for q in questions]])
    return _save(workbook)


def summary_workbook(survey: Survey) -> bytes:
    total, results = survey_results(survey)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Summary"))
    sheet.append(_bold_row(sheet, [_("Question"), _("Option"), _("Count"), _("Percent"), _("Average position"),
                                   _("Borda score"), _("Mean")]))
    sheet.append([_("Responses"), None, total])
    for i, result in enumerate(results, start=1):
        title = _plain(sheet, f"{i}. {result.question.text}")
        sheet.append([title, None, result.answered, None, None, None, result.mean])
        for row in result.rows:
            sheet.append([None, _plain(sheet, row.label), row.count, row.percent, row.average_position, row.score])
        for keyword in result.keywords:
            sheet.append([None, _plain(sheet, keyword.word), keyword.count])
    return _save(workbook)
