"""Reading a site's license page for the pages that state no license of their own
(:mod:`crawler.gates.site_license` decides which page, and what it grants).

When a page's answer arrives (the site-signals middleware's ``process_response``), a page
that grants no license with a version of its own gets its site's license page read: the
one its policy names, else the one its footer links to. The page is read once per site and
TTL (cached with the site files, like robots.txt: ``COMPLIANCE_ROBOTS_TTL``, after an error
``COMPLIANCE_ROBOTS_ERROR_TTL``), through every request gate (allow-list, robots.txt,
politeness), with one ledger line per reading (``license/site_license_*``). The page's
request then names that reading (plain JSON in its meta), and the item gates judge the page
with it. A footer that links elsewhere than the page the site's reading is of gets no site
license: one license page per site and TTL.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.httpobj import urlparse_cached

from crawler.gates import site_license
from crawler.gates.site_license import LICENSE_PAGE, LicensePageLink, LicensePageReading
from crawler.policy.model import SitePolicy
from crawler.scrapy_adapters import control, meta, offload
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.response_item import response_headers
from crawler.signals import license_detect
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.site_file import SiteSignals

logger = logging.getLogger(__name__)


def reading_key(policy: SitePolicy) -> str:
    """The cache key of a site's license page reading: never an origin (no space there)."""
    return f"{LICENSE_PAGE} {policy.name}"


def _statements(response: Response) -> list[LicenseEvidence]:
    """What an answer states, as the license detector reads a page."""
    if not isinstance(response, TextResponse):
        return []
    return license_detect.detect(response.url, response_headers(response), response.selector)


def _link(policy: SitePolicy, response: TextResponse) -> LicensePageLink | None:
    """The license page this page's answer asks to be read, if it needs one."""
    if not site_license.wanted(_statements(response)):
        return None
    return site_license.license_page(policy, response.url, response.selector)


def named_reading(context: ComplianceContext, response: Response) -> LicensePageReading | None:
    """The reading of the site's license page that ``response``'s request names (the
    current or the previous one), if any."""
    ref: Any = response.meta.get(meta.SITE_LICENSE)
    if not isinstance(ref, dict) or not isinstance(ref.get("origin"), str):
        return None
    signals = context.site_signals.find(ref["origin"], lambda site: site.is_ref(ref))
    found = signals.files.get(LICENSE_PAGE) if signals is not None else None
    return found if isinstance(found, LicensePageReading) else None


class LicensePages:
    def __init__(self, crawler: Crawler, context: ComplianceContext, timeout: float):
        self.crawler, self.context, self.timeout = crawler, context, timeout

    async def attach(self, request: Request, response: Response) -> None:
        """For a page answer without a license of its own: its site's license page, read
        (once per site and TTL), named in the request's meta for the item gates."""
        if request.meta.get(meta.KIND, "page") != "page" or not 200 <= response.status < 300 \
                or not isinstance(response, TextResponse):
            return
        policy = self.context.registry.for_host(urlparse_cached(response).hostname or "")
        if policy is None or not site_license.reads_license_page(policy):
            return
        try:  # the spider and the gates reuse the parse and the scan
            link = await offload.read_body(len(response.body), _link, policy, response)
        except Exception:  # the item gates judge the page without a site license
            logger.exception("looking for the license page of %s failed", response.url)
            return
        if link is None:
            return
        key = reading_key(policy)
        reading = await self.context.site_signals.get(
            key, lambda _previous: self._read(policy, link, key),
            lambda exc: self._signals(key, site_license.unreadable(link, time.time(),
                                                                   repr(exc))))
        found = reading.files.get(LICENSE_PAGE)
        if isinstance(found, LicensePageReading) and found.link.url == link.url:
            request.meta[meta.SITE_LICENSE] = reading.ref()

    async def _read(self, policy: SitePolicy, link: LicensePageLink, key: str) -> SiteSignals:
        try:
            response = await control.fetch(self.crawler, self.context, link.url,
                                           control.SIGNAL_FILE, timeout=self.timeout)
        except Exception as exc:  # a refusal by a gate, a timeout: no site license
            reading = site_license.unreadable(link, time.time(), f"{type(exc).__name__}: {exc}")
        else:
            statements = await offload.read_body(len(response.body), _statements, response)
            reading = site_license.read(link, time.time(), response.status, statements)
        self.context.effects.note(link.url, site_license.fetch_decision(reading, policy),
                                  kind=control.SIGNAL_FILE, policy=policy.name)
        return self._signals(key, reading)

    @staticmethod
    def _signals(key: str, reading: LicensePageReading) -> SiteSignals:
        """The reading among the site readings (an unreadable page expires sooner)."""
        return SiteSignals(key, reading.fetched_at, {LICENSE_PAGE: reading},
                           {reading.link.url: reading.problem or ""} if reading.unreadable
                           else {})
