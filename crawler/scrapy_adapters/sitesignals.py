"""Downloader middleware that reads an origin's opt-out files (``/.well-known/tdmrep.json``
and ``/ai.txt``) once, through the allow-list and robots gates like any request, before
the origin's first item is fetched.

A file that answers 4xx makes no statement. One that cannot be read (5xx, timeout, a
refusal by the gates, a redirect off the allow-list) leaves the site's wishes unknown, so
the origin's items are excluded until a later read succeeds (``optout_unknown``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

from crawler.gates import optout as optout_gate
from crawler.gates.decision import Decision
from crawler.scrapy_adapters import control, meta
from crawler.scrapy_adapters.context import ComplianceContext, Refused
from crawler.scrapy_adapters.origin_cache import OriginCache
from crawler.signals.aitxt import AI_TXT_URL, AiTxt
from crawler.signals.optout import TDMREP_URL, TdmRepFile


@dataclass(frozen=True)
class SiteSignals:
    origin: str
    fetched_at: float
    tdmrep: TdmRepFile | None = None
    ai_txt: AiTxt | None = None
    errors: dict[str, str] = field(default_factory=dict)  # file → why it could not be read

    def expired(self, now: float, ttl: float, error_ttl: float) -> bool:
        return now - self.fetched_at >= (error_ttl if self.errors else ttl)

    def unreadable(self) -> Decision:
        what = "; ".join(f"{name}: {why}" for name, why in self.errors.items())
        return Decision.deny(optout_gate.GATE, "optout_unknown",
                             f"The site's opt-out files could not be read ({what}): its items "
                             "are excluded until they can be.", files=self.errors)


class SiteSignalsMiddleware:
    def __init__(self, crawler: Crawler, context: ComplianceContext):
        self.crawler = crawler
        self.context = context
        ttl = crawler.settings.getfloat("COMPLIANCE_ROBOTS_TTL", 86400.0)
        error_ttl = crawler.settings.getfloat("COMPLIANCE_ROBOTS_ERROR_TTL", 600.0)
        self.timeout = crawler.settings.getfloat("COMPLIANCE_ROBOTS_TIMEOUT", 30.0)
        self._cache: OriginCache[SiteSignals] = OriginCache(
            lambda signals, now: signals.expired(now, ttl, error_ttl))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSignalsMiddleware:
        return cls(crawler, ComplianceContext.of(crawler))

    async def process_request(self, request: Request) -> None:
        if request in self.context.internal:  # reading a control file: nothing to wait for
            return
        parts = urlparse_cached(request)
        origin = f"{parts.scheme}://{parts.netloc}"
        signals = await self._cache.get(
            origin, lambda _previous: self._read(origin),
            lambda exc: SiteSignals(origin, time.time(), errors={"files": repr(exc)}))
        request.meta[meta.SITE_SIGNALS] = signals  # the item gate judges with what was read now
        if signals.errors:
            decision = signals.unreadable()
            self.context.record(request.url, decision, request.meta,
                                kind=request.meta.get(meta.KIND, "page"))
            raise Refused(f"[optout/optout_unknown] {decision.sentence}")

    async def _read(self, origin: str) -> SiteSignals:
        errors: dict[str, str] = {}
        found: dict[str, Any] = {}
        for path, parse in ((TDMREP_URL, TdmRepFile.parse), (AI_TXT_URL, AiTxt.parse)):
            url = origin + path
            try:
                response = await control.fetch(self.crawler, self.context, url, "signal-file",
                                               timeout=self.timeout)
            except Exception as exc:
                errors[path] = f"{type(exc).__name__}: {exc}"
                continue
            if 200 <= response.status < 300:
                found[path] = parse(response.body, url)
            elif not 400 <= response.status < 500 or response.status == 429:
                errors[path] = f"HTTP {response.status}"
        signals = SiteSignals(origin, time.time(), found.get(TDMREP_URL), found.get(AI_TXT_URL),
                              errors)
        for path in (TDMREP_URL, AI_TXT_URL):
            state = ("unreadable" if path in errors else "read" if path in found else "absent")
            self.context.ledger.record(origin + path, Decision(
                optout_gate.GATE, state != "unreadable", f"signal_file_{state}",
                f"{path} {state}" + (f": {errors[path]}" if path in errors else "."),
                {}), kind="signal-file", purpose=self.context.purpose)
        return signals
