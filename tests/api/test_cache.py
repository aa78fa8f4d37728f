"""The filière page's short cache: one computation per key and period, even under a burst."""

from __future__ import annotations

import asyncio

import pytest

from api.cache import TtlCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_value_is_reused_within_its_period_and_recomputed_after() -> None:
    clock = FakeClock()
    cache: TtlCache[int] = TtlCache(2.0, clock)
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert await cache.get("droit", compute) == 1
    clock.now += 1.9
    assert await cache.get("droit", compute) == 1
    clock.now += 0.2
    assert await cache.get("droit", compute) == 2


async def test_a_burst_on_a_cold_key_computes_once() -> None:
    cache: TtlCache[str] = TtlCache(2.0, FakeClock())
    calls = 0

    async def compute() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "page"

    answers = await asyncio.gather(*(cache.get("droit", compute) for _ in range(50)))
    assert answers == ["page"] * 50 and calls == 1


async def test_a_zero_period_never_caches() -> None:
    cache: TtlCache[int] = TtlCache(0, FakeClock())
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert [await cache.get("k", compute) for _ in range(3)] == [1, 2, 3]


async def test_keys_are_cached_apart() -> None:
    cache: TtlCache[str] = TtlCache(5.0, FakeClock())

    async def droit() -> str:
        return "droit"

    async def medecine() -> str:
        return "médecine"

    assert await cache.get("droit", droit) == "droit"
    assert await cache.get("medecine", medecine) == "médecine"
    assert await cache.get("droit", medecine) == "droit"  # still there, not overwritten


async def test_a_key_whose_computation_fails_leaves_nothing_behind() -> None:
    cache: TtlCache[str] = TtlCache(5.0, FakeClock())

    async def unknown() -> str:
        raise LookupError("no such filière")

    for slug in ("a", "b", "c"):
        with pytest.raises(LookupError):
            await cache.get(slug, unknown)
    assert cache._pending == {} and cache._values == {}


async def test_keys_chosen_by_clients_never_hold_more_than_max_entries() -> None:
    cache: TtlCache[int] = TtlCache(60.0, FakeClock(), max_entries=3)

    async def compute() -> int:
        return 1

    for key in range(50):
        await cache.get(key, compute)
        assert len(cache._values) <= 3
