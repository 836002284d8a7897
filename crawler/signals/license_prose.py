"""License statements written in a page's text: CC names, grant sentences, notices, credits.

Text is read around the statements found in markup (their footer, figure, license box or
block), then in the page's footers, asides, addresses and figures, then wherever the page says
"licen…", each step only when the page says "licen…" more often than the text read so far.
Image credits (text-only captions: "Photo: J. Doe, CC BY 2.0") are read on demand, by
:meth:`ProseScan.asset_texts`. What a sentence grants, and for what subject, is decided by
:mod:`crawler.signals.license_text`; where it applies, by :mod:`crawler.signals.license_scope`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    SNIPPET_MAX,
    LicenseEvidence,
    clean_text,
    last_token,
)
from crawler.signals.license_scope import (
    CREDIT_CLASSES,
    CREDIT_TEXT,
    SKIP_TAGS,
    STRUCTURAL,
    Block,
    PageScope,
)
from crawler.signals.licenses import License, canonicalize_url

SCRIPTS = etree.XPath("descendant::script")
IMGS = etree.XPath("descendant::img")
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
TEXT_MARKERS = ("licen",)


def _is_statement_link(el: Any) -> bool:
    """A link that is a statement by itself (``rel=license``, a license URL): the markup
    reader recorded it, so a name in its text is not read again."""
    if el.tag not in ("a", "area", "link"):
        return False
    if any(last_token(t) == "license" for t in (el.get("rel") or "").split()):
        return True
    return canonicalize_url(el.get("href") or "") is not None


def _span_owner(block: Block, pos: int, tag: str) -> Any:
    for el, (start, end) in block.spans.items():
        if el.tag == tag and start <= pos < end:
            return el
    return None


class ProseScan(PageScope):
    """A page's statements in text, recorded with their scope (:class:`PageScope`)."""

    def __init__(self, base_url: str, root: Any):
        super().__init__(base_url, root)
        self.text_done: set[Any] = set()  # blocks whose text was read
        self.regions_done: set[Any] = set()  # regions read (image credits skip them)

    def texts(self, root: Any, hits: list[Any], page_markers: dict[str, int] | None) -> None:
        """Names and notices in text. First around each statement found (its figure, footer,
        license box or block); then, if the page's text says "licen…" more often than what was
        read, in its footers, asides, addresses and figures; then, if still more, wherever the
        page says it. ``page_markers``: how often the raw HTML's text says each of
        :data:`TEXT_MARKERS` (scripts included, they are taken off here when it matters);
        ``None`` to count them in the body's text."""
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
        covered = dict.fromkeys(TEXT_MARKERS, 0)
        done = self.regions_done = self.read_regions(regions, covered)
        if page_markers is not None:
            page = dict(page_markers)
        else:
            low = body.text_content().lower()
            page = {m: low.count(m) for m in TEXT_MARKERS}
        if all(page[m] <= covered[m] for m in TEXT_MARKERS):
            return
        self.read_regions(list(body.iter(*_REGIONS)), covered, done)
        if page_markers is not None and any(page[m] > covered[m] for m in TEXT_MARKERS):
            for script in SCRIPTS(body):
                low = (script.text or "").lower()
                for marker in TEXT_MARKERS:
                    page[marker] -= low.count(marker)
        for marker in TEXT_MARKERS:
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
        for img in IMGS(root):
            if lt.badge_license(img.get("src") or "") is not None:
                continue
            ctx = self.ctx(img)
            if ctx.asset_box is not None:
                regions.append(ctx.asset_box)
                continue
            block = self.block_of(img)
            if len(block.text) <= 300 and _marked(block.text):
                regions.append(block.el)  # "<img><br>Photo: J. Doe, CC BY 2.0"
            after = block.el.getnext() if block.el.tag not in STRUCTURAL else img.getnext()
            while after is not None and not isinstance(after.tag, str):
                after = after.getnext()
            if after is None or after.tag in SKIP_TAGS or after.tag in STRUCTURAL:
                continue
            marks = f"{after.get('class') or ''} {after.get('id') or ''}".lower()
            head = after.text_content()[:300]
            if any(c in marks for c in CREDIT_CLASSES) or CREDIT_TEXT.match(head):
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
            for marker in TEXT_MARKERS:
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
        if holder is None or holder.tag in SKIP_TAGS or (
                not node.is_tail and parent.tag in SKIP_TAGS):
            return
        if any(anc.tag in SKIP_TAGS for anc in holder.iterancestors()):
            return
        block = self.block_of(holder)
        if block.el not in self.text_done:
            self.text_done.add(block.el)
            self.text_block(block)

    def text_block(self, block: Block) -> None:
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
                      pos=name.start, snippet=clean_text(snippet)[:SNIPPET_MAX],
                      location=block.ctx.path, note=f"name {clean_text(name.text)!r}")
        for clause in block.clauses:
            chunk = text[clause.start:clause.end]
            kind = lt.notice_kind(chunk) if ("©" in chunk or "ight" in chunk.lower()) else None
            if kind is not None:
                scope, assets = self.notice_scope(None, block)
                self.notice("text", block.ctx.path, clean_text(chunk), kind, scope=scope,
                            assets=assets)
