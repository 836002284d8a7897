"""License statements written in a page's text: names, grant sentences, notices, credits.

Text is read around the statements found in markup (their footer, figure, license box or
block), then in the page's footers, asides, addresses and figures, then wherever the page's
text holds a marker of the phrase table (``licen``, ``lizen``, ``commons``, ``cc by``, and the
page language's own: ``иценз``, ``ライセンス`` …), each step only when the page's text holds
the markers more often than the text read so far. Image credits (text-only captions: "Photo:
J. Doe, CC BY 2.0") are read on demand, by :meth:`ProseScan.asset_texts`. What a sentence
grants, and for what subject, is decided by :mod:`crawler.signals.license_grammar`; where it
applies, by :mod:`crawler.signals.license_scope`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from itertools import accumulate
from typing import Any, Final

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    GRANT,
    SCOPE_ASSET,
    SNIPPET_MAX,
    SOME_IMAGES,
    LicenseEvidence,
    clean_text,
    last_token,
)
from crawler.signals.license_locate import Lines
from crawler.signals.license_phrases import phrases
from crawler.signals.license_rawindex import RawIndex
from crawler.signals.license_regions import CAPTION, CREDIT, region_of_tokens
from crawler.signals.license_scope import (
    SKIP_TAGS,
    STRUCTURAL,
    Block,
    PageScope,
    credit_text,
)
from crawler.signals.licenses import License, canonicalize_url
from crawler.signals.substrings import Needles

IMGS = etree.XPath("descendant::img")
_REGIONS = ("footer", "figure", "aside", "address")
_TEXT_NODES = etree.XPath("descendant::text()")
_MAX_GLOBAL = 40  # text nodes read by the last step (running text about licenses is long)
_NOTICE_WORDS = ("©", "ight", "(c)", "vorbehalten", "réservés", "reservados", "riservati",
                 "voorbehouden", "zastrzeżone", "защищены", "版权所有", "版權所有", "無断転載",
                 "무단")
_NOTICE: Final = Needles(_NOTICE_WORDS)


@cache
def _marks() -> Needles:
    """What makes a text worth a look (lower case): a marker of any language, a CC name, a
    copyright or rights notice."""
    p = phrases()
    words = {*p.markers, *(m for ms in p.lang_markers.values() for m in ms)}
    words |= {"creative commons", "cc by", "cc-by", "cc0", "domain mark", "rights reserved",
              "copyright"}
    words |= {w for w in _NOTICE_WORDS if w not in ("ight", "(c)")}
    return Needles(sorted(words))


def _marked(text: str) -> bool:
    return _marks().found_in(text.lower())


def _marked_nodes(region: Any) -> list[Any]:
    """The text nodes of ``region`` where a mark starts."""
    nodes = _TEXT_NODES(region)
    text = "".join(nodes)
    low = text.lower()
    hits = _marks().starts(low) if len(low) == len(text) else [
        m.start() for mark in _marks().words for m in re.finditer(re.escape(mark), text, re.I)]
    if not hits:
        return []
    ends = list(accumulate(map(len, nodes)))
    return [nodes[i] for i in sorted({bisect_right(ends, p) for p in hits}) if i < len(nodes)]


@cache
def _texts_with(spellings: tuple[str, ...]) -> etree.XPath:
    """Text nodes holding one of ``spellings`` (as written in the page: "Licen", "LICEN")."""
    tests = " or ".join("contains(., {})".format("'" + s + "'" if "'" not in s
                                                  else '"' + s + '"') for s in spellings)
    return etree.XPath(f"descendant::text()[{tests}]")


def _says_something(text: str) -> bool:
    """Does a piece of raw text name a license, take media out of one, or hold a notice?"""
    if lt.find_names(text) or lt.excludes_media(text, 0, len(text)):
        return True
    low = text.lower()
    return _NOTICE.found_in(low) and lt.notice_kind(text) is not None


def page_markers(root: Any) -> tuple[str, ...]:
    """The markers the page's text is searched for: those searched in every page, and those
    of the page's language (``<html lang>``)."""
    p = phrases()
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    return (*p.markers, *p.lang_markers.get(lang.split("-")[0].strip().lower(), ()))


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
        self.read_text: list[str] = []  # the text of the regions read (whitespace collapsed)
        self.regions_done: set[Any] = set()  # regions read (image credits skip them)

    def texts(self, root: Any, hits: list[Any], index: RawIndex | None = None,
              lines: Lines | None = None) -> None:
        """Names and notices in text. First around each statement found (its figure, footer,
        license box or block); then, if the page's text holds the markers more often than
        what was read, in its footers, asides and addresses; then, if still more and a
        license name stands near one of those (``index``: the raw HTML's markers, with their
        counts in text, scripts included: they are taken off here when it matters; ``lines``:
        the elements at its places), wherever the page's text holds them. Without ``index``
        the markers are counted in the body's text and the last step always runs."""
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
        markers = tuple(index.text_markers) if index is not None else page_markers(root)
        covered = dict.fromkeys(markers, 0)
        done = self.regions_done = self.read_regions(regions, covered)
        if index is not None:
            page = dict(index.text_markers)
        else:
            low = body.text_content().lower()
            page = {m: low.count(m) for m in markers}
        if all(page[m] <= covered[m] for m in markers):
            return
        if index is not None and index.names_near(
                [m for m in markers if page[m] > covered[m]], _says_something,
                " ".join(self.read_text).lower()) == []:
            return  # the text left unread names no license and holds no notice
        # (a walk costs up to 0.5 ms on a large page: not for tags its HTML does not hold)
        regions = list(body.iter(*_REGIONS)) if index is None or any(
            index.holds(f"<{tag}") for tag in _REGIONS) else []
        self.read_regions([r for r in regions if r.tag != "figure"], covered, done)
        for figure in regions:  # image credits are read on demand (asset_texts): counted only
            if figure.tag == "figure" and figure not in done:
                low = figure.text_content().lower()
                for marker in covered:
                    covered[marker] += low.count(marker)
        left = [m for m in markers if page[m] > covered[m]]
        if not left:
            return
        if index is not None and lines is not None:
            near = index.names_near(left, _says_something, " ".join(self.read_text).lower())
            if near is not None:
                if not near:
                    return
                holders = lines.holders_at(body, near, tuple(left))
                if holders is not None:
                    for holder in holders[:_MAX_GLOBAL]:
                        self.read_holder(holder, credits=False)
                    return
        spellings: set[str] = set()
        for marker in left:
            found = (index.variants.get(marker) if index is not None else None) or {
                marker, marker.capitalize(), marker.upper()}
            spellings.update(found)
        if spellings:
            for node in _texts_with(tuple(sorted(spellings)))(body)[:_MAX_GLOBAL]:
                if _marked(node):
                    self.text_node(node, credits=False)

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
            marks = f"{after.get('class') or ''} {after.get('id') or ''}"
            head = after.text_content()[:300]
            if region_of_tokens(marks) in (CREDIT, CAPTION) or credit_text().match(head):
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
            for marker in covered:
                covered[marker] += low.count(marker)
            self.read_text.append(" ".join(text.split()))
            if _marked(text):
                for node in _marked_nodes(region):
                    self.text_node(node)
        return done

    def text_node(self, node: Any, credits: bool = True) -> None:
        """Read the block holding a text node; ``credits`` False leaves image credits (in a
        figure or credit element, or beside an image) to :meth:`asset_texts`."""
        parent = node.getparent()
        if parent is None:
            return
        holder = parent.getparent() if node.is_tail else parent
        if holder is None or (not node.is_tail and parent.tag in SKIP_TAGS):
            return
        self.read_holder(holder, credits)

    def read_holder(self, holder: Any, credits: bool = True) -> None:
        """Read the block of an element whose own text holds a mark."""
        if holder.tag in SKIP_TAGS or any(anc.tag in SKIP_TAGS for anc in holder.iterancestors()):
            return
        if self.ctx(holder).code:
            return  # a license said in a code sample is that code's: never the page's
        block = self.block_of(holder)
        if block.el in self.text_done:
            return
        if not credits and (block.ctx.asset_box is not None
                            or any(el.tag == "img" for el in block.spans)):
            return
        self.text_done.add(block.el)
        self.text_block(block)

    def exclusion(self, block: Block) -> None:
        """Media a clause takes out of the license its block states ("The figures reused
        from other sources don't fall under this license"): an exception for some images with
        no license stated, so no image of the page takes the page's license for granted."""
        named = False  # a clause before names a license: "… don't fall under it" is it
        for start, end in block.bounds:
            if lt.excludes_media(block.text, start, end, named):
                self.out.append(LicenseEvidence(
                    "text", block.ctx.path, clean_text(block.text[start:end])[:SNIPPET_MAX], "",
                    None, SCOPE_ASSET, GRANT, (SOME_IMAGES,), self.base,
                    "exception: media taken out of the license stated here", part="exception"))
                return
            named = named or any(start <= n.start < end for n in block.names)

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
            bounds = next(((s, e) for s, e in block.bounds if s <= name.start <= e), None)
            snippet = text[bounds[0]:bounds[1]] if bounds else name.text
            self.emit("text", None, url, name.license, explicit=False, block=block,
                      pos=name.start, end=name.end, cc=name.cc,
                      snippet=clean_text(snippet)[:SNIPPET_MAX],
                      location=block.ctx.path, note=f"name {clean_text(name.text)!r}")
        self.exclusion(block)
        for start, end in block.bounds:
            chunk = text[start:end]
            low = chunk.lower()
            kind = lt.notice_kind(chunk) if _NOTICE.found_in(low) else None
            if kind is not None:
                scope, assets = self.notice_scope(None, block)
                self.notice("text", block.ctx.path, clean_text(chunk), kind, scope=scope,
                            assets=assets)
