"""What a sync listing says the mentor changed in Google, decided without a database or a call
(``scheduler.calendar.sync.find_changes``). The end to end path is in
tests/api/test_google_calendar.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from scheduler.calendar import SyncedEvent, SyncResult, event_id_for_series
from scheduler.calendar.sync import PlacedEvent, find_changes

START = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
END = START + timedelta(minutes=15)


def placed(
    series: UUID, start: datetime | None = START, end: datetime | None = END
) -> dict[str, PlacedEvent]:
    return {event_id_for_series(series): PlacedEvent(series, start, end)}


def listing(*events: SyncedEvent, deleted: tuple[str, ...] = (), full: bool = False) -> SyncResult:
    return SyncResult(changed=events, deleted=deleted, next_sync_token="next", full=full)


def seen(series: UUID, start: datetime | None, end: datetime | None) -> SyncedEvent:
    return SyncedEvent(event_id_for_series(series), start, end, series)


def test_an_event_at_the_times_last_written_is_no_change() -> None:
    series = uuid4()
    changes = find_changes(listing(seen(series, START, END)), placed(series))
    assert changes.gone == {} and changes.moved == {} and changes.series == set()


def test_a_start_elsewhere_is_a_move_even_when_google_gives_no_end() -> None:
    series = uuid4()
    later = START + timedelta(hours=2)
    changes = find_changes(listing(seen(series, later, None)), placed(series))
    (move,) = changes.moved.values()
    assert move.series_id == series and move.start == later and move.end is None
    assert move.detail == later.isoformat()
    assert changes.series == {series}


def test_an_end_without_a_time_at_the_written_start_is_no_move() -> None:
    series = uuid4()
    assert find_changes(listing(seen(series, START, None)), placed(series)).moved == {}


def test_a_moved_end_is_a_move_whose_detail_is_start_slash_end() -> None:
    series = uuid4()
    longer = END + timedelta(minutes=15)
    (move,) = find_changes(listing(seen(series, START, longer)), placed(series)).moved.values()
    assert move.detail == f"{START.isoformat()}/{longer.isoformat()}"


def test_an_event_written_before_its_times_were_kept_is_never_a_move() -> None:
    series = uuid4()
    later = START + timedelta(hours=2)
    changes = find_changes(listing(seen(series, later, None)), placed(series, None, None))
    assert changes.moved == {}


def test_a_full_listing_without_an_engine_event_means_it_is_gone() -> None:
    series, other = uuid4(), uuid4()
    changes = find_changes(listing(seen(other, START, END), full=True), placed(series))
    assert changes.gone == {event_id_for_series(series): series}


def test_an_incremental_listing_names_what_is_gone() -> None:
    series = uuid4()
    event_id = event_id_for_series(series)
    assert find_changes(listing(), placed(series)).gone == {}
    assert find_changes(listing(deleted=(event_id,)), placed(series)).gone == {event_id: series}


def test_an_event_whose_id_is_not_derived_from_its_series_is_not_ours() -> None:
    series = uuid4()
    stray = {"own000001": PlacedEvent(series, START, END)}
    changes = find_changes(listing(deleted=("own000001",), full=True), stray)
    assert changes.gone == {} and changes.moved == {}


instants = st.integers(min_value=0, max_value=96).map(lambda q: START + timedelta(minutes=15 * q))


@given(start=instants, end=st.none() | instants)
def test_a_move_is_a_start_elsewhere_or_a_known_end_elsewhere(
    start: datetime, end: datetime | None
) -> None:
    series = uuid4()
    moved = find_changes(listing(seen(series, start, end)), placed(series)).moved
    assert bool(moved) == (start != START or (end is not None and end != END))
