"""The policy-driven spider: starts from the policies' start URLs and sitemaps (and the
sitemaps robots.txt names: :mod:`crawler.spiders.sitemaps`), follows links (at most
``COMPLIANCE_MAX_LINKS_PER_PAGE`` links and images per page; links to non-HTML files are
recorded, not followed), and yields page and image items. It decides nothing: every
request and item goes through the gates that the compliance addon wires in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.url import url_has_any_extension

from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.scrapy_adapters import itemgate, meta, offload
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.response_item import corpus_item
from crawler.spiders.links import PageLinks, page_links
from crawler.spiders.sitemaps import GatedSitemapSpider

#: file types whose links are recorded but not followed (Scrapy's own list)
NOT_FOLLOWED = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)

#: spider arguments (``-a name=value``) and the settings they set
ARGUMENT_SETTINGS = {"policies": "COMPLIANCE_POLICIES", "purpose": "COMPLIANCE_PURPOSE",
                     "contact": "COMPLIANCE_CONTACT",
                     "store": "COMPLIANCE_STORE",
                     "sites": "COMPLIANCE_SITES"}



class CorpusSpider(GatedSitemapSpider):
    name = "corpus"
    sitemap_rules = [("", "parse_page")]
    #: error answers reach the callbacks so that the item gates record them
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CorpusSpider:
        # Scrapy applies addons after the spider is built, so arguments given with -a
        # reach the compliance addon as settings.
        for arg, setting in ARGUMENT_SETTINGS.items():
            if kwargs.get(arg) is not None:
                value = kwargs[arg]
                if setting == "COMPLIANCE_SITES" and isinstance(value, str):
                    value = [s for s in value.split(",") if s]
                crawler.settings.set(setting, value, priority="cmdline")
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[Any]:
        self.context = ComplianceContext.of(self.crawler)
        for request in self.policy_sitemaps():
            yield request
        for policy in self.context.registry:
            for url in policy.start_urls:
                yield Request(url, callback=self.parse_page)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        links = PageLinks()
        limit = self.settings.getint("COMPLIANCE_MAX_LINKS_PER_PAGE")
        if isinstance(response, TextResponse):
            # a huge page is read off the reactor thread, so it does not hold up other sites
            item, links = await offload.read_body(len(response.body), self._read_page,
                                                  response, limit)
        else:
            item = corpus_item(response, "page")
        yield item
        for url, alt in links.images:
            yield Request(url, callback=self.parse_image,
                          meta={meta.KIND: "image", "page_url": response.url, "alt": alt})
        for url in links.links:
            if url_has_any_extension(url, NOT_FOLLOWED):
                self.context.effects.record(url, Decision.deny(
                    "spider", "not_followed", "Links to non-HTML files are not followed."),
                    kind="page")
                continue
            yield Request(url, callback=self.parse_page)
        if links.excess:
            self.context.effects.record(response.url, Decision.deny(
                "spider", "link_limit",
                f"{links.excess} more links and images on this page were not taken: at most "
                f"{limit} per page (COMPLIANCE_MAX_LINKS_PER_PAGE).",
                limit=limit, not_taken=links.excess), kind="page")

    @staticmethod
    def _read_page(response: TextResponse, limit: int) -> tuple[CorpusItem, PageLinks]:
        """The page's item and, for a 2xx answer, its links, with the gates' scan of the
        page done ahead (one parse for all three)."""
        item = corpus_item(response, "page")
        if not 200 <= response.status < 300:
            return item, PageLinks()
        itemgate.prepare(response)
        return item, page_links(response, limit)

    def parse_image(self, response: Response) -> Iterator[CorpusItem]:
        yield corpus_item(response, "image")
