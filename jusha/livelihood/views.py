"""The H5 page for answering a survey: works logged in or (where staff allow it) anonymously, at 320 px
and in elderly mode — every choice is a large radio or checkbox, ranking is a row of numbered buttons,
nothing pops up. Anonymous answers are one per device: a random token in a signed cookie."""

import secrets

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jusha import permissions
from jusha.accounts.models import Role
from jusha.core.errors import DomainError, NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.places.models import Community
from jusha.web.shared import not_found_is_404

from . import selectors, services
from .answers import AnswersInvalid
from .models import Question, Response, Survey

K = Question.Kind
DEVICE_COOKIE = "jusha_survey_device"
DEVICE_SALT = "jusha.livelihood.device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # a year and a bit: one survey a year, the same phone


def device_token(request) -> str:
    try:
        return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    except signing.BadSignature:
        return ""


def _ways(request, survey: Survey, device: str) -> list[tuple[str, str]]:
    """How this person may answer now: (value of respond_as, label), without the ways already used."""
    done = selectors.answered_as(request.user, survey, device=device)
    user = request.user
    ways: list[tuple[str, str]] = []
    if not user.is_authenticated:
        if survey.allow_anonymous and (Response.As.ANONYMOUS, None) not in done:
            ways.append((Response.As.ANONYMOUS, _("Anonymously")))
        return ways
    if survey.allow_residents and (Response.As.RESIDENT, None) not in done:
        ways.append((Response.As.RESIDENT, _("For myself")))
    actor = permissions.actor_of(user)
    if survey.allow_units:
        for unit in MemberUnit.objects.filter(pk__in=actor.member_units, is_active=True,
                                              alliance__subdistrict=survey.subdistrict_id).order_by("name"):
            if (Response.As.UNIT, unit.pk) not in done:
                ways.append((f"unit:{unit.pk}", _("For my unit %(name)s") % {"name": unit.name}))
    if survey.allow_communities:
        for community in Community.objects.filter(pk__in=actor.communities_as(Role.COMMUNITY_STAFF),
                                                  subdistrict=survey.subdistrict_id).order_by("code"):
            if (Response.As.COMMUNITY, community.pk) not in done:
                ways.append((f"community:{community.pk}", _("For %(name)s") % {"name": community.name}))
    return ways


def _raw_answers(post, questions) -> dict[int, object]:
    raw: dict[int, object] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == K.MULTIPLE:
            raw[q.pk] = [v for v in post.getlist(name) if v]
        elif q.kind == K.RANKING:
            ranks: dict[int, int] = {}
            for o in q.options.all():
                value = post.get(f"{name}_o{o.pk}", "")
                if value.isdigit():
                    ranks[o.pk] = int(value)
            # One option per distinct place: two options given the same place leave the ranking short,
            # which the service refuses as "not every option has its own place".
            by_place = {}
            for oid, place in sorted(ranks.items(), key=lambda item: item[1]):
                by_place.setdefault(place, oid)
            raw[q.pk] = list(by_place.values())
        else:
            raw[q.pk] = post.get(name, "")
    return raw


def _respond_as(value: str) -> tuple[str, int | None, int | None]:
    kind, _sep, pk = value.partition(":")
    pk_int = int(pk) if pk.isdigit() and len(pk) < 12 else None
    if kind == Response.As.UNIT:
        return kind, pk_int, None
    if kind == Response.As.COMMUNITY:
        return kind, None, pk_int
    return kind, None, None


def _items(questions, posted, errors: dict) -> list[dict]:
    """Each question with what the form shows again after a refusal: the options ticked, the places
    given in a ranking, the number or text typed, and the question's error."""
    posted = posted or {}
    items = []
    for q in questions:
        name = f"q{q.pk}"
        picked = set(posted.getlist(name)) if posted else set()
        options = [{"option": o, "checked": str(o.pk) in picked,
                    "place": posted.get(f"{name}_o{o.pk}", "") if posted else ""} for o in q.options.all()]
        items.append({"q": q, "name": name, "options": options, "places": range(1, len(options) + 1),
                      "value": posted.get(name, "") if posted else "", "error": errors.get(q.pk, "")})
    return items


def _page(request, survey: Survey, *, device: str, posted=None, errors=None, error="", status=200):
    questions = selectors.structure(survey)
    ways = _ways(request, survey, device)
    chosen = posted.get("respond_as", "") if posted else (ways[0][0] if ways else "")
    response = TemplateResponse(request, "livelihood/respond.html", {
        "tab": "services", "survey": survey, "items": _items(questions, posted, errors or {}), "ways": ways,
        "chosen": chosen,
        "accepting": selectors.is_accepting(survey), "posted": posted, "errors": errors or {}, "error": error,
        "rating_values": range(1, 6),
    }, status=status)
    if not request.user.is_authenticated and survey.allow_anonymous and not device:
        response.set_signed_cookie(DEVICE_COOKIE, secrets.token_hex(16), salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE,
                                   httponly=True, samesite="Lax", secure=request.is_secure())
    return response


@require_http_methods(["GET", "POST"])
@not_found_is_404
def respond(request, pk):
    """Open a survey by its link or QR code, and answer it. A visitor who is not logged in, scanning the
    poster of a survey that takes no anonymous answers, is sent to log in first."""
    try:
        survey = selectors.answerable(request.user, pk)
    except NotAllowed:
        if not request.user.is_authenticated and selectors.is_open_to_members(pk):
            return redirect_to_login(request.get_full_path())
        raise
    device = device_token(request)
    if request.method == "GET":
        return _page(request, survey, device=device)
    questions = selectors.structure(survey)
    respond_as, unit, community = _respond_as(request.POST.get("respond_as", ""))
    try:
        services.response_submit(actor=request.user, survey=survey, answers_by_question=_raw_answers(
            request.POST, questions), respond_as=respond_as, unit=unit, community=community, device=device)
    except NotAllowed:
        raise
    except AnswersInvalid as exc:
        return _page(request, survey, device=device, posted=request.POST, errors=exc.errors, status=400)
    except DomainError as exc:
        return _page(request, survey, device=device, posted=request.POST, error=str(exc.message), status=400)
    return redirect("livelihood:thanks", pk=survey.pk)


@not_found_is_404
def thanks(request, pk):
    survey = permissions.fetch(request.user, permissions.Action.SURVEY_RESPOND, Survey.objects.all(), pk=pk)
    return TemplateResponse(request, "livelihood/thanks.html", {"tab": "services", "survey": survey})
