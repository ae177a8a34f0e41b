"""The phone pages: residents report and follow what they reported; grid workers and team members
work their task list and report (or fix on the spot) on patrol."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action
from jusha.web.shared import add_domain_error, not_found_is_404, private_photo

from . import selectors, services, workflow
from .forms import PatrolForm, RatingForm, ReasonForm, ReportForm
from .models import Case
from .workflow import Step

S = Case.Status


def _float(raw) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
def report_new(request):
    """随手拍: what is wrong, where (the phone's position or a point on the map), photos, anonymous."""
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, categories=selectors.categories())
    nearby, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                case, _report, created = services.report_submit(
                    actor=request.user, category=d["category"].pk, description=d["description"], lng=d["lng"],
                    lat=d["lat"], crs=d["crs"], address=d["address"], anonymous=d["anonymous"],
                    photo_files=request.FILES.getlist("photos"), follow=d["follow"], new_anyway=d["new_anyway"])
            except services.NearbyOpenCase as exc:
                nearby = exc.cases
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Thank you! Your report is case %(number)s; follow it here.")
                                 % {"number": case.number} if created else
                                 _("Thank you! You now follow case %(number)s and will hear when it is fixed.")
                                 % {"number": case.number})
                return redirect(case)
        status = 409 if nearby else 400
    return TemplateResponse(request, "cases/new.html", {"tab": "services", "form": form, "nearby": nearby},
                            status=status)


@login_required
def my_cases(request):
    return TemplateResponse(request, "cases/mine.html", {"tab": "services",
                                                         "cases": selectors.my_cases(request.user)})


def _tracking(request, case: Case, *, rating_form=None, reopen_form=None, status=200):
    may_rate = (case.status == S.CLOSED and permissions.can(request.user, Action.CASE_RATE, case)
                and not case.ratings.filter(by=request.user, round=case.reopen_count).exists())
    return TemplateResponse(request, "cases/detail.html", {
        "tab": "services",
        "case": case,
        "events": list(case.events.all()),
        "photos": list(case.photos.all()),
        "may_rate": may_rate,
        "may_reopen": case.status == S.CLOSED and permissions.can(request.user, Action.CASE_RATE, case),
        "rating": case.ratings.filter(by=request.user).first(),
        "rating_form": rating_form or RatingForm(),
        "reopen_form": reopen_form or ReasonForm(),
    }, status=status)


@login_required
@not_found_is_404
def case_detail(request, pk):
    """The tracking page: status, timeline and, once closed, rate or reopen."""
    return _tracking(request, selectors.case_detail(request.user, pk))


