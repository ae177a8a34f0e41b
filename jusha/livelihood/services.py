"""Every write about livelihood surveys: building a survey, opening and closing it, answering it, and
recording field visits.

Building steps lock the survey's row and refuse to change questions once any response exists; a
submission locks the same row, so a question cannot change under an answer being saved, and the
one-response-per-respondent indexes decide between two racing submissions of the same respondent.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.models import Community, Subdistrict

from . import answers, workflow
from .models import (
    ANSWER_MAX_LENGTH,
    MAX_OPTIONS,
    MAX_PHOTOS,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Answer,
    FieldVisit,
    Option,
    Question,
    Response,
    Section,
    Survey,
    VisitPhoto,
)
from .workflow import Step

K = Question.Kind
As = Response.As


# --- checking input -------------------------------------------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing: str = "") -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(missing or _("This field is required."), code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _period(opens_at, closes_at) -> tuple[datetime, datetime]:
    if not isinstance(opens_at, datetime) or not isinstance(closes_at, datetime):
        raise DomainError(_("Enter when the survey opens and closes."), code="required", field="opens_at")
    if closes_at <= opens_at:
        raise DomainError(_("The survey must close after it opens."), code="invalid_period", field="closes_at")
    return opens_at, closes_at


def _year(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise DomainError(_("Enter the year the survey is for."), code="invalid_year", field="year")
    return value


@dataclass
class SurveySettings:
    """What staff set about a survey itself (not its questions)."""

    title: str
    year: int
    opens_at: datetime
    closes_at: datetime
    description: str = ""
    allow_residents: bool = True
    allow_anonymous: bool = False
    allow_units: bool = True
    allow_communities: bool = True

    def cleaned(self) -> dict:
        opens_at, closes_at = _period(self.opens_at, self.closes_at)
        return {
            "title": _text(self.title, field="title", limit=TITLE_MAX_LENGTH, required=True,
                           missing=_("Give the survey a title.")),
            "description": _text(self.description, field="description", limit=NOTE_MAX_LENGTH, required=False),
            "year": _year(self.year), "opens_at": opens_at, "closes_at": closes_at,
            "allow_residents": bool(self.allow_residents), "allow_anonymous": bool(self.allow_anonymous),
            "allow_units": bool(self.allow_units), "allow_communities": bool(self.allow_communities),
        }


@dataclass
class QuestionSpec:
    """One question as staff wrote it; `options` are the choices' texts in order."""

    kind: str
    text: str
    required: bool = True
    help_text: str = ""
    section: int | None = None
    position: int | None = None
    options: tuple[str, ...] = ()
    min_choices: int | None = None
    max_choices: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None


