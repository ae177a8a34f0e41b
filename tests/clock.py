"""A clock tests can move: patches jusha.core.clock.now, which every service reads."""

from datetime import datetime, timedelta

from django.utils import timezone


class MovableClock:
    def __init__(self, start: datetime | None = None):
        self.current = start or timezone.now()

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)
