"""What every compliance component of one crawl shares: policies, purpose, the effects
(ledger, store), the politeness limiter, the caches of robots.txt and site files, site
files, suppressions."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import IgnoreRequest

from crawler.compliance_settings import DEFAULTS
from crawler.fleet.worker import FleetWorker
from crawler.gates.allowlist import ROBOTS_PATH
from crawler.gates.robots import RobotsSnapshot
from crawler.policy.registry import PolicyRegistry
from crawler.politeness import Limiter, Politeness
from crawler.scrapy_adapters.effects import Effects
from crawler.scrapy_adapters.origin_cache import SignalCache, expiring
from crawler.signals.site_file import SiteFile, SiteSignals
from crawler.signals.site_files import SITE_FILES
from crawler.suppression import Suppressions

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.scrapy_adapters.guarded_resolver import GuardedResolver
    from crawler.summary import RunSummary

logger = logging.getLogger("crawler.compliance")


class Refused(IgnoreRequest):
    """A gate refused a request and recorded why (no other ledger line is needed)."""


@dataclass
class ComplianceContext:
    registry: PolicyRegistry
    purpose: str
    #: every ledger line, store write and removal of the crawl goes through it
    effects: Effects
    token: str
    run_id: str
    #: per-host request budget (in-process backend: :class:`~crawler.politeness.Politeness`)
    politeness: Limiter = field(default_factory=Politeness)
    #: readings of robots.txt and of the site files, per origin
    robots_cache: SignalCache[RobotsSnapshot] = field(default_factory=lambda: expiring(
        DEFAULTS["COMPLIANCE_ROBOTS_TTL"], DEFAULTS["COMPLIANCE_ROBOTS_ERROR_TTL"]))
    site_signals: SignalCache[SiteSignals] = field(default_factory=lambda: expiring(
        DEFAULTS["COMPLIANCE_ROBOTS_TTL"], DEFAULTS["COMPLIANCE_ROBOTS_ERROR_TTL"]))
    #: requests made by the gates themselves to read control files (see control.py)
    internal: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)
    #: the items the item gates passed, by id: (the object the spider yielded, the gated
    #: corpus item to store for it, what the gates judged: see :func:`judged`). Kept
    #: alive, so an id is never reused while listed; the store pipeline takes nothing else
    #: and lets nothing else through to the feeds
    passed: dict[int, tuple[Any, Any, tuple[Any, ...]]] = field(default_factory=dict)
    #: URLs and sites removed on request: never requested or stored again until lifted
    suppressions: Suppressions = field(default_factory=Suppressions)
    #: the site-level files read for every origin: the built-in ones and the crawl's own
    site_files: tuple[SiteFile, ...] = SITE_FILES
    #: the run's summary, once the engine has stopped (written by the addon with the report)
    summary: RunSummary | None = None
    #: this worker's place in a fleet (``COMPLIANCE_REDIS_URL``), or None
    fleet: FleetWorker | None = None
    #: the network-safety resolver (installed by the download handler)
    resolver: GuardedResolver | None = None
    crawler: Crawler | None = field(default=None, repr=False)

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


def judged(item: Any) -> tuple[Any, ...]:
    """What the gates judged of a corpus item: its URL, body, policy and license (the
    objects themselves, so a pipeline that swaps one after the gates is caught)."""
    return (item.url, item.body, item.policy, item.license)


#: crawler -> its compliance context (weak: a finished crawler takes its context along)
_CONTEXTS: weakref.WeakKeyDictionary[Any, ComplianceContext] = weakref.WeakKeyDictionary()


class ContextComponent:
    """Base of the compliance middlewares and pipeline: built from the crawler's context."""

    def __init__(self, context: ComplianceContext):
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(ComplianceContext.of(crawler))
