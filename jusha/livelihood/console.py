"""The staff console for livelihood surveys: the list, building a survey (settings, sections,
questions), opening and closing it, sharing it (link and printable QR poster), its results beside the
year's need statistics, the Excel exports, and field visits."""

from datetime import timedelta

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from jusha.web.console import console_view, paginate, render_list
from jusha.web.shared import add_domain_error, private_photo

from . import exports, selectors, services, workflow
from .forms import QuestionForm, SectionForm, SurveyForm, VisitForm
from .models import Question, Survey
from .results import survey_results
from .workflow import Step


@console_view
def survey_list(request):
    permissions.require(request.user, Action.SURVEY_VIEW)
    return render_list(request, "livelihood/console/list.html", {
        "section": "livelihood", "page": paginate(request, selectors.surveys(request.user)),
        "may_create": permissions.can(request.user, Action.SURVEY_MANAGE),
    })


def _subdistricts(user):
    return permissions.visible(user, Action.SURVEY_MANAGE, Subdistrict.objects.order_by("code"))


@console_view
def new(request):
    """Start the year's survey: title, period and who may answer. Questions come next."""
    permissions.require(request.user, Action.SURVEY_MANAGE)
    subdistrict = _subdistricts(request.user).first()
    if subdistrict is None:
        raise Http404
    now = timezone.localtime(clock.now())
    form = SurveyForm(request.POST or None, initial={
        "year": now.year, "opens_at": now.replace(minute=0, second=0, microsecond=0),
        "closes_at": (now + timedelta(days=30)).replace(minute=0, second=0, microsecond=0),
        "allow_residents": True, "allow_units": True, "allow_communities": True})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, subdistrict=subdistrict, settings=form.settings())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The survey was created. Add its questions, then open it."))
            return redirect("livelihood_console:detail", pk=survey.pk)
    return TemplateResponse(request, "livelihood/console/form.html", {
        "section": "livelihood", "form": form, "heading": _("New livelihood survey")},
        status=400 if request.method == "POST" else 200)


def _detail(request, survey: Survey, *, question_form=None, section_form=None, error="", status=200):
    manage = permissions.can(request.user, Action.SURVEY_MANAGE, survey)
    sections = list(survey.sections.all())
    locked = survey.responses.exists()
    return TemplateResponse(request, "livelihood/console/detail.html", {
        "section": "livelihood", "survey": survey, "questions": selectors.structure(survey), "sections": sections,
        "manage": manage, "locked": locked,
        "steps": sorted(workflow.allowed_steps(survey.status)) if manage else [],
        "question_form": question_form or QuestionForm(sections=sections, initial={"required": True}),
        "section_form": section_form or SectionForm(), "error": error,
        "share_url": request.build_absolute_uri(survey.get_absolute_url()),
        "n_responses": survey.responses.count(), "accepting": selectors.is_accepting(survey),
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.survey(request.user, pk))


@console_view
def edit(request, pk):
    survey = selectors.survey(request.user, pk, action=Action.SURVEY_MANAGE)
    fields = ("title", "year", "description", "opens_at", "closes_at", "allow_residents", "allow_anonymous",
              "allow_units", "allow_communities")
    initial = {f: getattr(survey, f) for f in fields}
    initial["opens_at"] = timezone.localtime(survey.opens_at)
    initial["closes_at"] = timezone.localtime(survey.closes_at)
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(actor=request.user, survey=survey, settings=form.settings())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("livelihood_console:detail", pk=survey.pk)
    return TemplateResponse(request, "livelihood/console/form.html", {
        "section": "livelihood", "form": form, "heading": _("Survey settings"), "survey": survey},
        status=400 if request.method == "POST" else 200)


@console_view
@require_POST
def act(request, pk, step):
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    survey = selectors.survey(request.user, pk, action=Action.SURVEY_MANAGE)
    try:
        if step is Step.OPEN:
            services.survey_open(actor=request.user, survey=survey)
            messages.success(request, _("The survey is open. Share its link or print its poster."))
        else:
            services.survey_close(actor=request.user, survey=survey)
            messages.success(request, _("The survey is closed."))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, selectors.survey(request.user, pk), error=str(exc.message), status=400)
    return redirect("livelihood_console:detail", pk=survey.pk)


