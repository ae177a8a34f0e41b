"""Answering a livelihood survey from the WeChat mini-program or another client: the same selectors and
service as the H5 page.

- `GET /api/surveys/{id}`: an open survey's questions and options. Public where the survey takes
  anonymous answers, otherwise for logged-in people; 404 for a survey that is not open (or not
  visible), so drafts are never revealed.
- `POST /api/surveys/{id}/responses`: send one complete, final response (log-in required: anonymous
  answers, one per device, are taken by the H5 page, which keeps the device's signed cookie).
  201 with the response; 400 with a `code`: `invalid_answers` (and `field` = `q<question id>` of the
  first wrong answer), `already_answered`, `not_open_yet`, `closed`, `not_allowed_as`; 401 not logged
  in; 403 CSRF check failed (session log-in); 404 no such open survey; 422 malformed body.
"""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import selectors, services
from .answers import AnswersInvalid

router = Router(tags=["surveys"])

ID = Path(..., ge=1, le=2**62)


class SurveyOptionOut(Schema):
    id: int
    text: str


class SurveyQuestionOut(Schema):
    id: int
    section: str | None = Field(description="the section's title, if the question is in one")
    kind: str = Field(description="single, multiple, ranking, rating, number or text")
    text: str
    help_text: str
    required: bool
    position: int
    min_choices: int | None = Field(description="multiple: pick at least (default 1)")
    max_choices: int | None = Field(description="multiple: pick at most (default all)")
    min_value: int | None = Field(description="number: the smallest allowed")
    max_value: int | None = Field(description="number: the largest allowed")
    max_length: int | None = Field(description="text: the longest answer in characters")
    options: list[SurveyOptionOut]


class SurveyOut(Schema):
    id: int
    year: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    accepting: bool = Field(description="open now: answers are taken")
    allow_residents: bool
    allow_anonymous: bool
    allow_units: bool
    allow_communities: bool
    questions: list[SurveyQuestionOut]


class SurveyAnswerIn(Schema):
    question: int = Field(..., ge=1, le=2**62)
    options: list[int] = Field(default_factory=list, max_length=50,
                               description="single: [the option]; multiple: the options picked; ranking: every "
                                           "option, most important first")
    number: int | None = Field(None, ge=-(10**9), le=10**9, description="rating (1–5) or number")
    text: str | None = Field(None, max_length=5000, description="open text")


class SurveyResponseIn(Schema):
    respond_as: Literal["resident", "unit", "community"] = "resident"
    unit: int | None = Field(None, ge=1, le=2**62, description="respond_as=unit: the unit you are the liaison of")
    community: int | None = Field(None, ge=1, le=2**62,
                                  description="respond_as=community: the community you are staff of")
    answers: list[SurveyAnswerIn] = Field(..., max_length=500)


class SurveyResponseOut(Schema):
    id: int
    survey: int
    respond_as: str
    submitted_at: datetime


def _survey(survey) -> dict:
    questions = [{
        "id": q.pk, "section": q.section.title if q.section else None, "kind": q.kind, "text": q.text,
        "help_text": q.help_text, "required": q.required, "position": q.position, "min_choices": q.min_choices,
        "max_choices": q.max_choices, "min_value": q.min_value, "max_value": q.max_value,
        "max_length": q.max_length, "options": [{"id": o.pk, "text": o.text} for o in q.options.all()],
    } for q in selectors.structure(survey)]
    fields = ("id", "year", "title", "description", "opens_at", "closes_at", "allow_residents", "allow_anonymous",
              "allow_units", "allow_communities")
    return {**{f: getattr(survey, f) for f in fields}, "accepting": selectors.is_accepting(survey),
            "questions": questions}


@router.get("/{survey_id}", response={200: SurveyOut, 404: ErrorOut, 422: ValidationErrorOut})
def definition(request, survey_id: int = ID):
    """An open survey's questions, in order, with their options and limits."""
    return _survey(selectors.answerable(request.user, survey_id))


@router.post("/{survey_id}/responses", auth=django_auth,
             response={201: SurveyResponseOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def respond(request, payload: SurveyResponseIn, survey_id: int = ID):
    """Send a complete response; it is final. Every answer is checked, and one wrong answer saves nothing."""
    raw: dict[int, object] = {}
    for answer in payload.answers:
        if answer.question in raw:
            raise AnswersInvalid({answer.question: _("This question is answered twice.")})
        raw[answer.question] = answer.options or (answer.number if answer.number is not None else answer.text)
    response = services.response_submit(actor=request.user, survey=survey_id, answers_by_question=raw,
                                         respond_as=payload.respond_as, unit=payload.unit, community=payload.community)
    return Status(201, {"id": response.pk, "survey": response.survey_id, "respond_as": response.respondent_as,
                        "submitted_at": response.submitted_at})