def _small(value, *, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(_("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
                          code="invalid_number", field=field)
    return value


def _question_fields(spec: QuestionSpec, survey: Survey) -> tuple[dict, list[str]]:
    if spec.kind not in K.values:
        raise DomainError(_("Choose the kind of question."), code="invalid_choice", field="kind")
    fields = {
        "kind": spec.kind,
        "text": _text(spec.text, field="text", limit=TEXT_MAX_LENGTH, required=True,
                      missing=_("Write the question.")),
        "help_text": _text(spec.help_text, field="help_text", limit=TEXT_MAX_LENGTH, required=False),
        "required": bool(spec.required),
        "section": None, "min_choices": None, "max_choices": None, "min_value": None, "max_value": None,
        "max_length": None,
    }
    if spec.section is not None:
        fields["section"] = Section.objects.filter(survey=survey, pk=spec.section).first()
        if fields["section"] is None:
            raise DomainError(_("Choose one of this survey's sections."), code="invalid_section", field="section")
    options: list[str] = []
    if spec.kind in Question.CHOICE_KINDS:
        options = [o.strip() for o in spec.options if isinstance(o, str) and o.strip()]
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise DomainError(_("Give between 2 and %(max)s options, one per line.") % {"max": MAX_OPTIONS},
                              code="invalid_options", field="options")
        if len(set(options)) != len(options):
            raise DomainError(_("Two options have the same text."), code="invalid_options", field="options")
        if any(len(o) > TITLE_MAX_LENGTH for o in options):
            raise DomainError(_("Keep each option to %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH},
                              code="too_long", field="options")
    if spec.kind == K.MULTIPLE:
        low = _small(spec.min_choices, field="min_choices", low=1, high=len(options))
        high = _small(spec.max_choices, field="max_choices", low=1, high=len(options))
        if low is not None and high is not None and high < low:
            raise DomainError(_("“Pick at most” cannot be less than “pick at least”."), code="invalid_range",
                              field="max_choices")
        fields.update(min_choices=low, max_choices=high)
    if spec.kind == K.NUMBER:
        limit = 10**9
        low = _small(spec.min_value, field="min_value", low=-limit, high=limit)
        high = _small(spec.max_value, field="max_value", low=-limit, high=limit)
        if low is not None and high is not None and high < low:
            raise DomainError(_("The largest number cannot be less than the smallest."), code="invalid_range",
                              field="max_value")
        fields.update(min_value=low, max_value=high)
    if spec.kind == K.TEXT:
        fields["max_length"] = _small(spec.max_length, field="max_length", low=1,
                                      high=ANSWER_MAX_LENGTH) or ANSWER_MAX_LENGTH // 2
    return fields, options


# --- the survey's row -------------------------------------------------------------------------------

def _lock(actor, action: Action, survey: Survey | int) -> Survey:
    """The survey's row, locked for this transaction, if the actor may do `action` to it (else a 404)."""
    pk = survey.pk if isinstance(survey, Survey) else survey
    locked = Survey.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _unanswered(survey: Survey) -> None:
    if Response.objects.filter(survey=survey).exists():
        raise DomainError(_("This survey already has answers, so its questions and options can no longer be "
                            "changed: every answer must keep meaning what was asked."), code="questions_locked")


def _audit(actor, action: str, target, survey: Survey, *, before=None, after=None) -> None:
    audit_record(actor=actor, action=f"livelihood.{action}", target=target, before=before, after=after,
                 subdistrict_id=survey.subdistrict_id)


def _jsonable(fields: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, datetime) else v)
            for k, v in fields.items()}


def survey_create(*, actor, subdistrict: Subdistrict, settings: SurveySettings) -> Survey:
    """Subdistrict staff start the year's survey as a draft; questions are added before it opens."""
    if subdistrict is None or not permissions.can(actor, Action.SURVEY_MANAGE, subdistrict):
        raise NotAllowed()
    fields = settings.cleaned()
    with transaction.atomic():
        survey = Survey.objects.create(subdistrict=subdistrict, created_by=actor, created_at=clock.now(), **fields)
        _audit(actor, "survey_create", survey, survey, after=_jsonable(fields))
    return survey


def survey_update(*, actor, survey: Survey | int, settings: SurveySettings) -> Survey:
    """Change the title, introduction, period or who may answer (questions are changed one by one)."""
    fields = settings.cleaned()
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_MANAGE, survey)
        before = {k: getattr(survey, k) for k in fields}
        Survey.objects.filter(pk=survey.pk).update(**fields)
        survey.refresh_from_db()
        _audit(actor, "survey_update", survey, survey, before=_jsonable(before), after=_jsonable(fields))
    return survey


