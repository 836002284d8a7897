"""Politeness in Scrapy: the floors are enforced in the download handler, the last step
before bytes leave, and 429/503 answers pause or park the host.

``PoliteDownloadHandler`` wraps Scrapy's HTTP/1.1 handler: per site (policy) it holds at
most the policy's concurrency, over all the hosts the policy covers, and waits for the
turn of both the site and the host (:class:`crawler.politeness.Politeness`); it
reads 429/503 answers (Retry-After, else backoff) *before* it frees the host's slot, so no
request slips out between the answer and the pause. It also puts the network-safety
resolver in place (:mod:`crawler.scrapy_adapters.guarded_resolver`) and names its refusals.
``ThrottleMiddleware`` refuses requests to parked hosts early; Scrapy's RetryMiddleware
still does the re-scheduling.
"""

from __future__ import annotations

import logging
import time

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.defer import DeferredLock, DeferredSemaphore

from crawler.gates.decision import Decision
from crawler.politeness import parse_retry_after, site_key
from crawler.run_report import SITE_STATS
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext, ContextComponent, Refused
from crawler.scrapy_adapters.guarded_resolver import GuardedResolver, host_key

logger = logging.getLogger(__name__)
GATE = "politeness"
THROTTLE_STATUSES = (429, 503)
#: how often a request waiting for a place on its site asks the fleet again
SLOT_POLL_SECONDS = 0.02


def refuse_if_parked(context: ComplianceContext, request: Request, host: str) -> None:
    """Record and refuse a request to a host parked for this run."""
    parked = context.politeness.parked(host)
    if parked:
        decision = Decision.deny(GATE, "host_parked",
                                 f"Host {host} is parked for this run: {parked}.")
        context.effects.record(request.url, decision, request.meta,
                       kind=request.meta.get(meta.KIND, "page"))
        raise Refused(f"[politeness/host_parked] {decision.sentence}")


class AddressRefused(CannotResolveHostError):
    """Every address of a host failed the network-safety check: nothing was sent."""


class PoliteDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.context = ComplianceContext.of(crawler)
        self._semaphores: dict[str, DeferredSemaphore] = {}
        #: per (site, host): the queue of requests waiting for their turn (:meth:`_turn`)
        self._queues: dict[tuple[str, ...], DeferredLock] = {}
        #: the stats names of a site's request counts (:meth:`_count`)
        self._stat_names: dict[str, tuple[str, ...]] = {}
        if self.context.resolver is None:  # one per crawl (http and https share it)
            self.context.resolver = GuardedResolver(
                allow_private=crawler.settings.getbool("COMPLIANCE_ALLOW_PRIVATE_NETWORKS"),
                pinned=crawler.settings.getdict("COMPLIANCE_RESOLVE"))
        self.resolver = self.context.resolver
        self.stats = crawler.stats
        # Scrapy keeps CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host (1 here, the
        # floor for a slot no policy names); a site's requests run as many at once as its
        # policy allows, and every connection beyond the kept one would be closed after its
        # response and opened again for the next request: a TCP (and TLS) handshake each
        self._pool.maxPersistentPerHost = max([
            self._pool.maxPersistentPerHost,
            *(policy.rate.concurrency for policy in self.context.registry)])

    def _budget(self, host: str) -> tuple[str | None, tuple[str, ...], DeferredSemaphore]:
        """The site (policy name) of ``host``, the limiter keys a request to it draws on
        (its site's and its own) and the semaphore of its site's concurrency."""
        policy = self.context.registry.for_host(host)
        keys = (site_key(policy.name), host) if policy else (host,)
        semaphore = self._semaphores.get(keys[0])
        if semaphore is None:
            semaphore = DeferredSemaphore(policy.rate.concurrency if policy else 1)
            self._semaphores[keys[0]] = semaphore
        return (policy.name if policy else None), keys, semaphore

    def _names(self, site: str) -> tuple[str, ...]:
        """The stats names of the site's requests, the first and last one's start and its
        requests' waits for their turn."""
        names = self._stat_names.get(site)
        if names is None:
            names = self._stat_names[site] = tuple(
                SITE_STATS.format(site=site, what=what)
                for what in ("requests", "first_request", "last_request", "politeness_waits"))
        return names

    def _count(self, site: str) -> None:
        """The site's requests, and when the first and last left (for the run report)."""
        names = self._names(site)
        stats, now = self.stats, time.time()
        stats.inc_value(names[0])
        stats.min_value(names[1], now)
        stats.max_value(names[2], now)

    async def download_request(self, request: Request) -> Response:
        host = (urlparse_cached(request).hostname or "").rstrip(".")
        politeness = self.context.politeness
        site, keys, semaphore = self._budget(host)
        await maybe_deferred_to_future(semaphore.acquire())
        slot = None
        try:
            # the site's concurrency across every process sharing the budget (a fleet)
            while (slot := politeness.take_slot(keys[0], semaphore.limit)) is None:
                await sleep(SLOT_POLL_SECONDS)
            await self._turn(site, keys)
            refuse_if_parked(self.context, request, host)
            self.resolver.ensure_installed(reactor)
            if site is not None:
                self._count(site)
            try:
                response = await super().download_request(request)
            except Exception as exc:
                refused = self.resolver.refused.get(host_key(host))
                if refused is None:
                    raise
                raise AddressRefused(f"{host}: {refused}") from exc
            finally:
                politeness.finished(*keys)
            # before the slot is released: the next request for the host must see a pause
            self._observe(request, response, host)
            return response
        finally:
            try:
                if slot is not None:  # raises once the fleet's Redis is lost
                    politeness.give_slot(keys[0], slot)
            finally:  # else the next request to the site would wait forever
                semaphore.release()

    async def _turn(self, site: str | None, keys: tuple[str, ...]) -> None:
        """Wait until the floors of ``keys`` let a request start, and book the start; each
        wait counts in the site's ``politeness_waits``.

        Requests for one host queue up (first come, first served) and only the first in
        line watches the clock: were they all to sleep until the next free moment, all
        would wake, one would go and the others sleep again, some eight wake-ups per
        request at a concurrency of 16 (measured with ``bench/throughput.py``)."""
        queue = self._queues.get(keys)
        if queue is None:
            queue = self._queues[keys] = DeferredLock()
        await maybe_deferred_to_future(queue.acquire())
        try:
            politeness = self.context.politeness
            while (wait := politeness.wait_time(*keys)) > 0:
                if site is not None:
                    self.stats.inc_value(self._names(site)[3])
                await sleep(wait)
        finally:
            queue.release()

    def _observe(self, request: Request, response: Response, host: str) -> None:
        """A 429/503 pauses the host (Retry-After, else backoff); a success resets it."""
        politeness = self.context.politeness
        if response.status not in THROTTLE_STATUSES:
            if response.status < 400:
                politeness.succeeded(host)
            return
        retry_after = parse_retry_after(
            (response.headers.get("Retry-After") or b"").decode("latin-1"))
        pause = politeness.throttled(host, response.status, retry_after)
        logger.warning("%s: %s", host, pause.sentence)
        self.context.effects.record(request.url, Decision(GATE, True, pause.reason, pause.sentence,
                                                  {"status": response.status,
                                                   "retry_after": retry_after,
                                                   "pause_seconds": pause.seconds}),
                            kind=request.meta.get(meta.KIND, "page"))


class ThrottleMiddleware(ContextComponent):

    def process_request(self, request: Request) -> None:
        refuse_if_parked(self.context, request, urlparse_cached(request).hostname or "")
