"""Downloader middleware that reads an origin's site-level files (``context.site_files``:
``/.well-known/tdmrep.json``, ``/ai.txt`` and any the crawl adds) once, through the
allow-list and robots gates like any request, before the origin's first item is fetched.

A file that answers 4xx makes no statement. One that cannot be read (5xx, timeout, a
refusal by the gates, a redirect off the allow-list) leaves the site's wishes unknown, so
the origin's items are excluded until a later read succeeds (``optout_unknown``). Each
read leaves one ledger line per file (``signal_file_read``/``_absent``/``_unreadable``).

Before them, for a policy that records ``tos.fingerprint``, the site's terms page is read
the same way (a site file at the policy's ``tos.url``, cached by that URL: once per TTL for
the whole site, whichever host asks) and judged by :mod:`crawler.gates.terms`: a page
changed since the review, or unreadable, refuses every request to the site here, before
download (or, with ``COMPLIANCE_TERMS_CHANGE=warn``, is logged and ledgered, and the crawl
goes on). One ledger line per read (``terms_unchanged``/``_changed``/``_unreadable``).

On the way back, a page's answer that states no license of its own gets its site's license
page read the same way (:mod:`crawler.scrapy_adapters.license_page`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.httpobj import urlparse_cached

from crawler.gates import optout as optout_gate
from crawler.gates import terms as terms_gate
from crawler.gates.decision import Decision
from crawler.policy.model import SitePolicy
from crawler.scrapy_adapters import control, meta
from crawler.scrapy_adapters.context import ComplianceContext, Refused
from crawler.scrapy_adapters.license_page import LicensePages
from crawler.signals.site_file import SiteFile, SiteSignals, site_page
from crawler.signals.terms import TERMS, read_terms

logger = logging.getLogger("crawler.compliance")


def _as_is(body: bytes, _url: str) -> bytes:
    return body


def terms_key(url: str) -> str:
    """The cache key of a terms page reading: never an origin (those have no space)."""
    return f"{TERMS} {url}"


async def read_site_file(crawler: Crawler, context: ComplianceContext, site_file: SiteFile,
                         url: str, timeout: float) -> tuple[Any, str | None, int | None]:
    """(the parsed file, or None when the site has none (4xx); why it could not be read;
    the answer's status)."""
    status = None
    try:  # a fetch or a parse that fails makes this one file unreadable
        response = await control.fetch(crawler, context, url, control.SIGNAL_FILE,
                                       timeout=timeout)
        status = response.status
        if 200 <= status < 300:
            return site_file.parse(response.body, url), None, status
        if not 400 <= status < 500 or status == 429:
            return None, f"HTTP {status}", status
        return None, None, status
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}", status


class SiteSignalsMiddleware:
    def __init__(self, crawler: Crawler, context: ComplianceContext):
        self.crawler = crawler
        self.context = context
        self.timeout = crawler.settings.getfloat("COMPLIANCE_ROBOTS_TIMEOUT")
        self.on_terms_change = terms_gate.mode(crawler.settings.get("COMPLIANCE_TERMS_CHANGE"))
        self.license_pages = LicensePages(crawler, context, self.timeout)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSignalsMiddleware:
        return cls(crawler, ComplianceContext.of(crawler))

    async def process_request(self, request: Request) -> None:
        if request in self.context.internal:  # reading a control file: nothing to wait for
            return
        parts = urlparse_cached(request)
        policy = self.context.registry.for_host(parts.hostname or "")
        if policy is not None and policy.tos.fingerprint:
            await self._check_terms(request, policy)
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

    async def process_response(self, request: Request, response: Response) -> Response:
        """A page that states no license of its own gets its site's license page read."""
        if request not in self.context.internal:
            await self.license_pages.attach(request, response)
        return response

    async def _read(self, origin: str) -> SiteSignals:
        errors: dict[str, str] = {}
        found: dict[str, Any] = {}
        for site_file in self.context.site_files:
            url = site_file.location(origin)
            parsed, error, _status = await read_site_file(self.crawler, self.context,
                                                          site_file, url, self.timeout)
            if error is not None:
                errors[site_file.path] = error
            elif parsed is not None:
                found[site_file.name] = parsed
            state = ("unreadable" if error is not None
                     else "read" if parsed is not None else "absent")
            self.context.effects.note(url, Decision(
                optout_gate.GATE, state != "unreadable", f"signal_file_{state}",
                f"{site_file.path} {state}" + (f": {error}" if error is not None else "."),
                {}), kind=control.SIGNAL_FILE)
        return SiteSignals(origin, time.time(), found, errors)

    # ---- the terms page --------------------------------------------------------------------

    async def _check_terms(self, request: Request, policy: SitePolicy) -> None:
        """Refuse ``request`` when its site's terms page changed since the review (or
        cannot be read), unless the crawl only warns."""
        key = terms_key(policy.tos.url)
        reading = await self.context.site_signals.get(
            key, lambda _previous: self._read_terms(policy, key),
            lambda exc: SiteSignals(key, time.time(), errors={policy.tos.url: repr(exc)}))
        error = next(iter(reading.errors.values()), None)
        decision = terms_gate.judge(policy, reading.files.get(TERMS), error,
                                    self.on_terms_change)
        if decision.allowed:
            return
        self.context.effects.decide(request.url, decision, request.meta,
                                    kind=request.meta.get(meta.KIND, "page"), policy=policy.name)
        raise Refused(f"[{decision.gate}/{decision.reason}] {decision.sentence}")

    async def _read_terms(self, policy: SitePolicy, key: str) -> SiteSignals:
        url = policy.tos.url
        body, error, status = await read_site_file(
            self.crawler, self.context, site_page(TERMS, url, _as_is), url, self.timeout)
        parsed = None
        if body is not None:  # main-text extraction takes a while: not on the reactor
            parsed = await run_in_thread(read_terms, body, url)
        elif error is None:  # a 4xx: for a terms page, no answer at all
            error = f"HTTP {status}"
        decision = terms_gate.judge(policy, parsed, error, self.on_terms_change)
        self.context.effects.note(url, decision, kind=control.SIGNAL_FILE, policy=policy.name)
        if terms_gate.finding(decision):
            logger.warning("compliance: site %s: %s", policy.name, decision.sentence)
        return SiteSignals(key, time.time(), {TERMS: parsed} if parsed is not None else {},
                           {url: error} if error is not None else {})
