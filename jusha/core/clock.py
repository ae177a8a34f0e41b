"""The one source of "now" for services, so tests can move time instead of sleeping."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
