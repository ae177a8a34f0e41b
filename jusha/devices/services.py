"""Every write about devices: registering one, its secret, its rules, and each detection it pushes.

A push is checked in two steps: `authenticate` (the key, a fresh timestamp, the signature) and then
`detection_receive`, which is idempotent per device and idempotency key and routes the detection by the
subdistrict's `DetectionRule`: at or above the threshold straight into cases (attached to an open case of
the same category nearby, else a new one), below it to the review queue of the command center.
"""

import base64
import binascii
import json
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.cases import services as cases
from jusha.cases.models import CaseCategory, Source
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.permissions import Action
from jusha.places.coords import CRS

from . import notices, signing
from .models import (
    CODE_MAX_LENGTH,
    EVIDENCE_URL_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Detection,
    DetectionRule,
    Device,
)

D = Detection.Status
MAX_SKEW = timedelta(minutes=5)
MAX_BOXES = 50
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEY_RE = re.compile(r"^[\x21-\x7e]+$")
SIGNATURE_RE = re.compile(r"^[0-9a-fA-F]{64}$")
TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")


class DeviceRefused(DomainError):
    """The push is not from a device we know, or not signed by it just now: 401, or 403 when inactive."""

    def __init__(self, message, *, code: str, status: int = 401):
        super().__init__(message, code=code)
        self.status = status


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    return cases._text(value, field=field, limit=limit, required=required,
                       missing=_("Please fill this in."))


def _new_secret() -> str:
    return secrets.token_hex(32)


# --- devices and rules (the console) -----------------------------------------------------------------

def device_register(*, actor, kind: str, code: str, name: str, lng, lat, crs: str = CRS.WGS84) -> tuple[Device, str]:
    """Staff register a camera or sensor at its place; the secret is returned once, to be set on the device."""
    if not permissions.can(actor, Action.DEVICE_MANAGE):
        raise NotAllowed()
    if kind not in Device.Kind.values:
        raise DomainError(_("Choose camera or sensor."), code="invalid_kind", field="kind")
    code = _text(code, field="code", limit=CODE_MAX_LENGTH)
    if not CODE_RE.match(code):
        raise DomainError(_("Use letters, digits, dot, dash and underscore for the code."), code="invalid_code",
                          field="code")
    name = _text(name, field="name", limit=NAME_MAX_LENGTH)
    place = cases.locate(lng, lat, crs)
    subdistrict_id = place.community.subdistrict_id
    if not permissions.can(actor, Action.DEVICE_MANAGE, place.community.subdistrict):
        raise DomainError(_("This place is outside your subdistrict."), code="outside_area", field="location")
    secret = _new_secret()
    now = clock.now()
    try:
        with transaction.atomic():
            device = Device.objects.create(kind=kind, code=code, name=name, subdistrict_id=subdistrict_id,
                                           community=place.community, grid=place.grid, lng=place.lng, lat=place.lat,
                                           key_id=f"jd_{secrets.token_hex(10)}", secret=secret, secret_issued_at=now,
                                           created_at=now)
            audit_record(actor=actor, action="devices.register", target=device,
                         after={"kind": kind, "code": code, "key_id": device.key_id},
                         subdistrict_id=subdistrict_id, community_id=place.community.pk)
    except IntegrityError:
        raise DomainError(_("A device with this code is already registered."), code="duplicate_code",
                          field="code") from None
    return device, secret


def _lock(actor, device: Device | int) -> Device:
    pk = device.pk if isinstance(device, Device) else device
    locked = Device.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, Action.DEVICE_MANAGE, locked):
        raise NotAllowed()
    return locked


def device_rotate_secret(*, actor, device: Device | int) -> tuple[Device, str]:
    """Issue a new secret (a device was replaced, or its secret leaked); the old one stops working now."""
    with transaction.atomic():
        device = _lock(actor, device)
        secret = _new_secret()
        device.secret, device.secret_issued_at = secret, clock.now()
        device.save(update_fields=["secret", "secret_issued_at"])
        audit_record(actor=actor, action="devices.rotate_secret", target=device, after={"key_id": device.key_id},
                     subdistrict_id=device.subdistrict_id, community_id=device.community_id)
    return device, secret


