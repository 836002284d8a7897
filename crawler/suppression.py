"""Suppressions: URLs and sites removed on request that later crawls must not store again.

``crawler purge --url/--site`` records a ``suppress`` event in the store beside the
deletion, and ``crawler unsuppress`` records the ``unsuppress`` event that lifts it. The
events fold into a :class:`Suppressions` set that the allow-list gate consults, so a
suppressed URL is not even requested (ledger reason ``suppressed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.jsonl import utcnow
from crawler.policy.hosts import normalize_host
from crawler.urlpath import canonical_path

URL, SITE = "url", "site"


def canonical_url(url: str) -> str:
    """The form suppressed URLs are compared in: lower-case scheme and host, no default
    port, the path normalised like every path rule (:mod:`crawler.urlpath`)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host = normalize_host(parts.hostname or "")
    except ValueError:
        host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) \
        else f"{host}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{scheme}://{netloc}{canonical_path(path)}"


def site_key(host: str) -> str:
    try:
        return normalize_host(host)
    except ValueError:
        return host.strip().lower()


def event(action: str, scope: str, value: str, reason: str) -> dict[str, Any]:
    """A ``suppress`` or ``unsuppress`` event for a URL or a site (host)."""
    if action not in ("suppress", "unsuppress") or scope not in (URL, SITE):
        raise ValueError(f"bad suppression event {action!r} {scope!r}")
    key = canonical_url(value) if scope == URL else site_key(value)
    return {"event": action, "scope": scope, "value": key, "reason": reason, "time": utcnow()}


@dataclass
class Suppressions:
    """The active suppressions: value -> the ``suppress`` event that is in force."""

    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def fold(cls, events: Iterable[dict[str, Any]]) -> Suppressions:
        """Fold events in time order: the last word on a URL or site wins."""
        out = cls()
        for ev in sorted(events, key=lambda e: str(e.get("time", ""))):
            table = out.urls if ev.get("scope") == URL else out.sites
            if ev.get("event") == "suppress":
                table[str(ev["value"])] = ev
            else:
                table.pop(str(ev.get("value")), None)
        return out

    def match(self, url: str) -> dict[str, Any] | None:
        """The suppression that covers ``url`` (its site's, or its own), if any."""
        found = None
        if self.sites:  # most stores have none: no parse of every request's URL then
            found = self.sites.get(site_key(urlsplit(url).hostname or ""))
        if found is None and self.urls:
            found = self.urls.get(canonical_url(url))
        return found

    def __len__(self) -> int:
        return len(self.urls) + len(self.sites)
