"""Find license statements for a page or an image: markup, text, HTTP headers, XMP, the policy.

Pure: works on a URL, a header mapping, a parsel selector (the parse Scrapy already made) or an
image's bytes, so it runs without Scrapy and without parsing the document again.

Every statement found becomes one :class:`LicenseEvidence`, with

* ``role``: ``grant`` (the page, or an asset, is licensed under …), ``mention`` (a license named or
  linked in running text: recorded, never a grant) or ``notice`` (a copyright line, "All rights
  reserved", a rights-statement URL: recorded, never a conflict);
* ``scope``: ``page`` (the page text), ``asset`` (an embedded image: ``assets`` lists its URLs,
  ``*`` for "every image of the page", empty when the image is not identifiable), ``other``
  (something else the page describes: a theme, code samples, a dataset, another work) or
  ``site`` (the reviewed policy's site-wide grant).

Where a page states licenses (signals.md, section C): ``rel`` tokens on ``a``/``link``/``area``
(``license``, ``cc:license``, ``dct:license``), the ``Link`` header, JSON-LD ``license`` (string,
``@id``/``url`` object, list, ``@graph``, nested nodes), microdata ``itemprop="license"``, RDFa
``property``/``rel`` ``cc:license``/``dct:license``, Dublin Core ``<meta>`` (``dcterms.license``,
``DC.rights``), plain links to a CC license and CC badge images when the context makes them a
statement, and CC names in grant sentences ("licensed under a Creative Commons Attribution-
ShareAlike 4.0 International License"). Scope comes from the context: inside ``figure``/
``figcaption`` or a credit/caption element, next to an ``<img>`` in a short block, in a JSON-LD
``ImageObject``, a microdata ``ImageObject`` or an RDFa ``about`` an image → that asset; a sentence
about "photos"/"images" → every image; about "text"/"content"/"this work" → the page; about the
theme or code → other.

Cost (a 50 KB page, well under a millisecond): the head's children are read directly; two
``str.find`` passes over the raw HTML (``licen``, ``creativecommons.org/``) tell which body
attributes say "license", how many CC URLs and how many "licen…" words of text the page holds;
one attribute step per attribute kind that needs it (``@rel``, ``@property``, ``@itemprop``),
one ``script`` step for JSON-LD; plain CC links and badge images are looked for only when the raw
HTML holds CC URLs that the statements found so far do not account for; text is read around
the statements found (their footer, figure, license box or block), and elsewhere only when the
page says "licen…" more often than that. Image credits (text-only captions) are read once per
page, by the first :func:`image_evidence` call. A page's scan is cached (weakly) for the
:func:`image_evidence` calls of its images.
"""

from __future__ import annotations

import json
import re
import weakref
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, islice
from typing import Any, Final, Protocol
from urllib.parse import urldefrag, urljoin

from lxml import etree
from parsel import Selector

from crawler.signals import license_text as lt
from crawler.signals.licenses import (
    License,
    UnversionedCC,
    canonicalize_url,
    lookup_spdx,
    parse_license_ref,
)

#: bump when detection rules change: recorded in every sidecar next to the evidence
DETECTOR_VERSION: Final = "2.0"

GRANT: Final = "grant"
MENTION: Final = "mention"
NOTICE: Final = "notice"
SCOPE_PAGE: Final = "page"
SCOPE_ASSET: Final = "asset"
SCOPE_OTHER: Final = "other"
SCOPE_SITE: Final = "site"
#: ``assets`` entry meaning "every image of the page"
ALL_IMAGES: Final = "*"
#: ``note`` of a notice that reserves all rights
RIGHTS_RESERVED: Final = lt.RIGHTS_RESERVED

_SNIPPET_MAX = 300
_MAX_MENTIONS = 5
_MAX_NOTICES = 4
_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL_PARAM = re.compile(r""";\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))""", re.IGNORECASE)
_WS = str.maketrans("\n\r\t\f\v", "     ")
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
        return record


# ----------------------------------------------------------------------------------------------
# Headers
# ----------------------------------------------------------------------------------------------

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
                found.append(LicenseEvidence("http:link", "Link", value[:_SNIPPET_MAX],
                                             absolute, canonicalize_url(absolute), scope,
                                             assets=assets, document=base_url))
    return found


# ----------------------------------------------------------------------------------------------
# Markup
# ----------------------------------------------------------------------------------------------

# Attribute and name-test steps are cheap in libxml2; a predicate evaluated on every node is not
# (≈0.2 µs a node), so the page is read with few such steps and filtered in Python, and the raw
# HTML (when the selector has it) tells which steps can be skipped.
# (when the raw HTML said which attributes hold "licen…", without it)
_SAYS_LICENSE = ("[contains(., 'icen')]", "[contains(., 'icen') or contains(., 'ICEN') or "
                 "contains(., 'ights') or contains(., 'IGHTS')]")
