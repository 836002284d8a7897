"""A user spider that asks for a page's images before (and without) a page item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy

from crawler.scrapy_adapters import meta


class ImagesFirstSpider(scrapy.Spider):
    name = "images-first"

    def __init__(self, url: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.url, callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for src in response.xpath("//img/@src").getall():
            yield response.follow(src, meta={meta.KIND: "image"}, callback=self.parse_image)

    def parse_image(self, response: scrapy.http.Response) -> Iterator[dict[str, str]]:
        yield {"url": response.url}
