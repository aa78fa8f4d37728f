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
    def __init__(
        self,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int | None = None,
    ) -> None:
        self.seconds = seconds
        # Keys a client chooses (a calendar's range) must not grow the memory without end.
        self.max_entries = max_entries
        self._clock = clock
        self._values: dict[Hashable, tuple[float, V]] = {}
        # Computations under way, one per key, gone once done: a burst of requests after expiry
        # waits for the one instead of all recomputing the same answer, and keys that never
        # yield a value (an unknown filière) leave nothing behind.
        self._pending: dict[Hashable, asyncio.Task[V]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[V]]) -> V:
        if self.seconds <= 0:
            return await compute()
        found = self._values.get(key)
        if found is not None and self._clock() - found[0] < self.seconds:
            return found[1]
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fill(key, compute))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        # Shielded: a request that goes away does not cancel the answer others wait for.
        return await asyncio.shield(pending)

    async def _fill(self, key: Hashable, compute: Callable[[], Awaitable[V]]) -> V:
        value = await compute()
        if self.max_entries is not None and len(self._values) >= self.max_entries:
            now = self._clock()
            self._values = {k: v for k, v in self._values.items() if now - v[0] < self.seconds}
            if len(self._values) >= self.max_entries:
                self._values.clear()
        self._values[key] = (self._clock(), value)
        return value