def device_set_active(*, actor, device: Device | int, active: bool) -> Device:
    """Deactivate a device (taken down, stolen): its pushes are refused from now on. Or bring it back."""
    with transaction.atomic():
        device = _lock(actor, device)
        before = device.is_active
        device.is_active = bool(active)
        device.save(update_fields=["is_active"])
        audit_record(actor=actor, action="devices.activate" if active else "devices.deactivate", target=device,
                     before={"is_active": before}, after={"is_active": device.is_active},
                     subdistrict_id=device.subdistrict_id, community_id=device.community_id)
    return device


def _threshold(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise DomainError(_("Give a confidence between 0 and 1."), code="invalid_threshold", field="threshold")
    return number


def rule_save(*, actor, subdistrict, rule: DetectionRule | None = None, detection_type: str, category,
              threshold) -> DetectionRule:
    """Staff say which case category a detection type becomes, and from which confidence it skips review."""
    if rule is not None:
        subdistrict = rule.subdistrict
    if subdistrict is None or not permissions.can(actor, Action.DEVICE_MANAGE, subdistrict):
        raise NotAllowed()
    detection_type = _text(detection_type, field="detection_type", limit=40)
    if not re.match(r"^[-a-z0-9_]+$", detection_type):
        raise DomainError(_("Use lower-case letters, digits, dash and underscore."), code="invalid_type",
                          field="detection_type")
    category = cases._category(category)
    threshold = _threshold(threshold)
    before = ({"detection_type": rule.detection_type, "category": rule.category.code, "threshold": rule.threshold}
              if rule else None)
    try:
        with transaction.atomic():
            if rule is None:
                rule = DetectionRule(subdistrict=subdistrict)
            rule.detection_type, rule.category, rule.threshold = detection_type, category, threshold
            rule.save()
            audit_record(actor=actor, action="devices.rule_save", target=rule, before=before,
                         after={"detection_type": detection_type, "category": category.code, "threshold": threshold},
                         subdistrict_id=subdistrict.pk)
    except IntegrityError:
        raise DomainError(_("There is already a rule for this detection type."), code="duplicate_type",
                          field="detection_type") from None
    return rule


# --- a push ----------------------------------------------------------------------------------------

def authenticate(*, key_id, timestamp, signature, body: bytes) -> Device:
    """The device that signed this request just now, or `DeviceRefused` with the reason as its code."""
    if not key_id or not timestamp or not signature:
        raise DeviceRefused(_("Send X-Jusha-Key, X-Jusha-Timestamp and X-Jusha-Signature."), code="unsigned")
    if not SIGNATURE_RE.match(signature):
        raise DeviceRefused(_("The signature is wrong."), code="bad_signature")
    if not TIMESTAMP_RE.match(timestamp):
        raise DeviceRefused(_("The timestamp is not Unix seconds."), code="bad_timestamp")
    sent_at = int(timestamp)
    if abs(clock.now().timestamp() - sent_at) > MAX_SKEW.total_seconds():
        raise DeviceRefused(_("The timestamp is more than five minutes off: check the device's clock."),
                            code="stale_timestamp")
    device = Device.objects.filter(key_id=key_id[:40]).select_related("subdistrict").first()
    if device is None:
        raise DeviceRefused(_("Unknown device key."), code="unknown_device")
    if not signing.matches(device.secret, timestamp, body, signature):
        raise DeviceRefused(_("The signature is wrong."), code="bad_signature")
    if not device.is_active:
        raise DeviceRefused(_("This device is deactivated."), code="inactive_device", status=403)
    return device


@dataclass(frozen=True)
class Push:
    """A push's content, checked: what `detection_receive` stores."""

    detection_type: str
    confidence: float
    detected_at: datetime
    evidence: photos.CleanPhoto | None
    evidence_url: str
    boxes: list


def _box(value) -> dict:
    keys = ("x", "y", "w", "h")
    if not isinstance(value, dict) or set(value) - {*keys, "label", "confidence"}:
        raise ValueError
    box = {}
    for key in keys:
        number = value.get(key)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number) or number < 0:
            raise ValueError
        box[key] = number
    if "label" in value:
        if not isinstance(value["label"], str) or len(value["label"]) > 40:
            raise ValueError
        box["label"] = value["label"]
    if "confidence" in value:
        c = value["confidence"]
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= 1:
            raise ValueError
        box["confidence"] = c
    return box


