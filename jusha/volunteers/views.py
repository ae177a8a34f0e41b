"""The resident's pages (H5): become a volunteer, and "my volunteer record" (status, number, change the
details, withdraw). Linked from the "me" page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.accounts.models import Role
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.shared import add_domain_error

from . import idnumbers, selectors, services, workflow
from .forms import ApplyForm, DetailsForm, ReasonForm, choices_from_slots
from .models import EXTRA_FIELDS, Volunteer
from .workflow import Step


def _communities(request):
    return permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.order_by("code"))


@login_required
def apply(request):
    """成为志愿者: the record-rule fields, what the person offers and when, optional fields with consent."""
    record = selectors.my_record(request.user)
    if record is not None and Step.APPLY not in workflow.allowed_steps(record.status):
        return redirect("volunteers:me")
    communities = _communities(request)
    home = communities.filter(roleassignment__user=request.user, roleassignment__role=Role.RESIDENT).first()
    form = ApplyForm(request.POST if request.method == "POST" else None, communities=communities,
                     initial={"community": home.pk if home else None, "name": request.user.name,
                              "mobile": request.user.mobile or ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.volunteer_apply(actor=request.user, **form.identity, **form.details)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Thank you! Your community's staff will review your application."))
                return redirect("volunteers:me")
        status = 400
    return TemplateResponse(request, "volunteers/apply.html", {"tab": "me", "form": form}, status=status)


def _record_page(request, record: Volunteer, *, withdraw_form=None, status=200):
    return TemplateResponse(request, "volunteers/me.html", {
        "tab": "me", "record": record, "masked_id": idnumbers.masked(record.id_number_last4),
        "steps": workflow.allowed_steps(record.status), "reason_statuses": (Volunteer.Status.REJECTED,
                                                                        Volunteer.Status.SUSPENDED),
        "withdraw_form": withdraw_form or ReasonForm(),
        "extra": [(EXTRA_FIELDS[k], v) for k, v in record.extra.items() if k in EXTRA_FIELDS],
    }, status=status)


@login_required
def me(request):
    """My volunteer record: status (and why, when rejected or suspended), number, what I offer."""
    record = selectors.my_record(request.user)
    if record is None:
        return redirect("volunteers:apply")
    return _record_page(request, record)


@login_required
def edit(request):
    record = selectors.my_record(request.user)
    if record is None or Step.UPDATE not in workflow.allowed_steps(record.status):
        return redirect("volunteers:me")
    initial = {"skills": record.skills, "mobile": record.mobile, "service_area": list(record.service_area.all()),
               "availability": choices_from_slots(record.availability),
               "extra_consent": record.extra_consent_at is not None,
               **{f"extra_{k}": v for k, v in record.extra.items()}}
    form = DetailsForm(request.POST if request.method == "POST" else None, communities=_communities(request).filter(
        subdistrict=record.community.subdistrict_id), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.volunteer_update(actor=request.user, volunteer=record, **form.details)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your volunteer record was saved."))
                return redirect("volunteers:me")
        status = 400
    return TemplateResponse(request, "volunteers/edit.html", {"tab": "me", "form": form, "record": record},
                            status=status)


@login_required
@require_POST
def withdraw(request):
    record = selectors.my_record(request.user)
    if record is None:
        return redirect("volunteers:apply")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.volunteer_withdraw(actor=request.user, volunteer=record, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("You are no longer a volunteer. Thank you for your help."))
            return redirect("volunteers:me")
    return _record_page(request, selectors.my_record(request.user), withdraw_form=form, status=400)
