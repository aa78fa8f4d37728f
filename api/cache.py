"""A few seconds of memory for the filière page, the service's hottest read.

Every visitor of a field-of-study page asks for the same list (each mentor's next free slot).
Recomputing it for each of 200 requests a second buys nothing: the list may be a second or two
old because booking re-validates the slot against the database and the engine anyway. The cache
is per process and never relied on for correctness (design.md: no in-process state is).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._values: dict[Hashable, tuple[float, V]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[V]]) -> V:
        if self.seconds <= 0:
            return await compute()
        found = self._values.get(key)
        if found is not None and self._clock() - found[0] < self.seconds:
            return found[1]
        # One computation per key at a time: a burst of requests after expiry waits for it
        # instead of all recomputing the same answer.
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._values.get(key)
            if found is not None and self._clock() - found[0] < self.seconds:
                return found[1]
            value = await compute()
            self._values[key] = (self._clock(), value)
            return value

    def clear(self) -> None:
        self._values.clear()
