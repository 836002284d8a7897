"""Which URLs a sitemap may lead the crawl to.

Sitemaps come from two places: a policy's reviewed ``sitemaps:`` list and the ``Sitemap:``
lines of a site's robots.txt (RFC 9309 §2.2.4), which nobody reviewed: they may name any
host, and a sitemap may list any URL. So a sitemap is read *within one policy*, the one
that named it (through its ``sitemaps:`` or its host's robots.txt): the sitemap files
robots.txt names, the sitemaps an index names and the pages a sitemap lists are taken
only when they are on a host of that policy, on one of its ports and inside its allowed
paths. The others are not requested; they are counted, and each file that listed any
leaves one ledger line with the count (a sitemap of 50,000 URLs outside the paths is one
line, not 50,000). What is taken still meets every request gate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.gates.allowlist import request_path
from crawler.gates.decision import Decision
from crawler.policy.hosts import url_port
from crawler.policy.model import SitePolicy
from crawler.policy.registry import PolicyRegistry

GATE = "spider"
OUT_OF_SCOPE = "sitemap_out_of_scope"
OVER_LIMIT = "sitemap_limit"
#: sitemaps.org: a sitemap lists at most 50,000 URLs, an index at most 50,000 sitemaps;
#: entries past that are not read (a hostile 32 MiB sitemap could list 800,000)
MAX_ENTRIES = 50_000
#: skipped URLs quoted in the ledger line, as examples, each cut to this length
EXAMPLES = 5
EXAMPLE_LENGTH = 300


def in_scope(url: str, policy: SitePolicy | None, registry: PolicyRegistry) -> bool:
    """Is ``url`` on a host of ``policy`` (the same policy, not merely any), on one of its
    ports and inside its allowed paths (``allow_paths`` less ``deny_paths``)?"""
    if policy is None:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if registry.for_host(parts.hostname) is not policy or url_port(url) not in policy.ports:
        return False
    return policy.path_decision(request_path(url))[0]


@dataclass
class Selection:
    """The URLs a sitemap (or robots.txt) listed, split by :func:`select`."""

    #: in scope, in the order listed, each once
    taken: list[str] = field(default_factory=list)
    #: how many were out of scope, and the first few of them
    skipped: int = 0
    examples: list[str] = field(default_factory=list)


def select(urls: Iterable[str], policy: SitePolicy | None,
           registry: PolicyRegistry) -> Selection:
    """Split ``urls`` into those :func:`in_scope` of ``policy`` and the count of the rest."""
    selection = Selection()
    seen: set[str] = set()
    for url in urls:
        if in_scope(url, policy, registry):
            if url not in seen:
                seen.add(url)
                selection.taken.append(url)
        else:
            selection.skipped += 1
            if len(selection.examples) < EXAMPLES:
                selection.examples.append(url[:EXAMPLE_LENGTH])
    return selection


def skipped(selection: Selection, policy: SitePolicy | None, listing: str) -> Decision | None:
    """The one ledger line for the URLs out of scope that ``listing`` (a sitemap, or
    robots.txt) named; None when there were none."""
    if not selection.skipped:
        return None
    where = (f"policy {policy.name} (its hosts, ports and allowed paths)" if policy is not None
             else "any policy")
    return Decision.deny(
        GATE, OUT_OF_SCOPE,
        f"{selection.skipped} URL(s) listed in this {listing} are outside {where}: "
        "not requested.",
        not_taken=selection.skipped, examples=selection.examples,
        policy=policy.name if policy is not None else None)


def over_limit(excess: int, limit: int = MAX_ENTRIES) -> Decision | None:
    """The one ledger line for a sitemap's entries past ``limit``; None when there were
    none."""
    if excess <= 0:
        return None
    return Decision.deny(
        GATE, OVER_LIMIT,
        f"{excess} more entries of this sitemap were not read: a sitemap lists at most "
        f"{limit} (sitemaps.org).", limit=limit, not_taken=excess)
