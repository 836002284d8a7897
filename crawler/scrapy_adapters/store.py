"""Item pipeline: commit permitted items with their sidecar; a store error fails the item
closed (not stored, recorded) and the crawl goes on."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter, is_item
from scrapy.exceptions import DropItem

from crawler import sidecar
from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.policy.model import SitePolicy
from crawler.scrapy_adapters.context import ContextComponent
from crawler.storage.base import Committed, StoreError, StoreItem

GATE = "store"
#: ledger sentence by (new for this purpose, content newly written)
_STORED_SENTENCES = {
    (True, True): "Stored with its license sidecar.",
    (True, False): "Content already stored for another purpose: recorded for this purpose "
                   "too, nothing rewritten.",
    (False, False): "Already stored (same content): nothing written.",
    (False, True): "Already stored (same content): nothing written.",
}


def _item_url(item: Any) -> str:
    if isinstance(item, CorpusItem):
        return item.url
    return str(ItemAdapter(item).get("url") or "") if is_item(item) else ""


class StorePipeline(ContextComponent):
    """Last of all item pipelines (see the addon), so no pipeline after it can hand the feed
    exports an object the gates never saw: whatever was not registered by the item gates
    is dropped here with a ``not_gated`` ledger line."""

    def process_item(self, item: Any) -> Any:
        ctx = self.context
        yielded, gated = ctx.passed.pop(id(item), (None, None))
        if yielded is not item or not isinstance(gated, CorpusItem) \
                or gated.license is None or gated.policy is None:
            url = _item_url(item)
            ctx.record(url, Decision.deny(
                GATE, "not_gated", "The item reached the store without passing the item "
                "gates (yielded from start(), or made by a middleware or pipeline).",
                item_type=type(item).__name__),
                kind=gated.kind if isinstance(gated, CorpusItem) else "page")
            raise DropItem(f"{url or type(item).__name__} reached the store without passing "
                           "the item gates")
        self._store(gated)
        return item

    def _store(self, item: CorpusItem) -> None:
        ctx = self.context
        policy = next(p for p in ctx.registry if p.name == item.policy)
        host = urlsplit(item.url).hostname or ""
        try:
            committed, digest, spdx = self._put(item, policy, host)
        except StoreError as exc:
            ctx.record(item.url, Decision.deny(GATE, "store_error", str(exc)), kind=item.kind,
                       policy=policy.name)
            raise DropItem(f"[store/store_error] {exc}") from exc
        if committed.new:
            ctx.stored.setdefault(item.url, []).append(
                {"url": item.url, "sha256": digest, "kind": item.kind, "host": host,
                 "content": committed.content_path, "sidecar": committed.sidecar_path,
                 "purposes": [ctx.purpose]})
        ctx.record(item.url, Decision.allow(
            GATE, _STORED_SENTENCES[committed.new, committed.content_new],
            content=committed.content_path, sidecar=committed.sidecar_path, sha256=digest,
            new=committed.new, spdx=spdx), kind=item.kind, policy=policy.name)

    def _put(self, item: CorpusItem, policy: SitePolicy,
             host: str) -> tuple[Committed, str, str]:
        """Build the sidecar and commit. (Measured: a worker thread made crawls slower,
        the sidecar and JSON work holds the GIL and contends with the reactor.)"""
        assert item.license is not None
        ctx = self.context
        digest = hashlib.sha256(item.body).hexdigest()
        card = sidecar.build(
            url=item.url, kind=item.kind, content_type=item.content_type, sha256=digest,
            size=len(item.body), fetched_at=item.fetched_at, status=item.status,
            chosen=item.license, statements=item.statements, title=item.title,
            creator=item.creator, policy=policy, purpose=ctx.purpose, robots=item.robots,
            decisions=item.decisions, run_id=ctx.run_id, page_url=item.page_url)
        spdx = card["license"]["spdx"]
        stored = StoreItem(url=item.url, host=host, kind=item.kind, content=item.body,
                           content_type=item.content_type, sha256=digest, sidecar=card,
                           manifest_extra={"spdx": spdx, "policy": policy.name,
                                           "run_id": ctx.run_id},
                           purpose=ctx.purpose)
        return ctx.store.put(stored), digest, spdx