_REL_ATTRS = tuple(etree.XPath("descendant::*/@rel" + p) for p in _SAYS_LICENSE)
_PROPERTY_ATTRS = tuple(etree.XPath("descendant::*/@property" + p) for p in _SAYS_LICENSE)
_ITEMPROP_ATTRS = tuple(etree.XPath("descendant::*/@itemprop" + p) for p in _SAYS_LICENSE)
_SCRIPTS = etree.XPath("descendant::script")
_METAS = etree.XPath("descendant::meta")
_IMGS = etree.XPath("descendant::img")
_CC_HREFS = etree.XPath("descendant::a/@href[contains(., 'creativecommons.org/')]")
_REGIONS = ("footer", "figure", "aside", "address")
_TEXT_NODES = etree.XPath("descendant::text()")
#: text nodes whose lower-cased text contains $m (only when a name was not found elsewhere)
_TEXTS_WITH = etree.XPath(
    "descendant::text()[contains(translate(., 'ABCDEGHIKLMNOPRSTUVYZ', 'abcdeghiklmnoprstuvyz'),"
    " $m)]")
#: what makes a text worth a look: a CC name, a license word, a copyright or rights notice
_MARK_RE = re.compile(r"licen|creative\s+commons|cc[\s-]?(?:by|0|zero)|domain\s+mark|©|"
                      r"rights\s+reserved|copyright", re.IGNORECASE)


def _marked(text: str) -> bool:
    return _MARK_RE.search(text) is not None


def _marked_nodes(region: Any) -> list[Any]:
    """The text nodes of ``region`` where a mark starts (one regex pass over its text)."""
    nodes = _TEXT_NODES(region)
    text = "".join(nodes)
    hits = [m.start() for m in _MARK_RE.finditer(text)]
    if not hits:
        return []
    ends = list(accumulate(map(len, nodes)))
    return [nodes[i] for i in sorted({bisect_right(ends, p) for p in hits}) if i < len(nodes)]

#: lower-case words that a text statement of a license holds; counted in the page text and in
#: the regions read, any left over are looked for everywhere
_TEXT_MARKERS = ("licen",)
_ATTR_BEFORE = re.compile(r"""([\w:.-]+)\s*=\s*["']?[^"'=<>]*$""")
_IMG_URLS = etree.XPath("descendant-or-self::img | descendant-or-self::source"
                        " | descendant-or-self::video")

_BLOCK_TAGS = frozenset({
    "p", "li", "dd", "dt", "td", "th", "figcaption", "figure", "footer", "header", "aside",
    "section", "article", "div", "blockquote", "address", "caption", "nav", "main", "body",
    "html", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol", "dl", "table", "tbody",
    "thead", "tfoot", "tr", "form", "center", "details", "summary", "fieldset", "legend", "hr",
    "menu"})
_STRUCTURAL = frozenset({"body", "html", "main", "article", "section", "footer", "header",
                         "nav", "aside"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "select", "textarea",
                        "option", "svg", "math", "iframe", "object"})
_CREDIT_CLASSES = ("credit", "caption")
_LICENSE_CLASSES = ("footer", "licen", "copyright", "colophon", "rights", "legal")
_MEDIA_TYPES = frozenset({"imageobject", "photograph", "videoobject", "mediaobject",
                          "audioobject", "3dmodel", "imagegallery"})
_OTHER_TYPES = frozenset({"dataset", "datadownload", "datacatalog", "softwaresourcecode",
                          "softwareapplication", "webapplication", "mobileapplication",
                          "product", "offer", "musicrecording", "podcastepisode"})