@console_view
@require_POST
def section_add(request, pk):
    survey = selectors.survey(request.user, pk, action=Action.SURVEY_MANAGE)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(actor=request.user, survey=survey, title=form.cleaned_data["title"])
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_domain_error(form, exc)
        else:
            return redirect("livelihood_console:detail", pk=survey.pk)
    return _detail(request, survey, section_form=form, status=400)


@console_view
@require_POST
def question_add(request, pk):
    survey = selectors.survey(request.user, pk, action=Action.SURVEY_MANAGE)
    form = QuestionForm(request.POST, sections=survey.sections.all())
    if form.is_valid():
        try:
            services.question_add(actor=request.user, survey=survey, spec=form.spec())
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect(reverse("livelihood_console:detail", args=[survey.pk]) + "#questions")
    return _detail(request, survey, question_form=form, status=400)


def _question(request, pk, qid) -> tuple[Survey, Question]:
    survey = selectors.survey(request.user, pk, action=Action.SURVEY_MANAGE)
    question = survey.questions.prefetch_related("options").filter(pk=qid).first()
    if question is None:
        raise Http404
    return survey, question


@console_view
def question_edit(request, pk, qid):
    survey, question = _question(request, pk, qid)
    sections = survey.sections.all()
    form = QuestionForm(request.POST or None, sections=sections, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=request.user, question=question, spec=form.spec())
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(reverse("livelihood_console:detail", args=[survey.pk]) + "#questions")
    return TemplateResponse(request, "livelihood/console/question.html", {
        "section": "livelihood", "survey": survey, "question": question, "form": form},
        status=400 if request.method == "POST" else 200)


@console_view
@require_POST
def question_delete(request, pk, qid):
    survey, question = _question(request, pk, qid)
    try:
        services.question_delete(actor=request.user, question=question)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, survey, error=str(exc.message), status=400)
    messages.success(request, _("The question was deleted."))
    return redirect("livelihood_console:detail", pk=survey.pk)


@console_view
def poster(request, pk):
    """A printable A4 poster: the survey's title, its period and a QR code of its link (SVG, so it prints
    sharp at any size)."""
    survey = selectors.survey(request.user, pk)
    url = request.build_absolute_uri(survey.get_absolute_url())
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=10, border=2, dark="#000", light="#fff", omitsize=True)
    return TemplateResponse(request, "livelihood/console/poster.html", {
        "survey": survey, "url": url, "qr_svg": mark_safe(svg)})  # noqa: S308 (segno's own SVG of our URL)


@console_view
def results(request, pk):
    survey = selectors.survey(request.user, pk)
    total, rows = survey_results(survey)
    return TemplateResponse(request, "livelihood/console/results.html", {
        "section": "livelihood", "survey": survey, "total": total, "results": rows,
        "needs": selectors.need_statistics(request.user, survey),
    })


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@console_view
def export_responses(request, pk):
    survey = selectors.survey(request.user, pk)
    return _xlsx(exports.responses_workbook(survey), f"survey-{survey.pk}-responses.xlsx")


@console_view
def export_summary(request, pk):
    survey = selectors.survey(request.user, pk)
    return _xlsx(exports.summary_workbook(survey), f"survey-{survey.pk}-summary.xlsx")


@console_view
def visits(request, pk):
    """The survey's field visits (community staff see their own communities'), and recording a new one."""
    survey = selectors.survey(request.user, pk)
    communities = permissions.visible(request.user, Action.VISIT_RECORD, Community.objects.filter(
        subdistrict=survey.subdistrict_id).order_by("code"))
    form = VisitForm(request.POST or None, communities=communities,
                     initial={"visited_at": timezone.localtime(clock.now()).replace(second=0, microsecond=0)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.visit_record(actor=request.user, survey=survey, community=d["community"],
                                      visitors=d["visitors"], place=d["place"], visited_at=d["visited_at"],
                                      notes=d["notes"], suggestions=d["suggestions"], lat=d["lat"], lng=d["lng"],
                                      photo_files=request.FILES.getlist("photos"))
            except DomainError as exc:
                if exc.status == 404:
                    raise
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The visit was recorded."))
                return redirect("livelihood_console:visits", pk=survey.pk)
        status = 400
    return TemplateResponse(request, "livelihood/console/visits.html", {
        "section": "livelihood", "survey": survey, "page": paginate(request, selectors.visits(request.user, survey)),
        "form": form}, status=status)


@console_view
def photo(request, pk):
    return private_photo(selectors.photo(request.user, pk).image)
