"""The loader's trusted constructors build exactly what the validating ones build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from availability import Booking, Interval
from scheduler.loading import stored_booking, stored_interval

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=4_000_000_000 * 1_000_000)


@given(instants, st.integers(1, 10**12), st.integers(0, 7 * 1440), st.integers(0, 7 * 1440))
def test_stored_booking_equals_a_validated_booking(
    start: int, length: int, before: int, after: int
) -> None:
    trusted = stored_booking(start, start + length, before, after)
    checked = Booking(
        EPOCH + timedelta(microseconds=start),
        EPOCH + timedelta(microseconds=start + length),
        timedelta(minutes=before),
        timedelta(minutes=after),
    )
    assert trusted == checked
    assert trusted.occupied == checked.occupied
    assert trusted.start.utcoffset() == timedelta(0)


@given(instants, st.integers(1, 10**12))
def test_stored_interval_equals_a_validated_interval(start: int, length: int) -> None:
    trusted = stored_interval(start, start + length)
    assert trusted == Interval(
        EPOCH + timedelta(microseconds=start), EPOCH + timedelta(microseconds=start + length)
    )
