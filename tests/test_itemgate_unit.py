"""The item gate refuses, and records, an item when one of its gates raises."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from conftest import write_policy
from scrapy.http import HtmlResponse, Request

from crawler.items import CorpusItem
from crawler.ledger import Ledger
from crawler.ledger_reader import records
from crawler.policy.registry import PolicyRegistry
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.effects import Effects
from crawler.scrapy_adapters.itemgate import ItemGateMiddleware, _PageState
from crawler.signals.site_file import SiteSignals
from crawler.storage.local import LocalStore


class BrokenTdmRep:
    def lookup(self, path: str) -> None:
        raise ValueError("broken on purpose")


def test_a_raising_gate_refuses_the_item(tmp_path: Path) -> None:
    write_policy(tmp_path / "p", "site", "site.test", ["http://site.test/"])
    store = LocalStore(tmp_path / "s")
    effects = Effects(Ledger(store, "run"), store, "research", "run")
    ctx = ComplianceContext(PolicyRegistry.from_directory(str(tmp_path / "p")), "research",
                            effects, "compliance-crawler", "run")
    url = "http://site.test/"
    reading = SiteSignals("http://site.test", time.time(),
                          files={"tdmrep.json": BrokenTdmRep()})

    async def load(_previous: SiteSignals | None) -> SiteSignals:
        return reading

    asyncio.run(ctx.site_signals.get("http://site.test", load, lambda exc: reading))
    request = Request(url, meta={meta.SITE_SIGNALS: reading.ref()})
    response = HtmlResponse(url, body=b"<html><body>x</body></html>", request=request)
    item = CorpusItem(kind="page", url=url, status=200, content_type="text/html",
                      body=response.body, headers={}, fetched_at="")
    assert ItemGateMiddleware(ctx)._judge(item, response, _PageState()) is False
    effects.close()
    [record] = records(LocalStore(tmp_path / "s", mode="read"))
    assert (record["decision"], record["reason"]) == ("deny", "gate_error")
    assert id(item) not in ctx.passed
