"""License statements in a page's markup, and the scan that reads a page.

Where a page states licenses in markup (signals.md, section C): ``rel`` tokens on
``a``/``link``/``area`` (``license``, ``cc:license``, ``dct:license``), JSON-LD ``license``
(:mod:`crawler.signals.license_jsonld`), microdata ``itemprop="license"``, RDFa
``property``/``rel`` ``cc:license``/``dct:license``, Dublin Core ``<meta>`` (``dcterms.license``,
``DC.rights``), plain links to a CC license (also through a web archive) and CC badge images
when the context makes them a statement, CC's RDF in an HTML comment and licenses named in
``title``/``aria-label``/``data-*`` attributes (:mod:`crawler.signals.license_attrs`).
:meth:`PageScan.scan` reads these, then the text around them
(:class:`~crawler.signals.license_prose.ProseScan`).

Cost: the head's children are read directly; a few ``find`` passes over the raw HTML
(:class:`~crawler.signals.license_rawindex.RawIndex`) tell which body attributes hold a
license word, how many CC URLs the page holds and how often its text says a marker; one
attribute step per attribute kind that needs it, one ``script`` step for JSON-LD; plain CC
links and badge images are looked for only when the raw HTML holds CC URLs that the statements
found so far do not account for; text is read around the statements found, and elsewhere only
when the page's text holds the markers more often than that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_attrs import attribute_statements, comment_statements
from crawler.signals.license_evidence import (
    GRANT,
    MENTION,
    SCOPE_OTHER,
    SCOPE_PAGE,
    LicenseEvidence,
    clean_text,
    last_token,
    resolve_value,
    snippet_of,
)
from crawler.signals.license_jsonld import jsonld_script
from crawler.signals.license_locate import Lines
from crawler.signals.license_prose import ProseScan, page_markers
from crawler.signals.license_rawindex import RawIndex
from crawler.signals.license_scope import STRUCTURAL
from crawler.signals.licenses import License, canonicalize_url

# Attribute and name-test steps are cheap in libxml2; a predicate evaluated on every node is not
# (≈0.2 µs a node), so the page is read with few such steps and filtered in Python, and the raw
# HTML (when the selector has it) tells which steps can be skipped.
# (when the raw HTML said which attributes hold "licen…", without it)
_SAYS_LICENSE = ("[contains(., 'icen') or contains(., 'ICEN')]",
                 "[contains(., 'icen') or contains(., 'ICEN') or "
                 "contains(., 'ights') or contains(., 'IGHTS')]")
_REL_ATTRS = tuple(etree.XPath("descendant::*/@rel" + p) for p in _SAYS_LICENSE)
_PROPERTY_ATTRS = tuple(etree.XPath("descendant::*/@property" + p) for p in _SAYS_LICENSE)
_ITEMPROP_ATTRS = tuple(etree.XPath("descendant::*/@itemprop" + p) for p in _SAYS_LICENSE)
_METAS = etree.XPath("descendant::meta")
_JSONLD = etree.XPath("descendant::script[contains(@type, 'ld+json')]")
_CC_HREFS = etree.XPath("descendant::a/@href[contains(., 'creativecommons.org/')]")
_LINK_HREFS = etree.XPath("descendant::a/@href")
_BADGE_IMGS = etree.XPath("descendant::img[contains(@src, 'creativecommons.org/') or "
                          "contains(@src, 'licensebuttons.')]")
#: size of the raw HTML (bytes, or characters when only the text is at hand) from which
#: the elements at its hits are found through their lines; below, one XPath pass over the
#: tree costs less (dev set: 0.07 against 0.25 ms per page under 32 KB, 0.21 against
#: 0.35 ms at 64-128 KB), above it costs more (0.29 against 0.12 ms at 128-256 KB)
LINES_FROM = 128 * 1024
_CC_TAGS = etree.XPath("descendant::a[contains(@href, 'creativecommons.org/')] | "
                       "descendant::img[contains(@src, 'creativecommons.org/') or "
                       "contains(@src, 'licensebuttons.')]")


def _says_license(el: Any, kind: str) -> bool:
    """Does the element's ``kind`` attribute (any ``data-*`` one for "data") hold a license
    word?"""
    if kind != "data":
        return any(m in (el.get(kind) or "").lower() for m in _ATTR_MARKS)
    return any(name.startswith("data-") and ("licen" in name or any(
        m in value.lower() for m in _ATTR_MARKS)) for name, value in el.attrib.items())


_ATTR_MARKS = ("licen", "lizen", "commons", "cc by", "cc-by", "cc0", "иценз", "ライセンス",
               "许可", "授", "라이선스")


def _names_rights(el: Any) -> bool:
    """Does a ``<link>`` or ``<meta>`` say (``rel``, ``name``, ``property``, ``itemprop``)
    that it states a license, the rights or the copyright?"""
    get = el.get
    said = f"{get('rel') or ''} {get('name') or ''} {get('property') or ''} " \
           f"{get('itemprop') or ''}".lower()
    return "licen" in said or "rights" in said or "copyright" in said


def _cc_tag(el: Any) -> bool:
    """A link to a CC URL, or a CC badge image."""
    if el.tag == "a":
        return "creativecommons.org/" in (el.get("href") or "")
    src = el.get("src") or "" if el.tag == "img" else ""
    return "creativecommons.org/" in src or "licensebuttons." in src


def _text_of(el: Any) -> str:
    return clean_text("".join(el.itertext()))[:2000]


def _cc_attribution(el: Any) -> tuple[str, str]:
    """cc:attributionName and dct:title in the CC chooser markup around a license link."""
    parent = el.getparent()
    if parent is None or parent.tag in STRUCTURAL:
        return "", ""
    creator = title = ""
    for node in islice(parent.iter(), 80):
        prop = node.get("property") or ""
        if not creator and "attributionName" in prop:
            creator = clean_text(node.get("content") or "".join(node.itertext()))
        elif not title and prop.endswith(":title"):
            title = clean_text(node.get("content") or "".join(node.itertext()))
    return creator[:200], title[:200]


def _cc_urls_in(el: Any) -> int:
    if el.tag == "script":
        return (el.text or "").count("creativecommons.org/")
    return sum(v.count("creativecommons.org/") for v in el.attrib.values())


def _key(lic: License | UnversionedCC | None) -> str:
    return lic.spdx if isinstance(lic, License) else lic.url if lic is not None else ""


class PageScan(ProseScan):
    """One page's analysis: every statement in its markup and text, its role, scope and assets."""

    def __init__(self, base_url: str, root: Any):
        super().__init__(base_url, root)
        self.jsonld_count = 0
        self.cc_held = 0  # CC URLs in the head statements

    # --- scan ----------------------------------------------------------------------------
    def scan(self, raw: bytes | str | None = None, encoding: str | None = "utf-8"
             ) -> list[LicenseEvidence]:
        """Read the page. ``raw`` (the HTML the tree was parsed from: the response body, or
        its text), when given, lets the scan skip the steps for statements the page cannot
        contain; ``encoding``: the body's."""
        root = self.root
        index = (RawIndex(raw, page_markers(root), encoding, lt.find_names)
                 if raw is not None else None)
        lines = Lines(root, index.low) if index is not None else None
        seen: set[Any] = set()
        hits: list[Any] = []

        def add(el: Any) -> None:
            if el is not None and el not in seen:
                seen.add(el)
                hits.append(el)

        head = root.find("head") if root.tag == "html" else None
        head_jsonld: list[Any] = []
        for el in head if head is not None else ():
            tag = el.tag
            if tag == "base" and el.get("href"):
                self.base = urljoin(self.base, el.get("href").strip())
            elif tag in ("link", "meta") and _names_rights(el):
                self.head_statement(el)
                seen.add(el)
            elif tag == "script" and "ld+json" in (el.get("type") or ""):
                head_jsonld.append(el)
        for attrs, kind in ((_REL_ATTRS, "rel"), (_PROPERTY_ATTRS, "property"),
                            (_ITEMPROP_ATTRS, "itemprop")):
            if index is None:
                for value in attrs[1](root):
                    add(value.getparent())
            elif kind in index.kinds and lines is not None:
                for el in self.located(index, lines, kind, lambda e, k=kind: "icen" in (
                        e.get(k) or "").lower(), attrs[0]):
                    add(el)
        if index is None or "name" in index.kinds:
            for el in _METAS(root):
                if el.get("name") and el not in seen:
                    seen.add(el)
                    self.meta(el)
        for el in _JSONLD(root) if index is None or index.body_jsonld else head_jsonld:
            add(el)
        # plain links to a CC license, and badges, when the raw HTML holds more CC URLs than
        # the statements above
        more_cc = index is None or index.cc_urls > self.cc_held + sum(
            _cc_urls_in(el) for el in hits)
        if index is not None and lines is not None and (more_cc or index.badges):
            for el in self.located(index, lines, "cc", _cc_tag, _CC_TAGS):
                add(el)
        else:
            if more_cc:
                for href in _CC_HREFS(root):
                    add(href.getparent())
                for img in _BADGE_IMGS(root):
                    add(img)
        for el in hits:
            try:
                self.hit(el)
            except (ValueError, TypeError):  # pragma: no cover - malformed attributes
                continue
        if index is None or index.comment_rdf:
            comment_statements(self)
        attribute_statements(self, index.kinds if index is not None else None, seen,
                             self.located_attrs(index, lines))
        self.texts(root, hits, index, lines)
        self.settle()
        return self.out

    def located(self, index: RawIndex, lines: Lines, kind: str, test: Callable[[Any], bool],
                step: Callable[[Any], list[Any]]) -> list[Any]:
        """The elements whose ``kind`` attribute the raw HTML found a marker (or, for "cc",
        a CC URL) in, through their lines; by the XPath ``step`` on a small page, or when
        lines cannot tell."""
        found = None if self._walk_cheaper(index) else lines.elements_at(
            index.tags.get(kind, []), test)
        if found is not None:
            return found
        return [v.getparent() if isinstance(v, str) else v for v in step(self.root)]

    @staticmethod
    def _walk_cheaper(index: RawIndex) -> bool:
        """Is one XPath pass over the tree cheaper than finding elements through their lines
        (a small page, or too many hits to follow)?"""
        return index.tags_overflow or len(index.low) < LINES_FROM

    def located_attrs(self, index: RawIndex | None, lines: Lines | None
                      ) -> dict[str, list[Any]] | None:
        """The elements with a license word in a text-like attribute, found through their
        lines (None: let :func:`attribute_statements` walk the tree)."""
        if index is None or lines is None or self._walk_cheaper(index):
            return None
        found: dict[str, list[Any]] = {}
        for kind in ("title", "aria-label", "data"):
            if kind in index.kinds:
                els = lines.elements_at(index.tags.get(kind, []),
                                        lambda e, k=kind: _says_license(e, k))
                if els is None:
                    return None
                found[kind] = els
        return found

    def settle(self) -> None:
        """A bare license line (no grant wording, no markup) that repeats a license the page
        states for something else ("the dataset is available under CC BY-NC-SA 4.0" … footer:
        "CC BY-NC-SA 4.0") cannot be told from a reminder of that one: it is a mention."""
        others = {_key(e.license): e.note for e in self.out
                  if e.role == GRANT and e.scope == SCOPE_OTHER and e.license is not None
                  and "stated for" in e.note}
        if not others:
            return
        for i in self.weak:
            e = self.out[i]
            if e.role == GRANT and e.scope == SCOPE_PAGE and _key(e.license) in others:
                self.out[i] = dataclasses.replace(
                    e, role=MENTION, note=f"{e.note}; the license the page states for "
                    f"something else ({others[_key(e.license)]}), not a grant of the page")

    # --- channels ------------------------------------------------------------------------
    def hit(self, el: Any) -> None:
        """One element the scan found, read by what it says: ``rel``/RDFa/microdata license
        or rights, a ``<meta name>``, JSON-LD, a plain CC link, a badge."""
        tag = el.tag
        if tag == "script":
            jsonld_script(self, el)
            return
        if tag == "meta" and el.get("name"):
            self.meta(el)
            return
        rels = (el.get("rel") or "").split()
        props = (el.get("property") or "").split()
        itemprops = (el.get("itemprop") or "").split()
        if any(last_token(t) == "license" for t in rels):
            href = el.get("href") or el.get("resource") or el.get("src") or ""
            channel = f"html:{tag}" if tag in ("a", "link", "area") else "rdfa"
            self.link_statement(el, channel, href, explicit=True)
        elif any(last_token(t) == "license" for t in props):
            self.value_statement(el, "rdfa", el.get("resource") or el.get("href")
                                 or el.get("src") or el.get("content"))
        elif any(t.lower() == "license" for t in itemprops):
            value = None
            if tag in ("a", "link", "area"):
                value = el.get("href")
            elif tag == "meta":
                value = el.get("content")
            elif tag in ("img", "source", "audio", "video", "embed"):
                value = el.get("src")
            elif tag in ("data", "meter"):
                value = el.get("value")
            self.value_statement(el, "microdata", value)
        elif any(last_token(t) == "rights" for t in (*rels, *props)):
            value = el.get("resource") or el.get("href") or el.get("content")
            self.value_statement(el, "rdfa", value, rights=True)
        elif tag == "a":
            href = el.get("href") or ""
            absolute = self.url(href)
            lic = canonicalize_url(absolute)
            if lic is not None:
                badge = any(lt.badge_license(i.get("src") or "") for i in el.iter("img"))
                self.emit("html:badge" if badge else "html:cc-link", el, absolute, lic,
                          explicit=badge)
        elif tag == "img":
            src = el.get("src") or ""
            lic = lt.badge_license(self.url(src))
            if lic is None:
                return
            for anc in el.iterancestors("a"):
                if (any(last_token(t) == "license" for t in (anc.get("rel") or "").split())
                        or "creativecommons.org/" in (anc.get("href") or "")):
                    return  # the link around the badge is the statement
                break
            self.emit("html:badge", el, self.url(src), lic, explicit=True)

    def link_statement(self, el: Any, channel: str, href: str, explicit: bool) -> None:
        absolute = self.url(href) if href else ""
        lic = canonicalize_url(absolute) if absolute else None
        note = ""
        if (lic is None or isinstance(lic, UnversionedCC)) and el.tag in ("a", "area"):
            names = lt.find_names(_text_of(el))
            named = names[0].license if names else None
            if named is not None and (lic is None or (isinstance(named, License)
                                                      and named.url.startswith(lic.url))):
                lic, note = named, "license named by the link text"
        creator, title = _cc_attribution(el)
        self.emit(channel, el, absolute, lic, explicit, note=note, creator=creator, title=title)

    def value_statement(self, el: Any, channel: str, value: str | None,
                        rights: bool = False) -> None:
        if value is None:  # an empty container: the license link inside it, else its text
            inner = next((h for h in _LINK_HREFS(el) if canonicalize_url(self.url(h))), None)
            value = self.url(inner) if inner else _text_of(el)
        url, lic = resolve_value(self.base, value)
        if rights and lic is None:
            block = self.block_of(el.getparent() if el.getparent() is not None else el)
            kind = lt.notice_kind(value) or "rights statement"
            self.notice(channel, self.ctx(el).path, snippet_of(el), kind, url,
                        *self.notice_scope(el, block))
            return
        self.emit(channel, el, url, lic, explicit=True)

    def head_statement(self, el: Any) -> None:
        """A ``<link>`` or ``<meta>`` of the head: it speaks for the page, no context needed."""
        self.cc_held += _cc_urls_in(el)
        if el.tag == "meta" and el.get("name"):
            self.meta(el)
            return
        tokens = {last_token(t) for t in (
            f"{el.get('rel') or ''} {el.get('property') or ''} {el.get('itemprop') or ''}"
        ).split()}
        if el.tag == "meta":
            value, channel = el.get("content") or "", "rdfa" if el.get("property") else \
                "microdata"
        else:
            value, channel = el.get("href") or "", "html:link"
        url, lic = resolve_value(self.base, value)
        location = f"html/head/{el.tag}"
        if "license" in tokens:
            self.out.append(LicenseEvidence(channel, location, snippet_of(el), url, lic,
                                            SCOPE_PAGE, GRANT, (), self.base, part="head"))
        elif "rights" in tokens or "copyright" in tokens:
            if lic is not None:
                self.out.append(LicenseEvidence(channel, location, snippet_of(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base, part="head"))
            else:
                self.notice(channel, location, snippet_of(el),
                            lt.notice_kind(value) or "rights statement", url)

    def meta(self, el: Any) -> None:
        token = last_token(el.get("name") or "")
        content = (el.get("content") or "").strip()
        if not content:
            return
        location = f"meta[name={el.get('name')}]"
        if token == "license":
            url, lic = resolve_value(self.base, content)
            self.out.append(LicenseEvidence("html:meta", location, snippet_of(el), url, lic,
                                            SCOPE_PAGE, GRANT, (), self.base, part="head"))
        elif token == "rights":
            url, lic = resolve_value(self.base, content)
            if lic is not None:
                self.out.append(LicenseEvidence("html:meta", location, snippet_of(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base, part="head"))
            else:
                self.notice("html:meta", location, snippet_of(el),
                            lt.notice_kind(content) or "rights statement", url)
        elif token == "copyright":
            self.notice("html:meta", location, snippet_of(el),
                        lt.notice_kind(content) or lt.COPYRIGHT)
