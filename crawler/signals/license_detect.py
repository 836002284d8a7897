"""Find license statements for a page or an image: markup, text, HTTP headers, XMP, the policy.

Pure: works on a URL, a header mapping, a parsel selector (the parse Scrapy already made) or an
image's bytes, so it runs without Scrapy and without parsing the document again.

The entry points are here: :func:`detect` (a response's headers and markup),
:func:`image_evidence` (what a page says about one of its images), :func:`detect_image` (an
image response's headers and XMP) and :func:`from_policy` (the reviewed site-wide grant). The
work is done in

* :mod:`~crawler.signals.license_evidence`: the :class:`LicenseEvidence` record (its role,
  scope and part), and which of a page's statements speak for an image;
* :mod:`~crawler.signals.license_headers`, :mod:`~crawler.signals.license_xmp`: the ``Link``
  header, an image's XMP packet;
* :mod:`~crawler.signals.license_markup`: ``rel``, RDFa, microdata, Dublin Core ``<meta>``, CC
  links and badges, and the scan of a page; :mod:`~crawler.signals.license_jsonld` (JSON-LD,
  JSON in ``data-*`` attributes), :mod:`~crawler.signals.license_attrs` (CC RDF in comments,
  ``title``/``aria-label``/``data-*`` attributes);
* :mod:`~crawler.signals.license_rawindex`, :mod:`~crawler.signals.license_locate`: what the
  raw HTML says before any walk of the tree, and the elements at its places;
* :mod:`~crawler.signals.license_prose`: names, grant sentences, notices and credits in text,
  through :mod:`~crawler.signals.license_names` (license names in every language of the
  phrase table, :mod:`~crawler.signals.license_phrases`) and the one grant matcher,
  :mod:`~crawler.signals.license_grammar`;
* :mod:`~crawler.signals.license_scope`, :mod:`~crawler.signals.license_regions`,
  :mod:`~crawler.signals.license_blocks`: which part of the page a statement covers.

A page's scan is cached (weakly) for the :func:`image_evidence` calls of its images; image
credits (text-only captions) are read once per page, by the first of those calls.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from parsel import Selector

from crawler.signals.license_evidence import (
    ALL_IMAGES,
    GRANT,
    MENTION,
    NOTICE,
    RIGHTS_RESERVED,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SCOPE_SITE,
    SOME_IMAGES,
    LicenseEvidence,
    PageLicenses,
    absolute_url,
    norm_url,
)
from crawler.signals.license_headers import from_headers, header_values, parse_link_header
from crawler.signals.license_markup import PageScan
from crawler.signals.license_names import find_names
from crawler.signals.license_prose import ProseScan
from crawler.signals.license_rawindex import ascii_compatible
from crawler.signals.license_scope import credit_text
from crawler.signals.license_xmp import XmpLike, from_xmp
from crawler.signals.licenses import lookup_spdx

__all__ = [
    "ALL_IMAGES",
    "DETECTOR_VERSION",
    "GRANT",
    "MENTION",
    "NOTICE",
    "RIGHTS_RESERVED",
    "SCOPE_ASSET",
    "SCOPE_OTHER",
    "SCOPE_PAGE",
    "SCOPE_SITE",
    "SOME_IMAGES",
    "LicenseEvidence",
    "PageLicenses",
    "XmpLike",
    "detect",
    "detect_image",
    "forget",
    "from_headers",
    "from_markup",
    "from_policy",
    "from_xmp",
    "header_values",
    "image_evidence",
    "parse_link_header",
]

#: bump when detection rules change: recorded in every sidecar next to the evidence
DETECTOR_VERSION: Final = "3.1"


@dataclass
class _Scanned:
    """A page's scan, cached: its URL, the base URL its links resolve against, its evidence,
    and (after the first :func:`image_evidence` call) its asset statements. Holds no element
    of the tree, so the cache never keeps a document alive."""

    url: str
    base: str
    evidence: tuple[LicenseEvidence, ...]
    assets: tuple[LicenseEvidence, ...] | None = None


_CACHE: weakref.WeakKeyDictionary[Any, _Scanned] = weakref.WeakKeyDictionary()


def _evidence_key(e: LicenseEvidence) -> tuple[object, ...]:
    return (e.channel, e.location, e.snippet, e.license, e.role)


def _raw_html(selector: Any) -> tuple[bytes | str | None, str | None]:
    """The HTML a selector was parsed from, if at hand: the response body and its encoding
    (Scrapy's selectors keep their response; bytes are searched fastest), else the text
    (parsel keeps it)."""
    response = getattr(selector, "response", None)
    body = getattr(response, "body", None)
    encoding = getattr(response, "encoding", None)
    if isinstance(body, bytes) and body and isinstance(encoding, str) \
            and ascii_compatible(encoding):
        return body, encoding
    text = getattr(selector, "_text", None)
    if not isinstance(text, str):
        text = getattr(response, "text", None)
    return (text, None) if isinstance(text, str) and text else (None, None)


def _root_of(selector: Selector | None) -> Any:
    root = getattr(selector, "root", None)
    if root is None or not hasattr(root, "tag") or not hasattr(root, "xpath"):
        return None
    return root


@cache
def warm() -> None:
    """Load the phrase table and compile the name grammar (once per process, on the first
    page, and before a benchmark times anything)."""
    find_names("Creative Commons Attribution 4.0 International")
    credit_text()


def _scanned(base_url: str, selector: Selector | None) -> _Scanned | None:
    """The page's scan, done once per parsed document (cached weakly by its root element) so
    :func:`detect` and :func:`image_evidence` share it."""
    warm()
    root = _root_of(selector)
    if root is None:
        return None
    cached = _CACHE.get(root)
    if cached is not None and cached.url == base_url:
        return cached
    scan = PageScan(base_url, root)
    raw, encoding = _raw_html(selector)
    found = tuple(scan.scan(raw, encoding))
    cached = _CACHE[root] = _Scanned(base_url, scan.base, found)
    return cached


def forget(selector: Selector | None) -> None:
    """Drop the cached scan of a parsed page (a benchmark times the scan again)."""
    root = _root_of(selector)
    if root is not None:
        _CACHE.pop(root, None)


def _markup(base_url: str, selector: Selector | None) -> tuple[LicenseEvidence, ...]:
    cached = _scanned(base_url, selector)
    return cached.evidence if cached is not None else ()


def detect(base_url: str, headers: Mapping[str, Sequence[str]],
           selector: Selector | None) -> list[LicenseEvidence]:
    """Every license statement in the response itself (headers first, then markup)."""
    return [*from_headers(base_url, headers), *_markup(base_url, selector)]


def from_markup(base_url: str, selector: Selector) -> list[LicenseEvidence]:
    """The markup part of :func:`detect`."""
    return list(_markup(base_url, selector))


def image_evidence(selector: Selector, page_url: str, image_url: str) -> list[LicenseEvidence]:
    """Asset-scoped statements that the page at ``page_url`` makes about ``image_url`` (its
    figure, caption or credit line; a JSON-LD/microdata ImageObject; RDFa about it; or a
    statement about all the page's images), to be carried with the image request and passed,
    with :func:`detect_image`, as the image's own statements. Never the page's own license
    (that is ``images_share_page_license``'s business). The first call for a page also reads
    its figures and credit lines for text-only credits ("Photo: J. Doe, CC BY 2.0")."""
    cached = _scanned(page_url, selector)
    if cached is None:
        return []
    if cached.assets is None:
        scan = ProseScan(page_url, _root_of(selector))  # credits are text: no markup pass
        scan.base = cached.base
        known = {_evidence_key(e) for e in cached.evidence}
        extra = [e for e in scan.asset_texts() if _evidence_key(e) not in known]
        cached.assets = tuple(e for e in (*cached.evidence, *extra) if e.scope == SCOPE_ASSET)
    if not cached.assets:
        return []
    return PageLicenses(page_url, cached.assets).for_image(absolute_url(page_url, image_url))


def detect_image(url: str, headers: Mapping[str, Sequence[str]],
                 body: bytes | None) -> list[LicenseEvidence]:
    """The image response's own statements: ``Link: rel=license`` and XMP (asset scope)."""
    found = from_headers(url, headers, SCOPE_ASSET, (norm_url(url),))
    if body:
        try:
            from crawler.signals.xmp import extract_xmp, parse_xmp
        except ImportError:  # pragma: no cover - the XMP module ships with the crawler
            return found
        packet = extract_xmp(body)
        if packet is not None:
            found += from_xmp(parse_xmp(packet), url)
    return found


def from_policy(spdx: str | None, policy_source: str) -> list[LicenseEvidence]:
    """The license a reviewed ToS grants site-wide (``licenses.default``), as evidence."""
    if not spdx:
        return []
    lic = lookup_spdx(spdx)
    return [LicenseEvidence("policy:default", policy_source, f"licenses.default: {spdx}",
                            lic.url if lic else "", lic, SCOPE_SITE,
                            note="site-wide grant of the reviewed terms of service",
                            part="site")]
