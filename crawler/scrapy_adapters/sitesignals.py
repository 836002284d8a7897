"""Downloader middleware that reads an origin's site-level files (``context.site_files``:
``/.well-known/tdmrep.json``, ``/ai.txt`` and any the crawl adds) once, through the
allow-list and robots gates like any request, before the origin's first item is fetched.

A file that answers 4xx makes no statement. One that cannot be read (5xx, timeout, a
refusal by the gates, a redirect off the allow-list) leaves the site's wishes unknown, so
the origin's items are excluded until a later read succeeds (``optout_unknown``). Each
read leaves one ledger line per file (``signal_file_read``/``_absent``/``_unreadable``).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

from crawler.gates import optout as optout_gate
from crawler.gates.decision import Decision
from crawler.scrapy_adapters import control, meta
from crawler.scrapy_adapters.context import ComplianceContext, Refused
from crawler.signals.site_file import SiteSignals


class SiteSignalsMiddleware:
    def __init__(self, crawler: Crawler, context: ComplianceContext):
        self.crawler = crawler
        self.context = context
        self.timeout = crawler.settings.getfloat("COMPLIANCE_ROBOTS_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSignalsMiddleware:
        return cls(crawler, ComplianceContext.of(crawler))

    async def process_request(self, request: Request) -> None:
        if request in self.context.internal:  # reading a control file: nothing to wait for
            return
        parts = urlparse_cached(request)
        origin = f"{parts.scheme}://{parts.netloc}"
        signals = await self.context.site_signals.get(
            origin, lambda _previous: self._read(origin),
            lambda exc: SiteSignals(origin, time.time(), errors={"files": repr(exc)}))
        # the item gate judges with what was read now (meta values are plain JSON)
        request.meta[meta.SITE_SIGNALS] = signals.ref()
        if signals.errors:
            decision = optout_gate.unreadable(signals.errors)
            self.context.effects.decide(request.url, decision, request.meta,
                                kind=request.meta.get(meta.KIND, "page"))
            raise Refused(f"[optout/optout_unknown] {decision.sentence}")

    async def _read(self, origin: str) -> SiteSignals:
        errors: dict[str, str] = {}
        found: dict[str, Any] = {}
        for site_file in self.context.site_files:
            url = origin + site_file.path
            try:  # a fetch or a parse that fails makes this one file unreadable
                response = await control.fetch(self.crawler, self.context, url, "signal-file",
                                               timeout=self.timeout)
                if 200 <= response.status < 300:
                    found[site_file.name] = site_file.parse(response.body, url)
                elif not 400 <= response.status < 500 or response.status == 429:
                    errors[site_file.path] = f"HTTP {response.status}"
            except Exception as exc:
                errors[site_file.path] = f"{type(exc).__name__}: {exc}"
            state = ("unreadable" if site_file.path in errors
                     else "read" if site_file.name in found else "absent")
            self.context.effects.note(url, Decision(
                optout_gate.GATE, state != "unreadable", f"signal_file_{state}",
                f"{site_file.path} {state}"
                + (f": {errors[site_file.path]}" if site_file.path in errors else "."),
                {}), kind="signal-file")
        return SiteSignals(origin, time.time(), found, errors)
