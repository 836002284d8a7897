"""Which stored versions must go: retention periods, deletion requests, withdrawn consent.

Pure selection over the manifest view; :mod:`crawler.purge` applies it to a store. A host
whose policy file is missing is never a reason to delete: :func:`uncovered_hosts` lets the
caller stop with an error instead; a site leaves the corpus only through ``retired: true``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from crawler.policy.registry import PolicyRegistry
from crawler.suppression import canonical_url

#: denials on a re-crawl that withdraw consent for what was stored from that URL
#: (``no_policy`` is not one: a missing policy file is a mistake to fix, never a withdrawal;
#: a site leaves through ``retired: true``). Withdrawal removes only what was stored for the
#: crawl's own purpose.
WITHDRAWING_REASONS = frozenset({
    "tos_prohibited", "purpose_not_allowed", "path_denied", "path_not_allowed",
    "robots_disallowed", "robots_ai_optout", "robots_ai_preference_unknown",
    "optout", "optout_unknown",
    # a 410: the page is gone for good; a license that no longer permits storing it
    "gone", "license_missing", "license_not_accepted", "license_unknown", "license_conflict",
    "license_reserved",
})


def _committed(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["committed_at"].replace("Z", "+00:00"))


def uncovered_hosts(entries: Iterable[dict[str, Any]], registry: PolicyRegistry) -> Counter[str]:
    """Hosts with stored versions that no policy covers (host -> versions)."""
    return Counter(e["host"] for e in entries if registry.for_host(e["host"]) is None)


def expired(entries: Iterable[dict[str, Any]], registry: PolicyRegistry,
            now: datetime) -> list[tuple[dict[str, Any], str]]:
    """Versions older than their policy's retention period, and every version of a
    retired policy. Hosts no policy covers are skipped (see :func:`uncovered_hosts`)."""
    out = []
    for entry in entries:
        policy = registry.for_host(entry["host"])
        if policy is None:
            continue
        if policy.retired:
            out.append((entry, f"policy {policy.name} is retired"))
        elif _committed(entry) + timedelta(days=policy.retention_days) <= now:
            out.append((entry, f"older than the {policy.retention_days}-day retention of "
                               f"policy {policy.name}"))
    return out


def for_site(entries: Iterable[dict[str, Any]], host: str) -> list[dict[str, Any]]:
    host = host.lower()
    return [e for e in entries if e["host"] == host]


def for_url(entries: Iterable[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    wanted = canonical_url(url)
    return [e for e in entries if canonical_url(e["url"]) == wanted]


def prohibited_sites(entries: Iterable[dict[str, Any]], registry: PolicyRegistry,
                     purpose: str) -> list[tuple[dict[str, Any], str]]:
    """Versions stored for ``purpose`` whose site's reviewed ToS no longer permits it."""
    out = []
    for entry in entries:
        if purpose not in entry.get("purposes", ()):
            continue
        policy = registry.for_host(entry["host"])
        if policy is not None and not policy.tos.permits(purpose):
            out.append((entry, f"the ToS review of {policy.name} no longer permits {purpose}"))
    return out


def retired_sites(entries: Iterable[dict[str, Any]],
                  registry: PolicyRegistry) -> list[tuple[dict[str, Any], str]]:
    """Every stored version (all purposes) of a site whose policy is retired."""
    out = []
    for entry in entries:
        policy = registry.for_host(entry["host"])
        if policy is not None and policy.retired:
            out.append((entry, f"policy {policy.name} is retired: the site left the corpus"))
    return out
