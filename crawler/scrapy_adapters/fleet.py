"""The fleet in Scrapy: scrapy-redis' scheduler made reliable and JSON-speaking, and the
worker's life in the run (heartbeat, seeding once, waking on shared work, leaving when
the fleet is idle).

Adapted from scrapy-redis 0.9 (``scrapy_redis.scheduler.Scheduler``, its dupefilter's
fingerprints and its queue codec) rather than forked:

- it pops a request for good when a worker takes it, so a killed worker's requests were
  lost: taking leases it (:class:`crawler.fleet.queue.LeasedQueue`), and the lease is
  finished only when the request is done (:class:`crawler.fleet.completion.Completion`,
  fed by :class:`FleetSpiderMiddleware`, :class:`FleetDownloaderMiddleware` and the item
  signals); a redirect or retry takes its request's place in one step;
- its requests were pickled: here they are JSON (:mod:`crawler.fleet.serializer`);
- its spiders hook ``start_requests``, which Scrapy 2.13+ no longer calls: the policies'
  start URLs come from the spider's ``start()`` as usual, through
  :meth:`FleetSpiderMiddleware.process_start`, which lets only a run's first worker seed
  (seeding twice is harmless anyway: the shared duplicate filter drops the repeats);
- its duplicate filter and queue keys were per spider name, so tomorrow's run found
  today's fingerprints: here they are per run (:class:`crawler.fleet.keys.RunKeys`);
- it blocks the reactor on ``BRPOP`` to wait for work: here an idle worker looks at the
  shared queue every :data:`TICK_SECONDS` and is woken with ``engine.crawl``.
"""

from __future__ import annotations

import collections
import logging
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any, Self

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RequestCodec
from scrapy_redis.scheduler import Scheduler

from crawler.fleet import serializer
from crawler.fleet.completion import Completion
from crawler.fleet.queue import SeenHere
from crawler.fleet.worker import FleetWorker
from crawler.gates.decision import Decision
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.drops import GATE as DROPS_GATE

logger = logging.getLogger(__name__)
#: how often an idle worker looks for shared work (and whether the fleet is done)
TICK_SECONDS = 0.2
#: the reason a worker's crawl closes with when it lost the fleet's Redis
LOST = "fleet_unavailable"

_SCHEDULERS: weakref.WeakKeyDictionary[Crawler, FleetScheduler] = weakref.WeakKeyDictionary()


def _fleet(crawler: Crawler) -> FleetWorker:
    fleet = ComplianceContext.of(crawler).fleet
    if fleet is None:
        raise RuntimeError("the fleet components need COMPLIANCE_REDIS_URL")
    return fleet


class FleetScheduler(Scheduler):
    """The run's shared queue, with leases (see the module's notes)."""

    fleet: FleetWorker
    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        fleet = _fleet(crawler)
        scheduler = cls(server=fleet.client, persist=True, serializer=serializer,
                        dupefilter=RFPDupeFilter(fleet.client, fleet.keys.dupefilter))
        scheduler.stats, scheduler.fleet, scheduler.crawler = crawler.stats, fleet, crawler
        _SCHEDULERS[crawler] = scheduler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.codec = RequestCodec(self.server, spider, self.fleet.keys.queue, serializer)
        #: requests already taken, waiting for the engine (see :meth:`wake`)
        self.local: collections.deque[Request] = collections.deque()
        self._woken: dict[int, Request] = {}
        #: fingerprints this worker knows the run has seen: a page's links repeat across
        #: pages, and a repeat is answered here without a round trip to Redis
        self._seen = SeenHere()
        if len(self.fleet.queue):
            logger.info("fleet: joining run %s with %d requests queued",
                        self.fleet.run_id, len(self.fleet.queue))

    def close(self, reason: str) -> None:
        """Nothing is flushed: the queue belongs to the run, not to this worker."""

    def __len__(self) -> int:
        return len(self.local)

    def has_pending_requests(self) -> bool:
        # the shared queue is looked at by the tick: an idle engine is woken for it
        return bool(self.local)

    def enqueue_request(self, request: Request) -> bool:
        if self._woken.pop(id(request), None) is not None:
            self.local.append(request)
            return True
        lease = request.meta.pop(meta.FLEET_LEASE, None)  # a redirect's or retry's
        if self.fleet.lost:
            return self._not_queued(request)
        fingerprint = self.df.request_fingerprint(request)
        try:
            if not request.dont_filter and fingerprint in self._seen:
                if lease is not None:
                    self.fleet.queue.finish(lease)
                queued = False
            else:
                queued = self.fleet.queue.push_new(
                    fingerprint, self.codec._encode_request(request), request.priority,
                    new=not request.dont_filter, done=lease)
                self._seen.add(fingerprint)
        except redis.RedisError as exc:
            self.lose(exc)
            return self._not_queued(request)
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _not_queued(self, request: Request) -> bool:
        """A request found after Redis was lost cannot be queued: a ledger line says so."""
        ComplianceContext.of(self.crawler).effects.record(request.url, Decision.deny(
            DROPS_GATE, "fleet_unavailable",
            f"Not queued: {self.fleet.lost}. Another run or worker must find it again."),
            kind=request.meta.get(meta.KIND, "page"))
        return False

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        return self._take()

    def _take(self) -> Request | None:
        if self.fleet.lost:
            return None
        try:
            taken = self.fleet.queue.take()
        except redis.RedisError as exc:
            self.lose(exc)
            return None
        if taken is None:
            return None
        lease, data = taken
        request = self.codec._decode_request(data)
        request.meta[meta.FLEET_LEASE] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def wake(self) -> Request | None:
        """Take a request for an idle engine, to hand it with ``engine.crawl`` (which
        comes back here, to :meth:`enqueue_request`, and wakes the engine)."""
        request = self._take()
        if request is not None:
            self._woken[id(request)] = request
        return request

    def lose(self, exc: BaseException) -> None:
        self.fleet.lose(exc)


