"""A page's elements as the license scan sees them: their context, the text blocks they
stand in, and the images near them.

:class:`ElementScope` walks up from an element once (its :class:`~crawler.signals.
license_regions.Ctx`, cached), cuts the page into :class:`Block` s (a block element's own text,
with the spans of its inline elements) and finds the images a statement may speak for (in a
figure, next to it in the same short run, in the element before a credit line).
:class:`~crawler.signals.license_scope.PageScope` decides on this what a statement covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from crawler.signals import license_regions as lr
from crawler.signals import license_text as lt
from crawler.signals.license_evidence import absolute_url, norm_url
from crawler.signals.license_phrases import tokenize
from crawler.signals.license_regions import SKIP_TAGS, STRUCTURAL, Ctx

__all__ = ["BLOCK_TAGS", "Block", "ElementScope"]

_WS = str.maketrans("\n\r\t\f\v", "     ")
_IMG_URLS = etree.XPath("descendant-or-self::img | descendant-or-self::source"
                        " | descendant-or-self::video")
BLOCK_TAGS = frozenset({
    "p", "li", "dd", "dt", "td", "th", "figcaption", "figure", "footer", "header", "aside",
    "section", "article", "div", "blockquote", "address", "caption", "nav", "main", "body",
    "html", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "ul", "ol", "dl", "table", "tbody",
    "thead", "tfoot", "tr", "form", "center", "details", "summary", "fieldset", "legend", "hr",
    "menu"})


@dataclass
class Block:
    """A block element's own text, the spans of its inline elements in that text and its
    context; its clauses and names are parsed when first asked for."""

    el: Any
    text: str
    spans: dict[Any, tuple[int, int]]
    ctx: Ctx
    _bounds: list[tuple[int, int]] | None = None
    _clauses: dict[int, lt.Clause] | None = None
    _names: list[lt.NameMatch] | None = None

    @property
    def bounds(self) -> list[tuple[int, int]]:
        if self._bounds is None:
            self._bounds = lt.split_clauses(self.text)
        return self._bounds

    @property
    def clauses(self) -> list[lt.Clause]:
        return [c for c in (self.clause_at(s) for s, _ in self.bounds) if c is not None]

    @property
    def names(self) -> list[lt.NameMatch]:
        if self._names is None:
            self._names = lt.find_names(self.text)
        return self._names

    def clause_at(self, pos: int) -> lt.Clause | None:
        """The clause holding ``pos``, with its grant cues (read when first asked for)."""
        for start, end in self.bounds:
            if start <= pos <= end:
                if self._clauses is None:
                    self._clauses = {}
                clause = self._clauses.get(start)
                if clause is None:
                    clause = self._clauses[start] = lt.grant_clause(self.text, start, end)
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
                if tag in BLOCK_TAGS:
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


class ElementScope:
    """One page's element contexts and text blocks, and the images near its statements."""

    def __init__(self, base_url: str, root: Any):
        self.base = base_url
        self.page = norm_url(base_url)
        self.root = root
        self.blocks: dict[Any, Block] = {}
        self.ctxs: dict[Any, Ctx] = {}
        self._site_words: frozenset[str] | None = None

    def url(self, value: str) -> str:
        return absolute_url(self.base, value)

    def ctx(self, el: Any) -> Ctx:
        """The context of ``el``, built from its parent's (each element is looked at once)."""
        found = self.ctxs.get(el)
        if found is not None:
            return found
        chain = []
        node = el
        while node is not None and node not in self.ctxs:
            chain.append(node)
            node = node.getparent()
        ctx = self.ctxs[node] if node is not None else lr.ROOT_CTX
        for node in reversed(chain):
            ctx = lr.own_ctx(node, ctx)
            self.ctxs[node] = ctx
        return ctx

    def block_of(self, el: Any) -> Block:
        node = el
        while node is not None and node.tag not in BLOCK_TAGS:
            node = node.getparent()
        if node is None:
            node = self.root
        block = self.blocks.get(node)
        if block is None:
            text, spans = _inline_text(node)
            block = Block(node, text, spans, self.ctx(node))
            self.blocks[node] = block
        return block

    def site_words(self) -> frozenset[str]:
        """Lower-case words of the page's ``<title>`` and site name: a subject made of them
        is the site speaking of itself."""
        if self._site_words is None:
            texts = [t for t in self.root.xpath(
                "head/title/text() | head/meta[@property='og:site_name' or "
                "@name='application-name']/@content")[:3] if isinstance(t, str)]
            self._site_words = frozenset(w for t in texts for _, _, w in tokenize(t[:300]))
        return self._site_words

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
