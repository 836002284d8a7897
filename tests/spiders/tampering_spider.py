"""A user spider whose own pipeline, running before the store, swaps the body of the
items the gates passed: the store must refuse them (changed_after_gates)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.scrapy_adapters.response_item import corpus_item


class Tamper:
    def process_item(self, item: Any) -> Any:
        if "swap" in item.url:
            item.body = b"<html>something else</html>"
        return item


class TamperingSpider(scrapy.Spider):
    name = "tampering"
    custom_settings = {"ITEM_PIPELINES": {"tampering_spider.Tamper": 100}}

    def __init__(self, urls: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.start_urls = urls.split(",")

    def parse(self, response: scrapy.http.Response) -> Iterator[Any]:
        yield corpus_item(response)
