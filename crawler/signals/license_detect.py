"""Find license statements for a page or an image: markup, HTTP headers, the site policy.

Pure: works on a URL, a header mapping and a parsel selector (the parse Scrapy already
made), so it runs without Scrapy and without parsing the document again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from crawler.signals.licenses import License, UnversionedCC, canonicalize_url, lookup_spdx

#: elements whose rel="license" links license an embedded asset, not the page
_ASSET_CONTAINERS = ("figure", "figcaption")
_SNIPPET_MAX = 300
_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL_PARAM = re.compile(r""";\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class LicenseEvidence:
    """One place where a license was stated, and what it canonicalised to."""

    channel: str  # html:a, html:link, http:link, policy:default, page
    location: str  # where in the channel: a path of elements, a header name, a file
    snippet: str  # the exact text found (truncated)
    url: str  # the license URL as found, made absolute
    license: License | UnversionedCC | None
    scope: str = "page"  # page | asset

    def as_record(self) -> dict[str, object]:
        lic = self.license
        return {
            "channel": self.channel, "location": self.location, "snippet": self.snippet,
            "url": self.url, "scope": self.scope,
            "spdx": lic.spdx if isinstance(lic, License) else None,
            "canonical_url": lic.url if lic is not None else None,
        }


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


def _element_path(el: Selector) -> str:
    names = [a.root.tag for a in el.xpath("ancestor-or-self::*") if isinstance(a.root.tag, str)]
    return "/".join(names)


def from_headers(base_url: str, headers: Mapping[str, Sequence[str]]) -> list[LicenseEvidence]:
    found = []
    for value in header_values(headers, "Link"):
        for url, rels in parse_link_header(value):
            if "license" in rels:
                absolute = urljoin(base_url, url)
                found.append(LicenseEvidence("http:link", "Link", value[:_SNIPPET_MAX],
                                             absolute, canonicalize_url(absolute)))
    return found


def from_markup(base_url: str, selector: Selector) -> list[LicenseEvidence]:
    found = []
    for el in selector.xpath("//a[@rel][@href] | //link[@rel][@href] | //area[@rel][@href]"):
        rels = (el.attrib.get("rel") or "").lower().split()
        if "license" not in rels:
            continue
        href = urljoin(base_url, el.attrib["href"].strip())
        in_asset = bool(el.xpath(" | ".join(f"ancestor::{t}" for t in _ASSET_CONTAINERS)))
        found.append(LicenseEvidence(
            f"html:{el.root.tag}", _element_path(el), el.get()[:_SNIPPET_MAX], href,
            canonicalize_url(href), "asset" if in_asset else "page"))
    return found


def from_policy(spdx: str | None, policy_source: str) -> list[LicenseEvidence]:
    if not spdx:
        return []
    lic = lookup_spdx(spdx)
    return [LicenseEvidence("policy:default", policy_source, f"licenses.default: {spdx}",
                            lic.url if lic else "", lic)]


def detect(base_url: str, headers: Mapping[str, Sequence[str]],
           selector: Selector | None) -> list[LicenseEvidence]:
    """Every license statement in the response itself (headers first, then markup)."""
    found = from_headers(base_url, headers)
    if selector is not None:
        found += from_markup(base_url, selector)
    return found
