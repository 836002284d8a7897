"""Politeness budgets kept in Redis, so that N workers together send a site what one
process would.

The rules are :class:`crawler.politeness.Politeness`'s, not a second copy of them: each
call loads the states of the budgets it touches from Redis, applies the same method to
them over the Redis server's clock (one clock for every machine), and writes back what
changed in a transaction that fails if another worker wrote any of them meanwhile
(``WATCH``/``MULTI``), in which case it runs again on the new states. The concurrency
of a site across the fleet is a sorted set of holders; a dead worker's places are taken
back as soon as its heartbeat has expired.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

import redis

from crawler.fleet.connect import FleetUnavailable
from crawler.fleet.keys import RunKeys
from crawler.politeness import HostState, Pause, Politeness, budget_key

R = TypeVar("R")
#: a budget's state outlives the longest pause (Retry-After is capped well below this)
STATE_TTL = 24 * 3600

# KEYS[1]: the site's holders; ARGV: token, limit, heartbeat prefix
_TAKE_SLOT = """
for _, t in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', ARGV[3] .. string.match(t, '^(.*)|')) == 0 then
    redis.call('ZREM', KEYS[1], t)
  end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 0, ARGV[1])
redis.call('EXPIRE', KEYS[1], 86400)
return 1
"""


def _decode(raw: bytes | None) -> HostState:
    return HostState(**json.loads(raw)) if raw else HostState()


def _encode(state: HostState) -> str:
    return json.dumps(asdict(state))


class RedisLimiter:
    """A :class:`crawler.politeness.Limiter` shared by every worker of a run."""

    def __init__(self, client: redis.Redis, keys: RunKeys, worker: str, *,
                 backoff_base: float = 2.0, backoff_cap: float = 300.0, park_after: int = 5,
                 on_lost: Callable[[BaseException], None] = lambda _exc: None,
                 lost: Callable[[], str | None] = lambda: None):
        self.client = client
        self.on_lost = on_lost
        self.lost = lost
        self.keys = keys
        self.worker = worker
        self.rules = {"backoff_base": backoff_base, "backoff_cap": backoff_cap,
                      "park_after": park_after}
        self._serial = itertools.count(1)
        self._take_slot = client.register_script(_TAKE_SLOT)
        #: the gaps raised by this process (policy rates, Crawl-delay): floors under the
        #: stored states, so a state that expired (STATE_TTL) or was evicted never runs
        #: a site faster than its policy
        self._floors: dict[str, float] = {}

    def _redis(self, call: Callable[[], R]) -> R:
        """``call()``; a Redis failure is the fleet's loss (FleetUnavailable), not the
        request's. Once the fleet is lost, no call waits on Redis again."""
        if (lost := self.lost()) is not None:
            raise FleetUnavailable(lost)
        try:
            return call()
        except redis.RedisError as exc:
            self.on_lost(exc)
            raise FleetUnavailable(f"the fleet's Redis is unavailable: {exc}") from None

    def _apply(self, keys: tuple[str, ...], step: Callable[[Politeness], R]) -> R:
        return self._redis(lambda: self._transact(keys, step))

    def _transact(self, keys: tuple[str, ...], step: Callable[[Politeness], R]) -> R:
        """``step`` applied to the stored states of ``keys``, atomically."""
        names = [budget_key(key) for key in keys]
        stored = [self.keys.budget(name) for name in names]
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(*stored)
                    raw = pipe.mget(stored)
                    seconds, micros = pipe.time()
                    now = seconds + micros / 1e6
                    rules = Politeness(**self.rules, clock=lambda t=now: t)
                    rules.hosts = {name: self._floored(name, _decode(r))
                                   for name, r in zip(names, raw, strict=True)}
                    before = {name: asdict(s) for name, s in rules.hosts.items()}
                    result = step(rules)
                    changed = {name: state for name, state in rules.hosts.items()
                               if asdict(state) != before.get(name)}
                    if not changed:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    for name, state in changed.items():
                        pipe.set(self.keys.budget(name), _encode(state), ex=STATE_TTL)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another worker booked first: decide again on its booking

    def _floored(self, name: str, state: HostState) -> HostState:
        state.gap = max(state.gap, self._floors.get(name, 0.0))
        return state

    def raise_gap(self, key: str, gap: float) -> None:
        name = budget_key(key)
        self._floors[name] = max(self._floors.get(name, 0.0), gap)
        self._apply((key,), lambda rules: rules.raise_gap(key, gap))

    def wait_time(self, *keys: str) -> float:
        return self._apply(keys, lambda rules: rules.wait_time(*keys))

    def finished(self, *keys: str) -> None:
        self._apply(keys, lambda rules: rules.finished(*keys))

    def succeeded(self, host: str) -> None:
        self._apply((host,), lambda rules: rules.succeeded(host))

    def throttled(self, host: str, status: int, retry_after: float | None) -> Pause:
        return self._apply((host,), lambda rules: rules.throttled(host, status, retry_after))

    def parked(self, host: str) -> str | None:
        return _decode(self._redis(
            lambda: self.client.get(self.keys.budget(budget_key(host))))).parked

    def take_slot(self, key: str, limit: int) -> str | None:
        token = f"{self.worker}|{next(self._serial)}"
        taken = self._redis(lambda: self._take_slot(keys=[self.keys.slots(budget_key(key))],
                                                    args=[token, limit, self.keys.alive()]))
        return token if taken else None

    def give_slot(self, key: str, token: str) -> None:
        self._redis(lambda: self.client.zrem(self.keys.slots(budget_key(key)), token))
