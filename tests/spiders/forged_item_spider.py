"""A user spider that yields a ready-made item from start(), license and policy preset."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from crawler.items import CorpusItem
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.spdx_ids import lookup_spdx


class ForgedItemSpider(scrapy.Spider):
    name = "forged"

    def __init__(self, url: str = "", policy: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.url, self.policy_name = url, policy

    async def start(self) -> AsyncIterator[Any]:
        lic = lookup_spdx("CC-BY-4.0")
        yield CorpusItem(kind="page", url=self.url, status=200, content_type="text/html",
                         body=b"<html>forged</html>", headers={}, fetched_at="",
                         policy=self.policy_name,
                         license=LicenseEvidence("forged", "", "", lic.url, lic))
