"""Item pipeline, last of all: the gates' verdict is checked here, then the item is stored
in a group commit (:mod:`crawler.scrapy_adapters.group_commit`); a store error fails the
item closed (not stored, recorded) and the crawl goes on."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter, is_item
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.scrapy_adapters.context import ComplianceContext, ContextComponent, judged
from crawler.scrapy_adapters.effects import STORE_GATE
from crawler.scrapy_adapters.group_commit import GroupCommitter
from crawler.storage.base import StoreError


def _item_url(item: Any) -> str:
    if isinstance(item, CorpusItem):
        return item.url
    return str(ItemAdapter(item).get("url") or "") if is_item(item) else ""


class StorePipeline(ContextComponent):
    """Last of all item pipelines (see the addon), so no pipeline after it can hand the feed
    exports an object the gates never saw: whatever was not registered by the item gates
    is dropped here with a ``not_gated`` ledger line."""

    def __init__(self, context: ComplianceContext):
        super().__init__(context)
        self.committer = GroupCommitter(context.effects)

    async def process_item(self, item: Any) -> Any:
        ctx = self.context
        yielded, gated, seen = ctx.passed.pop(id(item), (None, None, ()))
        if isinstance(gated, CorpusItem) and yielded is item and any(
                now is not then for now, then in zip(judged(gated), seen, strict=True)):
            ctx.effects.record(gated.url, Decision.deny(
                STORE_GATE, "changed_after_gates", "A pipeline changed the item's URL, "
                "content, policy or license after the gates judged it.",
                item_type=type(item).__name__), kind=gated.kind)
            raise DropItem(f"{gated.url} was changed after the item gates")
        if yielded is not item or not isinstance(gated, CorpusItem) \
                or gated.license is None or gated.policy is None:
            url = _item_url(item)
            ctx.effects.record(url, Decision.deny(
                STORE_GATE, "not_gated", "The item reached the store without passing the item "
                "gates (yielded from start(), or made by a middleware or pipeline).",
                item_type=type(item).__name__),
                kind=gated.kind if isinstance(gated, CorpusItem) else "page")
            raise DropItem(f"{url or type(item).__name__} reached the store without passing "
                           "the item gates")
        policy = next(p for p in ctx.registry if p.name == gated.policy)
        try:
            committed = await maybe_deferred_to_future(self.committer.commit(gated, policy))
        except StoreError as exc:
            raise DropItem(f"[store/store_error] {exc}") from exc
        gated.stored = {"store": ctx.effects.store.root, "content": committed.content_path,
                        "sidecar": committed.sidecar_path}
        return item
