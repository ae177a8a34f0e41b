"""The H5 pages: the page a phone lands on after scanning a check-in or check-out code, and "my
hours" (service records, totals, correction requests, certificates)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.activities.models import Session
from jusha.core.errors import DomainError, NotAllowed
from jusha.web.shared import not_found_is_404

from . import selectors, services, tokens
from .certificate import certificate_pdf
from .tokens import Purpose

PURPOSES = {"in": Purpose.IN, "out": Purpose.OUT}


def _scan_page(request, session, purpose, token, *, error: str = "", code: str = "", done=None, status: int = 200):
    return TemplateResponse(request, "attendance/scan.html", {
        "tab": "activities", "session": session, "activity": session.activity, "purpose": purpose, "token": token,
        "error": error, "error_code": code, "done": done,
    }, status=status)


@login_required
@not_found_is_404
def scan(request, pk, purpose):
    """Landing page of a scanned code: says what it will do, then records it when the person confirms
    (the phone adds its position where the activity has a geofence)."""
    purpose = PURPOSES.get(purpose)
    session = Session.objects.select_related("activity").filter(pk=pk).first()
    if purpose is None or session is None:
        raise Http404
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    if request.method != "POST":
        try:
            tokens.read(token, session_id=session.pk, purpose=purpose)
        except DomainError as exc:
            return _scan_page(request, session, purpose, token, error=str(exc.message), code=exc.code, status=400)
        return _scan_page(request, session, purpose, token)
    step = services.attendance_check_in if purpose is Purpose.IN else services.attendance_check_out
    try:
        position = services.position_from(request.POST.get("lng"), request.POST.get("lat"), request.POST.get("crs"))
        attendance = step(actor=request.user, session=session, token=token, position=position)
    except NotAllowed:
        raise
    except DomainError as exc:
        return _scan_page(request, session, purpose, token, error=str(exc.message), code=exc.code, status=400)
    return _scan_page(request, session, purpose, token, done=attendance)


def _hours_page(request, *, errors: dict | None = None, status: int = 200):
    return TemplateResponse(request, "attendance/hours.html", {
        "tab": "me", "records": selectors.my_records(request.user), "totals": selectors.my_totals(request.user),
        "certificates": selectors.my_certificates(request.user), "errors": errors or {},
    }, status=status)


@login_required
def hours(request):
    """My hours: every service record, the verified and pending totals, and certificates."""
    return _hours_page(request)


@login_required
@require_POST
@not_found_is_404
def request_correction(request, pk):
    try:
        services.correction_request(actor=request.user, record=pk, hours=request.POST.get("hours", ""),
                                    reason=request.POST.get("reason", ""))
    except NotAllowed:
        raise
    except DomainError as exc:
        return _hours_page(request, errors={pk: str(exc.message)}, status=400)
    messages.success(request, _("Your request was sent to the organiser."))
    return redirect("attendance:hours")


@login_required
@require_POST
def issue_certificate(request):
    try:
        certificate = services.certificate_issue(actor=request.user)
    except DomainError as exc:
        return _hours_page(request, errors={"certificate": str(exc.message)}, status=400)
    return redirect("attendance:certificate", number=certificate.number)


@login_required
@not_found_is_404
def certificate(request, number):
    """The PDF of one of the person's own certificates."""
    found = selectors.my_certificate(request.user, number)
    response = HttpResponse(certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response

