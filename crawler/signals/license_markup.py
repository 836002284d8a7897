"""License statements in a page's markup, and the scan that reads a page.

Where a page states licenses in markup (signals.md, section C): ``rel`` tokens on
``a``/``link``/``area`` (``license``, ``cc:license``, ``dct:license``), JSON-LD ``license``
(string, ``@id``/``url`` object, list, ``@graph``, nested nodes), microdata
``itemprop="license"``, RDFa ``property``/``rel`` ``cc:license``/``dct:license``, Dublin Core
``<meta>`` (``dcterms.license``, ``DC.rights``), plain links to a CC license and CC badge images
when the context makes them a statement. :meth:`PageScan.scan` reads these, then the text
around them (:class:`~crawler.signals.license_prose.ProseScan`).

Cost (a 50 KB page, well under a millisecond): the head's children are read directly; two
``str.find`` passes over the raw HTML (``licen``, ``creativecommons.org/``) tell which body
attributes say "license", how many CC URLs and how many "licen…" words of text the page holds;
one attribute step per attribute kind that needs it (``@rel``, ``@property``, ``@itemprop``),
one ``script`` step for JSON-LD; plain CC links and badge images are looked for only when the raw
HTML holds CC URLs that the statements found so far do not account for; text is read around
the statements found, and elsewhere only when the page says "licen…" more often than that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    GRANT,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SNIPPET_MAX,
    LicenseEvidence,
    clean_text,
    last_token,
    norm_url,
    resolve_value,
    snippet_of,
)
from crawler.signals.license_prose import IMGS, SCRIPTS, TEXT_MARKERS, ProseScan
from crawler.signals.license_scope import MEDIA_TYPES, OTHER_TYPES, STRUCTURAL
from crawler.signals.licenses import canonicalize_url

# Attribute and name-test steps are cheap in libxml2; a predicate evaluated on every node is not
# (≈0.2 µs a node), so the page is read with few such steps and filtered in Python, and the raw
# HTML (when the selector has it) tells which steps can be skipped.
# (when the raw HTML said which attributes hold "licen…", without it)
_SAYS_LICENSE = ("[contains(., 'icen')]", "[contains(., 'icen') or contains(., 'ICEN') or "
                 "contains(., 'ights') or contains(., 'IGHTS')]")
_REL_ATTRS = tuple(etree.XPath("descendant::*/@rel" + p) for p in _SAYS_LICENSE)
_PROPERTY_ATTRS = tuple(etree.XPath("descendant::*/@property" + p) for p in _SAYS_LICENSE)
_ITEMPROP_ATTRS = tuple(etree.XPath("descendant::*/@itemprop" + p) for p in _SAYS_LICENSE)
_METAS = etree.XPath("descendant::meta")
_CC_HREFS = etree.XPath("descendant::a/@href[contains(., 'creativecommons.org/')]")
_ATTR_BEFORE = re.compile(r"""([\w:.-]+)\s*=\s*["']?[^"'=<>]*$""")
_PAGE_KEYS = frozenset({"mainentity", "mainentityofpage", "haspart", "ispartof", "@graph"})


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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _jsonld_name(value: Any) -> str:
    for item in _as_list(value):
        if isinstance(item, str):
            return item[:200]
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            return item["name"][:200]
    return ""


def _jsonld_nodes(data: Any, path: str = "$", parent_key: str = "", top: bool = True,
                  depth: int = 0) -> Iterator[tuple[str, dict[str, Any], str, bool]]:
    """(JSON path, node, key it hangs from, is a top-level node) of every object, depth ≤ 8."""
    if depth > 8:
        return
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield from _jsonld_nodes(item, f"{path}[{i}]", parent_key, top, depth + 1)
        return
    if not isinstance(data, dict):
        return
    yield path, data, parent_key, top
    for key, value in data.items():
        if isinstance(value, (dict, list)) and isinstance(key, str):
            graph = key == "@graph"
            yield from _jsonld_nodes(value, f"{path}.{key}", parent_key if graph else key,
                                     top and graph, depth + 1)


def _cc_urls_in(el: Any) -> int:
    if el.tag == "script":
        return (el.text or "").count("creativecommons.org/")
    return sum(v.count("creativecommons.org/") for v in el.attrib.values())


class _RawIndex:
    """What a few ``str.find`` passes over the raw HTML tell about the page: which attributes
    of the body say "license", how many CC URLs it holds, whether it shows CC badge images,
    and how often its text (not its tags) says "licen…"."""

    def __init__(self, raw: str):
        self.kinds: set[str] = set()
        self.badges = False
        self.text_markers = dict.fromkeys(TEXT_MARKERS, 0)
        self.cc_urls = 0
        body = raw.find("<body")
        if body == -1:
            body = max(raw.find("<BODY"), 0)
        pos = raw.find("icen")
        for _ in range(400):
            if pos == -1:
                break
            if pos and raw[pos - 1] in "lL" and pos > body:  # the head is read directly
                where = _in_tag(raw, pos)
                if where is not None:
                    self.kinds.add(where)
                else:
                    self.text_markers["licen"] += 1
                if raw.startswith("licensebuttons", pos - 1):
                    self.badges = True
            pos = raw.find("icen", pos + 4)
        else:
            self.kinds = {"rel", "property", "itemprop", "name"}
            self.badges = True
            self.text_markers["licen"] = 1 << 30
        self.cc_urls = raw.count("creativecommons.org/")


def _in_tag(raw: str, pos: int) -> str | None:
    """The attribute whose value holds ``pos`` (``""`` for other places inside a tag), or None
    when ``pos`` is in text."""
    lo = max(0, pos - 1000)
    tag_open = raw.rfind("<", lo, pos)
    if tag_open == -1 or tag_open < raw.rfind(">", lo, pos):
        return None
    m = _ATTR_BEFORE.search(raw, tag_open, pos)
    return m.group(1).lower() if m else ""


class PageScan(ProseScan):
    """One page's analysis: every statement in its markup and text, its role, scope and assets."""

    def __init__(self, base_url: str, root: Any):
        super().__init__(base_url, root)
        self.jsonld_count = 0
        self.cc_held = 0  # CC URLs in the head statements

    # --- scan ----------------------------------------------------------------------------
    def scan(self, raw: str | None = None) -> list[LicenseEvidence]:
        """Read the page. ``raw`` (the HTML text the tree was parsed from), when given, lets
        the scan skip the steps for statements the page cannot contain."""
        root = self.root
        index = _RawIndex(raw) if raw is not None else None
        seen: set[Any] = set()
        hits: list[Any] = []

        def add(el: Any) -> None:
            if el is not None and el not in seen:
                seen.add(el)
                hits.append(el)

        head = root.find("head") if root.tag == "html" else None
        if head is not None:
            for el in head:
                tag = el.tag
                if tag == "base" and el.get("href"):
                    self.base = urljoin(self.base, el.get("href").strip())
                elif tag in ("link", "meta"):
                    said = f"{el.get('rel') or ''} {el.get('name') or ''} " \
                           f"{el.get('property') or ''} {el.get('itemprop') or ''}".lower()
                    if "licen" in said or "rights" in said or "copyright" in said:
                        self.head_statement(el)
                        seen.add(el)
        for attrs, kind in ((_REL_ATTRS, "rel"), (_PROPERTY_ATTRS, "property"),
                            (_ITEMPROP_ATTRS, "itemprop")):
            if index is None:
                for value in attrs[1](root):
                    add(value.getparent())
            elif kind in index.kinds:
                for value in attrs[0](root):
                    add(value.getparent())
        if index is None or "name" in index.kinds:
            for el in _METAS(root):
                if el.get("name") and el not in seen:
                    seen.add(el)
                    self.meta(el)
        for el in SCRIPTS(root):
            if "ld+json" in (el.get("type") or ""):
                add(el)
        # plain links to a CC license, and badges, when the raw HTML holds more CC URLs than
        # the statements above
        more_cc = index is None or index.cc_urls > self.cc_held + sum(
            _cc_urls_in(el) for el in hits)
        if more_cc:
            for href in _CC_HREFS(root):
                add(href.getparent())
        if more_cc or index.badges:  # type: ignore[union-attr]
            for img in IMGS(root):
                src = img.get("src") or ""
                if "creativecommons.org/" in src or "licensebuttons." in src:
                    add(img)
        for el in hits:
            try:
                self.hit(el)
            except (ValueError, TypeError):  # pragma: no cover - malformed attributes
                continue
        self.texts(root, hits, index.text_markers if index is not None else None)
        return self.out

    # --- channels ------------------------------------------------------------------------
    def hit(self, el: Any) -> None:
        """One element the scan found, read by what it says: ``rel``/RDFa/microdata license
        or rights, a ``<meta name>``, JSON-LD, a plain CC link, a badge."""
        tag = el.tag
        if tag == "script":
            self.jsonld(el)
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
        if lic is None and el.tag in ("a", "area"):
            names = lt.find_names(_text_of(el))
            if names:
                lic, note = names[0].license, "license named by the link text"
        creator, title = _cc_attribution(el)
        self.emit(channel, el, absolute, lic, explicit, note=note, creator=creator, title=title)

    def value_statement(self, el: Any, channel: str, value: str | None,
                        rights: bool = False) -> None:
        if value is None:
            value = _text_of(el)
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
                                            SCOPE_PAGE, GRANT, (), self.base))
        elif "rights" in tokens or "copyright" in tokens:
            if lic is not None:
                self.out.append(LicenseEvidence(channel, location, snippet_of(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base))
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
                                            SCOPE_PAGE, GRANT, (), self.base))
        elif token == "rights":
            url, lic = resolve_value(self.base, content)
            if lic is not None:
                self.out.append(LicenseEvidence("html:meta", location, snippet_of(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base))
            else:
                self.notice("html:meta", location, snippet_of(el),
                            lt.notice_kind(content) or "rights statement", url)
        elif token == "copyright":
            self.notice("html:meta", location, snippet_of(el),
                        lt.notice_kind(content) or lt.COPYRIGHT)

    def jsonld(self, el: Any) -> None:
        self.jsonld_count += 1
        raw = el.text or ""
        if "icense" not in raw:
            return
        where = f"script[type=ld+json][{self.jsonld_count}]"
        try:
            data = json.loads(raw)
        except ValueError:
            self.out.append(LicenseEvidence(
                "jsonld", where, raw.strip()[:SNIPPET_MAX], "", None, SCOPE_PAGE, GRANT, (),
                self.base, "JSON-LD that mentions a license is not valid JSON"))
            return
        for path, node, parent_key, top in _jsonld_nodes(data):
            for key, value in node.items():
                if not isinstance(key, str) or last_token(key) != "license":
                    continue
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    self.jsonld_license(where, f"{path}.{key}" + (
                        f"[{i}]" if isinstance(value, list) else ""), node, parent_key, top, item)

    def jsonld_license(self, where: str, path: str, node: dict[str, Any], parent_key: str,
                       top: bool, value: Any) -> None:
        """A JSON-LD ``license`` value. Its scope comes from the node's ``@type`` (a media
        object, a dataset or software) or where the node hangs (top level, ``@graph`` or a
        ``mainEntity``-like key: the page; elsewhere: another work)."""
        if isinstance(value, dict):
            raw = value.get("@id") or value.get("url") or value.get("name") or ""
        else:
            raw = value
        if not isinstance(raw, str):
            return
        url, lic = resolve_value(self.base, raw)
        types = {t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
                 for t in _as_list(node.get("@type")) if isinstance(t, str)}
        assets: tuple[str, ...] = ()
        if types & MEDIA_TYPES:
            scope, note = SCOPE_ASSET, f"license of a JSON-LD {'/'.join(sorted(types))}"
            assets = tuple(dict.fromkeys(
                norm_url(self.url(v)) for k in ("contentUrl", "url", "@id", "embedUrl")
                for v in _as_list(node.get(k)) if isinstance(v, str)))
        elif types & OTHER_TYPES:
            scope, note = SCOPE_OTHER, f"license of a JSON-LD {'/'.join(sorted(types))}"
        elif top or parent_key.lower() in _PAGE_KEYS:
            scope, note = SCOPE_PAGE, ""
        else:
            scope, note = SCOPE_OTHER, f"license of a work the page refers to ({parent_key})"
        snippet = json.dumps({path.rsplit(".", 1)[-1]: value}, ensure_ascii=False)
        creator = _jsonld_name(node.get("creator") or node.get("author")) \
            or _jsonld_name(node.get("creditText"))
        self.out.append(LicenseEvidence("jsonld", f"{where} {path}", snippet[:SNIPPET_MAX],
                                        url, lic, scope, GRANT, assets, self.base, note,
                                        creator))
        notice = node.get("copyrightNotice")
        if isinstance(notice, str) and notice.strip():
            self.notice("jsonld", f"{where} {path.rsplit('.', 1)[0]}.copyrightNotice", notice,
                        lt.notice_kind(notice) or lt.COPYRIGHT, scope=scope, assets=assets)
