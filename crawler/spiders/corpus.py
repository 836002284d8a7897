"""The policy-driven spider: starts from the policies' start URLs and sitemaps, follows
links, and yields page and image items. It decides nothing: every request and item goes
through the gates that the compliance addon wires in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.spiders import SitemapSpider
from scrapy.utils.url import url_has_any_extension

from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.response_item import corpus_item

#: file types whose links are recorded but not followed (Scrapy's own list)
NOT_FOLLOWED = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)

#: spider arguments (``-a name=value``) and the settings they set
ARGUMENT_SETTINGS = {"policies": "COMPLIANCE_POLICIES", "purpose": "COMPLIANCE_PURPOSE",
                     "store": "COMPLIANCE_STORE", "ledger": "COMPLIANCE_LEDGER",
                     "sites": "COMPLIANCE_SITES"}



class CorpusSpider(SitemapSpider):
    name = "corpus"
    sitemap_rules = [("", "parse_page")]
    #: error answers reach the callbacks so that the item gates record them
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}
    #: every link is extracted; those to non-HTML files are recorded, not followed
    link_extractor = LinkExtractor(tags=("a", "area"), attrs=("href",), deny_extensions=())

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
        registry = self.context.registry
        self.sitemap_urls = [url for policy in registry for url in policy.sitemaps]
        async for request in super().start():
            yield request
        for policy in registry:
            for url in policy.start_urls:
                yield Request(url, callback=self.parse_page)

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield corpus_item(response, "page")
        if not isinstance(response, TextResponse) or not 200 <= response.status < 300:
            return
        for img in response.xpath("//img[@src]"):
            yield Request(response.urljoin(img.attrib["src"].strip()), callback=self.parse_image,
                          meta={meta.KIND: "image", "page_url": response.url,
                                "alt": " ".join(img.attrib.get("alt", "").split())})
        for link in self.link_extractor.extract_links(response):
            if url_has_any_extension(link.url, NOT_FOLLOWED):
                self.context.effects.record(link.url, Decision.deny(
                    "spider", "not_followed", "Links to non-HTML files are not followed."),
                    kind="page")
                continue
            yield Request(link.url, callback=self.parse_page)

    def parse_image(self, response: Response) -> Iterator[CorpusItem]:
        yield corpus_item(response, "image")
