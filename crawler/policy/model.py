"""Site policy: a reviewed statement of what the crawler may do on one site.

Plain frozen dataclasses, built by :mod:`crawler.policy.loader` from YAML after
validation, so everything downstream can trust their shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from crawler import purposes
from crawler.pathpattern import PathPattern
from crawler.signals.license_patterns import LicenseSelector, compile_patterns
from crawler.signals.unversioned import lookup, selects
from crawler.urlpath import canonical_path


class Verdict(StrEnum):
    """Outcome of a terms-of-service review, for crawling and for AI training."""

    ALLOWED = purposes.ALLOWED
    RESEARCH_ONLY = purposes.RESEARCH_ONLY
    PROHIBITED = purposes.PROHIBITED


#: ports a policy allows unless it lists its own (``ports:``)
DEFAULT_PORTS = (80, 443)


@dataclass(frozen=True)
class ToSReview:
    url: str
    reviewed: date
    reviewer: str
    crawling: Verdict
    ai_training: Verdict
    notes: str = ""
    #: ``sha256:<hex>`` of the normalised main text of the terms page as reviewed
    #: (:mod:`crawler.signals.terms`); a crawl stops the site when the page no longer
    #: matches it. None: the terms page is not checked
    fingerprint: str | None = None

    def permits(self, purpose: str) -> bool:
        """True when both verdicts admit ``purpose``."""
        return all(purposes.verdict_permits(v, purpose) for v in (self.crawling, self.ai_training))


@dataclass(frozen=True)
class Rate:
    requests_per_second: float
    concurrency: int

    @property
    def min_gap(self) -> float:
        """Minimum seconds between two requests to the site, whichever of its hosts they go
        to (0 when unlimited)."""
        return 1.0 / self.requests_per_second if self.requests_per_second > 0 else 0.0


#: ``licenses.on_conflict`` values besides an SPDX id
ON_CONFLICT_EXCLUDE = "exclude"
ON_CONFLICT_MOST_RESTRICTIVE = "most_restrictive"

#: ``licenses.unversioned``: what a license statement without a version ("CC BY") is worth:
#: nothing (the default), the whole family (``CC-BY-*``), or the family's latest version
UNVERSIONED_REJECT = "reject"
UNVERSIONED_FAMILY = "family"
UNVERSIONED_ASSUME_LATEST = "assume-latest"
UNVERSIONED_MODES = (UNVERSIONED_REJECT, UNVERSIONED_FAMILY, UNVERSIONED_ASSUME_LATEST)


@dataclass(frozen=True)
class LicenseRules:
    #: purpose -> accepted license patterns, canonical (see
    #: :mod:`crawler.signals.license_patterns`): SPDX ids and ``<FAMILY>-*`` families
    accept: dict[str, frozenset[str]]
    #: SPDX id of a license the reviewed ToS grants site-wide, if any
    default: str | None = None
    #: whether images on the site share the page license (issue: image scope)
    images_share_page_license: bool = False
    #: a page that states conflicting licenses: "exclude" it (default), take the
    #: "most_restrictive" one, or let this SPDX id win when it is among them
    on_conflict: str = ON_CONFLICT_EXCLUDE
    #: a statement without a version: see :data:`UNVERSIONED_MODES`
    unversioned: str = UNVERSIONED_REJECT
    #: the site's license page, as the review names it (None: the one a page's footer
    #: links to, if any)
    page: str | None = None
    #: ``accept`` compiled once; raises LicensePatternError on an invalid pattern
    _selectors: dict[str, LicenseSelector] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_selectors", {
            purpose: compile_patterns(sorted(patterns))
            for purpose, patterns in self.accept.items()})

    def accepted(self, spdx: str, purpose: str) -> bool:
        """Matched by a pattern listed for ``purpose`` (a family taken as a license, such as
        ``CC-BY-*``, only when every member is listed); and never an NC license for a
        commercial purpose, whatever the list says (a policy that lists one, or an NC family
        such as ``CC-BY-NC-*``, loads, but the listing has no effect)."""
        selector = self._selectors.get(purpose)
        return (selector is not None and selects(selector, spdx)
                and purposes.license_permits(lookup(spdx), purpose))


@dataclass(frozen=True)
class SitePolicy:
    name: str
    source: str  # file path the policy came from
    sha256: str  # hash of the policy file (and defaults) that produced it
    version: str
    hosts: tuple[str, ...]
    tos: ToSReview
    purposes: frozenset[str]
    start_urls: tuple[str, ...]
    sitemaps: tuple[str, ...]
    allow_paths: tuple[PathPattern, ...]
    deny_paths: tuple[PathPattern, ...]
    rate: Rate
    licenses: LicenseRules
    retention_days: int
    #: TCP ports requests may go to
    ports: tuple[int, ...] = DEFAULT_PORTS
    #: how often ``crawler crawl --due`` crawls the site (None: every time)
    recrawl_every: timedelta | None = None
    #: the site leaves the corpus: nothing is requested and what is stored is withdrawn
    retired: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def purpose_allowed(self, purpose: str) -> bool:
        return purpose in self.purposes and self.tos.permits(purpose)

    def path_decision(self, path: str) -> tuple[bool, PathPattern | None]:
        """Longest matching allow/deny pattern decides; deny wins ties; no match = denied.

        ``path`` is a URL's path+query; it is normalised here like the patterns were."""
        path = canonical_path(path)
        best: tuple[int, bool, PathPattern | None] = (-1, False, None)
        for allowed, patterns in ((True, self.allow_paths), (False, self.deny_paths)):
            for pattern in patterns:
                if pattern.matches(path):
                    length = pattern.priority
                    if length > best[0] or (length == best[0] and not allowed):
                        best = (length, allowed, pattern)
        return best[1], best[2]
