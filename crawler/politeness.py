"""Politeness as a hard limit: minimum gap between request starts, pauses for 429/503
(Retry-After, else exponential backoff), parking of hosts that keep failing.

A request draws on two budgets at once: its site's (the policy's rate, shared by every
host the policy covers, ``*.example.org`` included: :func:`site_key`) and its host's
(robots.txt Crawl-delay and Request-rate, which a site states per host). It starts only
when both allow it, and books both.

Pure bookkeeping over a monotonic clock; the Scrapy side calls :meth:`Politeness.turn`
right before a request is sent (in the download handler), so nothing that happens
earlier in Scrapy (slot garbage collection, ``download_slot`` meta, delay jitter,
AutoThrottle) can make a host see requests faster than this allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol


@dataclass
class HostState:
    gap: float = 0.0  # minimum seconds between two request starts
    last_start: float = float("-inf")  # monotonic time of the last request start
    last_end: float = float("-inf")  # monotonic time the last request ended
    next_free: float = 0.0  # monotonic time of the next allowed start
    paused_until: float = 0.0
    failures: int = 0  # consecutive 429/503 answers
    parked: str | None = None  # why the host is no longer crawled in this run


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class Pause:
    seconds: float
    reason: str  # retry_after | backoff | host_parked
    sentence: str


def site_key(policy_name: str) -> str:
    """The budget key of a site (a policy), beside the host keys (host names as in URLs)."""
    return f"site:{policy_name}"


class Limiter(Protocol):
    """The request budgets the download handler asks before each request: one per key, a
    site (:func:`site_key`) or a host. A backend shared by several processes implements
    the same calls with the same rules (:class:`Politeness` is the in-process one)."""

    def raise_gap(self, key: str, gap: float) -> None: ...

    def wait_time(self, *keys: str) -> float: ...

    def finished(self, *keys: str) -> None: ...

    def succeeded(self, host: str) -> None: ...

    def throttled(self, host: str, status: int, retry_after: float | None) -> Pause: ...

    def parked(self, host: str) -> str | None:
        """Why ``host`` is no longer crawled in this run, or None."""

    def take_slot(self, key: str, limit: int) -> str | None:
        """A place among the at most ``limit`` requests in flight on ``key`` across every
        process sharing the budget (a token to give back), or None when all are taken."""

    def give_slot(self, key: str, token: str) -> None: ...


def budget_key(key: str) -> str:
    """One budget per host however it is spelled: 'Site.test.' is 'site.test'."""
    return key.lower().rstrip(".")


class Politeness:
    """In-process :class:`Limiter`."""

    def __init__(self, *, backoff_base: float = 2.0, backoff_cap: float = 300.0,
                 park_after: int = 5, clock: Callable[[], float] = time.monotonic):
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.park_after = park_after
        self.clock = clock
        self.hosts: dict[str, HostState] = {}

    def state(self, key: str) -> HostState:
        return self.hosts.setdefault(budget_key(key), HostState())

    def raise_gap(self, key: str, gap: float) -> None:
        """Floors only ever go up: for a host, Crawl-delay and Request-rate combine as
        their maximum."""
        state = self.state(key)
        state.gap = max(state.gap, gap)
        # a full new gap from the end of the last request, as :meth:`finished` would have
        # counted had the gap been known then (a Crawl-delay is learned from the answer)
        state.next_free = max(state.next_free,
                              max(state.last_start, state.last_end) + state.gap)

    def wait_time(self, *keys: str) -> float:
        """Seconds until a request drawing on every one of ``keys`` may start; 0 means go
        now, and books the slot in each. Call again after waiting: a pause may have begun
        in the meantime."""
        states = [self.state(key) for key in keys]
        now = self.clock()
        wait = max(max(s.next_free, s.paused_until) for s in states) - now
        if wait > 0:
            return wait
        for state in states:
            state.last_start = now
            state.next_free = now + state.gap
        return 0.0

    def finished(self, *keys: str) -> None:
        """A request has ended (answer or error). It reached the server some time between
        its start and now, so the next start waits a full gap from now: the server never
        sees two requests closer than the gap, whatever the connection's latency."""
        now = self.clock()
        for key in keys:
            state = self.state(key)
            state.last_end = now
            state.next_free = max(state.next_free, now + state.gap)

    def parked(self, host: str) -> str | None:
        return self.state(host).parked

    def succeeded(self, host: str) -> None:
        self.state(host).failures = 0

    def take_slot(self, key: str, limit: int) -> str | None:
        """In one process the download handler's semaphore keeps the limit: always a place."""
        return ""

    def give_slot(self, key: str, token: str) -> None:
        pass

    def throttled(self, host: str, status: int, retry_after: float | None) -> Pause:
        """A 429/503 answer: pause the whole host, or park it if it keeps failing."""
        state = self.state(host)
        state.failures += 1
        if retry_after is not None and retry_after > self.backoff_cap:
            state.parked = f"Retry-After of {retry_after:.0f} s exceeds the cap of " \
                           f"{self.backoff_cap:.0f} s"
        elif state.failures >= self.park_after:
            state.parked = f"{state.failures} consecutive {status} answers"
        if state.parked:
            return Pause(0.0, "host_parked", f"Host parked for this run: {state.parked}.")
        if retry_after is not None:
            seconds, reason = retry_after, "retry_after"
            sentence = f"HTTP {status} with Retry-After: pausing the host for {seconds:.1f} s."
        else:
            seconds = min(self.backoff_cap, self.backoff_base * 2 ** (state.failures - 1))
            reason = "backoff"
            sentence = (f"HTTP {status} without Retry-After (failure {state.failures}): "
                        f"backing off {seconds:.1f} s.")
        state.paused_until = max(state.paused_until, self.clock() + seconds)
        return Pause(seconds, reason, sentence)
