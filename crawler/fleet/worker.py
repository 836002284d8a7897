"""One worker's handle on the fleet: its Redis client, its place in the run, the shared
queue and the politeness budgets."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import redis

from crawler.fleet.connect import HEARTBEAT_SECONDS, connect
from crawler.fleet.keys import RunKeys
from crawler.fleet.limiter import RedisLimiter
from crawler.fleet.membership import Membership
from crawler.fleet.queue import LeasedQueue
from crawler.fleet.shared_files import SharedFiles

logger = logging.getLogger(__name__)
#: a worker leaves when the fleet has had nothing queued or in flight this long
DEFAULT_IDLE_EXIT = 30.0


@dataclass
class FleetWorker:
    client: redis.Redis
    membership: Membership
    queue: LeasedQueue
    idle_exit: float
    url: str
    #: the control files the fleet has read (robots.txt, site files)
    files: SharedFiles
    #: why this worker lost the fleet's Redis during the run, once it has
    lost: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def join(cls, url: str, purpose: str, worker: str, new_run_id: str,
             idle_exit: float = DEFAULT_IDLE_EXIT,
             file_ttls: tuple[float, float] = (86400.0, 600.0)) -> FleetWorker:
        """Join the fleet's current run for ``purpose`` on the Redis at ``url``, or start
        one with ``new_run_id``; :class:`~crawler.fleet.connect.FleetUnavailable` when
        Redis cannot be reached."""
        client = connect(url)
        membership = Membership(client, purpose, worker, new_run_id)
        return cls(client, membership, LeasedQueue(client, membership.keys, worker),
                   idle_exit, url,
                   SharedFiles(client, membership.keys, worker, *file_ttls))

    @property
    def run_id(self) -> str:
        return self.membership.run_id

    @property
    def keys(self) -> RunKeys:
        return self.membership.keys

    @property
    def worker(self) -> str:
        return self.membership.worker

    def lose(self, exc: BaseException) -> None:
        """Redis is gone: say so once; the crawl stops (see the fleet extension)."""
        if self.lost is None:
            self.lost = f"lost the fleet's Redis at {self.url}: {exc}"
            logger.error("fleet: %s. This worker stops; its unfinished requests stay leased "
                         "and go back to the queue for the other workers", self.lost)

    def start_heartbeat(self) -> None:
        """Renew the heartbeat, and send dead workers' leases back to the queue, every
        third of its lifetime, in a thread of its own (from the moment the worker joins:
        a slow start or a busy reactor must not make it look dead)."""
        thread = threading.Thread(target=self._heartbeat, name="fleet-heartbeat",
                                  daemon=True)
        thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS / 3):
            try:
                self.membership.beat()
                back = self.queue.reclaim()
            except redis.RedisError as exc:
                self.lose(exc)
                return
            if back:
                logger.warning("fleet: %d request(s) of stopped workers went back to the "
                               "queue", back)

    def limiter(self, **rules: float) -> RedisLimiter:
        return RedisLimiter(self.client, self.keys, self.worker, on_lost=self.lose,
                            lost=lambda: self.lost, **rules)  # type: ignore[arg-type]

    def idle(self) -> bool:
        """Nothing queued and nothing in flight anywhere in the fleet."""
        return len(self.queue) == 0 and self.queue.in_flight() == 0
