"""Counting service hours, per the national record rules (志愿服务记录与证明出具办法, 2021): the hours
are the actual time of service, from check-in to check-out at the service, not the journey there.

Three rules, applied in this order (docs/attendance.md):
1. clip: only the part inside the session's window counts (a check-in before the start counts from
   the start; a check-out after the end counts to the end), so a service is never longer than its
   session — also when the session ends after midnight, since these are whole datetimes;
2. whole minutes (seconds dropped);
3. round to JUSHA_SERVICE_HOURS_STEP_MINUTES (15, 30 or 60) by JUSHA_SERVICE_HOURS_ROUNDING:
   "down" (the default: 1 h 50 min → 1.5 h at a half-hour step) or "nearest" (half a step and
   more goes up: 1 h 45 min → 2 h). Rounding up never passes the session's own length.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings

ROUNDINGS = ("down", "nearest")
STEPS = (15, 30, 60)


def served_minutes(checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime, ends_at: datetime) -> int:
    """Whole minutes between check-in and check-out that fall inside the session."""
    start = max(checked_in_at, starts_at)
    end = min(checked_out_at, ends_at)
    if end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


def rounded_minutes(minutes: int, *, step: int | None = None, rounding: str | None = None) -> int:
    step = step or settings.JUSHA_SERVICE_HOURS_STEP_MINUTES
    rounding = rounding or settings.JUSHA_SERVICE_HOURS_ROUNDING
    whole, rest = divmod(minutes, step)
    if rounding == "nearest" and rest * 2 >= step:
        whole += 1
    return whole * step


def to_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def session_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The most one service at this session can count: its length."""
    return to_hours(int((ends_at - starts_at).total_seconds() // 60))


def counted_hours(checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime, ends_at: datetime, *,
                  step: int | None = None, rounding: str | None = None) -> Decimal:
    """The hours one check-in and check-out count for, by the three rules above."""
    minutes = served_minutes(checked_in_at, checked_out_at, starts_at, ends_at)
    length = int((ends_at - starts_at).total_seconds() // 60)
    return to_hours(min(rounded_minutes(minutes, step=step, rounding=rounding), length))
