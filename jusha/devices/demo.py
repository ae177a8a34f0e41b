"""Demo devices for `jusha demo`: AI cameras and smart manhole covers spread over the subdistrict's grids
(a third of them sensors), the rules that route their detections, and a few low-confidence detections
waiting for review. They were installed a little over a year ago, so the year of demo cases
(`cases.demo.seed_cases`) can come from them.

Deterministic (a seeded random) and fast; the rows are what the services would have written, without
audit entries or notifications, since no person registered them. Demo secrets are random and shown
nowhere: rotate one in the console to push from a real device.
"""

import random
import secrets
from datetime import timedelta

from django.db import transaction

from jusha.cases.models import CaseCategory
from jusha.core import clock
from jusha.places.geometry import to_shape
from jusha.places.models import Grid, Subdistrict

from .models import Detection, DetectionRule, Device

RULES = [("clothes_drying", "SJ0104", 0.8), ("street_vending", "SJ0502", 0.85), ("garbage_exposed", "SJ0101", 0.8),
         ("manhole_open", "BJ0101", 0.5)]
CAMERA_TYPES = ["clothes_drying", "street_vending", "garbage_exposed"]


def seed_devices(subdistrict: Subdistrict, *, devices: int = 36, waiting: int = 5, seed: int = 2026) -> int:
    """Devices, rules and waiting detections for `subdistrict`; returns how many devices it has."""
    rng = random.Random(seed)
    now = clock.now()
    categories = {c.code: c for c in CaseCategory.objects.filter(code__in=[code for _t, code, _th in RULES])}
    with transaction.atomic():
        for detection_type, code, threshold in RULES:
            if code in categories:
                DetectionRule.objects.get_or_create(subdistrict=subdistrict, detection_type=detection_type,
                                                    defaults={"category": categories[code], "threshold": threshold})
        every = list(Grid.objects.filter(community__subdistrict=subdistrict, boundary__isnull=False)
                     .select_related("community").order_by("code"))
        # Spread over the map: every n-th grid, so each part of the subdistrict has some.
        grids = every[::max(1, len(every) // devices)][:devices]
        sensors = set(range(len(grids) - 1, -1, -3))  # every third one, counted from the end
        installed = []
        for index, grid in enumerate(grids):
            point = to_shape(grid.boundary).representative_point()
            kind = Device.Kind.SENSOR if index in sensors else Device.Kind.CAMERA
            prefix = "MH" if kind == Device.Kind.SENSOR else "CAM"
            device, _created = Device.objects.get_or_create(code=f"{prefix}-{grid.code[-6:]}", defaults={
                "kind": kind, "name": f"{grid.name}{'智能井盖' if kind == Device.Kind.SENSOR else '视频点位'}",
                "subdistrict": subdistrict, "community": grid.community, "grid": grid, "lng": point.x,
                "lat": point.y, "key_id": f"jd_demo{rng.getrandbits(40):010x}", "secret": secrets.token_hex(32),
                "secret_issued_at": now, "created_at": now - timedelta(days=400)})
            installed.append(device)
        rules = {r.detection_type: r for r in DetectionRule.objects.filter(subdistrict=subdistrict)}
        cams = [d for d in installed if d.kind == Device.Kind.CAMERA]
        for n in range(waiting if cams else 0):
            device = cams[n % len(cams)]
            rule = rules.get(rng.choice(CAMERA_TYPES))
            if rule is None:
                continue
            at = now - timedelta(minutes=rng.randint(5, 600))
            Detection.objects.get_or_create(device=device, idempotency_key=f"demo-{n}", defaults={
                "signature": f"{rng.getrandbits(256):064x}", "detection_type": rule.detection_type, "rule": rule,
                "category": rule.category, "confidence": round(rng.uniform(0.45, rule.threshold - 0.01), 2),
                "threshold": rule.threshold, "detected_at": at, "received_at": at,
                "status": Detection.Status.REVIEW})
    return Device.objects.filter(subdistrict=subdistrict).count()
