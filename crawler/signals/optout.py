"""Item opt-out signals (signals.md §B): read what a response says about AI use of it.

Pure: works on a header mapping (name → list of values, as Scrapy gives them), the parsel
``Selector`` Scrapy already built for a page, and the raw bytes of an image. No Scrapy, no
network. Every reader returns :class:`~crawler.signals.optout_types.OptOutSignal` values; the
opt-out gate (:mod:`crawler.gates.optout`) turns them into a decision. A signal is ``optout``,
``allowed`` or ``unknown`` (present but unreadable: fails closed); absence of a statement is no
signal.

The readers, each documenting the choices made where its sources leave room:

* noai / noimageai in ``X-Robots-Tag`` and robots meta elements: :mod:`crawler.signals.noai`;
* TDMRep header, meta and ``/.well-known/tdmrep.json``: :mod:`crawler.signals.tdmrep`;
* the Content-Usage header: :mod:`crawler.signals.content_usage`;
* XMP and C2PA statements embedded in images: :mod:`crawler.signals.image_optout`;
* ``/ai.txt``: :mod:`crawler.signals.aitxt`.

:func:`item_signals` gathers everything for one fetched item with a single pass over the meta
elements of a page. This module also re-exports the readers' public names, so
``crawler.signals.optout`` stays one import for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from parsel import Selector

from crawler.signals.content_usage import content_usage_header
from crawler.signals.image_optout import image_signals
from crawler.signals.noai import ROBOTS_DIRECTIVE_SIGNALS, robots_directives, robots_from_metas
from crawler.signals.optout_types import (
    ALLOWED,
    OPTOUT,
    SCOPE_ALL,
    SCOPE_IMAGES,
    UNKNOWN,
    OptOutSignal,
)
from crawler.signals.response_fields import page_metas
from crawler.signals.robots import path_from_url
from crawler.signals.site_file import ItemView, SiteFile
from crawler.signals.site_files import SITE_FILES
from crawler.signals.tdmrep import (
    TDMREP_URL,
    TdmRepFile,
    TdmRule,
    tdm_header,
    tdm_meta,
    tdmrep_effective,
    tdmrep_signals,
)

__all__ = [
    "ALLOWED",
    "OPTOUT",
    "ROBOTS_DIRECTIVE_SIGNALS",
    "SCOPE_ALL",
    "SCOPE_IMAGES",
    "TDMREP_URL",
    "UNKNOWN",
    "OptOutSignal",
    "TdmRepFile",
    "TdmRule",
    "content_usage_header",
    "image_signals",
    "item_signals",
    "robots_directives",
    "tdm_header",
    "tdm_meta",
    "tdmrep_effective",
    "tdmrep_signals",
]


def item_signals(kind: str, url: str, headers: Mapping[str, Sequence[str]] | None, *,
                 token: str, selector: Selector | None = None, body: bytes | None = None,
                 site_files: Iterable[tuple[SiteFile, Any]] | None = None,
                 honour_noindex: bool = False) -> list[OptOutSignal]:
    """Every opt-out signal for one fetched item: robots directives, Content-Usage, what each
    site file says (``site_files``: each :class:`SiteFile` with its parsed file for the
    item's origin, or None when the site has none; default: the built-in ones, none read,
    so TDMRep headers and meta still count) and, for an image, what its bytes embed.
    ``url`` may be a full URL or a path."""
    metas = page_metas(selector)
    found = robots_from_metas(headers, metas, token, honour_noindex)
    found += content_usage_header(headers)
    view = ItemView(kind, path_from_url(url), token, headers, metas)
    if site_files is None:
        site_files = [(site_file, None) for site_file in SITE_FILES]
    for site_file, parsed in site_files:
        found += site_file.signals(parsed, view)
    if kind == "image" and body is not None:
        found += image_signals(body)
    return found
