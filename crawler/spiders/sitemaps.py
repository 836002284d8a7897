"""The spider's sitemaps: those of the policies (``sitemaps:``) and those named by the
``Sitemap:`` lines of every robots.txt the crawl reads, each requested once per run, read
within the policy that named it (:mod:`crawler.gates.sitemaps`).

Scrapy's ``SitemapSpider`` reads robots.txt itself when it is given one as a sitemap URL.
Here robots.txt is read once per origin, by the robots gate, which announces each read
with a signal (:data:`~crawler.scrapy_adapters.robots.robots_txt_read`); the spider takes
the ``Sitemap:`` lines from that reading and schedules the sitemaps through the engine, so
the file is never fetched twice. Sitemap requests are ordinary requests: every request
gate meets them. Indexes are followed as ``SitemapSpider`` follows them
(``sitemap_follow``, ``sitemap_rules``, ``sitemap_filter``).

Where ``SitemapSpider`` passes over a sitemap with a log line (an error answer, a body that
is not a sitemap, a gzip file over ``DOWNLOAD_MAXSIZE`` once decompressed), each gets a
ledger line here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.spiders import SitemapSpider
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.gz import gzip_magic_number
from scrapy.utils.sitemap import Sitemap
from w3lib.url import canonicalize_url

from crawler.gates import sitemaps as scope
from crawler.gates.decision import Decision
from crawler.gates.robots import RobotsSnapshot
from crawler.policy.model import SitePolicy
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.robots import robots_txt_read

KIND = "sitemap"


@dataclass
class Listing:
    """What one sitemap lists: sitemaps (an index) or pages with their callbacks."""

    index: bool
    urls: list[str] = field(default_factory=list)
    callbacks: dict[str, Any] = field(default_factory=dict)
    #: entries past :data:`crawler.gates.sitemaps.MAX_ENTRIES`, not read
    excess: int = 0


class GatedSitemapSpider(SitemapSpider):
    """A ``SitemapSpider`` whose sitemaps come from the policies and from robots.txt."""

    context: ComplianceContext

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: the sitemaps taken in this run (canonical URLs), wherever they were named
        self._sitemaps_taken: set[str] = set()

    def policy_sitemaps(self) -> list[Request]:
        """The requests for the policies' sitemaps; from now on, the sitemaps of each
        robots.txt read are taken too. Called from ``start()``, once the context is known."""
        # SitemapSpider read these when the spider was built, before the compliance addon
        # had set its own DOWNLOAD_MAXSIZE (1 GiB then, instead of 32 MiB)
        self._max_size = getattr(self, "download_maxsize",
                                 self.settings.getint("DOWNLOAD_MAXSIZE"))
        self._warn_size = getattr(self, "download_warnsize",
                                  self.settings.getint("DOWNLOAD_WARNSIZE"))
        self.crawler.signals.connect(self._robots_read, signal=robots_txt_read)
        # all listed as taken before the first is yielded: a robots.txt read meanwhile
        # must not schedule one of them a second time
        return [self._sitemap_request(url) for policy in self.context.registry
                for url in policy.sitemaps if self._first_time(url)]

    def _first_time(self, url: str) -> bool:
        """Is this the first time the sitemap ``url`` is taken in this run?"""
        key = canonicalize_url(url)
        if key in self._sitemaps_taken:
            return False
        self._sitemaps_taken.add(key)
        return True

    def _sitemap_request(self, url: str) -> Request:
        return Request(url, callback=self._parse_sitemap, meta={meta.KIND: KIND})

    def _record(self, url: str, decision: Decision | None) -> None:
        if decision is not None:
            self.context.effects.record(url, decision, kind=KIND)

    def _policy_of(self, url: str) -> SitePolicy | None:
        return self.context.registry.for_host(urlsplit(url).hostname or "")

    def _robots_read(self, snapshot: RobotsSnapshot) -> None:
        """Schedule the sitemaps a robots.txt names, within its host's policy (receiver
        of :data:`~crawler.scrapy_adapters.robots.robots_txt_read`)."""
        if snapshot.robots is None or not snapshot.robots.sitemaps():
            return
        policy = self._policy_of(snapshot.url)
        selection = scope.select((_join(snapshot.url, ref) for ref in snapshot.robots.sitemaps()),
                                 policy, self.context.registry)
        self._record(snapshot.url, scope.skipped(selection, policy, "robots.txt"))
        # these requests do not pass the spider middlewares: the URL-length limit is here
        limit = self.settings.getint("URLLENGTH_LIMIT")
        for url in selection.taken:
            if not self._first_time(url):
                continue
            if limit and len(url) > limit:
                self._record(url, Decision.deny(
                    scope.GATE, "url_too_long", f"URL longer than URLLENGTH_LIMIT {limit}."))
                continue
            self.crawler.engine.crawl(self._sitemap_request(url))

    async def _parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        if not 200 <= response.status < 300:
            self._record(response.url, Decision.deny(
                "content", "http_error",
                f"The server answered HTTP {response.status}: the sitemap was not read."))
            return
        # decompressed and parsed off the reactor thread (a sitemap may be 32 MiB)
        listing = await run_in_thread(self._read, response)
        if isinstance(listing, Decision):
            self._record(response.url, listing)
            return
        self._record(response.url, scope.over_limit(listing.excess))
        # read within the policy of the URL that was named, whatever it redirected to
        named = (response.meta.get("redirect_urls") or [response.url])[0]
        policy = self._policy_of(named)
        selection = scope.select(listing.urls, policy, self.context.registry)
        self._record(response.url, scope.skipped(selection, policy, "sitemap"))
        for url in selection.taken:
            if not listing.index:
                yield Request(url, callback=listing.callbacks[url])
            elif self._first_time(url):
                yield self._sitemap_request(url)

    def _read(self, response: Response) -> Listing | Decision:
        """The sitemap's entries, or why it cannot be read."""
        try:
            body = self._get_sitemap_body(response)
        except Exception as exc:  # a gzip file that does not decompress
            return _unreadable(f"it does not decompress ({type(exc).__name__}: {exc})")
        if body is None:
            if gzip_magic_number(response):  # the only reason a gzip body is None
                limit = response.meta.get("download_maxsize", self._max_size)
                return Decision.deny("download", "size_limit",
                                     f"Dropped: the sitemap is larger than DOWNLOAD_MAXSIZE "
                                     f"({limit} bytes) once decompressed.", limit=limit)
            return _unreadable("it is neither XML nor gzip")
        try:  # lxml recovers from most faults; a hostile body must not stop the crawl
            sitemap = Sitemap(body)
            if sitemap.type not in ("urlset", "sitemapindex"):
                return _unreadable(f"its root element is <{sitemap.type}>")
            entries = iter(self.sitemap_filter(sitemap))
            head = list(islice(entries, scope.MAX_ENTRIES))
            listing = Listing(index=sitemap.type == "sitemapindex",
                              excess=sum(1 for _ in entries))
        except Exception as exc:
            return _unreadable(f"{type(exc).__name__}: {exc}")
        if listing.index:
            listing.urls = list(self._get_urls_from_sitemapindex(head))
        else:
            for url, callback in self._get_urls_and_callbacks_from_urlset(head):
                listing.callbacks.setdefault(url, callback)
            listing.urls = list(listing.callbacks)
        return listing


def _unreadable(why: str) -> Decision:
    return Decision.deny("content", "unsupported_content",
                         f"Not a sitemap Scrapy can read: {why}.")


def _join(base: str, ref: str) -> str:
    """``ref`` resolved against ``base``; left as written when it is no URL (then it is out
    of scope)."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return ref
