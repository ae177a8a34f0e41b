"""The organiser's console: the sessions they organise, and one session's attendance page — the
check-in and check-out QR codes (refreshed by htmx before they expire), the roster with check-in and
check-out times, marking by hand, check-outs closed by rule, verifying hours and the corrections queue."""

from datetime import datetime

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.activities.models import SignUp
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.web.console import console_view, paginate

from . import selectors, services, tokens
from .models import CorrectionRequest, ServiceRecord
from .tokens import Purpose

PURPOSES = {"in": Purpose.IN, "out": Purpose.OUT}


@console_view
def session_list(request):
    permissions.require(request.user, Action.ATTENDANCE_MANAGE)
    return TemplateResponse(request, "attendance/console/list.html", {
        "section": "attendance", "page": paginate(request, selectors.organised_sessions(request.user))})


def _qr_context(request, session, purpose: Purpose) -> dict:
    url = request.build_absolute_uri(
        reverse("attendance:scan", args=[session.pk, purpose.value]) + "?t=" + tokens.sign(session.pk, purpose))
    return {"session": session, "purpose": purpose.value, "qr_url": url,
            "qr_svg": segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff"),
            # Refresh well before the code expires, so a scan never meets a code that just lapsed.
            "refresh_seconds": max(settings.JUSHA_CHECKIN_TOKEN_SECONDS // 2, 10)}


def _page(request, session, *, error: tuple | None = None, status: int = 200):
    purpose = PURPOSES.get(request.GET.get("qr", "in"), Purpose.IN)
    rows = selectors.roster(session)
    return TemplateResponse(request, "attendance/console/session.html", {
        "section": "attendance", "activity": session.activity, "rows": rows,
        "flagged": [r for r in rows if r.attendance and r.attendance.closed_by_rule],
        "to_verify": [r.record for r in rows if r.record and r.record.status == ServiceRecord.Status.PENDING],
        "corrections": selectors.pending_corrections(session), "error": error,
        **_qr_context(request, session, purpose),
    }, status=status)


@console_view
def session_page(request, pk):
    return _page(request, selectors.managed_session(request.user, pk))


@console_view
def qr(request, pk, purpose):
    """The QR code alone: what htmx swaps in every few seconds."""
    purpose = PURPOSES.get(purpose)
    if purpose is None:
        raise Http404
    session = selectors.managed_session(request.user, pk)
    return TemplateResponse(request, "attendance/console/_qr.html", _qr_context(request, session, purpose))


def _when(raw) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Enter a valid date and time."), code="invalid_time", field="checked_in_at") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _act(request, session, key, fn, success: str):
    try:
        fn()
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(request, session, error=(key, str(exc.message)), status=400)
    messages.success(request, success)
    return redirect("attendance_console:session", pk=session.pk)


@console_view
@require_POST
def mark(request, pk, signup_pk):
    session = selectors.managed_session(request.user, pk)
    signup = permissions.fetch(request.user, Action.ATTENDANCE_MANAGE, SignUp.objects.filter(session=session),
                               pk=signup_pk)
    post = request.POST
    return _act(request, session, f"mark-{signup.pk}", lambda: services.attendance_mark(
        actor=request.user, signup=signup, present=post.get("present") == "1",
        checked_in_at=_when(post.get("checked_in_at")), checked_out_at=_when(post.get("checked_out_at"))),
        _("Attendance saved."))


@console_view
@require_POST
def verify(request, pk, record_pk):
    session = selectors.managed_session(request.user, pk)
    return _act(request, session, f"verify-{record_pk}",
                lambda: services.service_record_verify(actor=request.user, record=record_pk), _("Hours verified."))


@console_view
@require_POST
def verify_all(request, pk):
    """Verify every record of the session still awaiting it, one service call each."""
    session = selectors.managed_session(request.user, pk)

    def run():
        for record_pk in ServiceRecord.objects.filter(session=session, status=ServiceRecord.Status.PENDING) \
                .values_list("pk", flat=True):
            services.service_record_verify(actor=request.user, record=record_pk)

    return _act(request, session, "verify-all", run, _("Hours verified."))


@console_view
@require_POST
def correct(request, pk, record_pk):
    session = selectors.managed_session(request.user, pk)
    return _act(request, session, f"correct-{record_pk}", lambda: services.service_record_correct(
        actor=request.user, record=record_pk, hours=request.POST.get("hours", ""),
        reason=request.POST.get("reason", "")), _("Hours corrected."))


@console_view
@require_POST
def decide(request, pk, correction_pk, decision):
    session = selectors.managed_session(request.user, pk)
    if decision not in (CorrectionRequest.Status.ACCEPTED, CorrectionRequest.Status.REJECTED):
        raise Http404
    if decision == CorrectionRequest.Status.ACCEPTED:
        def run():
            services.correction_accept(actor=request.user, correction=correction_pk,
                                       note=request.POST.get("reason", ""))
    else:
        def run():
            services.correction_reject(actor=request.user, correction=correction_pk,
                                       reason=request.POST.get("reason", ""))
    return _act(request, session, f"decide-{correction_pk}", run, _("Decision saved."))
