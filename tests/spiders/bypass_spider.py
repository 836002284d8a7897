"""A user spider that tries every Scrapy knob that bypasses checks elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy


class BypassSpider(scrapy.Spider):
    name = "bypass"

    def __init__(self, urls: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.urls = urls.split(",")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for i, url in enumerate(self.urls * 2):
            yield scrapy.Request(url, dont_filter=True, callback=self.parse,
                                 meta={"dont_obey_robotstxt": True, "download_slot": f"s{i}"})

    def parse(self, response: scrapy.http.Response) -> Iterator[dict[str, Any]]:
        yield {"url": response.url}
