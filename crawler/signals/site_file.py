"""A site-level file signal: a file read once per origin whose content bears on every item
of that origin (``/.well-known/tdmrep.json``, ``/ai.txt``, ...).

A :class:`SiteFile` says where the file lives, how to parse it, and which opt-out signals it
gives for one item. Fetching (through every gate, once per origin and TTL, fail closed:
an unreadable file excludes the origin's items), caching, the ledger lines and the exemption
of its path from ``allow_paths`` are the crawler's, the same for every site file; see
``docs/extending.md`` for adding one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.signals.optout_types import OptOutSignal
from crawler.signals.response_fields import Meta

__all__ = ["ItemView", "SiteFile", "SiteSignals"]


@dataclass(frozen=True)
class ItemView:
    """What a site file may look at to speak about one item."""

    kind: str  # page | image
    path: str  # the item's path+query
    token: str  # the crawler's robots product token
    headers: Mapping[str, Sequence[str]] | None
    metas: Sequence[Meta]  # the page's <meta> elements (empty for images)


@dataclass(frozen=True)
class SiteFile:
    #: short name: the key of the parsed file in the site's signals, shown in the ledger
    name: str
    #: absolute path on the origin, e.g. ``/.well-known/tdmrep.json``
    path: str
    #: ``(body, url) -> parsed file``; must never raise (a malformed file parses to something
    #: whose signals say ``unknown``)
    parse: Callable[[bytes, str], Any]
    #: ``(parsed file or None when the site has none, item) -> signals for that item``
    signals: Callable[[Any, ItemView], list[OptOutSignal]]


@dataclass(frozen=True)
class SiteSignals:
    """One reading of an origin's site files."""

    origin: str
    fetched_at: float
    files: dict[str, Any] = field(default_factory=dict)  # site file name → parsed file
    errors: dict[str, str] = field(default_factory=dict)  # file → why it could not be read

    def expired(self, now: float, ttl: float, error_ttl: float) -> bool:
        return now - self.fetched_at >= (error_ttl if self.errors else ttl)

    def ref(self) -> dict[str, Any]:
        """This reading named in plain JSON, for a request's meta (see :meth:`is_ref`)."""
        return {"origin": self.origin, "fetched_at": self.fetched_at}

    def is_ref(self, ref: Any) -> bool:
        return ref == self.ref()
