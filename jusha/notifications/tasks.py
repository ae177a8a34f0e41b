"""Background tasks: thin wrappers, so a retry is simply the same service run again."""

from django.tasks import task

from . import services


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery; does nothing if it was already sent or is not due yet."""
    return str(services.delivery_attempt(delivery_id=delivery_id))


@task()
def deliver_due() -> dict:
    """Retry what failed earlier, send digests and what quiet hours held back."""
    return services.deliveries_due()
