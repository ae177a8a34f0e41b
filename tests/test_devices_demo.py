"""The demo seed for devices: deterministic, idempotent, and its detections wait for review."""

from jusha.devices.demo import seed_devices
from jusha.devices.models import Detection, DetectionRule, Device
from tests.cases_helpers import category


def test_seed_devices_twice_gives_the_same_rows(world):
    category()
    assert seed_devices(world.subdistrict) == 4  # the test world has four grids
    assert seed_devices(world.subdistrict) == 4
    assert DetectionRule.objects.count() == 4
    assert Device.objects.filter(kind="sensor").count() == 2
    waiting = Detection.objects.filter(status=Detection.Status.REVIEW)
    assert waiting.count() == 5 and all(d.confidence < d.threshold for d in waiting)
