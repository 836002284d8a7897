"""Spider middleware for the item gates (content, opt-outs, license).

It sees what the spider yields together with the response it came from, so the gates
reuse the parse Scrapy already made. A page that does not pass takes the images it
references with it: their requests are dropped (and recorded) before any fetch.

Whatever a spider yields as an item is judged: a :class:`~crawler.items.CorpusItem`
itself, any other item (dict, Scrapy ``Item``, dataclass, attrs, ...) through the corpus
item of its response (:func:`~crawler.scrapy_adapters.response_item.corpus_item`). Only
what passes is registered in ``context.passed``; the store pipeline, last of all
pipelines, drops anything else before it can reach storage or a feed export.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from typing import Any, Self
from urllib.parse import urlsplit

from itemadapter import ItemAdapter, is_item
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler.gates import item_chain
from crawler.gates import license as license_gate
from crawler.gates import optout as optout_gate
from crawler.gates.decision import Decision
from crawler.gates.item_chain import CONTENT_GATE
from crawler.items import CorpusItem
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext, ContextComponent, judged
from crawler.scrapy_adapters.license_page import named_reading
from crawler.scrapy_adapters.response_item import corpus_item, response_headers
from crawler.signals import license_detect
from crawler.signals import optout as optout_signals
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.site_file import SiteSignals

logger = logging.getLogger(__name__)



def prepare(response: TextResponse) -> None:
    """Do the item gates' costly reading of a page ahead of them: parse it and scan it for
    license statements (cached with the parsed document, which the gates reuse). A spider
    may call this off the reactor thread, so a huge page does not hold up other sites
    while the gates judge it (lxml lets go of the GIL while it parses and runs XPath)."""
    license_detect.from_markup(response.url, response.selector)


class _PageState:
    """What the gates decided about the page a callback is working on."""

    def __init__(self) -> None:
        self.kept: bool | None = None
        self.failed_gate: str | None = None
        self.media_optout = False
        self.license: LicenseEvidence | None = None
        self.url: str | None = None
        #: the response's own corpus item and its verdict, for items of the spider's own type
        self.judged: tuple[CorpusItem, bool] | None = None


class ItemGateMiddleware(ContextComponent):
    def __init__(self, context: ComplianceContext, honour_noindex: bool = False):
        super().__init__(context)
        self.honour_noindex = honour_noindex

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ComplianceContext.of(crawler),
                   crawler.settings.getbool("COMPLIANCE_HONOUR_NOINDEX"))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        state = _PageState()
        for obj in result:
            if self._pass(obj, response, state):
                yield obj

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        state = _PageState()
        async for obj in result:
            if self._pass(obj, response, state):
                yield obj

    def _pass(self, obj: Any, response: Response, state: _PageState) -> bool:
        if isinstance(obj, CorpusItem):
            return self._pass_item(obj, response, state)
        if not isinstance(obj, Request):  # any other item: judged as its response
            return self._pass_own_item(obj, response, state)
        for key in (meta.PAGE_LICENSE, meta.IMAGE_LICENSE):  # set here, never by a spider
            obj.meta.pop(key, None)
        if obj.meta.get(meta.KIND) == "image":
            if state.kept is None and isinstance(response, TextResponse):
                # an image asked for before (or without) its page item: the page's own
                # noai/noimageai still applies
                state.url = response.url
                state.media_optout = optout_gate.page_media_optout(optout_signals.item_signals(
                    "page", response.url, response_headers(response), token=self.context.token,
                    selector=response.selector, honour_noindex=self.honour_noindex))
            if state.media_optout:
                self.context.effects.record(obj.url, Decision.deny(
                    optout_gate.GATE, "optout",
                    f"Embedded in {state.url}, whose noai/noimageai removes its images.",
                    page_url=state.url, requested=False), kind="image")
                return False
            stated = (license_detect.image_evidence(response.selector, state.url or response.url,
                                                    obj.url)
                      if isinstance(response, TextResponse) else [])
            # images follow their page, except that a page which fails only for want of a
            # license of its own may still license its images ("photos on this blog ...")
            if state.kept is False and not (state.failed_gate == license_gate.GATE and stated):
                self.context.effects.record(obj.url, Decision.deny(
                    license_gate.GATE, "page_excluded",
                    f"Referenced by {state.url}, which was not stored and states no license "
                    "for it.", page_url=state.url), kind="image")
                return False
            if state.license is not None:
                page = state.license
                obj.meta[meta.PAGE_LICENSE] = replace(  # meta values are plain JSON
                    page, channel="page", location=f"{state.url} {page.channel} {page.location}"
                ).as_record()
            obj.meta[meta.IMAGE_LICENSE] = [evidence.as_record() for evidence in stated]
        return True

    def _verdict(self, item: CorpusItem, response: Response, state: _PageState) -> bool:
        kept = self._judge(item, response, state)
        if item.kind == "page":
            state.kept, state.license, state.url = kept, item.license, item.url
        return kept

    def _pass_item(self, item: CorpusItem, response: Response, state: _PageState) -> bool:
        kept = self._verdict(item, response, state)
        if kept:
            self.context.passed[id(item)] = (item, item, judged(item))
        return kept

    def _pass_own_item(self, obj: Any, response: Response, state: _PageState) -> bool:
        """A spider's own item stands or falls with its response's corpus item (judged
        once per response); one that names another URL than the response's is refused."""
        declared = ItemAdapter(obj).get("url") if is_item(obj) else None
        if declared is not None and str(declared) != response.url:
            self.context.effects.record(str(declared), Decision.deny(
                CONTENT_GATE, "not_from_response",
                f"The item names a URL that is not the URL fetched ({response.url}).",
                item_type=type(obj).__name__), kind="page")
            return False
        if state.judged is None:
            item = corpus_item(response)
            state.judged = (item, self._verdict(item, response, state))
        item, kept = state.judged
        if kept:
            self.context.passed[id(obj)] = (obj, item, judged(item))
        return kept

    def _judge(self, item: CorpusItem, response: Response, state: _PageState) -> bool:
        try:
            return self.__judge(item, response, state)
        except Exception as exc:  # a fault in a gate refuses the item, and says so
            logger.exception("item gates failed on %s", item.url)
            self.context.effects.record(item.url, Decision.deny(
                CONTENT_GATE, "gate_error", f"A gate failed on this item: {exc!r}."),
                kind=item.kind)
            return False

    def _site_signals(self, response: Response) -> SiteSignals | None:
        """The reading of the site files this response's request was allowed under; None
        when there was none (the opt-out gate then refuses: ``optout_unknown``)."""
        ref = response.meta.get(meta.SITE_SIGNALS)
        if not isinstance(ref, dict) or not isinstance(ref.get("origin"), str):
            return None
        return self.context.site_signals.find(ref["origin"], lambda site: site.is_ref(ref))

    def __judge(self, item: CorpusItem, response: Response, state: _PageState) -> bool:
        """Run the item gates (:data:`crawler.gates.item_chain.ITEM_GATES`) over what this
        response gives them; the first refusal ends the item's way."""
        ctx = self.context
        policy = ctx.registry.for_host(urlsplit(item.url).hostname or "")
        site = self._site_signals(response)
        read = site is not None
        case = item_chain.ItemCase(
            item, policy, ctx.purpose, ctx.token, response.url, ctx.control_paths,
            selector=(response.selector if isinstance(response, TextResponse)
                      and item.kind == "page" else None),
            site_files=[(f, site.files.get(f.name)) for f in ctx.site_files] if read else None,
            site_errors=site.errors if read else {}, honour_noindex=self.honour_noindex,
            page_license=(LicenseEvidence.from_record(response.meta[meta.PAGE_LICENSE])
                          if response.meta.get(meta.PAGE_LICENSE) else None),
            stated_image_licenses=tuple(LicenseEvidence.from_record(record) for record
                                        in response.meta.get(meta.IMAGE_LICENSE, ())),
            site_license=named_reading(ctx, response) if item.kind == "page" else None)

        def apply(decision: Decision) -> None:
            ctx.effects.decide(item.url, decision, kind=item.kind,
                               policy=policy.name if policy else None)
            item.decisions.append(decision.summary())

        refused = item_chain.judge(case, apply)
        if item.kind == "page" and case.media_optout:
            state.media_optout = True
        if refused is not None:
            if item.kind == "page":
                state.failed_gate = refused.gate
            return False
        assert policy is not None
        item.policy, item.license, item.statements = policy.name, case.chosen, case.statements
        item.license_notes = case.license_notes
        return True
