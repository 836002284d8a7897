"""Which stored versions must go: retention periods, deletion requests, withdrawn consent.

Pure selection over the manifest view; :mod:`crawler.purge` applies it to a store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from crawler.policy.registry import PolicyRegistry

#: denials on a re-crawl that withdraw consent for what was stored from that URL
#: (``no_policy`` is not one: a crawl narrowed to some sites does not speak for the others;
#: items of a host that lost its policy expire in ``crawler purge --expired``)
WITHDRAWING_REASONS = frozenset({
    "tos_prohibited", "purpose_not_allowed", "path_denied", "path_not_allowed",
    "robots_disallowed", "robots_ai_optout", "robots_ai_preference_unknown",
    "optout", "optout_unknown",
})


def _committed(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["committed_at"].replace("Z", "+00:00"))


def expired(entries: Iterable[dict[str, Any]], registry: PolicyRegistry,
            now: datetime) -> list[tuple[dict[str, Any], str]]:
    """Versions older than their policy's retention period. Items of a host that no
    policy covers any more have no retention period left: they expire too."""
    out = []
    for entry in entries:
        policy = registry.for_host(entry["host"])
        if policy is None:
            out.append((entry, f"no policy covers {entry['host']} any more"))
        elif _committed(entry) + timedelta(days=policy.retention_days) <= now:
            out.append((entry, f"older than the {policy.retention_days}-day retention of "
                               f"policy {policy.name}"))
    return out


def for_site(entries: Iterable[dict[str, Any]], host: str) -> list[dict[str, Any]]:
    host = host.lower()
    return [e for e in entries if e["host"] == host]


def for_url(entries: Iterable[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    return [e for e in entries if e["url"] == url]


def prohibited_sites(entries: Iterable[dict[str, Any]], registry: PolicyRegistry,
                     purpose: str) -> list[tuple[dict[str, Any], str]]:
    """Stored versions whose site's reviewed ToS no longer permits the purpose."""
    out = []
    for entry in entries:
        if entry.get("purpose") != purpose:
            continue
        policy = registry.for_host(entry["host"])
        if policy is not None and not policy.tos.permits(purpose):
            out.append((entry, f"the ToS review of {policy.name} no longer permits {purpose}"))
    return out
