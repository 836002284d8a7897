"""Downloader middleware for gate 2: robots.txt per origin, fetched through the same
gates as any request, cached with a TTL, failing closed.

Unlike Scrapy's ``RobotsTxtMiddleware`` it caches per scheme+host+port, expires entries,
ignores ``dont_obey_robotstxt``, and treats a robots.txt it cannot read as a disallow.
Each read is announced with the :data:`robots_txt_read` signal, so that others (the
spider, for the ``Sitemap:`` lines) use it without fetching the file again.
"""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

from crawler.gates import robots as robots_gate
from crawler.gates.allowlist import ROBOTS_PATH, request_path
from crawler.gates.decision import Decision
from crawler.gates.robots import RobotsSnapshot, RslLicense
from crawler.scrapy_adapters import control, meta
from crawler.scrapy_adapters.context import ComplianceContext, Refused
from crawler.signals.robots import DEFAULT_AI_TRAINING_TOKENS, parse_rsl_prohibits_ai_training

MAX_RSL_FILES = 5

#: Scrapy signal, sent each time a robots.txt has been read (argument ``snapshot``: the
#: :class:`~crawler.gates.robots.RobotsSnapshot`, whatever the outcome)
robots_txt_read = object()


class RobotsGateMiddleware:
    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler, context: ComplianceContext):
        self.crawler = crawler
        self.context = context
        settings = crawler.settings
        self.timeout = settings.getfloat("COMPLIANCE_ROBOTS_TIMEOUT")
        self.max_gap = settings.getfloat("COMPLIANCE_MAX_CRAWL_DELAY")
        self.ai_tokens = tuple(settings.getlist("COMPLIANCE_AI_TOKENS")
                               or DEFAULT_AI_TRAINING_TOKENS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsGateMiddleware:
        return cls(crawler, ComplianceContext.of(crawler))

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        internal = request in self.context.internal
        if parts.path == ROBOTS_PATH and internal:  # RFC 9309: always allowed
            return
        if internal and request.meta.get(meta.KIND) in ("robots", "rsl"):
            return  # part of reading a robots.txt: checked in _fetch and _read_rsl
        snapshot = await self.snapshot(f"{parts.scheme}://{parts.netloc}", parts.hostname or "")
        decision = robots_gate.check(snapshot, request_path(request.url), self.context.token,
                                     self.ai_tokens, self.max_gap, for_item=not internal)
        self.context.effects.decide(request.url, decision, request.meta,
                            kind=request.meta.get(meta.KIND, "page"))
        if not decision.allowed:
            raise Refused(f"[robots/{decision.reason}] {decision.sentence}")
        request.meta[meta.ROBOTS] = snapshot.as_record()

    async def snapshot(self, origin: str, host: str) -> RobotsSnapshot:
        async def load(previous: RobotsSnapshot | None) -> RobotsSnapshot:
            snapshot = await self._fetch(origin)
            if snapshot.outcome == robots_gate.UNREACHABLE and previous is not None \
                    and previous.outcome == robots_gate.UNREACHABLE:
                snapshot = replace(snapshot, attempt=previous.attempt + 1)
            gap = snapshot.min_gap(self.context.token)
            if gap <= self.max_gap:  # a longer one skips the host (the gate says so)
                self.context.politeness.raise_gap(host, gap)
            return snapshot

        return await self.context.robots_cache.get(
            origin, load,
            lambda exc: robots_gate.from_error(origin + ROBOTS_PATH, repr(exc), time.time()))

    async def _fetch(self, origin: str) -> RobotsSnapshot:
        url = origin + ROBOTS_PATH
        try:
            response = await control.fetch(self.crawler, self.context, url, "robots",
                                           timeout=self.timeout)
        except Exception as exc:  # every failure to read robots.txt means "unreachable"
            snapshot = robots_gate.from_error(url, f"{type(exc).__name__}: {exc}", time.time())
        else:
            status = response.status
            if 300 <= status < 400:
                snapshot = robots_gate.from_error(
                    url, f"HTTP {status} after {control.MAX_REDIRECTS} redirects", time.time())
            else:
                snapshot = robots_gate.from_response(url, status, response.body, time.time())
        if snapshot.robots is not None and snapshot.robots.license_urls():
            refs = [urljoin(url, ref) for ref in snapshot.robots.license_urls()]
            licenses = [await self._read_rsl(ref, snapshot) for ref in refs[:MAX_RSL_FILES]]
            licenses += [RslLicense(ref, None, f"not read: more than {MAX_RSL_FILES} License "
                                               "lines") for ref in refs[MAX_RSL_FILES:]]
            snapshot = replace(snapshot, licenses=tuple(licenses))
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"compliance/robots_fetch/{snapshot.outcome}")
        self.context.effects.note(url, _fetch_decision(snapshot), kind="robots")
        self.crawler.signals.send_catch_log(signal=robots_txt_read, snapshot=snapshot)
        return snapshot


    async def _read_rsl(self, url: str, snapshot: RobotsSnapshot) -> RslLicense:
        """Fetch an RSL license through the same gates as any request. Its own origin's
        robots.txt is the one being read, so that check is made here, before the fetch."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        same_origin = snapshot.url == origin + ROBOTS_PATH
        if same_origin:
            decision = robots_gate.check(snapshot, request_path(url), self.context.token, (),
                                         for_item=False)
            if not decision.allowed:
                return RslLicense(url, None, f"robots.txt disallows it ({decision.reason})")
        elif self.context.robots_cache.is_pending(origin):
            # origins naming each other's files: do not wait
            return RslLicense(url, None, "its origin's robots.txt is being read")
        try:
            response = await control.fetch(self.crawler, self.context, url, "rsl",
                                           timeout=self.timeout, internal=same_origin,
                                           redirects=0)
        except Exception as exc:
            return RslLicense(url, None, f"{type(exc).__name__}: {exc}")
        if not 200 <= response.status < 300:
            return RslLicense(url, None, f"HTTP {response.status}")
        prohibits = parse_rsl_prohibits_ai_training(response.body)
        return RslLicense(url, prohibits, None if prohibits is not None else "not a readable RSL")


def _fetch_decision(snapshot: RobotsSnapshot) -> Decision:
    sentence = {robots_gate.PARSED: "robots.txt fetched and parsed.",
                robots_gate.UNAVAILABLE: "robots.txt unavailable (4xx): no restrictions.",
                robots_gate.UNREACHABLE: "robots.txt unreachable: origin disallowed."}
    return Decision(
        robots_gate.GATE, snapshot.outcome != robots_gate.UNREACHABLE,
        f"robots_{snapshot.outcome}", sentence[snapshot.outcome], snapshot.as_record())
