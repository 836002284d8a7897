"""Spider middleware for the item gates (license now; opt-outs plug in here too).

It sees what the spider yields together with the response it came from, so the gates
reuse the parse Scrapy already made. A page that does not pass takes the images it
references with it: their requests are dropped (and recorded) before any fetch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.gates import license as license_gate
from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.scrapy_adapters.allowlist import META_KIND
from crawler.scrapy_adapters.context import ContextComponent
from crawler.signals import license_detect
from crawler.signals.license_detect import LicenseEvidence

META_PAGE_LICENSE = "compliance_page_license"
HTML_TYPES = ("text/html", "application/xhtml+xml")


class _PageState:
    """What the gates decided about the page a callback is working on."""

    def __init__(self) -> None:
        self.kept: bool | None = None
        self.license: LicenseEvidence | None = None
        self.url: str | None = None


class ItemGateMiddleware(ContextComponent):

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
            kept = self._judge(obj, response)
            if obj.kind == "page":
                state.kept, state.license, state.url = kept, obj.license, obj.url
            return kept
        if isinstance(obj, Request) and obj.meta.get(META_KIND) == "image":
            if state.kept is False:
                self.context.record(obj.url, Decision.deny(
                    license_gate.GATE, "page_excluded",
                    f"Referenced by {state.url}, which was not stored; images follow "
                    "their page.", page_url=state.url), kind="image")
                return False
            if state.license is not None:
                page = state.license
                obj.meta[META_PAGE_LICENSE] = replace(
                    page, channel="page", location=f"{state.url} {page.channel} {page.location}")
        return True

    def _judge(self, item: CorpusItem, response: Response) -> bool:
        policy = self.context.registry.for_host(urlsplit(item.url).hostname or "")
        if policy is None:  # only reachable for items a spider invents
            decision = Decision.deny(license_gate.GATE, "no_policy", "No policy for the item.")
            chosen = None
        elif not 200 <= item.status < 300:
            decision = Decision.deny(license_gate.GATE, "http_error",
                                     f"The server answered HTTP {item.status}.")
            chosen = None
        elif item.kind == "page" and not item.content_type.startswith(HTML_TYPES):
            decision = Decision.deny(license_gate.GATE, "unsupported_content",
                                     f"Pages must be HTML, not {item.content_type!r}.")
            chosen = None
        else:
            selector = response.selector if isinstance(response, TextResponse) else None
            found = license_detect.detect(item.url, item.headers,
                                          selector if item.kind == "page" else None)
            fallback: list[LicenseEvidence] = []
            page_license = response.meta.get(META_PAGE_LICENSE)
            if item.kind == "image" and policy.licenses.images_share_page_license and page_license:
                fallback.append(page_license)
            fallback += license_detect.from_policy(policy.licenses.default, policy.source)
            decision, chosen = license_gate.check(found, fallback, policy, self.context.purpose)
        self.context.record(item.url, decision, kind=item.kind,
                            policy=policy.name if policy else None)
        item.decisions.append(decision.summary())
        if not decision.allowed:
            return False
        item.policy = policy.name if policy else None
        item.license = chosen
        item.statements = decision.evidence.get("statements", [])
        return True