class FleetDownloaderMiddleware:
    """Outermost: a request whose download failed for good (no retry, no response) is
    done; a gate's refusal too (its ledger line is written)."""

    def __init__(self, fleet: FleetWorker):
        self.fleet = fleet

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_fleet(crawler))

    def process_exception(self, request: Request, exception: BaseException) -> None:
        lease = request.meta.get(meta.FLEET_LEASE)
        if lease is not None:
            _finish(self.fleet, lease)


def _finish(fleet: FleetWorker, lease: str) -> None:
    if fleet.lost:
        return  # the lease stays, and goes back to the queue for the others
    try:
        fleet.queue.finish(lease)
    except redis.RedisError as exc:  # the heartbeat thread notices and stops the worker
        logger.warning("fleet: could not finish lease %s: %s", lease, exc)


class FleetSpiderMiddleware:
    """Outermost: seeds the run once, follows each response's output and items to tell
    when its request is done, and keeps a lease from passing to a request's children."""

    def __init__(self, crawler: Crawler, fleet: FleetWorker):
        self.fleet = fleet
        self.completion = Completion(lambda lease: _finish(fleet, lease))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_settled, signal=signal)
        crawler.signals.connect(self._spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, _fleet(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        seeded = self.fleet.keys.seeded
        if self.fleet.client.exists(seeded):
            logger.info("fleet: run %s is already seeded; taking work from its queue",
                        self.fleet.run_id)
            return
        async for request in start:
            yield request
        self.fleet.client.set(seeded, self.fleet.worker)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]
                                    ) -> AsyncIterator[Any]:
        lease = response.request.meta.get(meta.FLEET_LEASE) if response.request else None
        if lease is None:
            async for output in result:
                yield output
            return
        self.completion.output_started(lease)
        try:
            async for output in result:
                if isinstance(output, Request):
                    if output.meta.get(meta.FLEET_LEASE) == lease:  # meta copied by a spider
                        del output.meta[meta.FLEET_LEASE]
                elif output is not None:
                    self.completion.item_yielded(lease)
                yield output
        finally:
            self.completion.output_ended(lease)

    def _lease_of(self, response: Any) -> str | None:
        request = getattr(response, "request", None)
        return request.meta.get(meta.FLEET_LEASE) if request is not None else None

    def _item_settled(self, response: Any = None, **_: Any) -> None:
        if (lease := self._lease_of(response)) is not None:
            self.completion.item_settled(lease)

    def _spider_error(self, response: Any = None, **_: Any) -> None:
        if (lease := self._lease_of(response)) is not None:
            self.completion.output_ended(lease)


class FleetExtension:
    """The worker's life in the run (its heartbeat runs from the moment it joins:
    :meth:`FleetWorker.start_heartbeat`): an idle engine woken when the queue has work;
    the crawl closed once the whole fleet has been idle for ``idle_exit`` seconds, or
    when Redis is lost."""

    def __init__(self, crawler: Crawler, fleet: FleetWorker):
        self.crawler = crawler
        self.fleet = fleet
        self.idle_since: float | None = None
        self._cpu = 0.0
        self._tick = create_looping_call(self.tick)
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._started, signal=signals.engine_started)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, _fleet(crawler))

    def _opened(self) -> None:
        self._cpu = time.process_time()

    def _started(self) -> None:
        self._tick.start(TICK_SECONDS, now=False)

    def _idle(self) -> None:
        raise DontCloseSpider  # the tick decides when the fleet is done

    def tick(self) -> None:
        engine, scheduler = self.crawler.engine, _SCHEDULERS[self.crawler]
        if self.fleet.lost:
            self._close(LOST)
            return
        try:
            busy = engine is None or not engine.running or not engine.spider_is_idle()
        except RuntimeError:  # the engine is closing: nothing to wake
            return
        if busy:
            self.idle_since = None
            return
        try:
            request = scheduler.wake()
            if request is not None:
                self.idle_since = None
                engine.crawl(request)
                return
            self._drop_leaked()
            idle = self.fleet.idle()
        except redis.RedisError as exc:
            scheduler.lose(exc)
            return
        now = time.monotonic()
        if not idle:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        elif now - self.idle_since >= self.fleet.idle_exit:
            logger.info("fleet: nothing queued or in flight for %.0f s: leaving the run",
                        self.fleet.idle_exit)
            self._close("finished")

    def _drop_leaked(self) -> None:
        """With the engine idle, every request this worker took is done: a lease still
        held would keep the fleet from ever being idle. It is finished, and said."""
        leaked = self.fleet.queue.own_leases()
        if leaked:
            logger.warning("fleet: %d lease(s) outlived their requests: %s", len(leaked),
                           ", ".join(leaked[:5]))
            for lease in leaked:
                self.fleet.queue.finish(lease)

    def _close(self, reason: str) -> None:
        if self._tick.running:
            self._tick.stop()
        engine = self.crawler.engine
        if engine is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def _closed(self) -> None:
        # this worker's CPU time over the crawl (all its threads), for the fleet benchmark
        self.crawler.stats.set_value("fleet/cpu_seconds",
                                     round(time.process_time() - self._cpu, 3))
        self.fleet.stop_heartbeat()
        if self._tick.running:
            self._tick.stop()
