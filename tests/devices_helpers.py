"""Helpers for the devices tests: a camera over 智格一 pushing clothes-drying detections.

In the test world 刘洋 (subdistrict staff of 下沙) registers devices and keeps the rules; 赵磊 (command
operator) reviews detections; 李娜 (community staff) has nothing to do with devices.
"""

import base64
import json

from jusha.core import clock
from jusha.devices import services
from jusha.devices.signing import sign
from tests.cases_helpers import DRYING, IN_ZHIGE, category, png_bytes  # noqa: F401

TYPE = "clothes_drying"
URL = "/api/devices/detections"


def camera(world, *, code="CAM-001", at=IN_ZHIGE, kind="camera"):
    """A registered camera and its secret."""
    return services.device_register(actor=world.liuyang, kind=kind, code=code, name="智格一号点位", lng=at[0],
                                    lat=at[1])


def rule(world, *, detection_type=TYPE, code=DRYING, threshold=0.8):
    return services.rule_save(actor=world.liuyang, subdistrict=world.subdistrict, detection_type=detection_type,
                              category=category(code).pk, threshold=threshold)


def body(confidence=0.93, *, detection_type=TYPE, with_image=False, **extra) -> bytes:
    payload = {"type": detection_type, "confidence": confidence, **extra}
    if with_image:
        payload["image"] = base64.b64encode(png_bytes()).decode()
    return json.dumps(payload).encode()


def headers(device, secret, raw: bytes, *, key="evt-1", timestamp=None) -> dict:
    ts = str(int((timestamp or clock.now()).timestamp()))
    return {"HTTP_X_JUSHA_KEY": device.key_id, "HTTP_X_JUSHA_TIMESTAMP": ts,
            "HTTP_X_JUSHA_SIGNATURE": sign(secret, ts, raw), "HTTP_IDEMPOTENCY_KEY": key}


def push(client, device, secret, raw: bytes | None = None, *, key="evt-1", timestamp=None, **extra):
    raw = body() if raw is None else raw
    return client.post(URL, data=raw, content_type="application/json",
                       **{**headers(device, secret, raw, key=key, timestamp=timestamp), **extra})
