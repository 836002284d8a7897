"""What a license statement is recorded as, and which of a page's statements speak for an image.

Every statement found becomes one :class:`LicenseEvidence`, with

* ``role``: ``grant`` (the page, or an asset, is licensed under …), ``mention`` (a license named or
  linked in running text: recorded, never a grant) or ``notice`` (a copyright line, "All rights
  reserved", a rights-statement URL: recorded, never a conflict);
* ``scope``: ``page`` (the page text), ``asset`` (an embedded image: ``assets`` lists its URLs,
  ``*`` for "every image of the page", ``?`` for "some images of the page, not said which" (an
  exception such as "some images are licensed under …"), empty when the image is not
  identifiable), ``other`` (something else the page describes: a theme, code samples, a
  dataset, another work) or ``site`` (the reviewed policy's site-wide grant);
* ``part``: the part of the page the statement stands in and speaks for: ``response`` (an
  HTTP header), ``head`` (the document's metadata), ``site`` (the reviewed policy),
  ``footer``, ``sidebar``, ``widget``, ``license-box`` (a license or copyright element),
  ``address``, ``nav``, ``body`` (running text), ``figure``, ``caption`` (a caption or credit
  element), ``image`` (a credit line, a statement next to an image, an image's XMP),
  ``exception`` (an exception to the page's license), ``code`` (a code sample), ``comment``
  (CC's RDF in an HTML comment), ``attribute`` (a ``title``/``data-*`` attribute);

:class:`PageLicenses` picks, among a page's statements, those about one of its images. The
helpers at the end read a stated value and quote the page the same way in every channel.
Which grant wins when statements disagree is the license gate's decision
(:mod:`crawler.gates.license`), not made here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urldefrag, urljoin

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.licenses import (
    License,
    UnversionedCC,
    canonicalize_url,
    lookup_spdx,
    parse_license_ref,
)

GRANT: Final = "grant"
MENTION: Final = "mention"
NOTICE: Final = "notice"
SCOPE_PAGE: Final = "page"
SCOPE_ASSET: Final = "asset"
SCOPE_OTHER: Final = "other"
SCOPE_SITE: Final = "site"
#: ``assets`` entry meaning "every image of the page"
ALL_IMAGES: Final = "*"
#: ``assets`` entry meaning "some images of the page, not said which" (an exception)
SOME_IMAGES: Final = "?"
#: ``note`` of a notice that reserves all rights
RIGHTS_RESERVED: Final = lt.RIGHTS_RESERVED

#: longest quote of the page (or header, or packet) a record keeps
SNIPPET_MAX = 300
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LicenseEvidence:
    """One place where a license (or a notice) was stated, and what it canonicalised to."""

    channel: str  # http:link, html:a, html:link, html:meta, jsonld, microdata, rdfa, html:badge,
    #               html:cc-link, text, xmp:*, policy:default, page (the page's, for an image)
    location: str  # where in the channel: a path of elements, a header name, a JSON path
    snippet: str  # the exact text found (truncated)
    url: str  # the license URL as found, made absolute ("" when stated as a name)
    license: License | UnversionedCC | None
    scope: str = SCOPE_PAGE  # page | asset | other | site
    role: str = GRANT  # grant | mention | notice
    assets: tuple[str, ...] = ()  # for scope asset: the image URLs, "*" = every image
    document: str = ""  # URL of the document the statement is in
    note: str = ""  # why this role/scope, or the kind of notice
    creator: str = ""  # attribution name stated with the license (cc:attributionName, XMP)
    title: str = ""  # title stated with the license (dct:title, XMP dc:title)
    part: str = ""  # the part of the page it stands in and speaks for (see the module doc)
    #: the statement's own document takes some images out of this license (which ones is
    #: not said): no image takes it as its page's license
    media_excluded: bool = False

    def as_record(self) -> dict[str, object]:
        lic = self.license
        record: dict[str, object] = {
            "channel": self.channel, "location": self.location, "snippet": self.snippet,
            "url": self.url, "scope": self.scope, "role": self.role,
            "spdx": lic.spdx if isinstance(lic, License) else None,
            "canonical_url": lic.url if lic is not None else None,
        }
        if isinstance(lic, UnversionedCC):
            record["family"] = lic.family
        if self.assets:
            record["assets"] = list(self.assets)
        if self.document:
            record["document"] = self.document
        if self.note:
            record["note"] = self.note
        if self.creator:
            record["creator"] = self.creator
        if self.title:
            record["title"] = self.title
        if self.part:
            record["part"] = self.part
        if self.media_excluded:
            record["media_excluded"] = True
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LicenseEvidence:
        """The evidence :meth:`as_record` wrote (the license comes back from the tables), so
        evidence can travel as plain JSON, e.g. in a request's meta."""
        lic: License | UnversionedCC | None = None
        if record.get("spdx"):
            lic = lookup_spdx(record["spdx"])
            if lic is None:
                raise ValueError(f"unknown SPDX id in a license record: {record['spdx']!r}")
        elif record.get("family"):
            lic = UnversionedCC(record["family"], record["canonical_url"])
        return cls(record["channel"], record["location"], record["snippet"], record["url"], lic,
                   scope=record["scope"], role=record["role"],
                   assets=tuple(record.get("assets", ())), document=record.get("document", ""),
                   note=record.get("note", ""), creator=record.get("creator", ""),
                   title=record.get("title", ""), part=record.get("part", ""),
                   media_excluded=bool(record.get("media_excluded", False)))


