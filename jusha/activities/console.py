"""The staff console for activities: the activities a person organises or reviews, the review queue,
writing and editing an activity (optionally from common needs), one activity's page with its steps,
sessions and the roster of each session (confirmed and waiting list)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.needs.models import Need
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community, Subdistrict
from jusha.web.console import console_view, paginate, render_list
from jusha.web.shared import add_domain_error

from . import selectors, services, workflow
from .forms import ActivityForm, SessionForm
from .models import Activity
from .workflow import Step

STEP_LABELS = {
    Step.SUBMIT: gettext_lazy("Submit for review"),
    Step.PUBLISH: gettext_lazy("Publish"),
    Step.REJECT: gettext_lazy("Return for changes"),
    Step.CANCEL: gettext_lazy("Cancel the activity"),
}
NEED_CHOICES = 200


def _organisers(user) -> list[tuple[str, str]]:
    """Whom the person may organise for, as form choices: "s:<id>", "c:<id>", "u:<id>"."""
    choices = [(f"s:{s.pk}", s.name) for s in permissions.visible(user, Action.ACTIVITY_ORGANISE,
                                                                   Subdistrict.objects.order_by("code"))]
    choices += [(f"c:{c.pk}", c.name) for c in permissions.visible(user, Action.ACTIVITY_ORGANISE,
                                                                    Community.objects.order_by("code"))]
    choices += [(f"u:{u.pk}", u.name) for u in permissions.visible(user, Action.ACTIVITY_ORGANISE,
                                                                    MemberUnit.objects.filter(is_active=True))]
    return choices


def _organiser(user, value: str):
    kind, _sep, pk = value.partition(":")
    model = {"s": Subdistrict, "c": Community, "u": MemberUnit}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return permissions.visible(user, Action.ACTIVITY_ORGANISE, model.objects.all()).filter(pk=int(pk)).first()


def _form(request, data=None, initial=None) -> ActivityForm:
    user = request.user
    open_needs = permissions.visible(user, Action.NEED_TRIAGE, Need.objects.filter(
        status__in=(Need.Status.ACCEPTED, Need.Status.ESCALATED))).order_by("-submitted_at")
    return ActivityForm(data, initial=initial, organisers=_organisers(user),
                        communities=Community.objects.filter(subdistrict__in=_subdistricts(user)).order_by("code"),
                        needs=Need.objects.filter(pk__in=list(open_needs.values_list("pk", flat=True)[:NEED_CHOICES]))
                        .select_related("category"))


def _subdistricts(user):
    actor = permissions.actor_of(user)
    if actor.is_admin:
        return Subdistrict.objects.values("pk")
    ids = set().union(*actor.subdistricts.values()) if actor.subdistricts else set()
    ids |= set(Community.objects.filter(pk__in=set().union(*actor.communities.values()) if actor.communities
                                        else set()).values_list("subdistrict_id", flat=True))
    ids |= set(MemberUnit.objects.filter(pk__in=actor.member_units).values_list("alliance__subdistrict_id",
                                                                                   flat=True))
    return ids


def _fields(data: dict) -> dict:
    return {k: data[k] for k in services.ACTIVITY_FIELDS}


@console_view
def activity_list(request):
    permissions.require(request.user, Action.ACTIVITY_VIEW)
    filters = selectors.ConsoleFilter.from_query(request.GET)
    return render_list(request, "activities/console/list.html", {
        "section": "activities", "page": paginate(request, selectors.managed(request.user, filters)),
        "filters": filters, "statuses": Activity.Status.choices, "kinds": Activity.Kind.choices,
        "url": reverse("activities_console:list"),
        "may_review": permissions.can(request.user, Action.ACTIVITY_REVIEW),
    })


@console_view
def review_queue(request):
    permissions.require(request.user, Action.ACTIVITY_REVIEW)
    return TemplateResponse(request, "activities/console/review.html", {
        "section": "activities", "activities": selectors.review_queue(request.user)})


@console_view
def new(request):
    """Write a new activity (a draft); from the needs list, `?needs=1,2,3` preselects common needs."""
    permissions.require(request.user, Action.ACTIVITY_ORGANISE)
    preselected = [int(n) for n in request.GET.get("needs", "").split(",") if n.isdigit() and len(n) < 12]
    form = _form(request, request.POST if request.method == "POST" else None,
                 initial={"needs": preselected, "cancel_hours": 2, "seats": 30,
                          "kind": Activity.Kind.COURSE if preselected else None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                activity = services.activity_create(
                    actor=request.user, organiser=_organiser(request.user, d["organiser"]), host=d["host"],
                    audience_communities=d["audience_communities"], needs=d["needs"], **_fields(d))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved as a draft. Add its sessions, then submit it for review."))
                return redirect("activities_console:detail", pk=activity.pk)
        status = 400
    return TemplateResponse(request, "activities/console/form.html", {"section": "activities", "form": form},
                            status=status)


@console_view
def edit(request, pk):
    activity = permissions.fetch(request.user, Action.ACTIVITY_MANAGE, Activity.objects.all(), pk=pk)
    initial = {**{k: getattr(activity, k) for k in services.ACTIVITY_FIELDS},
               "audience_communities": list(activity.audience_communities.values_list("pk", flat=True)),
               "needs": list(activity.needs.values_list("pk", flat=True)), "host": activity.community_id,
               "organiser": _organiser_value(activity)}
    form = _form(request, request.POST if request.method == "POST" else None, initial=initial)
    form.fields["organiser"].disabled = True
    form.fields["host"].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.activity_update(actor=request.user, activity=activity, needs=d["needs"],
                                         audience_communities=d["audience_communities"], **_fields(d))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("activities_console:detail", pk=activity.pk)
        status = 400
    return TemplateResponse(request, "activities/console/form.html",
                            {"section": "activities", "form": form, "activity": activity}, status=status)


def _organiser_value(activity: Activity) -> str:
    if activity.organiser_kind == Activity.Organiser.UNIT:
        return f"u:{activity.member_unit_id}"
    if activity.organiser_kind == Activity.Organiser.COMMUNITY:
        return f"c:{activity.community_id}"
    return f"s:{activity.subdistrict_id}"


def _detail(request, activity: Activity, *, error: tuple[str | int, str] | None = None,
            session_form: SessionForm | None = None, status: int = 200):
    manage = permissions.can(request.user, Action.ACTIVITY_MANAGE, activity)
    review = permissions.can(request.user, Action.ACTIVITY_REVIEW, activity)
    allowed = workflow.allowed_steps(activity.status)
    may = {Step.SUBMIT: manage, Step.PUBLISH: review, Step.REJECT: review, Step.CANCEL: manage}
    steps = [(s, STEP_LABELS[s], s in (Step.REJECT, Step.CANCEL)) for s in STEP_LABELS if s in allowed and may[s]]
    sessions_editable = manage and activity.status in workflow.SESSIONS_EDITABLE
    return TemplateResponse(request, "activities/console/detail.html", {
        "section": "activities", "activity": activity, "steps": steps, "error": error,
        "roster": selectors.roster(request.user, activity), "may_edit": manage and Step.UPDATE in allowed,
        "sessions_editable": sessions_editable,
        "session_form": session_form or (SessionForm() if sessions_editable else None),
        "needs": list(activity.needs.select_related("category")),
        "audience": list(activity.audience_communities.all()),
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.console_activity(request.user, pk))


@console_view
@require_POST
def act(request, pk, step):
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    if step not in STEP_LABELS:
        raise Http404
    activity = selectors.console_activity(request.user, pk)
    reason = request.POST.get("reason", "")
    try:
        match step:
            case Step.SUBMIT:
                services.activity_submit(actor=request.user, activity=activity)
            case Step.PUBLISH:
                services.activity_publish(actor=request.user, activity=activity)
            case Step.REJECT:
                services.activity_reject(actor=request.user, activity=activity, reason=reason)
            case Step.CANCEL:
                services.activity_cancel(actor=request.user, activity=activity, reason=reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, selectors.console_activity(request.user, pk), error=(step.value, str(exc.message)),
                       status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": STEP_LABELS[step]})
    return redirect("activities_console:detail", pk=activity.pk)


@console_view
@require_POST
def add_sessions(request, pk):
    activity = selectors.console_activity(request.user, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.session_add(actor=request.user, activity=activity, starts_at=d["starts_at"], ends_at=d["ends_at"],
                                 weeks=d["weeks"], seats=d["seats"])
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Sessions added."))
            return redirect("activities_console:detail", pk=activity.pk)
    return _detail(request, activity, session_form=form, status=400)


@console_view
@require_POST
def cancel_session(request, pk, session_pk):
    activity = selectors.console_activity(request.user, pk)
    session = activity.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    try:
        services.session_cancel(actor=request.user, session=session, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, activity, error=(session.pk, str(exc.message)), status=400)
    messages.success(request, _("The session was cancelled and the people signed up were told."))
    return redirect("activities_console:detail", pk=activity.pk)