def parse_push(data: dict, *, image_file=None) -> Push:
    """Check a push's fields (from JSON or a multipart form) before anything is written."""
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object."), code="invalid_body")
    detection_type = data.get("type")
    if not isinstance(detection_type, str) or not re.match(r"^[-a-z0-9_]{1,40}$", detection_type):
        raise DomainError(_("Give the detection type."), code="invalid_type", field="type")
    confidence = data.get("confidence")
    if isinstance(confidence, str):
        try:
            confidence = float(confidence)
        except ValueError:
            confidence = None
    if (isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not math.isfinite(confidence)
            or not 0 <= confidence <= 1):
        raise DomainError(_("Give a confidence between 0 and 1."), code="invalid_confidence", field="confidence")
    detected_at = _when(data.get("detected_at"))
    boxes = data.get("boxes") or []
    if isinstance(boxes, str):
        try:
            boxes = json.loads(boxes)
        except ValueError:
            boxes = None
    try:
        if not isinstance(boxes, list) or len(boxes) > MAX_BOXES:
            raise ValueError
        boxes = [_box(b) for b in boxes]
    except ValueError:
        raise DomainError(_("Bounding boxes are a list of {x, y, w, h} objects."), code="invalid_boxes",
                          field="boxes") from None
    url = data.get("image_url") or ""
    if not isinstance(url, str) or len(url) > EVIDENCE_URL_MAX_LENGTH:
        raise DomainError(_("The image link is not valid."), code="invalid_image_url", field="image_url")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except Exception:  # noqa: BLE001 (ValidationError: the message below says what is wrong)
            raise DomainError(_("The image link is not valid."), code="invalid_image_url",
                              field="image_url") from None
    encoded = data.get("image")
    if encoded and image_file is None:
        if not isinstance(encoded, str):
            raise DomainError(_("The image is not valid base64."), code="invalid_image", field="image")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("The image is not valid base64."), code="invalid_image", field="image") from None
        image_file = SimpleUploadedFile("evidence", raw)
    evidence = None
    if image_file is not None:
        try:
            evidence = photos.clean_photo(image_file)
        except DomainError as exc:
            exc.field = "image"
            raise
    return Push(detection_type=detection_type, confidence=float(confidence), detected_at=detected_at,
                evidence=evidence, evidence_url=url, boxes=boxes)


def _when(value) -> datetime:
    now = clock.now()
    if value in (None, ""):
        return now
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        raise DomainError(_("Give the time as ISO 8601."), code="invalid_time", field="detected_at")
    if at.tzinfo is None:
        # A device that sends local time without an offset means the deployment's time zone.
        at = timezone.make_aware(at)
    # A device clock a little ahead is tolerated; a detection from the future or months ago is not.
    if at > now + MAX_SKEW or at < now - timedelta(days=7):
        raise DomainError(_("The detection time is too far from now."), code="invalid_time", field="detected_at")
    return at


def _key(value) -> str:
    if not isinstance(value, str) or not KEY_RE.match(value) or len(value) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise DomainError(_("Send an Idempotency-Key header (1 to 100 visible ASCII characters)."),
                          code="invalid_idempotency_key", field="Idempotency-Key")
    return value