def _move(actor, survey: Survey, step: Step, **changes) -> Survey:
    """Change the status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = survey.status
    to_status = workflow.target(survey, step)
    if not Survey.objects.filter(pk=survey.pk, status=from_status).update(status=to_status, **changes):
        raise DomainError(_("Someone else changed this survey just now. Reload the page."), code="conflict")
    survey.refresh_from_db()
    _audit(actor, f"survey_{step}", survey, survey, before={"status": from_status}, after={"status": to_status})
    return survey


def survey_open(*, actor, survey: Survey | int) -> Survey:
    """The survey takes answers from its opening time until it closes; share its link and poster now."""
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_MANAGE, survey)
        if not survey.questions.exists():
            raise DomainError(_("Add at least one question before opening the survey."), code="no_questions")
        if survey.closes_at <= clock.now():
            raise DomainError(_("The survey's closing time has passed; set a later one first."),
                              code="period_over", field="closes_at")
        return _move(actor, survey, Step.OPEN, opened_at=clock.now())


def survey_close(*, actor, survey: Survey | int) -> Survey:
    """Stop taking answers before the closing time (the results stay)."""
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_MANAGE, survey)
        return _move(actor, survey, Step.CLOSE, closed_at=clock.now())


def surveys_close_sweep() -> int:
    """Open surveys whose closing time has passed are marked closed, so lists and the API say so (answers
    are refused from the closing time on either way). Idempotent: a conditional update per survey."""
    closed = 0
    for pk in Survey.objects.filter(status=Survey.Status.OPEN, closes_at__lte=clock.now()).values_list("pk", flat=True):
        with transaction.atomic():
            survey = Survey.objects.select_for_update().filter(pk=pk, status=Survey.Status.OPEN).first()
            if survey is None:
                continue
            _move(None, survey, Step.CLOSE, closed_at=survey.closes_at)
            closed += 1
    return closed


# --- sections and questions (only while nobody has answered) ----------------------------------------

def section_add(*, actor, survey: Survey | int, title: str) -> Section:
    title = _text(title, field="title", limit=TITLE_MAX_LENGTH, required=True, missing=_("Name the section."))
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_MANAGE, survey)
        _unanswered(survey)
        position = survey.sections.count() + 1
        section = Section.objects.create(survey=survey, title=title, position=position)
        _audit(actor, "section_add", survey, survey, after={"section": section.pk, "title": title})
    return section


def _save_options(question: Question, options: list[str]) -> None:
    question.options.all().delete()
    Option.objects.bulk_create([Option(question=question, text=text, position=i)
                                for i, text in enumerate(options, start=1)])


def question_add(*, actor, survey: Survey | int, spec: QuestionSpec) -> Question:
    """Add a question at the end (or at `spec.position`, moving later ones down)."""
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_MANAGE, survey)
        _unanswered(survey)
        fields, options = _question_fields(spec, survey)
        count = survey.questions.count()
        position = _small(spec.position, field="position", low=1, high=count + 1) or count + 1
        _renumber(survey, insert_at=position)
        question = Question.objects.create(survey=survey, position=position, **fields)
        _save_options(question, options)
        _audit(actor, "question_add", survey, survey,
               after={"question": question.pk, **_jsonable(fields), "options": options})
    return question


def _renumber(survey: Survey, *, insert_at: int | None = None, skip: int | None = None) -> None:
    """Positions 1..n in order, leaving a gap at `insert_at`."""
    position = 1
    for question in survey.questions.exclude(pk=skip).order_by("position", "id"):
        if position == insert_at:
            position += 1
        if question.position != position:
            Question.objects.filter(pk=question.pk).update(position=position)
        position += 1


def _lock_question(actor, question: Question | int) -> tuple[Survey, Question]:
    pk = question.pk if isinstance(question, Question) else question
    survey_id = Question.objects.filter(pk=pk).values_list("survey_id", flat=True).first() \
        if isinstance(pk, int) else None
    if survey_id is None:
        raise NotAllowed()
    survey = _lock(actor, Action.SURVEY_MANAGE, survey_id)
    return survey, Question.objects.get(pk=pk)


def question_update(*, actor, question: Question | int, spec: QuestionSpec) -> Question:
    """Reword a question, change its kind, options, limits or place — only while nobody has answered."""
    with transaction.atomic():
        survey, question = _lock_question(actor, question)
        _unanswered(survey)
        fields, options = _question_fields(spec, survey)
        before = {"text": question.text, "kind": question.kind, "options": list(
            question.options.values_list("text", flat=True))}
        count = survey.questions.count()
        position = _small(spec.position, field="position", low=1, high=count) or question.position
        _renumber(survey, insert_at=position, skip=question.pk)
        Question.objects.filter(pk=question.pk).update(position=position, **fields)
        question.refresh_from_db()
        _save_options(question, options)
        _audit(actor, "question_update", survey, survey, before={"question": question.pk, **before},
               after={"question": question.pk, **_jsonable(fields), "options": options})
    return question


def question_delete(*, actor, question: Question | int) -> None:
    with transaction.atomic():
        survey, question = _lock_question(actor, question)
        _unanswered(survey)
        before = {"question": question.pk, "text": question.text, "kind": question.kind}
        question.delete()
        _renumber(survey)
        _audit(actor, "question_delete", survey, survey, before=before)


# --- answering ----------------------------------------------------------------------------------------

def _respondent(actor, survey: Survey, respond_as: str, unit, community, device: str) -> dict:
    """Who this response is from, checked against what the survey allows and what the actor holds."""
    who = actor_of(actor)
    refuse = DomainError(_("You cannot answer this survey in that way."), code="not_allowed_as", field="respond_as")
    if respond_as == As.ANONYMOUS:
        if who.user_id is not None:
            respond_as = As.RESIDENT
        elif not survey.allow_anonymous:
            raise NotAllowed()
        elif not isinstance(device, str) or not 16 <= len(device) <= 64:
            raise DomainError(_("Your browser did not keep our cookie, which lets each phone answer once. "
                                "Allow cookies and open the survey again."), code="no_device")
        else:
            return {"respondent_as": As.ANONYMOUS, "device": device}
    if who.user_id is None:
        raise NotAllowed()
    if respond_as == As.RESIDENT:
        if not survey.allow_residents:
            raise refuse
        return {"respondent_as": As.RESIDENT, "submitted_by": actor}
    if respond_as == As.UNIT:
        pk = unit.pk if isinstance(unit, MemberUnit) else unit
        found = MemberUnit.objects.filter(pk=pk, is_active=True, alliance__subdistrict=survey.subdistrict_id).first() \
            if isinstance(pk, int) and pk in who.member_units else None
        if not survey.allow_units or found is None:
            raise refuse
        return {"respondent_as": As.UNIT, "submitted_by": actor, "member_unit": found}
    if respond_as == As.COMMUNITY:
        from jusha.accounts.models import Role

        pk = community.pk if isinstance(community, Community) else community
        found = Community.objects.filter(pk=pk, subdistrict=survey.subdistrict_id).first() \
            if isinstance(pk, int) and pk in who.communities_as(Role.COMMUNITY_STAFF) else None
        if not survey.allow_communities or found is None:
            raise refuse
        return {"respondent_as": As.COMMUNITY, "submitted_by": actor, "community": found}
    raise refuse


def _already_answered() -> DomainError:
    return DomainError(_("This survey has already been answered for you (or your unit or community) — "
                         "thank you. Answers cannot be changed once sent."), code="already_answered")


def response_submit(*, actor, survey: Survey | int, answers_by_question: dict[int, object],
                    respond_as: str = As.RESIDENT, unit: MemberUnit | int | None = None,
                    community: Community | int | None = None, device: str = "") -> Response:
    """A resident (for themselves, or anonymously from one device), a unit's liaison (for the unit) or
    community staff (for the community) send their answers. Every answer is checked first; one wrong
    answer saves nothing. A response is final, and there is one per respondent."""
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_RESPOND, survey)
        now = clock.now()
        if now < survey.opens_at:
            raise DomainError(_("This survey opens on %(date)s.") % {"date": f"{survey.opens_at:%Y-%m-%d}"},
                              code="not_open_yet")
        if now >= survey.closes_at:
            raise DomainError(_("This survey has closed. Thank you for your interest."), code="closed")
        who = _respondent(actor, survey, respond_as, unit, community, device)
        questions = list(survey.questions.prefetch_related("options"))
        cleaned = answers.clean(questions, answers_by_question)
        try:
            with transaction.atomic():
                response = Response.objects.create(survey=survey, submitted_at=now, **who)
        except IntegrityError:
            raise _already_answered() from None
        Answer.objects.bulk_create([Answer(response=response, question_id=qid, choices=a.choices, number=a.number,
                                           text=a.text) for qid, a in cleaned.items()])
        audit_record(actor=actor, action="livelihood.response_submit", target=response,
                     after={"survey": survey.pk, "as": who["respondent_as"], "answers": len(cleaned)},
                     subdistrict_id=survey.subdistrict_id,
                     community_id=who["community"].pk if "community" in who else None)
    return response


# --- field visits -----------------------------------------------------------------------------------

def _point(lat, lng) -> tuple[float | None, float | None]:
    if lat is None and lng is None:
        return None, None
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng))
    if not ok or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(_("Choose the point on the map again."), code="invalid_point", field="lat")
    return float(lat), float(lng)


def visit_record(*, actor, survey: Survey | int, community: Community | None, visitors: str, visited_at,
                 notes: str, place: str = "", suggestions: str = "", lat=None, lng=None,
                 photo_files=()) -> FieldVisit:
    """Staff record a field visit (走访) for the survey: who went where and when, what they heard, the
    suggestions people raised, and photos. Community staff record visits in their own community."""
    if community is None or not permissions.can(actor, Action.VISIT_RECORD, community):
        raise DomainError(_("You can record visits only in the communities you serve."),
                          code="not_your_community", field="community")
    visitors = _text(visitors, field="visitors", limit=TITLE_MAX_LENGTH, required=True,
                     missing=_("Write down who visited."))
    place = _text(place, field="place", limit=TITLE_MAX_LENGTH, required=False)
    notes = _text(notes, field="notes", limit=NOTE_MAX_LENGTH, required=True, missing=_("Write down what you heard."))
    suggestions = _text(suggestions, field="suggestions", limit=NOTE_MAX_LENGTH, required=False)
    lat, lng = _point(lat, lng)
    now = clock.now()
    if not isinstance(visited_at, datetime) or visited_at > now:
        raise DomainError(_("Enter when the visit took place (not in the future)."), code="invalid_date",
                          field="visited_at")
    files = [f for f in (photo_files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos, please.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                          field="photos")
    cleaned = [photos.clean_photo(f) for f in files]
    with transaction.atomic():
        survey = _lock(actor, Action.SURVEY_VIEW, survey)
        if community.subdistrict_id != survey.subdistrict_id:
            raise DomainError(_("This community is not part of the survey's subdistrict."),
                              code="not_your_community", field="community")
        visit = FieldVisit.objects.create(survey=survey, community=community, visitors=visitors, place=place,
                                          lat=lat, lng=lng, visited_at=visited_at, notes=notes,
                                          suggestions=suggestions, recorded_by=actor, created_at=now)
        for photo in cleaned:
            VisitPhoto.objects.create(visit=visit, image=photo.file, uploaded_by=actor, created_at=now)
        audit_record(actor=actor, action="livelihood.visit_record", target=visit,
                     after={"survey": survey.pk, "photos": len(cleaned), "has_point": lat is not None},
                     community_id=community.pk)
    return visit
