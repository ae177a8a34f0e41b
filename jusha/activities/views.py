"""The H5 pages: the activity list (public; filter by kind and community, search "太极"), one activity
with its sessions and a one-tap sign-up or cancel (htmx swaps the session's row), my activities with
my calendar feed, and the iCal feeds themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.volunteers.selectors import active_volunteer
from jusha.web.params import int_param
from jusha.web.shared import not_found_is_404

from . import ical, selectors, services
from .models import Activity, FeedToken, Session, SignUp


def _filters(request) -> dict:
    kind = request.GET.get("kind", "")
    return {"kind": kind if kind in Activity.Kind.values else "", "community": int_param(request.GET.get("community")),
            "q": (request.GET.get("q") or "").strip()[:selectors.SEARCH_MAX_LENGTH]}


def activity_list(request):
    """Lectures, courses, youth experiences and services open for sign-up, the soonest first."""
    filters = _filters(request)
    template = "activities/list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return TemplateResponse(request, template, {
        "tab": "activities", "activities": selectors.public_list(request.user, **filters), "filters": filters,
        "kinds": Activity.Kind.choices,
        "communities": permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code")),
    })


def _detail_context(request, activity: Activity, **extra) -> dict:
    return {"tab": "activities", "activity": activity, "rows": selectors.session_rows(request.user, activity),
            "course": activity.signup_scope == Activity.SignupScope.COURSE,
            "volunteer": activity.volunteer_slots.exists() and active_volunteer(request.user) is not None, **extra}


@not_found_is_404
def detail(request, pk):
    activity = selectors.public_activity(request.user, pk)
    return TemplateResponse(request, "activities/detail.html", _detail_context(request, activity))


def _answer(request, activity: Activity, session_pk: int, *, error: str = "", status: int = 200):
    """After a tap: htmx gets the session's row again (the whole list for a course); a plain form post
    goes back to the page."""
    if request.headers.get("HX-Request"):
        course = activity.signup_scope == Activity.SignupScope.COURSE
        rows = selectors.session_rows(request.user, activity, only=None if course else session_pk)
        return TemplateResponse(request, "activities/detail.html#sessions" if course else
                                "activities/detail.html#session",
                                {"activity": activity, "rows": rows, "row": rows[0] if rows else None,
                                 "course": course, "error": error, "error_session": session_pk,
                                 "volunteer": activity.volunteer_slots.exists()
                                 and active_volunteer(request.user) is not None}, status=status)
    if error:
        return TemplateResponse(request, "activities/detail.html",
                                _detail_context(request, activity, error=error, error_session=session_pk),
                                status=status)
    return redirect("activities:detail", pk=activity.pk)


def _age(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) <= 3 else None


@login_required
@require_POST
@not_found_is_404
def sign_up(request, session_pk):
    session = Session.objects.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    activity = selectors.public_activity(request.user, session.activity_id)
    try:
        made = services.signup_create(actor=request.user, session=session_pk, age=_age(request.POST.get("age")),
                                      as_volunteer=request.POST.get("role") == SignUp.Role.VOLUNTEER)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _answer(request, activity, session_pk, error=str(exc.message), status=400)
    if any(s.status == SignUp.Status.CONFIRMED for s in made):
        messages.success(request, _("You are signed up. See you there!"))
    else:
        messages.info(request, _("All seats are taken; you are on the waiting list and will be told if a place "
                                 "frees up."))
    return _answer(request, activity, session_pk)


@login_required
@require_POST
@not_found_is_404
def cancel(request, pk):
    signup = permissions.fetch(request.user, Action.SIGNUP_CANCEL, SignUp.objects.select_related("session"), pk=pk)
    activity = selectors.public_activity(request.user, signup.session.activity_id)
    try:
        services.signup_cancel(actor=request.user, signup=signup, reason=request.POST.get("reason", ""))
    except NotAllowed:
        raise
    except DomainError as exc:
        return _answer(request, activity, signup.session_id, error=str(exc.message), status=400)
    messages.success(request, _("Your place was given back. Thank you for letting others come."))
    if request.POST.get("from") == "mine":
        return redirect("activities:mine")
    return _answer(request, activity, signup.session_id)


@login_required
def mine(request):
    """My activities: what I signed up for, and my own calendar feed's address."""
    token = FeedToken.objects.filter(user=request.user).first()
    return TemplateResponse(request, "activities/mine.html", {
        "tab": "activities", "signups": selectors.my_signups(request.user),
        "feed_url": request.build_absolute_uri(token_url(token)) if token else "",
    })


def token_url(token: FeedToken) -> str:
    return reverse("activities:person_feed", args=[token.token])


@login_required
@require_POST
def feed(request):
    """Make my feed's address, or (reset) a new one that replaces the old."""
    if request.POST.get("reset") == "1":
        services.feed_token_reset(actor=request.user)
        messages.success(request, _("A new calendar address was made; the old one no longer works."))
    else:
        services.feed_token_get(actor=request.user)
    return redirect("activities:mine")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def community_feed(request, code):
    """A community's public activities to come, as an iCal feed anyone may subscribe to."""
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Http404
    activities = selectors.public_list(request.user, community=community.pk)
    sessions = (Session.objects.filter(activity__in=activities.values("pk"), status=Session.Status.SCHEDULED)
                .select_related("activity").order_by("starts_at"))
    return _ics(ical.community_feed(community.name, sessions, base_url=request.build_absolute_uri("/")[:-1]),
                f"{community.code}.ics")


def person_feed(request, token):
    """One person's own sign-ups; the secret in the address is the only key (calendar apps cannot log in)."""
    found = FeedToken.objects.filter(token=token).select_related("user").first() if len(token) <= 64 else None
    if found is None or not found.user.is_active:
        raise Http404
    signups = SignUp.objects.filter(person=found.user, status__in=SignUp.LIVE).select_related(
        "session__activity").order_by("session__starts_at")
    return _ics(ical.person_feed(found.user.name or _("My activities"), signups,
                                 base_url=request.build_absolute_uri("/")[:-1]), "jusha.ics")
