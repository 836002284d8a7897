"""Downloader middleware for gate 2: robots.txt per origin, fetched through the same
gates as any request, cached with a TTL, failing closed.

Unlike Scrapy's ``RobotsTxtMiddleware`` it caches per scheme+host+port, expires entries,
ignores ``dont_obey_robotstxt``, and treats a robots.txt it cannot read as a disallow.
"""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.gates import robots as robots_gate
from crawler.gates.allowlist import request_path
from crawler.gates.decision import Decision
from crawler.gates.robots import RobotsSnapshot
from crawler.scrapy_adapters.allowlist import META_KIND
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.signals.robots import DEFAULT_AI_TRAINING_TOKENS

META_ROBOTS = "compliance_robots"
ROBOTS_PATH = "/robots.txt"


class RobotsGateMiddleware:
    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler, context: ComplianceContext):
        self.crawler = crawler
        self.context = context
        settings = crawler.settings
        self.ttl = settings.getfloat("COMPLIANCE_ROBOTS_TTL", 86400.0)
        self.error_ttl = settings.getfloat("COMPLIANCE_ROBOTS_ERROR_TTL", 600.0)
        self.max_gap = settings.getfloat("COMPLIANCE_MAX_CRAWL_DELAY", 60.0)
        self.ai_tokens = tuple(settings.getlist("COMPLIANCE_AI_TOKENS")
                               or DEFAULT_AI_TRAINING_TOKENS)
        self._cache: dict[str, RobotsSnapshot] = {}
        self._pending: dict[str, Deferred[RobotsSnapshot]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsGateMiddleware:
        return cls(crawler, ComplianceContext.of(crawler))

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.path == ROBOTS_PATH:  # RFC 9309: /robots.txt itself is always allowed
            return
        snapshot = await self.snapshot(f"{parts.scheme}://{parts.netloc}", parts.hostname or "")
        decision = robots_gate.check(snapshot, request_path(request.url), self.context.token,
                                     self.ai_tokens, self.max_gap)
        self.context.record(request.url, decision, request.meta,
                            kind=request.meta.get(META_KIND, "page"))
        if not decision.allowed:
            raise IgnoreRequest(f"[robots/{decision.reason}] {decision.sentence}")
        request.meta[META_ROBOTS] = snapshot.as_record()

    async def snapshot(self, origin: str, host: str) -> RobotsSnapshot:
        cached = self._cache.get(origin)
        if cached is not None and not cached.expired(time.time(), self.ttl, self.error_ttl):
            return cached
        pending = self._pending.get(origin)
        if pending is None:
            pending = self._pending[origin] = Deferred()
            snapshot = await self._fetch(origin)
            self._cache[origin] = snapshot
            gap = snapshot.min_gap(self.context.token)
            if gap <= self.max_gap:  # a longer one skips the host (the gate says so)
                self.context.politeness.raise_gap(host, gap)
            del self._pending[origin]
            pending.callback(snapshot)
            return snapshot
        return await maybe_deferred_to_future(pending)

    async def _fetch(self, origin: str) -> RobotsSnapshot:
        url = origin + ROBOTS_PATH
        request = Request(url, priority=self.DOWNLOAD_PRIORITY, dont_filter=True,
                          callback=NO_CALLBACK,
                          meta={META_KIND: "robots", "redirect_ttl": 5, "dont_retry": True})
        stats = self.crawler.stats
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # every failure to read robots.txt means "unreachable"
            snapshot = robots_gate.from_error(url, f"{type(exc).__name__}: {exc}", time.time())
        else:
            status = response.status
            if 300 <= status < 400:  # more redirects than RFC 9309 asks us to follow
                snapshot = robots_gate.from_error(url, f"HTTP {status} after 5 redirects",
                                                  time.time())
            else:
                snapshot = robots_gate.from_response(url, status, response.body, time.time())
        if stats is not None:
            stats.inc_value(f"compliance/robots_fetch/{snapshot.outcome}")
        self.context.ledger.record(url, _fetch_decision(snapshot), kind="robots",
                                   purpose=self.context.purpose)
        return snapshot


def _fetch_decision(snapshot: RobotsSnapshot) -> Decision:
    sentence = {robots_gate.PARSED: "robots.txt fetched and parsed.",
                robots_gate.UNAVAILABLE: "robots.txt unavailable (4xx): no restrictions.",
                robots_gate.UNREACHABLE: "robots.txt unreachable: origin disallowed."}
    return Decision(
        robots_gate.GATE, snapshot.outcome != robots_gate.UNREACHABLE,
        f"robots_{snapshot.outcome}", sentence[snapshot.outcome], snapshot.as_record())
