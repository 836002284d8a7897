"""License statements in HTTP headers: ``Link: <…>; rel="license"`` (RFC 8288)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urljoin

from crawler.signals.license_evidence import SCOPE_PAGE, SNIPPET_MAX, LicenseEvidence
from crawler.signals.licenses import canonicalize_url

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL_PARAM = re.compile(r""";\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))""", re.IGNORECASE)
_LICENSE_RELS = frozenset({"license", "cc:license", "dct:license", "dcterms:license",
                           "http://creativecommons.org/ns#license",
                           "http://purl.org/dc/terms/license", "xhv:license",
                           "http://www.w3.org/1999/xhtml/vocab#license"})


def header_values(headers: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """All values of a header, case-insensitively, from a name → values mapping."""
    lname = name.lower()
    return [v for k, values in headers.items() if k.lower() == lname for v in values]


def parse_link_header(value: str) -> Iterable[tuple[str, set[str]]]:
    """``<url>; rel="license next"`` pairs of (url, rel tokens), per RFC 8288."""
    for match in _LINK_PART.finditer(value):
        rels: set[str] = set()
        for rel in _REL_PARAM.finditer(match.group(2) or ""):
            rels.update((rel.group(1) or rel.group(2) or "").lower().split())
        yield match.group(1).strip(), rels


def from_headers(base_url: str, headers: Mapping[str, Sequence[str]], scope: str = SCOPE_PAGE,
                 assets: tuple[str, ...] = ()) -> list[LicenseEvidence]:
    """``Link: <…>; rel="license"`` statements; they license the response they came with."""
    found = []
    for value in header_values(headers, "Link"):
        for url, rels in parse_link_header(value):
            if rels & _LICENSE_RELS:
                absolute = urljoin(base_url, url)
                found.append(LicenseEvidence("http:link", "Link", value[:SNIPPET_MAX],
                                             absolute, canonicalize_url(absolute), scope,
                                             assets=assets, document=base_url,
                                             part="response"))
    return found
