"""The shared request queue with leases, so a worker that dies loses nothing.

scrapy-redis' queues remove a request when a worker takes it: a worker killed with
requests in flight loses them. Here taking a request moves it, in one step (a Lua
script), from the queue into the run's lease table under a lease id naming the worker;
the worker acknowledges the lease once the request is done (its answer handled, its
items stored, what it led to queued). Leases of a worker whose heartbeat has expired go
back to the queue (:meth:`LeasedQueue.reclaim`), as do a stopping worker's own.
"""

from __future__ import annotations

import itertools
from typing import Final

import redis

from crawler.fleet.keys import RunKeys

_TAKE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. ' ' .. r[1])
return r[1]
"""

# KEYS: dupefilter, queue, leases; ARGV: fingerprint, request, score, filter it ('1'/'0'),
# lease it takes the place of ('' for none). The fingerprint is added and the request
# queued in one step: a worker killed in between cannot leave it seen but never queued.
_PUSH = """
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[3], ARGV[5]) end
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 and ARGV[4] == '1' then return 0 end
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[2])
return 1
"""

# ARGV[1]: the heartbeat key prefix; ARGV[2]: a worker whose leases all go back, or ''
# for the leases of every worker whose heartbeat has expired
_RECLAIM = """
local n = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local worker = string.match(all[i], '^(.*)|')
  local back
  if ARGV[2] ~= '' then back = worker == ARGV[2]
  else back = redis.call('EXISTS', ARGV[1] .. worker) == 0 end
  if back then
    local sp = string.find(all[i + 1], ' ')
    redis.call('ZADD', KEYS[1], tonumber(string.sub(all[i + 1], 1, sp - 1)),
               string.sub(all[i + 1], sp + 1))
    redis.call('HDEL', KEYS[2], all[i])
    n = n + 1
  end
end
return n
"""


class LeasedQueue:
    """The run's queue of encoded requests, as one worker sees it."""

    def __init__(self, client: redis.Redis, keys: RunKeys, worker: str):
        self.client = client
        self.keys = keys
        self.worker = worker
        self._serial = itertools.count(1)
        self._take = client.register_script(_TAKE)
        self._reclaim = client.register_script(_RECLAIM)
        self._push = client.register_script(_PUSH)

    def __len__(self) -> int:
        return int(self.client.zcard(self.keys.queue))

    def in_flight(self) -> int:
        """Requests taken by any worker and not yet finished."""
        return int(self.client.hlen(self.keys.leases))

    def push_new(self, fingerprint: str, data: str, priority: int, *, new: bool = True,
                 done: str | None = None) -> bool:
        """Queue ``data`` unless (with ``new``) its fingerprint was seen in the run; with
        ``done``, finish that lease in the same step (a redirect or retry takes its
        request's place). True when queued."""
        return bool(self._push(keys=[self.keys.dupefilter, self.keys.queue, self.keys.leases],
                               args=[fingerprint, data, -priority, "1" if new else "0",
                                     done or ""]))

    def take(self) -> tuple[str, bytes] | None:
        """The next request (highest priority first) and its lease id, or None."""
        lease = f"{self.worker}|{next(self._serial)}"
        data = self._take(keys=[self.keys.queue, self.keys.leases], args=[lease])
        return None if data is None else (lease, data)

    def finish(self, lease: str) -> None:
        self.client.hdel(self.keys.leases, lease)

    def reclaim(self, worker: str = "") -> int:
        """Put back the leases of ``worker``, or (no worker) of every worker whose
        heartbeat has expired; how many went back."""
        return int(self._reclaim(keys=[self.keys.queue, self.keys.leases],
                                 args=[self.keys.alive(), worker]))

    def own_leases(self) -> list[str]:
        prefix = f"{self.worker}|".encode()
        return [lease.decode() for lease in self.client.hkeys(self.keys.leases)
                if lease.startswith(prefix)]


#: fingerprints a worker remembers at most (about 30 MB of 40-character hex strings)
MAX_REMEMBERED: Final = 250_000


class SeenHere:
    """The fingerprints one worker knows the run has seen, so a repeated link is answered
    without a round trip to Redis. Bounded: past ``limit`` it starts again empty, and the
    run's own seen-set in Redis (:meth:`LeasedQueue.push_new`) answers meanwhile, so a run
    of any size keeps a worker's memory flat and nothing is queued twice."""

    def __init__(self, limit: int = MAX_REMEMBERED):
        self.limit = limit
        self._seen: set[str] = set()

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, fingerprint: str) -> None:
        if len(self._seen) >= self.limit:
            self._seen.clear()
        self._seen.add(fingerprint)