@login_required
@require_POST
@not_found_is_404
def case_rate(request, pk):
    case = selectors.case_detail(request.user, pk, action=Action.CASE_RATE)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.case_rate(actor=request.user, case=case, stars=form.cleaned_data["stars"],
                               comment=form.cleaned_data["comment"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(case)
    return _tracking(request, selectors.case_detail(request.user, pk), rating_form=form, status=400)


@login_required
@require_POST
@not_found_is_404
def case_reopen(request, pk):
    case = selectors.case_detail(request.user, pk, action=Action.CASE_RATE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.case_reopen(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The case is open again. The command center will look at it."))
            return redirect(case)
    return _tracking(request, selectors.case_detail(request.user, pk), reopen_form=form, status=400)


@login_required
@not_found_is_404
def photo(request, pk):
    """A case photo, only to those who may see the case."""
    return private_photo(selectors.photo(request.user, pk).image)


# --- the field: task list, one task, patrol -----------------------------------------------------

def _field_only(request):
    if not permissions.can(request.user, Action.CASE_HANDLE):
        raise Http404


@login_required
def task_list(request):
    """The grid worker's or team member's tasks: new ones first, then being handled, then waiting."""
    _field_only(request)
    from jusha.orgs.models import FieldStatus, GridWorker

    who = permissions.actor_of(request.user)
    status = FieldStatus.objects.filter(user=request.user).first()
    on_duty = (GridWorker.objects.filter(user=request.user).values_list("on_duty", flat=True).first()
               if who.grids else (status.on_duty if status else True))
    overdue = request.GET.get("overdue") == "1"
    return TemplateResponse(request, "cases/tasks.html", {
        "tab": "services", "tasks": selectors.tasks(request.user, overdue=overdue), "overdue": overdue,
        "on_duty": on_duty,
        "may_patrol": permissions.can(request.user, Action.CASE_PATROL)})


@login_required
@require_POST
def duty(request):
    _field_only(request)
    services.field_status_set(actor=request.user, on_duty=request.POST.get("on_duty") == "1")
    return redirect("cases:tasks")


def _task_page(request, case: Case, *, errors: dict | None = None, status: int = 200):
    may = permissions.can(request.user, Action.CASE_HANDLE, case)
    steps = workflow.allowed_steps(case.status) if may else set()
    offered = [s for s in (Step.TAKE, Step.ARRIVE, Step.HANDLE, Step.EXTENSION_REQUEST, Step.RETURN) if s in steps]
    if case.extension_requested_until is not None and Step.EXTENSION_REQUEST in offered:
        offered.remove(Step.EXTENSION_REQUEST)
    return TemplateResponse(request, "cases/task.html", {
        "tab": "services", "case": case, "events": list(case.events.all()), "photos": list(case.photos.all()),
        "steps": offered, "errors": errors or {}, "staff_view": True,
        "tomorrow": (clock.now().date() + datetime.timedelta(days=1)).isoformat(),
    }, status=status)


@login_required
@not_found_is_404
def task(request, pk):
    _field_only(request)
    return _task_page(request, selectors.case_detail(request.user, pk))


@login_required
@require_POST
@not_found_is_404
def task_act(request, pk, step):
    """One step on one task; a refusal re-renders the task with the reason next to its form."""
    _field_only(request)
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    case = selectors.case_detail(request.user, pk)
    post = request.POST
    where = {"lng": _float(post.get("lng")), "lat": _float(post.get("lat")), "crs": post.get("crs") or "wgs84"}
    try:
        match step:
            case Step.TAKE:
                services.case_take(actor=request.user, case=case, **where)
            case Step.ARRIVE:
                services.case_arrive(actor=request.user, case=case, **where)
            case Step.HANDLE:
                services.case_handle(actor=request.user, case=case, note=post.get("note", ""),
                                     photo_files=request.FILES.getlist("photos"), **where)
            case Step.RETURN:
                services.case_return(actor=request.user, case=case, reason=post.get("reason", ""))
            case Step.EXTENSION_REQUEST:
                services.case_extension_request(actor=request.user, case=case, until=_date(post.get("until")),
                                                reason=post.get("reason", ""))
            case _:
                raise DomainError(_("This cannot be done from this page."), code="invalid_transition")
    except NotAllowed:
        raise
    except DomainError as exc:
        return _task_page(request, selectors.case_detail(request.user, pk), errors={step.value: str(exc.message)},
                          status=400)
    messages.success(request, _("Recorded on the timeline: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    if permissions.can(request.user, Action.CASE_VIEW, case):
        return redirect("cases:task", pk=case.pk)
    return redirect("cases:tasks")


def _date(raw) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        return None


@login_required
def patrol(request):
    """巡查: a grid worker reports what they found, or fixes it on the spot with before/after photos."""
    if not permissions.can(request.user, Action.CASE_PATROL):
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = PatrolForm(data, categories=selectors.categories())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            on_the_spot = request.POST.get("mode") == "self_handle"
            try:
                if on_the_spot:
                    case = services.case_self_handle(
                        actor=request.user, category=d["category"].pk, description=d["description"], lng=d["lng"],
                        lat=d["lat"], crs=d["crs"], note=d["note"],
                        before_photos=request.FILES.getlist("before_photos"),
                        after_photos=request.FILES.getlist("after_photos"))
                else:
                    case = services.patrol_report(
                        actor=request.user, category=d["category"].pk, description=d["description"], lng=d["lng"],
                        lat=d["lat"], crs=d["crs"], photo_files=request.FILES.getlist("before_photos"))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
                return redirect("cases:tasks")
        status = 400
    return TemplateResponse(request, "cases/patrol.html", {"tab": "services", "form": form}, status=status)
