"""The devices console: register cameras and sensors (their secret shown once), rotate or deactivate
them, keep the detection rules, and review the detections below the confidence threshold."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.cases.models import CaseCategory
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.coords import CRS
from jusha.places.models import Subdistrict
from jusha.web.console import console_view, paginate
from jusha.web.params import int_param

from . import selectors, services
from .models import Device


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@console_view
def device_list(request):
    """All devices of the subdistrict, and the form to register one."""
    permissions.require(request.user, Action.DEVICE_MANAGE)
    error, status, post = "", 200, request.POST
    if request.method == "POST":
        try:
            device, secret = services.device_register(
                actor=request.user, kind=post.get("kind", ""), code=post.get("code", ""), name=post.get("name", ""),
                lng=_float(post.get("lng")), lat=_float(post.get("lat")), crs=post.get("crs") or CRS.WGS84)
        except DomainError as exc:
            if exc.status == 404:
                raise
            error, status = str(exc.message), 400
        else:
            return _device_page(request, device, secret=secret)
    return TemplateResponse(request, "devices/console/devices.html", {
        "section": "devices", "page": paginate(request, selectors.devices(request.user)), "kinds": Device.Kind.choices,
        "crs_choices": [c.value for c in CRS], "error": error, "form": post}, status=status)


def _device_page(request, device, *, secret: str = ""):
    return TemplateResponse(request, "devices/console/device.html", {
        "section": "devices", "device": device, "secret": secret,
        "detections": selectors.recent_detections(device)})


@console_view
def device_detail(request, pk):
    return _device_page(request, selectors.device(request.user, pk))


@console_view
@require_POST
def device_rotate(request, pk):
    device, secret = services.device_rotate_secret(actor=request.user, device=selectors.device(request.user, pk))
    return _device_page(request, device, secret=secret)


@console_view
@require_POST
def device_active(request, pk):
    device = services.device_set_active(actor=request.user, device=selectors.device(request.user, pk),
                                        active=request.POST.get("active") == "1")
    messages.success(request, _("Saved."))
    return redirect(device)


@console_view
def review(request):
    """The detections waiting for a person to confirm into cases or dismiss, oldest first."""
    permissions.require(request.user, Action.DETECTION_REVIEW)
    return TemplateResponse(request, "devices/console/review.html", {
        "section": "detections", "page": paginate(request, selectors.review_queue(request.user))})


def _detection_page(request, detection, *, error: str = "", status: int = 200):
    return TemplateResponse(request, "devices/console/detection.html", {
        "section": "detections", "detection": detection, "error": error}, status=status)


@console_view
def detection_detail(request, pk):
    return _detection_page(request, selectors.detection(request.user, pk))


@console_view
def evidence(request, pk):
    detection = selectors.detection(request.user, pk)
    if not detection.evidence:
        raise Http404
    return FileResponse(detection.evidence.open("rb"), content_type="image/jpeg" if
                        detection.evidence.name.endswith(".jpg") else None)


@console_view
@require_POST
def detection_decide(request, pk, decision):
    detection = selectors.detection(request.user, pk)
    try:
        if decision == "confirm":
            services.detection_confirm(actor=request.user, detection=detection)
        elif decision == "dismiss":
            services.detection_dismiss(actor=request.user, detection=detection, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detection_page(request, selectors.detection(request.user, pk), error=str(exc.message), status=400)
    messages.success(request, _("Saved."))
    return redirect("devices_console:review")


@console_view
def rules(request, pk=None):
    """The detection rules: which case category each detection type becomes, and its threshold."""
    permissions.require(request.user, Action.DEVICE_MANAGE)
    visible = selectors.rules(request.user)
    rule = visible.filter(pk=pk).first() if pk else None
    if pk and rule is None:
        raise Http404
    subdistricts = permissions.visible(request.user, Action.DEVICE_MANAGE, Subdistrict.objects.order_by("pk"))
    error, status, post = "", 200, request.POST
    if request.method == "POST":
        subdistrict = subdistricts.filter(pk=int_param(post.get("subdistrict"))).first() or subdistricts.first()
        try:
            services.rule_save(actor=request.user, subdistrict=subdistrict, rule=rule,
                               detection_type=post.get("detection_type", ""),
                               category=int_param(post.get("category")), threshold=post.get("threshold"))
        except DomainError as exc:
            if exc.status == 404:
                raise
            error, status = str(exc.message), 400
        else:
            messages.success(request, _("The rule was saved."))
            return redirect("devices_console:rules")
    return TemplateResponse(request, "devices/console/rules.html", {
        "section": "devices", "rules": visible, "rule": rule, "subdistricts": subdistricts,
        "categories": CaseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("code"),
        "error": error, "values": _rule_values(rule, post)}, status=status)


def _rule_values(rule, post) -> dict:
    """What the form shows: what was just sent, else the rule being changed, else nothing."""
    if post:
        return {"detection_type": post.get("detection_type", ""), "category": int_param(post.get("category")),
                "threshold": post.get("threshold", "")}
    if rule:
        return {"detection_type": rule.detection_type, "category": rule.category_id, "threshold": rule.threshold}
    return {"detection_type": "", "category": None, "threshold": ""}
