"""A mentor's booking policy: slot length, buffers, notice, horizon and caps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from availability.errors import InvalidPolicy

SLOT_LENGTH = timedelta(minutes=15)
# The longest buffer (and notice) a policy or a booking may carry.
MAX_BUFFER = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Policy:
    """How a mentor's windows become bookable slots.

    ``day_cap`` / ``week_cap``: at most this many live bookings starting on one local day / ISO
    week (mentor's timezone); ``None`` = no cap.
    """

    slot_length: timedelta = SLOT_LENGTH
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    notice: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=60)
    day_cap: int | None = None
    week_cap: int | None = None

    def __post_init__(self) -> None:
        for name in ("slot_length", "buffer_before", "buffer_after", "notice", "horizon"):
            if not isinstance(getattr(self, name), timedelta):
                raise InvalidPolicy(f"{name} must be a timedelta")
        if (
            self.slot_length <= timedelta(0)
            or self.slot_length > timedelta(days=1)
            or self.slot_length % timedelta(minutes=5)
        ):
            raise InvalidPolicy("the slot length must be a multiple of 5 minutes, up to 1 day")
        for name in ("buffer_before", "buffer_after", "notice"):
            value: timedelta = getattr(self, name)
            if value < timedelta(0):
                raise InvalidPolicy(f"{name} cannot be negative")
            if value > MAX_BUFFER:
                raise InvalidPolicy(f"{name} cannot exceed 7 days")
        if self.horizon < timedelta(minutes=1) or self.horizon > timedelta(days=366):
            raise InvalidPolicy("the horizon must be between 1 minute and 366 days")
        for name in ("day_cap", "week_cap"):
            cap = getattr(self, name)
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
                raise InvalidPolicy(f"{name} must be a whole number >= 0 or None")
