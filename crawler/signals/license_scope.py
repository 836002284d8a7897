"""Which part of a page a license statement covers, read from where the statement stands.

Scope comes from the structure (:mod:`crawler.signals.license_regions`): inside ``figure``/
``figcaption`` or a credit/caption element, next to an ``<img>`` in a short block, in a
microdata ``ImageObject`` or an RDFa ``about`` an image → that asset; in a code sample → that
code. Then from the sentence (:mod:`crawler.signals.license_grammar`): "photos"/"images" →
every image; "some images" → an exception for some images; "text"/"content"/"this work" → the
page; the theme, code, a dataset → other. A short line in a footer, sidebar, widget or license
box speaks for the page. Anything else is a mention.

Running text is read strictly: there a grant's subject must be made of words the phrase table
knows or that name the site (its ``<title>``), so "Wikipedia is licensed under CC BY-SA" in an
article is a mention, while "BITS ist kostenlos und steht unter der Lizenz …" on BITS' own page
is a grant. Names of non-CC licenses (MIT, GPL, GFDL) grant a page license only when the
sentence names the page's content ("all website content is published under MIT"): "Warzone is
licensed under the GPL" is about software.

:class:`PageScope` holds one page's element contexts and text blocks and records each
statement with the role, scope and part its place gives it (:meth:`PageScope.emit`); the
readers of text (:mod:`crawler.signals.license_prose`) and markup build on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from crawler.signals import license_regions as lr
from crawler.signals import license_text as lt
from crawler.signals.license_blocks import Block, ElementScope
from crawler.signals.license_evidence import (
    ALL_IMAGES,
    GRANT,
    MENTION,
    NOTICE,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SNIPPET_MAX,
    SOME_IMAGES,
    LicenseEvidence,
    norm_url,
    snippet_of,
)
from crawler.signals.license_phrases import phrases, tokenize
from crawler.signals.license_regions import SKIP_TAGS, STRUCTURAL, Ctx
from crawler.signals.licenses import License, UnversionedCC

__all__ = ["MEDIA_TYPES", "OTHER_TYPES", "SKIP_TAGS", "STRUCTURAL", "Block",
           "PageScope", "Place", "credit_text"]

#: most mentions and notices recorded for one page (neither ever decides)
_MAX_MENTIONS = 5
_MAX_NOTICES = 4
#: a block longer than this is running text; a shorter one in a region is a line of it
_LINE = 300
MEDIA_TYPES = frozenset({"imageobject", "photograph", "videoobject", "mediaobject",
                         "audioobject", "3dmodel", "imagegallery"})
OTHER_TYPES = frozenset({"dataset", "datadownload", "datacatalog", "softwaresourcecode",
                         "softwareapplication", "webapplication", "mobileapplication",
                         "product", "offer", "musicrecording", "podcastepisode"})
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|tiff?|bmp|heic)(?:$|[?#])", re.I)
#: a link text that names no license ("Creative Commons", "License"): a menu entry
#: hedges that only negate: they stop a subject ("… is not licensed under"), but a clause
#: holding one elsewhere ("CC BY-NC (nicht-kommerziell)") still states a license
_NEGATIONS = frozenset({"not", "never", "nicht", "kein", "keine", "ne", "pas", "no", "non",
                        "não", "niet", "nie", "не"})
_ELEMENT_CODE = re.compile(r"(?<![\w])(?:by|nc|nd|sa|cc0|zero|\d\.\d)(?![\w])", re.I)


@cache
def credit_text() -> re.Pattern[str]:
    """A credit line's start in any language of the phrase table: "Photo:", "Foto ©",
    "Image credit:", "写真", "Photo by …"."""
    words = phrases().credit.regex.pattern
    return re.compile(
        rf"\s*(?:(?:header|cover|featured|title|hero|lead|top|banner)\s+)?(?:{words})s?"
        r"(?:\s+(?:credits?|source|licen[cs]e))?\s*(?:[:\uff1a\u00a9(]|by\b|courtesy\b)",
        re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """Where a statement stands and what that makes it."""

    role: str
    scope: str
    assets: tuple[str, ...] = ()
    note: str = ""
    part: str = ""


def _is_cc(lic: License | UnversionedCC | None) -> bool:
    return isinstance(lic, UnversionedCC) or (isinstance(lic, License)
                                              and lic.is_creative_commons)


class PageScope(ElementScope):
    """One page's element contexts and text blocks, and the statements recorded so far, each
    with its role, scope, part and assets."""

    def __init__(self, base_url: str, root: Any):
        super().__init__(base_url, root)
        self.out: list[LicenseEvidence] = []
        self.covered: dict[Any, list[License | UnversionedCC | None]] = {}  # block -> licenses
        self.mentions = self.notices = 0
        self.weak: list[int] = []  # statements granted only by standing in a region

    # --- scope ---------------------------------------------------------------------------
    def place(self, el: Any, block: Block, pos: int | None, explicit: bool,
              lic: License | UnversionedCC | None = None, end: int | None = None,
              cc: bool | None = None) -> Place:
        """What a statement at ``el`` (or at ``block.text[pos:end]``, for text) is.

        ``explicit``: the markup itself says "license" (rel, property, itemprop, a badge);
        otherwise (a plain CC link, a name in text) the sentence or the place must say it.
        ``cc``: the license is a Creative Commons one (default: read from ``lic``).
        """
        ctx = self.ctx(el) if el is not None else block.ctx
        cc = _is_cc(lic) if cc is None else cc
        if ctx.code:
            return Place(GRANT if explicit else MENTION, SCOPE_OTHER, (),
                         "in a code sample", lr.CODE)
        if ctx.asset_box is not None:
            box = ctx.asset_box
            what = lr.FIGURE if box.tag in ("figure", "figcaption") else lr.CAPTION
            return Place(GRANT, SCOPE_ASSET, self.images_in(box),
                         f"in a {'figure' if what == lr.FIGURE else 'caption/credit'}", what)
        if el is not None and explicit:
            found = self.about_scope(ctx) or self.item_scope(ctx)
            if found is not None:
                return found
        clause = block.clause_at(pos) if pos is not None else None
        if clause is not None and pos is not None:
            subject = clause.grant_for(pos, end if end is not None else pos, lic)
            if subject is None and clause.start > 1 and block.text[clause.start - 1] == "\n":
                # "stehen unter<br>CC BY-NC-SA 3.0 DE": a line break inside the sentence
                before = block.clause_at(clause.start - 2)
                if before is not None and before.cues:
                    joined = lt.grant_clause(block.text, before.start, clause.end)
                    subject = joined.grant_for(pos, end if end is not None else pos, lic)
                    clause = joined if subject is not None else clause
            if subject is not None:
                return self.granted(subject, block, pos, el, ctx, cc)
            if credit_text().match(block.text, clause.start, clause.end):
                return Place(GRANT, SCOPE_ASSET, self.credited_images(block, pos, el),
                             "credit line", "image")
        region = ctx.region if ctx.license_box else None
        if pos is not None and region is None:
            near = self.adjacent_images(block, pos, el)
            if near:
                return Place(GRANT, SCOPE_ASSET, near, "next to an image", "image")
        if explicit:
            return Place(GRANT, SCOPE_PAGE, (), "", region or self.part_of(ctx))
        if clause is not None and (clause.cues or self.hedged(clause)):
            return Place(MENTION, SCOPE_PAGE, (), "a sentence about licenses that grants none "
                         "here", region or self.part_of(ctx))
        if region is not None and len(block.text) <= _LINE and cc:
            if el is not None and self.menu_entry(el, block):
                return Place(MENTION, SCOPE_PAGE, (), "a menu link whose text names no license",
                             region)
            return Place(GRANT, SCOPE_PAGE, (), f"license line in a {region}", region)
        return Place(MENTION, SCOPE_PAGE, (), "named in running text, not stated as a grant",
                     self.part_of(ctx))

    def hedged(self, clause: lt.Clause) -> bool:
        """Does the clause talk about licenses ("e.g.", "if you", "many") in the page's
        language or in English?"""
        p = phrases()
        lang = (self.root.get("lang") or "").split("-")[0].strip().lower()
        langs = {"en", lang} & set(p.languages)
        return any(p.hedges.langs[h.key] & langs and h.key not in _NEGATIONS
                   for h in p.hedges.finditer(clause.text, clause.start, clause.end))

    def part_of(self, ctx: Ctx) -> str:
        return ctx.region or "body"

    def granted(self, subject: lt.Subject, block: Block, pos: int, el: Any, ctx: Ctx,
                cc: bool) -> Place:
        """What a grant sentence makes of a statement: its subject's scope, unless the place
        makes the sentence doubtful (running text about another work, a software license
        named for no content of the page)."""
        said = f"stated for {subject.text!r}" if subject.text else "grant sentence"
        region = ctx.region if ctx.license_box else None
        part = region or "body"
        scope = subject.scope
        if subject.credit:  # "<title> by <author>": the page itself only when it is the title
            words = {w for _, _, w in tokenize(subject.credit)}
            if not words or not words <= self.site_words():
                return Place(GRANT, SCOPE_OTHER, (), f"credit for another work: {said}", part)
            scope = lt.PAGE
        if scope == lt.PAGE:
            if not cc and not subject.noun:
                return Place(MENTION, SCOPE_PAGE, (), "a software license named for no page "
                             "content: " + said, part)
            strict = region is None and len(block.text) > _LINE
            if strict and subject.unknown and not set(subject.unknown) <= self.site_words():
                return Place(MENTION, SCOPE_PAGE, (), "running text about another work: " + said,
                             part)
            return Place(GRANT, SCOPE_PAGE, (), said, part)
        if scope == lt.ASSET_ALL:
            return Place(GRANT, SCOPE_ASSET, (ALL_IMAGES,), said, part)
        if scope == lt.ASSET_ONE:
            return Place(GRANT, SCOPE_ASSET, self.credited_images(block, pos, el), said, "image")
        if scope == lt.ASSET_SOME:
            return Place(GRANT, SCOPE_ASSET, (SOME_IMAGES,), "exception: " + said, "exception")
        return Place(GRANT, SCOPE_OTHER, (), ("exception: " if subject.exception else "") + said,
                     "exception" if subject.exception else part)

    def menu_entry(self, el: Any, block: Block) -> bool:
        """A link alone in a list item of a menu, whose text names no license ("Creative
        Commons" beside "Legal notice" and "Privacy"): a navigation link, not a statement."""
        if el.tag != "a" or block.el.tag != "li" or next(el.iter("img", "svg", "i"), None) \
                is not None:
            return False
        text = " ".join("".join(el.itertext()).split())
        if not text or text != " ".join(block.text.split()):
            return False
        if lt.find_names(text) or _ELEMENT_CODE.search(text) or phrases().elements.search(text):
            return False
        parent = block.el.getparent()
        return parent is not None and len(parent.findall("li")) >= 3

    def about_scope(self, ctx: Ctx) -> Place | None:
        about = ctx.about
        if about is None or about.strip() in ("", "#") or about.startswith("#"):
            return None
        target = norm_url(self.url(about))
        if target == self.page:
            return None
        if _IMAGE_EXT.search(target):
            return Place(GRANT, SCOPE_ASSET, (target,), f"RDFa about {about}", "image")
        return Place(GRANT, SCOPE_OTHER, (), f"RDFa about {about}", "body")

    def item_scope(self, ctx: Ctx) -> Place | None:
        item = ctx.itemscope
        if item is None:
            return None
        itemtype = (item.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        if itemtype in MEDIA_TYPES:
            urls = [norm_url(self.url(v)) for v in item.xpath(
                ".//*[@itemprop='contentUrl' or @itemprop='contenturl' or @itemprop='url' "
                "or @itemprop='image']/@*[name()='src' or name()='href' or name()='content']")]
            urls += self.images_in(item)
            return Place(GRANT, SCOPE_ASSET, tuple(dict.fromkeys(urls)),
                         f"microdata {itemtype}", "image")
        if itemtype in OTHER_TYPES:
            return Place(GRANT, SCOPE_OTHER, (), f"microdata {itemtype}", "body")
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
             creator: str = "", title: str = "", end: int | None = None,
             cc: bool | None = None, part: str = "", said: lt.Subject | None = None) -> None:
        """Record a statement at ``el`` (or at ``block.text[pos:end]``, for text) with the
        role, scope, part and assets :meth:`place` gives it (``said``: what a sentence of
        its own, an attribute's, grants it for)."""
        if block is None:
            block = self.block_of(el.getparent() if el.getparent() is not None else el)
        if pos is None and el is not None:
            span = block.spans.get(el)
            pos, end = (span[0], span[1]) if span else (None, None)
        ctx = self.ctx(el) if el is not None else block.ctx
        where = (self.granted(said, block, pos or 0, el, ctx, _is_cc(lic) if cc is None else cc)
                 if said is not None and ctx.asset_box is None and not ctx.code
                 else self.place(el, block, pos, explicit, lic, end, cc))
        if where.role == MENTION:
            if self.mentions >= _MAX_MENTIONS:
                return
            self.mentions += 1
        self.covered.setdefault(block.el, []).append(lic)
        if where.note.startswith("license line"):
            self.weak.append(len(self.out))
        self.out.append(LicenseEvidence(
            channel, location or ctx.path, snippet if snippet is not None else snippet_of(el),
            url, lic, where.scope, where.role, where.assets, self.base,
            "; ".join(n for n in (note, where.note) if n), creator, title, part or where.part))

    def notice(self, channel: str, location: str, snippet: str, kind: str, url: str = "",
               scope: str = SCOPE_PAGE, assets: tuple[str, ...] = (), part: str = "") -> None:
        """Record a notice: a copyright line, "All rights reserved", a rights statement."""
        if self.notices >= _MAX_NOTICES:
            return
        self.notices += 1
        self.out.append(LicenseEvidence(channel, location, snippet[:SNIPPET_MAX], url, None,
                                        scope, NOTICE, assets, self.base, kind, part=part))
