"""Read a per-origin file (robots.txt, tdmrep.json, ai.txt) once, however many requests
ask for it at the same time, and keep it until it expires."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)
T = TypeVar("T")


class OriginCache(Generic[T]):
    def __init__(self, expired: Callable[[T, float], bool]):
        self._expired = expired
        self._values: dict[str, T] = {}
        self._pending: dict[str, list[Deferred[T]]] = {}

    def is_pending(self, origin: str) -> bool:
        return origin in self._pending

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
            self._values[origin] = value
            del self._pending[origin]
            for waiter in waiters:
                waiter.callback(value)
        return value
