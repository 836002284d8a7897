"""Which part of a page a license statement covers, read from where the statement stands.

Scope comes from the context: inside ``figure``/``figcaption`` or a credit/caption element,
next to an ``<img>`` in a short block, in a microdata ``ImageObject`` or an RDFa ``about`` an
image → that asset; a sentence about "photos"/"images" → every image; about "text"/"content"/
"this work" → the page; about the theme or code → other. A statement that neither the markup
nor its sentence or place makes a grant is a mention. (A JSON-LD node's scope comes from its
``@type`` and where it hangs: :mod:`crawler.signals.license_markup`.)

:class:`PageScope` holds one page's element contexts and text blocks and records each
statement with the role and scope its place gives it (:meth:`PageScope.emit`); the readers of
text (:mod:`crawler.signals.license_prose`) and markup build on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    ALL_IMAGES,
    GRANT,
    MENTION,
    NOTICE,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SNIPPET_MAX,
    LicenseEvidence,
    absolute_url,
    norm_url,
    snippet_of,
)
from crawler.signals.licenses import License, UnversionedCC

#: most mentions and notices recorded for one page (neither ever decides)
_MAX_MENTIONS = 5
_MAX_NOTICES = 4
_WS = str.maketrans("\n\r\t\f\v", "     ")
_IMG_URLS = etree.XPath("descendant-or-self::img | descendant-or-self::source"
                        " | descendant-or-self::video")

_BLOCK_TAGS = frozenset({
    "p", "li", "dd", "dt", "td", "th", "figcaption", "figure", "footer", "header", "aside",
    "section", "article", "div", "blockquote", "address", "caption", "nav", "main", "body",
    "html", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol", "dl", "table", "tbody",
    "thead", "tfoot", "tr", "form", "center", "details", "summary", "fieldset", "legend", "hr",
    "menu"})
STRUCTURAL = frozenset({"body", "html", "main", "article", "section", "footer", "header",
                        "nav", "aside"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "select", "textarea",
                       "option", "svg", "math", "iframe", "object"})
CREDIT_CLASSES = ("credit", "caption")
_LICENSE_CLASSES = ("footer", "licen", "copyright", "colophon", "rights", "legal")
MEDIA_TYPES = frozenset({"imageobject", "photograph", "videoobject", "mediaobject",
                         "audioobject", "3dmodel", "imagegallery"})
OTHER_TYPES = frozenset({"dataset", "datadownload", "datacatalog", "softwaresourcecode",
                         "softwareapplication", "webapplication", "mobileapplication",
                         "product", "offer", "musicrecording", "podcastepisode"})
CREDIT_TEXT = re.compile(
    r"\s*(?:(?:header|cover|featured|title|hero|lead|top|banner)\s+)?"
    r"(?:photo(?:graph)?|image|picture|illustration|foto|bild|graphic|drawing|map|video)s?"
    r"(?:\s+credits?|\s+source|\s+licen[cs]e)?\s*(?:[:©(]|by\b|courtesy\b)"
    r"|\s*(?:photo\s+|image\s+)?credits?\s*:",
    re.IGNORECASE)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|tiff?|bmp|heic)(?:$|[?#])", re.I)


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
    elif marks and tag not in STRUCTURAL and any(c in marks for c in CREDIT_CLASSES):
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
        if candidate is None or candidate.tag in STRUCTURAL:
            break
        if next(candidate.iter("img"), None) is not None:
            return candidate
        candidate = candidate.getparent()
    return node


@dataclass
class Block:
    """A block element's own text, the spans of its inline elements in that text and its
    context; its clauses and CC names are parsed when first asked for."""

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
                elif tag not in SKIP_TAGS:
                    start = pos
                    walk(child)
                    spans[child] = (start, pos)
            if child.tail and pos < limit:
                parts.append(child.tail.translate(_WS))
                pos += len(child.tail)

    walk(block)
    return "".join(parts), spans


def _inside(el: Any, container: Any) -> bool:
    return any(anc is container for anc in el.iterancestors())


def _tiny(img: Any) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 40:
            return True
    return False


class PageScope:
    """One page's element contexts and text blocks, and the statements recorded so far, each
    with its role, scope and assets."""

    def __init__(self, base_url: str, root: Any):
        self.base = base_url
        self.page = norm_url(base_url)
        self.root = root
        self.blocks: dict[Any, Block] = {}
        self.ctxs: dict[Any, _Ctx] = {}
        self.out: list[LicenseEvidence] = []
        self.covered: dict[Any, list[License | UnversionedCC | None]] = {}  # block -> licenses
        self.mentions = self.notices = 0

    # --- helpers -------------------------------------------------------------------------
    def url(self, value: str) -> str:
        return absolute_url(self.base, value)

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

    def block_of(self, el: Any) -> Block:
        node = el
        while node is not None and node.tag not in _BLOCK_TAGS:
            node = node.getparent()
        if node is None:
            node = self.root
        block = self.blocks.get(node)
        if block is None:
            text, spans = _inline_text(node)
            block = Block(node, text, spans, self.ctx(node))
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
                    urls.append(norm_url(self.url(value)))
            for attr in ("srcset", "data-srcset"):
                for part in (el.get(attr) or "").split(","):
                    bits = part.split()
                    if bits and not bits[0].startswith("data:"):
                        urls.append(norm_url(self.url(bits[0])))
        return tuple(dict.fromkeys(urls))

    def adjacent_images(self, block: Block, pos: int, own: Any = None) -> tuple[str, ...]:
        """Images in the same short inline run as ``pos`` (no block between them)."""
        if block.el.tag in STRUCTURAL or len(block.text) > 400:
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

    def credited_images(self, block: Block, pos: int, own: Any = None) -> tuple[str, ...]:
        """The images a credit line speaks for: next to it, else in the element before it."""
        near = self.adjacent_images(block, pos, own)
        if near:
            return near
        before = block.el.getprevious()
        while before is not None and not isinstance(before.tag, str):
            before = before.getprevious()
        if before is None or before.tag in STRUCTURAL or before.tag in SKIP_TAGS:
            return ()
        return self.images_in(before) if len(_IMG_URLS(before)) <= 3 else ()

    def images_in_el(self, img: Any) -> list[str]:
        src = img.get("src") or img.get("data-src")
        return [norm_url(self.url(src))] if src and not src.startswith("data:") else []

    # --- scope ---------------------------------------------------------------------------
    def place(self, el: Any, block: Block, pos: int | None, explicit: bool
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
        if clause is not None and CREDIT_TEXT.match(block.text, clause.start, clause.end):
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
        target = norm_url(self.url(about))
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
        if itemtype in MEDIA_TYPES:
            urls = [norm_url(self.url(v)) for v in item.xpath(
                ".//*[@itemprop='contentUrl' or @itemprop='contenturl' or @itemprop='url' "
                "or @itemprop='image']/@*[name()='src' or name()='href' or name()='content']")]
            urls += self.images_in(item)
            return GRANT, SCOPE_ASSET, tuple(dict.fromkeys(urls)), f"microdata {itemtype}"
        if itemtype in OTHER_TYPES:
            return GRANT, SCOPE_OTHER, (), f"microdata {itemtype}"
        return None

    def notice_scope(self, el: Any, block: Block) -> tuple[str, tuple[str, ...]]:
        ctx = self.ctx(el) if el is not None else block.ctx
        if ctx.asset_box is not None:
            return SCOPE_ASSET, self.images_in(ctx.asset_box)
        return SCOPE_PAGE, ()

    # --- emit ----------------------------------------------------------------------------
    def emit(self, channel: str, el: Any, url: str, lic: License | UnversionedCC | None,
             explicit: bool, block: Block | None = None, pos: int | None = None,
             snippet: str | None = None, note: str = "", location: str | None = None,
             creator: str = "", title: str = "") -> None:
        """Record a statement at ``el`` (or at ``pos`` of ``block``, for text) with the role,
        scope and assets :meth:`place` gives it."""
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
            channel, location or ctx.path, snippet if snippet is not None else snippet_of(el),
            url, lic, scope, role, assets, self.base, "; ".join(n for n in (note, why) if n),
            creator, title))

    def notice(self, channel: str, location: str, snippet: str, kind: str, url: str = "",
               scope: str = SCOPE_PAGE, assets: tuple[str, ...] = ()) -> None:
        """Record a notice: a copyright line, "All rights reserved", a rights statement."""
        if self.notices >= _MAX_NOTICES:
            return
        self.notices += 1
        self.out.append(LicenseEvidence(channel, location, snippet[:SNIPPET_MAX], url, None,
                                        scope, NOTICE, assets, self.base, kind))
