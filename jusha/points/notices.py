"""Who hears about a redemption; every function runs after the step commits. The person hears when
their reward is ready, when it was handed out, and when the redemption was cancelled (by them or by
staff) with their points returned."""

from jusha.notifications.services import notify

from .models import Redemption


def _send(redemption_id: int, kind: str, event: str) -> None:
    found = (Redemption.objects.select_related("reward__subdistrict", "reward__community", "reward__member_unit",
                                               "person").filter(pk=redemption_id).first())
    if found is None:
        return
    reward = found.reward
    context = {"reward": reward.name, "cost": found.cost, "place": reward.pickup_place or reward.donor,
               "reason": found.cancel_reason}
    notify(recipients=[found.person], kind=kind, obj=found, context=context, community=reward.community,
           key=f"redemption:{found.pk}:{event}")


def ready(redemption_id: int) -> None:
    _send(redemption_id, "points.redemption_ready", "ready")


def picked_up(redemption_id: int) -> None:
    _send(redemption_id, "points.redemption_picked_up", "picked_up")


def cancelled(redemption_id: int) -> None:
    _send(redemption_id, "points.redemption_cancelled", "cancelled")
