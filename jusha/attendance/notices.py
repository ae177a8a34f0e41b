"""Who hears about service hours; every function runs after the step commits. The volunteer hears
when their hours are verified or corrected, and when a correction they asked for is decided."""

from django.utils import timezone

from jusha.notifications.services import notify

from .models import CorrectionRequest, ServiceRecord


def _record(record_id: int) -> ServiceRecord | None:
    return (ServiceRecord.objects.select_related("session__activity", "volunteer__user")
            .filter(pk=record_id).first())


def _context(record: ServiceRecord) -> dict:
    return {"activity": record.session.activity.title, "hours": str(record.hours),
            "date": timezone.localtime(record.session.starts_at).date().isoformat()}


def verified(record_id: int) -> None:
    record = _record(record_id)
    if record is not None:
        notify(recipients=[record.volunteer.user], kind="attendance.hours_verified", obj=record,
               context=_context(record), key=f"service-record:{record.pk}:verified")


def corrected(record_id: int, before: str) -> None:
    record = _record(record_id)
    if record is not None:
        # Each correction is its own event: the key carries when it was made.
        notify(recipients=[record.volunteer.user], kind="attendance.hours_corrected", obj=record,
               context={**_context(record), "before": before, "reason": record.correction_reason},
               key=f"service-record:{record.pk}:corrected:{record.corrected_at.timestamp()}")


def decided(request_id: int) -> None:
    request = CorrectionRequest.objects.select_related("record").filter(pk=request_id).first()
    record = _record(request.record_id) if request else None
    if record is None:
        return
    notify(recipients=[request.requested_by], kind="attendance.correction_decided", obj=record,
           context={**_context(record), "asked": str(request.hours), "decision": request.status,
                    "note": request.decision_note}, key=f"correction:{request.pk}:decided")