_PAGE_KEYS = frozenset({"mainentity", "mainentityofpage", "haspart", "ispartof", "@graph"})
_CREDIT_TEXT = re.compile(
    r"\s*(?:(?:header|cover|featured|title|hero|lead|top|banner)\s+)?"
    r"(?:photo(?:graph)?|image|picture|illustration|foto|bild|graphic|drawing|map|video)s?"
    r"(?:\s+credits?|\s+source|\s+licen[cs]e)?\s*(?:[:©(]|by\b|courtesy\b)"
    r"|\s*(?:photo\s+|image\s+)?credits?\s*:",
    re.IGNORECASE)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|tiff?|bmp|heic)(?:$|[?#])", re.I)


def _last_token(token: str) -> str:
    """``dcterms.license`` / ``cc:license`` / ``http://…#license`` → ``license``."""
    return re.split(r"[.:#/]", token.lower())[-1]


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _snippet(el: Any) -> str:
    try:
        html = etree.tostring(el, encoding="unicode", with_tail=False, method="html")
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return ""
    return html[:_SNIPPET_MAX]


def _text_of(el: Any) -> str:
    return _clean("".join(el.itertext()))[:2000]


def _abs(base_url: str, href: str) -> str:
    href = href.strip()
    if href.startswith(("https://", "http://")):
        return href
    return urljoin(base_url, href)


def _resolve_value(base_url: str, value: str) -> tuple[str, License | UnversionedCC | None]:
    """A license given as a URL or a name → (URL as found, absolute; license)."""
    value = value.strip()
    if not value:
        return "", None
    if "/" in value and " " not in value:
        absolute = _abs(base_url, value)
        return absolute, canonicalize_url(absolute)
    names = lt.find_names(value)
    if names:
        return "", names[0].license
    return "", parse_license_ref(value) if len(value) <= 80 else None


class _Ctx:
    """What an element's ancestors say about the scope of a statement inside it."""

    __slots__ = ("about", "asset_box", "itemscope", "license_box", "license_el", "path")

    def __init__(self, asset_box: Any = None, license_box: bool = False, license_el: Any = None,
                 about: str | None = None, itemscope: Any = None, path: str = ""):
        self.asset_box = asset_box  # the figure / caption / credit element around it
        self.license_box = license_box  # inside a footer, a license or copyright element
        self.license_el = license_el  # that element
        self.about = about  # nearest RDFa @about
        self.itemscope = itemscope  # nearest microdata item
        self.path = path


_ROOT_CTX = _Ctx()


def _own_ctx(node: Any, up: _Ctx) -> _Ctx:
    """``up`` (the parent's context) updated with what ``node`` itself says; nearest wins."""
    tag = node.tag
    if not isinstance(tag, str):
        return up
    cls, ident = node.get("class"), node.get("id")
    asset_box, license_el = up.asset_box, up.license_el
    marks = f"{cls or ''} {ident or ''}".lower() if cls or ident else ""
    if tag == "figure":
        asset_box = node
    elif tag == "figcaption":
        parent = node.getparent()
        asset_box = parent if parent is not None else node
    elif marks and tag not in _STRUCTURAL and any(c in marks for c in _CREDIT_CLASSES):
        asset_box = _box_with_image(node)
    if tag in ("footer", "aside", "address") or (
            marks and any(c in marks for c in _LICENSE_CLASSES)):
        license_el = node
    about = node.get("about")
    itemscope = node if node.get("itemscope") is not None else up.itemscope
    label = f"{tag}#{ident}" if ident else tag
    return _Ctx(asset_box, license_el is not None, license_el,
                up.about if about is None else about, itemscope,
                f"{up.path}/{label}" if up.path else label)


@dataclass
class _Block:
    el: Any
    text: str
    spans: dict[Any, tuple[int, int]]
    ctx: _Ctx
    _clauses: list[lt.Clause] | None = None
    _names: list[lt.NameMatch] | None = None

    @property
    def clauses(self) -> list[lt.Clause]:
        if self._clauses is None:
            text = self.text
            clauses = []
            for start, end in lt.split_clauses(text):
                low = text[start:end].lower()
                if "licen" in low or "under" in low or "domain" in low or "rights" in low:
                    clauses.append(lt.grant_clause(text, start, end))
                else:
                    clauses.append(lt.Clause(start, end))
            self._clauses = clauses
        return self._clauses

    @property
    def names(self) -> list[lt.NameMatch]:
        if self._names is None:
            self._names = lt.find_names(self.text)
        return self._names

    def clause_at(self, pos: int) -> lt.Clause | None:
        for clause in self.clauses:
            if clause.start <= pos <= clause.end:
                return clause
        return None


class _PageScan:
    """One page's analysis: every statement, its role, scope and assets."""

    def __init__(self, base_url: str, root: Any):
        self.base = base_url
        self.page = _norm(base_url)
        self.root = root
        self.blocks: dict[Any, _Block] = {}
        self.ctxs: dict[Any, _Ctx] = {}
        self.out: list[LicenseEvidence] = []
        self.covered: dict[Any, list[License | UnversionedCC | None]] = {}  # block -> licenses
        self.text_done: set[Any] = set()
        self.mentions = self.notices = 0
        self.jsonld_count = 0
        self.cc_held = 0  # CC URLs in the head statements
        self.regions_done: set[Any] = set()

    # --- helpers -------------------------------------------------------------------------
    def url(self, value: str) -> str:
        return _abs(self.base, value)

    def ctx(self, el: Any) -> _Ctx:
        """The context of ``el``, built from its parent's (each element is looked at once)."""
        found = self.ctxs.get(el)
        if found is not None:
            return found
        chain = []
        node = el
        while node is not None and node not in self.ctxs:
            chain.append(node)
            node = node.getparent()
        ctx = self.ctxs[node] if node is not None else _ROOT_CTX
        for node in reversed(chain):
            ctx = _own_ctx(node, ctx)
            self.ctxs[node] = ctx
        return ctx

    def block_of(self, el: Any) -> _Block:
        node = el
        while node is not None and node.tag not in _BLOCK_TAGS:
            node = node.getparent()
        if node is None:
            node = self.root
        block = self.blocks.get(node)
        if block is None:
            text, spans = _inline_text(node)
            block = _Block(node, text, spans, self.ctx(node))
            self.blocks[node] = block
        return block

    def images_in(self, box: Any) -> tuple[str, ...]:
        urls: list[str] = []
        for el in _IMG_URLS(box):
            if lt.badge_license(el.get("src") or "") is not None:
                continue
            for attr in ("src", "data-src", "poster"):
                value = el.get(attr)
                if value and not value.startswith("data:"):
                    urls.append(_norm(self.url(value)))
            for attr in ("srcset", "data-srcset"):
                for part in (el.get(attr) or "").split(","):
                    bits = part.split()
                    if bits and not bits[0].startswith("data:"):
                        urls.append(_norm(self.url(bits[0])))
        return tuple(dict.fromkeys(urls))

    def adjacent_images(self, block: _Block, pos: int, own: Any = None) -> tuple[str, ...]:
        """Images in the same short inline run as ``pos`` (no block between them)."""
        if block.el.tag in _STRUCTURAL or len(block.text) > 400:
            return ()
        found: list[str] = []
        for el, (start, _end) in block.spans.items():
            if el.tag != "img" or (own is not None and _inside(el, own)):
                continue
            if _tiny(el) or lt.badge_license(el.get("src") or "") is not None:
                continue
            lo, hi = sorted((start, pos))
            if "\u2029" in block.text[lo:hi]:
                continue
            found += self.images_in_el(el)
        return tuple(dict.fromkeys(found))

    def credited_images(self, block: _Block, pos: int, own: Any = None) -> tuple[str, ...]:
        """The images a credit line speaks for: next to it, else in the element before it."""
        near = self.adjacent_images(block, pos, own)
        if near:
            return near
        before = block.el.getprevious()
        while before is not None and not isinstance(before.tag, str):
            before = before.getprevious()
        if before is None or before.tag in _STRUCTURAL or before.tag in _SKIP_TAGS:
            return ()
        return self.images_in(before) if len(_IMG_URLS(before)) <= 3 else ()

    def images_in_el(self, img: Any) -> list[str]:
        src = img.get("src") or img.get("data-src")
        return [_norm(self.url(src))] if src and not src.startswith("data:") else []

    # --- scope ---------------------------------------------------------------------------
    def place(self, el: Any, block: _Block, pos: int | None, explicit: bool
              ) -> tuple[str, str, tuple[str, ...], str]:
        """(role, scope, assets, note) of a statement at ``el`` (or at ``pos`` of ``block``).

        ``explicit``: the markup itself says "license" (rel, property, itemprop, a badge);
        otherwise (a plain CC link, a name in text) the sentence or the place must say it.
        """
        ctx = self.ctx(el) if el is not None else block.ctx
        if ctx.asset_box is not None:
            box = ctx.asset_box
            what = "figure" if box.tag in ("figure", "figcaption") else "caption/credit"
            return GRANT, SCOPE_ASSET, self.images_in(box), f"in a {what}"
        if el is not None and explicit:
            about = self.about_scope(ctx)
            if about is not None:
                return about
            item = self.item_scope(ctx)
            if item is not None:
                return item
        clause = block.clause_at(pos) if pos is not None else None
        if clause is not None and clause.subject is not None and pos is not None \
                and pos >= clause.object_start:
            subject = clause.subject
            said = f"stated for {clause.subject_text!r}" if clause.subject_text else ""
            if subject == lt.PAGE:
                return GRANT, SCOPE_PAGE, (), said or "grant sentence"
            if subject == lt.ASSET_ALL:
                return GRANT, SCOPE_ASSET, (ALL_IMAGES,), said
            if subject == lt.ASSET_ONE:
                return GRANT, SCOPE_ASSET, self.credited_images(block, pos, el), said
            return GRANT, SCOPE_OTHER, (), said
        if clause is not None and _CREDIT_TEXT.match(block.text, clause.start, clause.end):
            return GRANT, SCOPE_ASSET, self.credited_images(block, pos or 0, el), "credit line"
        if pos is not None and not ctx.license_box:
            near = self.adjacent_images(block, pos, el)
            if near:
                return GRANT, SCOPE_ASSET, near, "next to an image"
        if explicit:
            return GRANT, SCOPE_PAGE, (), ""
        if ctx.license_box and len(block.text) <= 300:
            return GRANT, SCOPE_PAGE, (), "license line in a footer/license block"
        return MENTION, SCOPE_PAGE, (), "named in running text, not stated as a grant"

    def about_scope(self, ctx: _Ctx) -> tuple[str, str, tuple[str, ...], str] | None:
        about = ctx.about
        if about is None or about.strip() in ("", "#") or about.startswith("#"):
            return None
        target = _norm(self.url(about))
        if target == self.page:
            return None
        if _IMAGE_EXT.search(target):
            return GRANT, SCOPE_ASSET, (target,), f"RDFa about {about}"
        return GRANT, SCOPE_OTHER, (), f"RDFa about {about}"

    def item_scope(self, ctx: _Ctx) -> tuple[str, str, tuple[str, ...], str] | None:
        item = ctx.itemscope
        if item is None:
            return None
        itemtype = (item.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        if itemtype in _MEDIA_TYPES:
            urls = [_norm(self.url(v)) for v in item.xpath(
                ".//*[@itemprop='contentUrl' or @itemprop='contenturl' or @itemprop='url' "
                "or @itemprop='image']/@*[name()='src' or name()='href' or name()='content']")]
            urls += self.images_in(item)
            return GRANT, SCOPE_ASSET, tuple(dict.fromkeys(urls)), f"microdata {itemtype}"
        if itemtype in _OTHER_TYPES:
            return GRANT, SCOPE_OTHER, (), f"microdata {itemtype}"
        return None

    # --- emit ----------------------------------------------------------------------------
    def emit(self, channel: str, el: Any, url: str, lic: License | UnversionedCC | None,
             explicit: bool, block: _Block | None = None, pos: int | None = None,
             snippet: str | None = None, note: str = "", location: str | None = None,
             creator: str = "", title: str = "") -> None:
        if block is None:
            block = self.block_of(el.getparent() if el.getparent() is not None else el)
        if pos is None and el is not None:
            span = block.spans.get(el)
            pos = span[0] if span else None
        role, scope, assets, why = self.place(el, block, pos, explicit)
        if role == MENTION:
            if self.mentions >= _MAX_MENTIONS:
                return
            self.mentions += 1
        self.covered.setdefault(block.el, []).append(lic)
        ctx = self.ctx(el) if el is not None else block.ctx
        self.out.append(LicenseEvidence(
            channel, location or ctx.path, snippet if snippet is not None else _snippet(el),
            url, lic, scope, role, assets, self.base, "; ".join(n for n in (note, why) if n),
            creator, title))

    def notice(self, channel: str, location: str, snippet: str, kind: str, url: str = "",
               scope: str = SCOPE_PAGE, assets: tuple[str, ...] = ()) -> None:
        if self.notices >= _MAX_NOTICES:
            return
        self.notices += 1
        self.out.append(LicenseEvidence(channel, location, snippet[:_SNIPPET_MAX], url, None,
                                        scope, NOTICE, assets, self.base, kind))

    # --- channels ------------------------------------------------------------------------
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
        for el in _SCRIPTS(root):
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
            for img in _IMGS(root):
                src = img.get("src") or ""
                if "creativecommons.org/" in src or "licensebuttons." in src:
                    add(img)
        for el in hits:
            try:
                self.hit(el)
            except (ValueError, TypeError):  # pragma: no cover - malformed attributes
                continue
        self.texts(root, hits, index)
        return self.out

    def texts(self, root: Any, hits: list[Any], index: _RawIndex | None) -> None:
        """Names and notices in text. First around each statement found (its figure, footer,
        license box or block); then, if the page's text says "licen…" more often than what was
        read, in its footers, asides, addresses and figures; then, if still more, wherever the
        page says it."""
        body = root.find("body") if root.tag == "html" else root
        if body is None:
            return
        regions: list[Any] = []
        for el in hits:
            if el.tag == "script":
                continue
            ctx = self.ctx(el)
            regions.append(ctx.asset_box if ctx.asset_box is not None
                           else ctx.license_el if ctx.license_el is not None
                           else self.block_of(el).el)
        covered = dict.fromkeys(_TEXT_MARKERS, 0)
        done = self.regions_done = self.read_regions(regions, covered)
        if index is not None:
            page = dict(index.text_markers)
        else:
            low = body.text_content().lower()
            page = {m: low.count(m) for m in _TEXT_MARKERS}
        if all(page[m] <= covered[m] for m in _TEXT_MARKERS):
            return
        self.read_regions(list(body.iter(*_REGIONS)), covered, done)
        if index is not None and any(page[m] > covered[m] for m in _TEXT_MARKERS):
            for script in _SCRIPTS(body):
                low = (script.text or "").lower()
                for marker in _TEXT_MARKERS:
                    page[marker] -= low.count(marker)
        for marker in _TEXT_MARKERS:
            if page[marker] > covered[marker]:
                for node in _TEXTS_WITH(body, m=marker):
                    if _marked(node):
                        self.text_node(node)

    def asset_texts(self) -> list[LicenseEvidence]:
        """Text-only credits around the page's images not read yet (their figure, caption or
        credit element, or a credit line right after them); returns the statements found."""
        root = self.root
        before = len(self.out)
        regions = []
        for img in _IMGS(root):
            if lt.badge_license(img.get("src") or "") is not None:
                continue
            ctx = self.ctx(img)
            if ctx.asset_box is not None:
                regions.append(ctx.asset_box)
                continue
            block = self.block_of(img)
            if len(block.text) <= 300 and _marked(block.text):
                regions.append(block.el)  # "<img><br>Photo: J. Doe, CC BY 2.0"
            after = block.el.getnext() if block.el.tag not in _STRUCTURAL else img.getnext()
            while after is not None and not isinstance(after.tag, str):
                after = after.getnext()
            if after is None or after.tag in _SKIP_TAGS or after.tag in _STRUCTURAL:
                continue
            marks = f"{after.get('class') or ''} {after.get('id') or ''}".lower()
            head = after.text_content()[:300]
            if any(c in marks for c in _CREDIT_CLASSES) or _CREDIT_TEXT.match(head):
                regions.append(after)  # a credit line right after the image
        done = self.regions_done
        for region in dict.fromkeys(regions):
            if region not in done:
                done.add(region)
                if _marked(region.text_content()):
                    for node in _marked_nodes(region):
                        self.text_node(node)
        return self.out[before:]

    def read_regions(self, regions: list[Any], covered: dict[str, int],
                     done: set[Any] | None = None) -> set[Any]:
        """Read the statements in ``regions`` (outermost only, each once); count the text
        markers they hold into ``covered``."""
        done = set() if done is None else done
        chosen = set(regions) | done
        for region in dict.fromkeys(regions):
            if region in done or any(a in chosen for a in region.iterancestors()):
                continue
            done.add(region)
            text = region.text_content()
            low = text.lower()
            for marker in _TEXT_MARKERS:
                covered[marker] += low.count(marker)
            if _marked(text):
                for node in _marked_nodes(region):
                    self.text_node(node)
        return done

    def text_node(self, node: Any) -> None:
        parent = node.getparent()
        if parent is None:
            return
        holder = parent.getparent() if node.is_tail else parent
        if holder is None or holder.tag in _SKIP_TAGS or (
                not node.is_tail and parent.tag in _SKIP_TAGS):
            return
        if any(anc.tag in _SKIP_TAGS for anc in holder.iterancestors()):
            return
        block = self.block_of(holder)
        if block.el not in self.text_done:
            self.text_done.add(block.el)
            self.text_block(block)

    def hit(self, el: Any) -> None:
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
        if any(_last_token(t) == "license" for t in rels):
            href = el.get("href") or el.get("resource") or el.get("src") or ""
            channel = f"html:{tag}" if tag in ("a", "link", "area") else "rdfa"
            self.link_statement(el, channel, href, explicit=True)
        elif any(_last_token(t) == "license" for t in props):
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
        elif any(_last_token(t) == "rights" for t in (*rels, *props)):
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
                if (any(_last_token(t) == "license" for t in (anc.get("rel") or "").split())
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
        url, lic = _resolve_value(self.base, value)
        if rights and lic is None:
            block = self.block_of(el.getparent() if el.getparent() is not None else el)
            kind = lt.notice_kind(value) or "rights statement"
            self.notice(channel, self.ctx(el).path, _snippet(el), kind, url,
                        *self.notice_scope(el, block))
            return
        self.emit(channel, el, url, lic, explicit=True)

    def notice_scope(self, el: Any, block: _Block) -> tuple[str, tuple[str, ...]]:
        ctx = self.ctx(el) if el is not None else block.ctx
        if ctx.asset_box is not None:
            return SCOPE_ASSET, self.images_in(ctx.asset_box)
        return SCOPE_PAGE, ()

    def head_statement(self, el: Any) -> None:
        """A ``<link>`` or ``<meta>`` of the head: it speaks for the page, no context needed."""
        self.cc_held += _cc_urls_in(el)
        if el.tag == "meta" and el.get("name"):
            self.meta(el)
            return
        tokens = {_last_token(t) for t in (
            f"{el.get('rel') or ''} {el.get('property') or ''} {el.get('itemprop') or ''}"
        ).split()}
        if el.tag == "meta":
            value, channel = el.get("content") or "", "rdfa" if el.get("property") else \
                "microdata"
        else:
            value, channel = el.get("href") or "", "html:link"
        url, lic = _resolve_value(self.base, value)
        location = f"html/head/{el.tag}"
        if "license" in tokens:
            self.out.append(LicenseEvidence(channel, location, _snippet(el), url, lic,
                                            SCOPE_PAGE, GRANT, (), self.base))
        elif "rights" in tokens or "copyright" in tokens:
            if lic is not None:
                self.out.append(LicenseEvidence(channel, location, _snippet(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base))
            else:
                self.notice(channel, location, _snippet(el),
                            lt.notice_kind(value) or "rights statement", url)

    def meta(self, el: Any) -> None:
        token = _last_token(el.get("name") or "")
        content = (el.get("content") or "").strip()
        if not content:
            return
        location = f"meta[name={el.get('name')}]"
        if token == "license":
            url, lic = _resolve_value(self.base, content)
            self.out.append(LicenseEvidence("html:meta", location, _snippet(el), url, lic,
                                            SCOPE_PAGE, GRANT, (), self.base))
        elif token == "rights":
            url, lic = _resolve_value(self.base, content)
            if lic is not None:
                self.out.append(LicenseEvidence("html:meta", location, _snippet(el), url, lic,
                                                SCOPE_PAGE, GRANT, (), self.base))
            else:
                self.notice("html:meta", location, _snippet(el),
                            lt.notice_kind(content) or "rights statement", url)
        elif token == "copyright":
            self.notice("html:meta", location, _snippet(el),
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
                "jsonld", where, raw.strip()[:_SNIPPET_MAX], "", None, SCOPE_PAGE, GRANT, (),
                self.base, "JSON-LD that mentions a license is not valid JSON"))
            return
        for path, node, parent_key, top in _jsonld_nodes(data):
            for key, value in node.items():
                if not isinstance(key, str) or _last_token(key) != "license":
                    continue
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    self.jsonld_license(where, f"{path}.{key}" + (
                        f"[{i}]" if isinstance(value, list) else ""), node, parent_key, top, item)

    def jsonld_license(self, where: str, path: str, node: dict[str, Any], parent_key: str,
                       top: bool, value: Any) -> None:
        if isinstance(value, dict):
            raw = value.get("@id") or value.get("url") or value.get("name") or ""
        else:
            raw = value
        if not isinstance(raw, str):
            return
        url, lic = _resolve_value(self.base, raw)
        types = {t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
                 for t in _as_list(node.get("@type")) if isinstance(t, str)}
        assets: tuple[str, ...] = ()
        if types & _MEDIA_TYPES:
            scope, note = SCOPE_ASSET, f"license of a JSON-LD {'/'.join(sorted(types))}"
            assets = tuple(dict.fromkeys(
                _norm(self.url(v)) for k in ("contentUrl", "url", "@id", "embedUrl")
                for v in _as_list(node.get(k)) if isinstance(v, str)))
        elif types & _OTHER_TYPES:
            scope, note = SCOPE_OTHER, f"license of a JSON-LD {'/'.join(sorted(types))}"
        elif top or parent_key.lower() in _PAGE_KEYS:
            scope, note = SCOPE_PAGE, ""
        else:
            scope, note = SCOPE_OTHER, f"license of a work the page refers to ({parent_key})"
        snippet = json.dumps({path.rsplit(".", 1)[-1]: value}, ensure_ascii=False)
        creator = _jsonld_name(node.get("creator") or node.get("author")) \
            or _jsonld_name(node.get("creditText"))
        self.out.append(LicenseEvidence("jsonld", f"{where} {path}", snippet[:_SNIPPET_MAX],
                                        url, lic, scope, GRANT, assets, self.base, note,
                                        creator))
        notice = node.get("copyrightNotice")
        if isinstance(notice, str) and notice.strip():
            self.notice("jsonld", f"{where} {path.rsplit('.', 1)[0]}.copyrightNotice", notice,
                        lt.notice_kind(notice) or lt.COPYRIGHT, scope=scope, assets=assets)

    def text_block(self, block: _Block) -> None:
        """CC names and notices in a block's own text, outside the links already recorded."""
        text = block.text
        known = self.covered.get(block.el, [])
        covered_spans = [span for el, span in block.spans.items() if _is_statement_link(el)]
        seen: set[object] = set()
        for name in block.names:
            if any(s <= name.start < e for s, e in covered_spans):
                continue
            key = name.license.spdx if isinstance(name.license, License) else name.license.url
            if name.license in known or key in seen:
                continue
            seen.add(key)
            holder = _span_owner(block, name.start, "a")
            url = self.url(holder.get("href") or "") if holder is not None else ""
            clause = block.clause_at(name.start)
            snippet = text[clause.start:clause.end] if clause else name.text
            self.emit("text", None, url, name.license, explicit=False, block=block,
                      pos=name.start, snippet=_clean(snippet)[:_SNIPPET_MAX],
                      location=block.ctx.path, note=f"name {_clean(name.text)!r}")
        for clause in block.clauses:
            chunk = text[clause.start:clause.end]
            kind = lt.notice_kind(chunk) if ("©" in chunk or "ight" in chunk.lower()) else None
            if kind is not None:
                scope, assets = self.notice_scope(None, block)
                self.notice("text", block.ctx.path, _clean(chunk), kind, scope=scope,
                            assets=assets)


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
        self.text_markers = dict.fromkeys(_TEXT_MARKERS, 0)
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


def _is_statement_link(el: Any) -> bool:
    if el.tag not in ("a", "area", "link"):
        return False
    if any(_last_token(t) == "license" for t in (el.get("rel") or "").split()):
        return True
    return canonicalize_url(el.get("href") or "") is not None


def _span_owner(block: _Block, pos: int, tag: str) -> Any:
    for el, (start, end) in block.spans.items():
        if el.tag == tag and start <= pos < end:
            return el
    return None


def _inside(el: Any, container: Any) -> bool:
    return any(anc is container for anc in el.iterancestors())


def _tiny(img: Any) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 40:
            return True
    return False


def _box_with_image(node: Any) -> Any:
    """The images a credit/caption element speaks for: its own, else those of the element
    just before it, else those of its nearest two parents."""
    if next(node.iter("img"), None) is not None:
        return node
    before = node.getprevious()
    if before is not None and isinstance(before.tag, str) and (
            before.tag == "img" or next(before.iter("img"), None) is not None):
        return before
    candidate = node.getparent()
    for _ in range(2):
        if candidate is None or candidate.tag in _STRUCTURAL:
            break
        if next(candidate.iter("img"), None) is not None:
            return candidate
        candidate = candidate.getparent()
    return node


def _inline_text(block: Any) -> tuple[str, dict[Any, tuple[int, int]]]:
    """The block's own text (nested blocks replaced by U+2029, ``<br>`` by a newline) and the
    span of every inline element in it."""
    parts: list[str] = []
    spans: dict[Any, tuple[int, int]] = {}
    pos = 0
    limit = 20000

    def walk(el: Any) -> None:
        nonlocal pos
        if el.text and pos < limit:
            parts.append(el.text.translate(_WS))
            pos += len(el.text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and pos < limit:
                if tag in _BLOCK_TAGS:
                    parts.append("\u2029")
                    pos += 1
                elif tag == "br":
                    parts.append("\n")
                    pos += 1
                elif tag not in _SKIP_TAGS:
                    start = pos
                    walk(child)
                    spans[child] = (start, pos)
            if child.tail and pos < limit:
                parts.append(child.tail.translate(_WS))
                pos += len(child.tail)

    walk(block)
    return "".join(parts), spans


def _cc_attribution(el: Any) -> tuple[str, str]:
    """cc:attributionName and dct:title in the CC chooser markup around a license link."""
    parent = el.getparent()
    if parent is None or parent.tag in _STRUCTURAL:
        return "", ""
    creator = title = ""
    for node in islice(parent.iter(), 80):
        prop = node.get("property") or ""
        if not creator and "attributionName" in prop:
            creator = _clean(node.get("content") or "".join(node.itertext()))
        elif not title and prop.endswith(":title"):
            title = _clean(node.get("content") or "".join(node.itertext()))
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


def _norm(url: str) -> str:
    return urldefrag(url.strip())[0]


# ----------------------------------------------------------------------------------------------
# Page results, per page and per image
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLicenses:
    """Everything a page states: ``evidence`` for the page itself (all roles and scopes), and
    :meth:`for_image` for one of its images."""

    url: str
    evidence: tuple[LicenseEvidence, ...] = field(default_factory=tuple)

    def for_image(self, image_url: str) -> list[LicenseEvidence]:
        """Statements the page makes about this image: its figure/caption/credit, a JSON-LD or
        microdata ImageObject, RDFa about it; or, when there are none, statements about every
        image of the page ("photos on this blog are …"). Never the page's own license."""
        target = _norm(image_url)
        if lt.badge_license(target) is not None:
            return []  # a license badge is not an image of the page
        own = [e for e in self.evidence if e.scope == SCOPE_ASSET and target in e.assets]
        if any(e.role == GRANT for e in own):
            return own
        general = [e for e in self.evidence if e.scope == SCOPE_ASSET and ALL_IMAGES in e.assets]
        return own + general


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


def _raw_html(selector: Any) -> str | None:
    """The HTML text a selector was parsed from (Scrapy and parsel keep it), if at hand."""
    text = getattr(selector, "_text", None)
    if not isinstance(text, str):
        response = getattr(selector, "response", None)
        text = getattr(response, "text", None)
    return text if isinstance(text, str) and text else None


def _root_of(selector: Selector | None) -> Any:
    root = getattr(selector, "root", None)
    if root is None or not hasattr(root, "tag") or not hasattr(root, "xpath"):
        return None
    return root


def _scanned(base_url: str, selector: Selector | None) -> _Scanned | None:
    """The page's scan, done once per parsed document (cached weakly by its root element) so
    :func:`detect` and :func:`image_evidence` share it."""
    root = _root_of(selector)
    if root is None:
        return None
    cached = _CACHE.get(root)
    if cached is not None and cached.url == base_url:
        return cached
    scan = _PageScan(base_url, root)
    found = tuple(scan.scan(_raw_html(selector)))
    cached = _CACHE[root] = _Scanned(base_url, scan.base, found)
    return cached


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
        scan = _PageScan(page_url, _root_of(selector))
        scan.base = cached.base
        known = {_evidence_key(e) for e in cached.evidence}
        extra = [e for e in scan.asset_texts() if _evidence_key(e) not in known]
        cached.assets = tuple(e for e in (*cached.evidence, *extra) if e.scope == SCOPE_ASSET)
    if not cached.assets:
        return []
    return PageLicenses(page_url, cached.assets).for_image(_abs(page_url, image_url))


# ----------------------------------------------------------------------------------------------
# Images: Link header + XMP
# ----------------------------------------------------------------------------------------------


class XmpLike(Protocol):
    cc_license: tuple[str, ...]
    web_statement: tuple[str, ...]
    usage_terms: tuple[str, ...]
    creator: tuple[str, ...]
    title: tuple[str, ...]
    malformed: bool


def from_xmp(fields: XmpLike, image_url: str) -> list[LicenseEvidence]:
    """License statements of an image's XMP packet: ``cc:license`` (URL), ``xmpRights:
    WebStatement`` (URL: a CC URL is a license, any other page is a rights statement whose
    terms are unknown), ``xmpRights:UsageTerms`` (text: CC names; "All rights reserved" is a
    notice; other terms are unknown). A malformed packet is an unknown statement."""
    assets = (_norm(image_url),)
    creator = ", ".join(getattr(fields, "creator", ()) or ())[:200]
    title = ((getattr(fields, "title", ()) or ("",))[0] or "")[:200]
    out: list[LicenseEvidence] = []

    def add(channel: str, snippet: str, url: str, lic: License | UnversionedCC | None,
            role: str = GRANT, note: str = "") -> None:
        out.append(LicenseEvidence(channel, "XMP", snippet[:_SNIPPET_MAX], url, lic,
                                   SCOPE_ASSET, role, assets, image_url, note, creator, title))

    for value in fields.cc_license:
        url, lic = _resolve_value(image_url, value)
        add("xmp:cc:license", value, url or value, lic)
    for value in fields.web_statement:
        url, lic = _resolve_value(image_url, value)
        add("xmp:xmpRights:WebStatement", value, url or value, lic,
            note="" if lic else "rights statement page with unknown terms")
    for value in fields.usage_terms:
        names = lt.find_names(value)
        if names:
            for lic in dict.fromkeys(n.license for n in names):
                add("xmp:xmpRights:UsageTerms", value, "", lic)
            continue
        lic = parse_license_ref(value) if len(value) <= 80 else None
        kind = lt.notice_kind(value)
        if lic is None and kind is not None:
            add("xmp:xmpRights:UsageTerms", value, "", None, NOTICE, kind)
        elif value.strip():
            add("xmp:xmpRights:UsageTerms", value, "", lic,
                note="" if lic else "usage terms name no known license")
    if getattr(fields, "malformed", False):
        add("xmp", "malformed XMP packet", "", None, note="the XMP packet could not be read")
    return out


def detect_image(url: str, headers: Mapping[str, Sequence[str]],
                 body: bytes | None) -> list[LicenseEvidence]:
    """The image response's own statements: ``Link: rel=license`` and XMP (asset scope)."""
    found = from_headers(url, headers, SCOPE_ASSET, (_norm(url),))
    if body:
        try:
            from crawler.signals.xmp import extract_xmp, parse_xmp
        except ImportError:  # pragma: no cover - the XMP module ships with the crawler
            return found
        packet = extract_xmp(body)
        if packet is not None:
            found += from_xmp(parse_xmp(packet), url)
    return found


# ----------------------------------------------------------------------------------------------
# Policy
# ----------------------------------------------------------------------------------------------


def from_policy(spdx: str | None, policy_source: str) -> list[LicenseEvidence]:
    """The license a reviewed ToS grants site-wide (``licenses.default``), as evidence."""
    if not spdx:
        return []
    lic = lookup_spdx(spdx)
    return [LicenseEvidence("policy:default", policy_source, f"licenses.default: {spdx}",
                            lic.url if lic else "", lic, SCOPE_SITE,
                            note="site-wide grant of the reviewed terms of service")]
