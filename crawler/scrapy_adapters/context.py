"""What every compliance component of one crawl shares: policies, purpose, ledger, store."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import IgnoreRequest

from crawler.gates.allowlist import ROBOTS_PATH
from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.policy.registry import PolicyRegistry
from crawler.politeness import Politeness
from crawler.purge import Purger
from crawler.retention import WITHDRAWING_REASONS
from crawler.scrapy_adapters.meta import DECISIONS
from crawler.signals.site_file import SiteFile
from crawler.signals.site_files import SITE_FILES
from crawler.storage.base import Store
from crawler.suppression import Suppressions

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("crawler.compliance")


class Refused(IgnoreRequest):
    """A gate refused a request and recorded why (no other ledger line is needed)."""


@dataclass
class ComplianceContext:
    registry: PolicyRegistry
    purpose: str
    ledger: Ledger
    store: Store
    token: str
    run_id: str
    politeness: Politeness = field(default_factory=Politeness)
    purger: Purger | None = None
    #: requests made by the gates themselves to read control files (see control.py)
    internal: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)
    #: the items the item gates passed, by id: (the object the spider yielded, the gated
    #: corpus item to store for it). Kept alive, so an id is never reused while listed;
    #: the store pipeline takes nothing else and lets nothing else through to the feeds
    passed: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    #: url → versions stored for this crawl's purpose, so a re-crawl can withdraw them
    #: when consent is withdrawn (versions of other purposes are not this crawl's to touch)
    stored: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: URLs and sites removed on request: never requested or stored again until lifted
    suppressions: Suppressions = field(default_factory=Suppressions)
    #: the site-level files read for every origin: the built-in ones and the crawl's own
    site_files: tuple[SiteFile, ...] = SITE_FILES
    crawler: Crawler | None = field(default=None, repr=False)

    def index_stored(self) -> None:
        self.stored = {}
        for entry in self.store.entries():
            if self.purpose in entry.get("purposes", ()):
                self.stored.setdefault(entry["url"], []).append(entry)

    def record(self, url: str, decision: Decision, meta: dict[str, Any] | None = None,
               **context: Any) -> None:
        """Ledger line, stats counter and (for denials) a debug log line for one decision;
        with ``meta`` (a request's), the decision also joins the chain that the item's
        sidecar will show."""
        if meta is not None:
            meta.setdefault(DECISIONS, []).append(decision.summary())
        self.ledger.record(url, decision, purpose=self.purpose, **context)
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(
                f"compliance/{decision.gate}/{'allow' if decision.allowed else decision.reason}")
        if not decision.allowed:
            logger.debug("%s [%s/%s] %s", url, decision.gate, decision.reason, decision.sentence)
            if decision.reason in WITHDRAWING_REASONS and url in self.stored:
                self.withdraw(url, decision)

    def withdraw(self, url: str, decision: Decision) -> None:
        """What was stored from ``url`` for this purpose goes when the site now says no
        (consent withdrawn); what other purposes stored stays."""
        if self.purger is None:
            return
        for entry in self.stored.pop(url, []):
            self.purger.remove(entry, "consent_withdrawn", f"{decision.gate}/{decision.reason} "
                               f"on re-crawl: {decision.sentence}", purpose=self.purpose)

    @property
    def control_paths(self) -> tuple[str, ...]:
        """Paths the gates read, never store: robots.txt and every site file's."""
        return (ROBOTS_PATH, *(f.path for f in self.site_files))

    def attach(self, crawler: Crawler) -> None:
        """Make this the context of ``crawler`` (done by the addon that builds it)."""
        _CONTEXTS[crawler] = self

    @classmethod
    def of(cls, crawler: Crawler) -> ComplianceContext:
        context = _CONTEXTS.get(crawler)
        if context is None:
            raise RuntimeError("ComplianceAddon is not enabled (add it to the ADDONS setting)")
        return context


#: crawler -> its compliance context (weak: a finished crawler takes its context along)
_CONTEXTS: weakref.WeakKeyDictionary[Any, ComplianceContext] = weakref.WeakKeyDictionary()


class ContextComponent:
    """Base of the compliance middlewares and pipeline: built from the crawler's context."""

    def __init__(self, context: ComplianceContext):
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ComplianceContext.of(crawler))
