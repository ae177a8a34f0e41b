"""Who hears about detections: the subdistrict's command operators, when one waits for their review."""

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import Detection


def waiting_for_review(detection_id: int) -> None:
    detection = Detection.objects.select_related("device__community").filter(pk=detection_id).first()
    if detection is None or detection.status != Detection.Status.REVIEW:
        return
    device = detection.device
    operators = User.objects.filter(role_assignments__role=Role.COMMAND_OPERATOR,
                                    role_assignments__subdistrict=device.subdistrict_id).distinct()
    notify(recipients=operators, kind="devices.review", obj=detection, community=device.community,
           key=f"detection-review:{detection.pk}",
           context={"device": device.code, "type": detection.detection_type,
                    "confidence": f"{detection.confidence:.2f}"})
