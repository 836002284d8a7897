"""A site-level file signal: a file read once per origin whose content bears on every item
of that origin (``/.well-known/tdmrep.json``, ``/ai.txt``, ...).

A :class:`SiteFile` says where the file lives, how to parse it, and which opt-out signals it
gives for one item. Fetching (through every gate, once per origin and TTL, fail closed:
an unreadable file excludes the origin's items), caching, the ledger lines and the exemption
of its path from ``allow_paths`` are the crawler's, the same for every site file; see
``docs/extending.md`` for adding one. A policy's terms page is read through the same fetch,
as a site file at one URL for the whole site (:func:`site_page`) that says nothing about
single items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.signals.optout_types import OptOutSignal
from crawler.signals.response_fields import Meta

__all__ = ["ItemView", "SiteFile", "SiteSignals", "no_signals", "site_page"]


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
    #: absolute path on the origin, e.g. ``/.well-known/tdmrep.json``; or, for a file that
    #: lives at one place for a whole site (a policy's terms page, :func:`site_page`), an
    #: absolute URL
    path: str
    #: ``(body, url) -> parsed file``; must never raise (a malformed file parses to something
    #: whose signals say ``unknown``)
    parse: Callable[[bytes, str], Any]
    #: ``(parsed file or None when the site has none, item) -> signals for that item``
    signals: Callable[[Any, ItemView], list[OptOutSignal]]

    @property
    def per_origin(self) -> bool:
        """Read at this path of every origin (else: read at :attr:`path`, a URL)."""
        return self.path.startswith("/")

    def location(self, origin: str) -> str:
        """The URL to read for ``origin`` (``scheme://host:port``)."""
        return origin + self.path if self.per_origin else self.path


def no_signals(_parsed: Any, _item: ItemView) -> list[OptOutSignal]:
    """The signals of a site file that says nothing about single items."""
    return []


def site_page(name: str, url: str, parse: Callable[[bytes, str], Any]) -> SiteFile:
    """A site file at one URL for a whole site, read for what it says about the site, not
    about single items (a policy's terms page)."""
    if url.startswith("/"):
        raise ValueError(f"a site page is named by its absolute URL, not {url!r}")
    return SiteFile(name, url, parse, no_signals)


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
