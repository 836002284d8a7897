"""Downloader middleware for gate 1, first in the chain: no request of any kind leaves
for a host, path or purpose without a policy.

Every request passes here, whoever made it: spider requests, robots.txt and other
control-file fetches made through ``engine.download``, and redirect targets (the
redirect middleware hands them back to the engine, which sends them down the chain
again). ``dont_filter``, ``dont_obey_robotstxt`` and ``download_slot`` meta keys
change nothing here; ``download_slot`` is set to the request's site (its policy), so
every host of a site shares one Scrapy slot and per-site politeness cannot be sidestepped.
"""

from __future__ import annotations

from collections import Counter
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from w3lib.url import safe_url_string

from crawler.gates import allowlist
from crawler.politeness import site_key
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext, ContextComponent, Refused
from crawler.scrapy_adapters.control import SIGNAL_FILE


class AllowListMiddleware(ContextComponent):

    def __init__(self, context: ComplianceContext, max_pages: int = 0):
        super().__init__(context)
        self.max_pages = max_pages
        #: pages and images requested per site (policy name) in this run
        self.requested: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ComplianceContext.of(crawler),
                   crawler.settings.getint("COMPLIANCE_MAX_PAGES_PER_SITE"))

    def process_request(self, request: Request) -> None:
        # what later gates record for a request is theirs to write, not a spider's
        for key in (meta.ROBOTS, meta.SITE_SIGNALS, meta.SITE_LICENSE):
            request.meta.pop(key, None)
        if not request.meta.get("redirect_urls"):  # a redirect keeps the chain of its origin
            request.meta[meta.DECISIONS] = []
        control = request in self.context.internal
        control_paths = self.context.control_paths
        if control and request.meta.get(meta.KIND) == SIGNAL_FILE:
            control_paths = (*control_paths, *self._named_page(request.url))
        decision, policy = allowlist.check(request.url, self.context.registry,
                                           self.context.purpose, control=control,
                                           suppressions=self.context.suppressions,
                                           control_paths=control_paths)
        if decision.allowed and policy is not None and not control:
            decision = allowlist.site_budget(policy, self.requested[policy.name],
                                             self.max_pages) or decision
            self.requested[policy.name] += int(decision.allowed)
        redirected_from = request.meta.get("redirect_urls")
        self.context.effects.decide(
            request.url, decision, request.meta, kind=request.meta.get(meta.KIND, "page"),
            policy=policy.name if policy else None,
            **({"redirected_from": redirected_from[-1]} if redirected_from else {}))
        if not decision.allowed:
            raise Refused(f"[allowlist/{decision.reason}] {decision.sentence}")
        # one Scrapy download slot per site, whichever of its hosts (a user's own
        # download_slot would let requests past the site's rate)
        assert policy is not None  # allowed means a policy covers the host
        request.meta["download_slot"] = site_key(policy.name)
        request.headers.pop(b"Host", None)  # the connection goes where the URL says, only

    def _named_page(self, url: str) -> tuple[str, ...]:
        """The path of ``url`` when it is a page its policy names for the crawl to read:
        the terms page it records a fingerprint of, its license page (``licenses.page``).
        Read like a control file, so exempt from ``allow_paths`` (not ``deny_paths``)."""
        parts = urlsplit(url)
        policy = self.context.registry.for_host(parts.hostname or "")
        if policy is None:
            return ()
        named = [page for page in (policy.tos.url if policy.tos.fingerprint else None,
                                   policy.licenses.page) if page is not None]
        for page in map(urlsplit, map(safe_url_string, named)):
            if (parts.scheme, parts.netloc, parts.path) == (page.scheme, page.netloc,
                                                            page.path):
                return (parts.path,)
        return ()
