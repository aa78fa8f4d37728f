"""The one clock: every service that needs "now" takes a ``Clock``, so a test or a bench sets
the time by passing another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, aware and in UTC."""
    return datetime.now(UTC)
