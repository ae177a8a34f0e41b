"""Reads for the devices console, each already narrowed by `permissions`."""

from jusha import permissions
from jusha.permissions import Action

from .models import Detection, DetectionRule, Device


def devices(actor):
    return permissions.visible(actor, Action.DEVICE_MANAGE, Device.objects.select_related("community", "grid"))


def device(actor, pk) -> Device:
    return permissions.fetch(actor, Action.DEVICE_MANAGE, Device.objects.select_related("community", "grid"), pk=pk)


def recent_detections(device: Device, limit: int = 20):
    return device.detections.select_related("case", "category")[:limit]


def review_queue(actor):
    """Detections waiting for a person, oldest first: the device's guess was not confident enough."""
    waiting = Detection.objects.filter(status=Detection.Status.REVIEW)
    return (permissions.visible(actor, Action.DETECTION_REVIEW, waiting)
            .select_related("device", "category").order_by("received_at", "id"))


def detection(actor, pk) -> Detection:
    return permissions.fetch(actor, Action.DETECTION_REVIEW,
                             Detection.objects.select_related("device__community", "category", "case", "reviewed_by"),
                             pk=pk)


def rules(actor):
    return permissions.visible(actor, Action.DEVICE_MANAGE,
                               DetectionRule.objects.select_related("category", "subdistrict"))
