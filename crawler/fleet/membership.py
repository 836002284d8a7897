"""The run a fleet's workers share: joined by every worker, left by each; the last one
out learns it is last (and then writes the run's merged report)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from crawler.fleet.connect import HEARTBEAT_SECONDS
from crawler.fleet.keys import RunKeys, active_run_key

# KEYS[1]: the active-run key; ARGV: the id a new run would get, the worker, the time,
# the heartbeat's key prefix (with the run id still to fill in) and its lifetime in ms
_JOIN = """
local run = redis.call('GET', KEYS[1])
if not run then
  run = ARGV[1]
  redis.call('SET', KEYS[1], run)
end
local prefix = string.gsub(ARGV[4], '{run}', run)
redis.call('HSET', prefix .. 'workers', ARGV[2], ARGV[3])
redis.call('SET', prefix .. 'alive:' .. ARGV[2], '1', 'PX', ARGV[5])
return run
"""

# KEYS: active-run key, workers, finished, queue, leases; ARGV: run id, worker, ok,
# heartbeat prefix. Returns {others alive, work left}; a run with neither is over.
_LEAVE = """
redis.call('DEL', ARGV[4] .. ARGV[2])
if ARGV[3] == '1' then redis.call('SADD', KEYS[3], ARGV[2]) end
local alive = 0
for _, w in ipairs(redis.call('HKEYS', KEYS[2])) do
  alive = alive + redis.call('EXISTS', ARGV[4] .. w)
end
local left = redis.call('ZCARD', KEYS[4]) + redis.call('HLEN', KEYS[5])
if alive == 0 and left == 0 and redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return {alive, left}
"""


@dataclass(frozen=True)
class Departure:
    """What a worker learns as it leaves the run."""

    others_alive: int
    work_left: int

    @property
    def last(self) -> bool:
        return self.others_alive == 0


class Membership:
    """One worker's place in the fleet's current run for a purpose."""

    def __init__(self, client: redis.Redis, purpose: str, worker: str, new_run_id: str):
        self.client = client
        self.purpose = purpose
        self.worker = worker
        template = RunKeys("{run}")._key("")
        self.run_id: str = client.register_script(_JOIN)(
            keys=[active_run_key(purpose)],
            args=[new_run_id, worker, f"{time.time():.3f}", template,
                  int(HEARTBEAT_SECONDS * 1000)]).decode()
        self.keys = RunKeys(self.run_id)

    def beat(self) -> None:
        """Renew this worker's heartbeat (every third of its lifetime)."""
        self.client.set(self.keys.alive(self.worker), "1", px=int(HEARTBEAT_SECONDS * 1000))

    def others_alive(self) -> int:
        workers = [w.decode() for w in self.client.hkeys(self.keys.workers)]
        return sum(int(self.client.exists(self.keys.alive(w)))
                   for w in workers if w != self.worker)

    def workers(self) -> tuple[list[str], set[str]]:
        """Every worker the run has had, and those that left it in good order."""
        return (sorted(w.decode() for w in self.client.hkeys(self.keys.workers)),
                {w.decode() for w in self.client.smembers(self.keys.finished)})

    def leave(self, ok: bool) -> Departure:
        keys = self.keys
        alive, left = self.client.register_script(_LEAVE)(
            keys=[active_run_key(self.purpose), keys.workers, keys.finished, keys.queue,
                  keys.leases],
            args=[self.run_id, self.worker, "1" if ok else "0", keys.alive()])
        return Departure(int(alive), int(left))

    def forget_run(self) -> None:
        """Remove every key of the run (its last worker, once the run is over)."""
        for key in self.client.scan_iter(match=self.keys.pattern, count=1000):
            self.client.delete(key)
