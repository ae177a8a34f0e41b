"""The push API for cameras, sensors and the detector worker (docs/devices.md has the protocol).

POST /api/devices/detections takes JSON (the evidence image, if any, base64 in `image`) or multipart form
data (the same fields, `boxes` as a JSON string, the image as the file `image`). The request is signed
over its raw body, so the body is read here as bytes before anything parses it.
"""

import json
from datetime import datetime

from django.core.exceptions import RequestDataTooBig
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jusha.core.errors import DomainError
from jusha.core.schemas import ErrorOut

from . import services
from .models import Detection

router = Router(tags=["devices"])


class DeviceDetectionOut(Schema):
    id: int
    device: str
    idempotency_key: str
    type: str
    confidence: float
    status: str
    case_id: int | None
    case_number: str | None
    detected_at: datetime
    received_at: datetime


def _out(detection: Detection) -> dict:
    return {"id": detection.pk, "device": detection.device.code, "idempotency_key": detection.idempotency_key,
            "type": detection.detection_type, "confidence": detection.confidence, "status": detection.status,
            "case_id": detection.case_id, "case_number": detection.case.number if detection.case_id else None,
            "detected_at": detection.detected_at, "received_at": detection.received_at}


class TooLarge(DomainError):
    status = 413


PUSH_DOC = {
    "parameters": [
        {"in": "header", "name": name, "required": True, "schema": {"type": "string"}, "description": text}
        for name, text in [
            ("X-Jusha-Key", "the device's key id"),
            ("X-Jusha-Timestamp", "Unix time in seconds; refused when more than 5 minutes off"),
            ("X-Jusha-Signature", 'hex HMAC-SHA256 with the device secret of `timestamp + "." + raw body`'),
            ("Idempotency-Key", "unique per detection; the same key again returns the first answer"),
        ]
    ],
    "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["type", "confidence"],
        "properties": {"type": {"type": "string"}, "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                       "detected_at": {"type": "string", "format": "date-time"},
                       "image": {"type": "string", "format": "byte"}, "image_url": {"type": "string"},
                       "boxes": {"type": "array", "items": {"type": "object"}}}}}}},
}


@router.post("/detections", auth=None, openapi_extra=PUSH_DOC,
             response={200: DeviceDetectionOut, 201: DeviceDetectionOut, 400: ErrorOut, 401: ErrorOut,
                       403: ErrorOut, 413: ErrorOut})
def push_detection(request):
    """One detection from a camera, a sensor or the detector: 201 when new, 200 with the first answer when
    its idempotency key was seen before."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise TooLarge(_("The request is too large."), code="too_large") from None
    headers = request.headers
    device = services.authenticate(key_id=headers.get("X-Jusha-Key", ""),
                                   timestamp=headers.get("X-Jusha-Timestamp", ""),
                                   signature=headers.get("X-Jusha-Signature", ""), body=body)
    try:
        if request.content_type == "multipart/form-data":
            data, image = request.POST.dict(), request.FILES.get("image")
        else:
            data, image = json.loads(body), None
    except (ValueError, RecursionError, MultiPartParserError):
        raise DomainError(_("Send a JSON object."), code="invalid_body") from None
    push = services.parse_push(data, image_file=image)
    detection, created = services.detection_receive(device=device, idempotency_key=headers.get("Idempotency-Key"),
                                                    signature=headers["X-Jusha-Signature"], push=push)
    detection = Detection.objects.select_related("device", "case").get(pk=detection.pk)
    return Status(201 if created else 200, _out(detection))
