"""The cache of per-origin files (robots.txt, tdmrep.json, ai.txt): the interface the gates'
adapters use, and its in-process backend.

A file is read once, however many requests ask for it at the same time, and kept until
it expires. Requests carry a plain-JSON reference to the reading they were allowed under
(not the parsed file), so the cache also answers for the reading before the current one:
a response that arrives just after a re-read is still judged by what its request saw.
A backend shared by several processes (Redis, say) implements the same protocol.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SignalCache(Protocol[T]):
    """What the robots and site-signal adapters need of a cache of per-origin readings."""

    def is_pending(self, origin: str) -> bool:
        """Is ``origin``'s file being read right now?"""

    async def get(self, origin: str, load: Callable[[T | None], Awaitable[T]],
                  on_error: Callable[[Exception], T]) -> T:
        """The current reading of ``origin``, read (once) by ``load`` when there is none."""

    def find(self, origin: str, match: Callable[[T], bool]) -> T | None:
        """The current or the previous reading of ``origin`` that ``match`` accepts."""


class OriginCache(Generic[T]):
    """In-process backend of :class:`SignalCache`."""

    def __init__(self, expired: Callable[[T, float], bool]):
        self._expired = expired
        self._values: dict[str, T] = {}
        self._previous: dict[str, T] = {}
        self._pending: dict[str, list[Deferred[T]]] = {}

    def is_pending(self, origin: str) -> bool:
        return origin in self._pending

    def find(self, origin: str, match: Callable[[T], bool]) -> T | None:
        for value in (self._values.get(origin), self._previous.get(origin)):
            if value is not None and match(value):
                return value
        return None

    async def get(self, origin: str, load: Callable[[T | None], Awaitable[T]],
                  on_error: Callable[[Exception], T]) -> T:
        """The cached value, or the result of ``load(previous)``. Concurrent callers wait
        for the same load, each on a Deferred of its own (one shared Deferred would hand
        the second waiter the first one's callback result). A load that raises yields
        ``on_error(exc)``: a fault must neither hang the origin's requests nor open it."""
        cached = self._values.get(origin)
        if cached is not None and not self._expired(cached, time.time()):
            return cached
        waiters = self._pending.get(origin)
        if waiters is not None:
            waiter: Deferred[T] = Deferred()
            waiters.append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._pending[origin] = waiters = []
        value: T | None = None
        try:
            value = await load(cached)
        except Exception as exc:
            logger.exception("reading a control file of %s failed", origin)
            value = on_error(exc)
        finally:  # even on cancellation: nobody may wait forever for this origin
            if value is None:
                value = on_error(RuntimeError("reading was cancelled"))
            if cached is not None:
                self._previous[origin] = cached
            self._values[origin] = value
            del self._pending[origin]
            for waiter in waiters:
                waiter.callback(value)
        return value


def expiring(ttl: float, error_ttl: float) -> OriginCache[Any]:
    """An in-process cache of readings that say when they expire (``expired(now, ttl,
    error_ttl)``: robots.txt snapshots, site signals)."""
    return OriginCache(lambda reading, now: reading.expired(now, ttl, error_ttl))
