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

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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
from crawler.signals.tdmrep import (
    TDMREP_URL,
    TdmRepFile,
    TdmRule,
    tdm_header,
    tdm_meta,
    tdmrep_effective,
    tdmrep_from_metas,
    tdmrep_signals,
)

if TYPE_CHECKING:
    from crawler.signals.aitxt import AiTxt

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
                 tdmrep: TdmRepFile | None = None, ai_txt: AiTxt | None = None,
                 honour_noindex: bool = False) -> list[OptOutSignal]:
    """Every opt-out signal for one fetched item: robots directives, TDMRep (with the site's
    tdmrep.json if given), Content-Usage, ai.txt (if given) and, for an image, what its bytes
    embed. ``url`` may be a full URL or a path."""
    metas = page_metas(selector)
    path = path_from_url(url)
    found = robots_from_metas(headers, metas, token, honour_noindex)
    found += tdmrep_from_metas(headers, metas, tdmrep, path)
    found += content_usage_header(headers)
    if ai_txt is not None:
        from_ai_txt = ai_txt.signal_for(path, token)
        if from_ai_txt is not None:
            found.append(from_ai_txt)
    if kind == "image" and body is not None:
        found += image_signals(body)
    return found