def detection_receive(*, device: Device, idempotency_key, signature: str, push: Push) -> tuple[Detection, bool]:
    """One detection from an authenticated device: (detection, created).

    The same idempotency key again returns the first detection unchanged, so a device retrying after a
    lost answer never makes a second report. The same signed request under another key is a replay."""
    idempotency_key = _key(idempotency_key)
    with transaction.atomic():
        # One push per device at a time: the second of two identical pushes waits here, then finds the first.
        Device.objects.select_for_update().filter(pk=device.pk).first()
        existing = Detection.objects.filter(device=device, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
        if Detection.objects.filter(signature=signature.lower()).exists():
            raise DeviceRefused(_("This request was already received."), code="replayed")
        rule = DetectionRule.objects.filter(subdistrict=device.subdistrict_id,
                                            detection_type=push.detection_type).select_related("category").first()
        if rule is None:
            raise DomainError(_("No rule maps this detection type to a case category yet."),
                              code="unknown_type", field="type")
        detection = Detection(device=device, idempotency_key=idempotency_key, signature=signature.lower(),
                              detection_type=push.detection_type, rule=rule, category=rule.category,
                              confidence=push.confidence, threshold=rule.threshold, detected_at=push.detected_at,
                              received_at=clock.now(), evidence_url=push.evidence_url, boxes=push.boxes,
                              status=D.REVIEW)
        if push.evidence is not None:
            detection.evidence.save(push.evidence.file.name, push.evidence.file, save=False)
        if push.confidence >= rule.threshold:
            _into_cases(detection, device)
        detection.save()
        audit_record(actor=None, action="devices.detection_receive", target=detection,
                     after={"device": device.code, "type": push.detection_type, "confidence": push.confidence,
                            "status": detection.status, "case": detection.case_id},
                     subdistrict_id=device.subdistrict_id, community_id=device.community_id)
        if detection.status == D.REVIEW:
            transaction.on_commit(lambda: notices.waiting_for_review(detection.pk), robust=True)
        return detection, True


def _into_cases(detection: Detection, device: Device, *, confirmed: bool = False) -> None:
    place = cases.Place(lng=device.lng, lat=device.lat, community=device.community, grid=device.grid)
    source = Source.CAMERA if device.kind == Device.Kind.CAMERA else Source.SENSOR
    category = CaseCategory.objects.get(pk=detection.category_id)
    description = _("%(category)s detected by %(device)s (confidence %(confidence)s)") % {
        "category": category.name, "device": device.name, "confidence": f"{detection.confidence:.0%}"}
    case, report, attached = cases.device_report(source=source, category=category, description=description,
                                                 place=place, at=clock.now())
    detection.case, detection.report = case, report
    detection.status = D.CONFIRMED if confirmed else (D.ATTACHED if attached else D.REPORTED)


# --- the review queue ------------------------------------------------------------------------------

def _lock_detection(actor, detection: Detection | int) -> Detection:
    pk = detection.pk if isinstance(detection, Detection) else detection
    locked = (Detection.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None)
    if locked is None or not permissions.can(actor, Action.DETECTION_REVIEW, locked):
        raise NotAllowed()
    if locked.status != D.REVIEW:
        raise DomainError(_("This detection was already reviewed."), code="already_reviewed")
    return locked


def detection_confirm(*, actor, detection: Detection | int) -> Detection:
    """An operator looked at the evidence: it is a real problem, so it goes into cases like any report."""
    with transaction.atomic():
        detection = _lock_detection(actor, detection)
        device = Device.objects.select_related("community", "grid").get(pk=detection.device_id)
        _into_cases(detection, device, confirmed=True)
        detection.reviewed_by, detection.reviewed_at = actor, clock.now()
        detection.save(update_fields=["case", "report", "status", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="devices.detection_confirm", target=detection,
                     before={"status": D.REVIEW}, after={"status": detection.status, "case": detection.case_id},
                     subdistrict_id=device.subdistrict_id, community_id=device.community_id)
    return detection


def detection_dismiss(*, actor, detection: Detection | int, reason: str) -> Detection:
    """An operator looked at the evidence: a false alarm (a shadow, a parked bicycle); nothing goes to cases."""
    reason = cases._text(reason, field="reason", limit=REASON_MAX_LENGTH, required=True,
                         missing=_("Please give a reason."))
    with transaction.atomic():
        detection = _lock_detection(actor, detection)
        detection.status, detection.dismiss_reason = D.DISMISSED, reason
        detection.reviewed_by, detection.reviewed_at = actor, clock.now()
        detection.save(update_fields=["status", "dismiss_reason", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="devices.detection_dismiss", target=detection,
                     before={"status": D.REVIEW}, after={"status": D.DISMISSED, "reason": reason},
                     subdistrict_id=detection.device.subdistrict_id)
    return detection