@dataclass(frozen=True)
class PageLicenses:
    """Everything a page states: ``evidence`` for the page itself (all roles and scopes), and
    :meth:`for_image` for one of its images."""

    url: str
    evidence: tuple[LicenseEvidence, ...] = field(default_factory=tuple)

    def for_image(self, image_url: str) -> list[LicenseEvidence]:
        """Statements the page makes about this image: its figure/caption/credit, a JSON-LD or
        microdata ImageObject, RDFa about it; or, when there are none, statements about every
        image of the page ("photos on this blog are …"), and the exceptions about some of
        them ("some images are …", which the license gate weighs against the page's license).
        Never the page's own license."""
        target = norm_url(image_url)
        if lt.badge_license(target) is not None:
            return []  # a license badge is not an image of the page
        own = [e for e in self.evidence if e.scope == SCOPE_ASSET and target in e.assets]
        if any(e.role == GRANT for e in own):
            return own
        general = [e for e in self.evidence if e.scope == SCOPE_ASSET
                   and (ALL_IMAGES in e.assets or SOME_IMAGES in e.assets)]
        return own + general


# Which licenses statements grant


def license_key(lic: License | UnversionedCC) -> str:
    return lic.spdx if isinstance(lic, License) else lic.url


def distinct_licenses(known: Sequence[LicenseEvidence]) -> list[License | UnversionedCC]:
    """The different licenses that statements naming a known license grant: a version-less
    family that a versioned statement refines is not a second license."""
    distinct: dict[str, License | UnversionedCC] = {}
    for e in known:
        if e.license is not None:
            distinct.setdefault(license_key(e.license), e.license)
    versions = [lic for lic in distinct.values() if isinstance(lic, License)]
    families = [lic for lic in distinct.values() if isinstance(lic, UnversionedCC)
                and not any(lic.covers(v) for v in versions)]
    return [*versions, *families]


def takes_media_out(e: LicenseEvidence) -> bool:
    """Does ``e`` take some images out of a license without saying which ("figures reused
    from other sources don't fall under this license")?"""
    return e.role == GRANT and e.scope == SCOPE_ASSET and SOME_IMAGES in e.assets \
        and e.license is None


def media_exclusion(statements: Sequence[LicenseEvidence]) -> LicenseEvidence | None:
    """The first statement that takes some images out of a license, if any."""
    return next(filter(takes_media_out, statements), None)


def page_grant(statements: Sequence[LicenseEvidence]) -> tuple[LicenseEvidence | None, str]:
    """The statement of the one license a page grants its own text (a site's license page:
    the site license), or None and why there is none."""
    grants = [e for e in statements if e.role == GRANT and e.scope == SCOPE_PAGE
              and e.license is not None]
    licenses = distinct_licenses(grants)
    if len(licenses) != 1:
        names = sorted(lic.spdx if isinstance(lic, License) else lic.name for lic in licenses)
        return None, (f"it grants several licenses: {', '.join(names)}" if names
                      else "it grants no license for its own text")
    return next(e for e in grants if e.license == licenses[0]), ""


# Reading a stated value and quoting the page, the same way in every channel


def last_token(token: str) -> str:
    """``dcterms.license`` / ``cc:license`` / ``http://…#license`` → ``license``."""
    return re.split(r"[.:#/]", token.lower())[-1]


def clean_text(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return _SPACES.sub(" ", text).strip()


def snippet_of(el: Any) -> str:
    """The element's HTML (without its tail), cut to :data:`SNIPPET_MAX`."""
    try:
        html = etree.tostring(el, encoding="unicode", with_tail=False, method="html")
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return ""
    return html[:SNIPPET_MAX]


def absolute_url(base_url: str, href: str) -> str:
    """``href`` resolved against ``base_url`` (an absolute http(s) URL is kept as written)."""
    href = href.strip()
    if href.startswith(("https://", "http://")):
        return href
    return urljoin(base_url, href)


def resolve_value(base_url: str, value: str) -> tuple[str, License | UnversionedCC | None]:
    """A license given as a URL or a name → (URL as found, absolute; license)."""
    value = value.strip()
    if not value:
        return "", None
    if "/" in value and " " not in value:
        absolute = absolute_url(base_url, value)
        return absolute, canonicalize_url(absolute)
    names = lt.find_names(value)
    if names:
        return "", names[0].license
    if "creativecommons" in value.lower() or "archive.org/" in value:
        found = _url_in(value)
        if found:
            return found, canonicalize_url(found)
    return "", parse_license_ref(value) if len(value) <= 80 else None


_URL_IN = re.compile(r"(?:https?:)?//\S+")


def _url_in(value: str) -> str:
    """The first license URL inside a longer value ("Licensed under https://…/by/4.0/.")."""
    for m in _URL_IN.finditer(value):
        url = m.group(0).rstrip(".,;)\"'")
        if canonicalize_url(url) is not None:
            return url
    return ""


def norm_url(url: str) -> str:
    """The URL without its fragment: how image URLs are compared and listed in ``assets``."""
    return urldefrag(url.strip())[0]
