"""What a few ``find`` passes over a page's raw HTML tell the license scan, before any tree walk.

The scan of a page must stay cheap on a 1 MB page, and every walk of the tree costs a
millisecond or more there. The raw HTML (the response body, lower-cased once as bytes, or the
text when no body is at hand) is searched instead for the text markers of the phrase table
(``licen``, ``creative commons``, ``cc by``, ``cc0`` …, and the page language's own:
``lizen``, ``иценз``, ``ライセンス``, ``许可`` …) and for CC URLs, each pass as short as it
can be (one pass for the word "creative" tells whether "creative commons" and CC URLs can be
there at all). Each hit is classified: inside a ``<script>`` (code and data: the search goes
on past its end; JSON-LD has its own step, run on the body's scripts only when a license key
can stand in one), inside a tag and in which attribute (so the scan runs only the attribute
steps that can find something, and finds their elements through the hit's line:
:mod:`crawler.signals.license_locate`), or in text (so the text is searched only when it says
more than the places already read, and only near a license name). CC URLs inside HTML
comments (CC's old RDF block) are noticed too; in links and images they are statements.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

from crawler.signals.substrings import Needles, occurrences

__all__ = ["ATTRIBUTE_KINDS", "RawIndex"]

#: attribute kinds the scan has a step for ("data" stands for every data-* attribute)
ATTRIBUTE_KINDS: Final = frozenset({"rel", "property", "itemprop", "name", "title", "data",
                                    "aria-label", "content"})
_MAX_HITS = 400  # per marker: past this, every step runs (the page is full of the word)
_MAX_LOOKS = 4000  # occurrences looked at per marker (those in scripts do not count as hits)
_MAX_SCRIPTS = 2000
_MAX_NEAR = 400  # text hits per marker whose surroundings are looked at
_MAX_TAGS = 64  # start tags per attribute kind found through their lines
_NEAR = 160  # characters around a text hit in which a license name is looked for
_TAGS: Final = re.compile(r"<[^>]*>")
#: attributes whose words are text: a marker there needs a license name close by
_LOOSE: Final = frozenset({"title", "aria-label", "alt"})
#: a license given as a JSON key (``"licence":``, ``&quot;license&quot;:``) or an attribute
_KEYED: Final = re.compile(r"licen[cs]e(?:&quot;|[\"'])\s*:|data-licen")
#: where a license name or a notice can start (lower case): the finder runs only on windows
#: with one
_NAME_STARTS: Final = Needles((
    "creative commons", "cc by", "cc-by", "cc0", "cc zero", "gfdl", "free documentation", "gnu",
    "gpl", "mit license", "mit (", "apache", "odbl", "public domain", "bsd", "知识共享", "創用",
    "クリエイティブ", "크리에이티브", "署名", "姓名標示", "表示", "저작자표시", "©", "copyright",
    "(c)", "reserv", "vorbehalten", "riservati", "voorbehouden", "zastrzeżone", "защищены",
    "版权所有", "版權所有", "無断転載", "무단"))
_MAX_COMMENT_CHECKS = 20
_COMMENT_WINDOW = 4000  # CC's RDF block is a few hundred bytes after its "<!--"
_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_:.-")
_ASCII_SAFE: Final = ("utf-8", "utf8", "ascii", "us-ascii", "latin-1", "latin1", "iso-8859",
                      "cp125", "windows-125", "gb", "big5", "shift_jis", "sjis", "euc-", "koi8",
                      "cp1252", "iso8859")
_CC_URL = "creativecommons.org/"
_CREATIVE = "creative"  # how "creative commons" and CC URLs start
#: the tags a CC URL states a license in (a link, a badge)
_CC_TAG_B: Final = re.compile(rb"<(?:a|img)[\s/>]")
_CC_TAG_S: Final = re.compile(r"<(?:a|img)[\s/>]")


def _attribute_at(low: bytes | str, lo: int, pos: int) -> str:
    """The name of the attribute whose value ``low[pos]`` is in (``low`` lower case), when
    its ``name=`` is within ``low[lo:pos]``; else ``""``. Reads back from ``pos``: the last
    ``=`` before it, no quote, ``=`` or angle bracket after the value's opening quote."""
    seg = low[lo:pos]
    text = seg.decode("latin-1") if isinstance(seg, bytes) else seg
    eq = text.rfind("=")
    if eq == -1:
        return ""
    value = text[eq + 1:].lstrip()
    if value[:1] in ("'", '"'):
        value = value[1:]
    if any(ch in value for ch in "\"'<>="):
        return ""
    end = len(text[:eq].rstrip())
    start = end
    while start > 0 and text[start - 1] in _NAME_CHARS:
        start -= 1
    return text[start:end]


@lru_cache(maxsize=256)
def ascii_compatible(encoding: str | None) -> bool:
    """Can ASCII markers be searched in bytes of this encoding (not UTF-16/32)? (Asked for
    every page, of a few encodings.)"""
    enc = (encoding or "").lower().replace("_", "-")
    return enc.startswith(tuple(prefix.replace("_", "-") for prefix in _ASCII_SAFE))


class _ScriptSpans:
    """Where the ``<script>`` elements of a raw HTML (lower case) are, from ``start`` on. A
    script ends at its first ``</script`` (as HTML parses it); past :data:`_MAX_SCRIPTS` of
    them the rest of the page counts as script-free."""

    def __init__(self, low: bytes | str, start: int):
        binary = isinstance(low, bytes)
        opens = occurrences(low, b"<script" if binary else "<script", start)
        closes = occurrences(low, b"</script" if binary else "</script", start)
        self._starts: list[int] = []
        self._ends: list[int] = []
        i = 0
        while i < len(opens) and len(self._starts) < _MAX_SCRIPTS:
            opened = opens[i]
            j = bisect_left(closes, opened + len("<script"))
            closed = closes[j] if j < len(closes) else len(low)
            self._starts.append(opened)
            self._ends.append(closed)
            i = bisect_right(opens, closed)

    def end_of(self, pos: int) -> int:
        """Where the script holding ``pos`` ends, or -1 when ``pos`` is in none."""
        i = bisect_right(self._starts, pos) - 1
        return self._ends[i] if i >= 0 and pos < self._ends[i] else -1


class RawIndex:
    """The markers, attribute kinds and CC URLs of one page's raw HTML."""

    def __init__(self, raw: bytes | str, markers: tuple[str, ...],
                 encoding: str | None = "utf-8", names: Callable[[str], Any] | None = None):
        """``names``: the license name finder, to tell whether a marker in a ``title`` or
        ``aria-label`` stands next to a license name."""
        self._names = names
        self._named: dict[tuple[int, Callable[[str], Any]], bool] = {}
        self.kinds: set[str] = set()
        self.text_markers: dict[str, int] = dict.fromkeys(markers, 0)
        #: marker -> its spellings found in text (as written: "Licen", "LICEN" …)
        self.variants: dict[str, set[str]] = {m: set() for m in markers}
        self.badges = False
        self.comment_rdf = False
        self.saturated = False
        #: marker -> where (in the raw HTML) its first occurrences in text are
        self.text_hits: dict[str, list[int]] = {m: [] for m in markers}
        #: attribute kind -> where the start tags holding a marker in that attribute open;
        #: "cc" -> the start tags holding a CC URL (an href, a badge's src …)
        self.tags: dict[str, list[int]] = {}
        self.tags_overflow = False
        binary = isinstance(raw, bytes)
        low = raw.lower()
        self._low, self._raw, self._binary = low, raw, binary
        self._encoding = encoding or "utf-8"
        body = low.find(b"<body" if binary else "<body")  # type: ignore[arg-type]
        self._body = max(body, 0)
        self._scripts = _ScriptSpans(low, self._body)
        self._licence_in_script = False
        # "creative commons" and CC URLs start with one word: one pass tells whether either
        # can be there, and from where
        creatives = occurrences(low, _CREATIVE.encode() if binary else _CREATIVE)
        creative = creatives[0] if creatives else -1
        for marker in markers:
            if _CREATIVE in marker and creative == -1:
                continue
            needle: bytes | str = marker
            if binary:
                try:
                    needle = marker.encode(encoding or "utf-8")
                except (UnicodeEncodeError, LookupError):
                    continue
            self._scan(marker, needle, max(self._body, creative) if _CREATIVE in marker
                       else self._body)  # the head is read directly
        cc = _CC_URL.encode() if binary else _CC_URL
        cc_at = occurrences(low, cc, creative) if creative != -1 else []
        self.cc_urls = len(cc_at)
        if self.cc_urls:
            self._comments(cc_at)
            self._cc_tags(cc_at)
        ld = b"ld+json" if binary else "ld+json"
        # a license key in JSON-LD holds "licen": without such a hit in a script of the body,
        # the body has no JSON-LD to read (the head's is read directly)
        unsure = self.saturated or not any("licen" in m for m in markers)
        #: JSON-LD in the body that may hold a license key
        self.body_jsonld = (self._licence_in_script or unsure) \
            and bool(occurrences(low, ld, self._body))

    def _saturate(self, marker: str) -> None:
        self.saturated = self.tags_overflow = True
        self.kinds |= ATTRIBUTE_KINDS
        self.text_markers[marker] = 1 << 30

    def _scan(self, marker: str, needle: bytes | str, start: int) -> None:
        found = occurrences(self._low, needle, start)
        counted = i = 0
        for _ in range(_MAX_LOOKS):
            if i == len(found):
                return
            pos = found[i]
            end = self._past_script(marker, pos)
            if end != -1:
                i = bisect_left(found, end, i)
                continue
            counted += self._hit(marker, pos, len(needle))
            if counted >= _MAX_HITS:
                break
            i += 1
        self._saturate(marker)

    def _past_script(self, marker: str, pos: int) -> int:
        """Where the ``<script>`` holding ``pos`` ends (code or data, read by the JSON-LD
        step only: the marker's other occurrences there are skipped), else -1."""
        end = self._scripts.end_of(pos)
        if end != -1 and "licen" in marker:
            self._licence_in_script = True
        return end

    def _hit(self, marker: str, pos: int, length: int) -> int:
        """One occurrence of ``marker`` at ``pos`` (not in a script): in text, or in which
        attribute."""
        low, raw = self._low, self._raw
        where, tag_open = self._in_tag(pos)
        if where is not None and pos - tag_open > 300 and low.find(
                b" data-" if self._binary else " data-", tag_open, pos) != -1:
            where = "data-"  # deep in a long data-* value (JSON props)
        if where is None:
            self.text_markers[marker] += 1
            if len(self.text_hits[marker]) < _MAX_NEAR:
                self.text_hits[marker].append(pos)
            spelled = raw[pos:pos + length]
            self.variants[marker].add(spelled.decode("utf-8", "replace")
                                      if isinstance(spelled, bytes) else spelled)
        elif where and self._worth(where, pos, tag_open):
            kind = "data" if where.startswith("data-") else where
            self.kinds.add(kind)
            self._tag(kind, tag_open)
        if low.startswith(b"licensebuttons" if self._binary  # type: ignore[arg-type]
                          else "licensebuttons", pos):
            self.badges = True
            if where:
                self._tag("cc", tag_open)
        return 1

    def _tag(self, kind: str, tag_open: int) -> None:
        found = self.tags.setdefault(kind, [])
        if len(found) < _MAX_TAGS:
            found.append(tag_open)
        else:
            self.tags_overflow = True

    def _cc_tags(self, cc_at: list[int]) -> None:
        """Where the links and images holding CC URLs (at ``cc_at``) open (not in a script,
        nor in a comment: CC's RDF is read there; a namespace declaration is no statement)."""
        low = self._low
        start, end = (b"<!--", b"-->") if self._binary else ("<!--", "-->")
        tag: re.Pattern[Any] = _CC_TAG_B if self._binary else _CC_TAG_S
        i = bisect_left(cc_at, self._body)
        while i < len(cc_at) and not self.tags_overflow:
            pos = cc_at[i]
            script_end = self._scripts.end_of(pos)
            if script_end != -1:
                i = bisect_left(cc_at, script_end, i)
                continue
            where, tag_open = self._in_tag(pos)
            lo = max(0, pos - _COMMENT_WINDOW)
            if where and tag.match(low, tag_open) \
                    and low.rfind(start, lo, pos) <= low.rfind(end, lo, pos):  # type: ignore
                self._tag("cc", tag_open)
            i += 1

    def _worth(self, where: str, pos: int, tag_open: int) -> bool:
        """Is a marker in this attribute worth a step? For text-like attributes (``title``,
        ``aria-label``, ``data-*``) only with a license name, or a ``license`` key or
        attribute name, close by, and not on a link to a CC license (read as a link)."""
        if where not in _LOOSE and not where.startswith("data-"):
            return True
        low = self._low
        seg = low[max(0, pos - 60):pos + 100]
        text = seg.decode("latin-1") if isinstance(seg, bytes) else seg
        if not _NAME_STARTS.found_in(text) and _KEYED.search(text) is None:
            return False
        if where in _LOOSE:
            raw = self._raw[max(0, pos - 60):pos + 100]
            value = raw.decode(self._encoding, "ignore") if isinstance(raw, bytes) else raw
            if self._names is not None and not self._names(value):
                return False
            close = low.find(b">" if self._binary else ">", pos)  # type: ignore[arg-type]
            cc = _CC_URL.encode() if self._binary else _CC_URL
            return low.find(cc, tag_open, close) == -1  # type: ignore[arg-type]
        return True

    def _in_tag(self, pos: int) -> tuple[str | None, int]:
        """The attribute whose value holds ``pos`` (``""`` for other places inside a tag), or
        None when ``pos`` is in text; and where the tag opens."""
        low = self._low
        lt, gt = (b"<", b">") if self._binary else ("<", ">")
        for window in (1000, 100_000):  # long attribute values (JSON props) need the second
            lo = max(0, pos - window)
            tag_open = low.rfind(lt, lo, pos)  # type: ignore[arg-type]
            tag_close = low.rfind(gt, lo, pos)  # type: ignore[arg-type]
            if tag_open != -1 or tag_close != -1 or lo == 0:
                break
        if tag_open == -1 or tag_open < tag_close:
            return None, tag_open
        return _attribute_at(low, max(tag_open, pos - 300), pos), tag_open

    def _comments(self, cc_at: list[int]) -> None:
        """Is one of the first CC URLs (at ``cc_at``) inside an HTML comment (CC's RDF
        block)?"""
        low = self._low
        start, end = (b"<!--", b"-->") if self._binary else ("<!--", "-->")
        for pos in cc_at[:_MAX_COMMENT_CHECKS]:
            lo = max(0, pos - _COMMENT_WINDOW)
            opened = low.rfind(start, lo, pos)  # type: ignore[arg-type]
            if opened != -1 and opened > low.rfind(end, lo, pos):  # type: ignore[arg-type]
                self.comment_rdf = True
                return

    def names_near(self, markers: list[str], finder: Callable[[str], Any],
                   read: str = "") -> list[int] | None:
        """The text occurrences of ``markers`` that the text ``read`` so far (lower case,
        single spaces) does not hold and near which a license name (or a notice) is written;
        None when they are too many to list. The text around each (tags stripped) is given
        to ``finder`` only when it holds the start of one: running text that talks about
        licenses is not read again for nothing."""
        if self.saturated or any(self.text_markers[m] > len(self.text_hits[m])
                                 for m in markers):
            return None
        looked, found = -_NEAR, []
        for pos in sorted(p for m in markers for p in self.text_hits.get(m, ())):
            if read and self._run(pos) in read:
                continue
            if pos - looked < _NEAR:
                if found and found[-1] == looked:
                    found.append(pos)  # in the window just found to name a license
                continue
            looked = pos
            if self._names_at(pos, finder):
                found.append(pos)
        return found

    def _names_at(self, pos: int, finder: Callable[[str], Any]) -> bool:
        """Does ``finder`` find something in the text around ``pos`` (tags stripped)? Asked
        once per place (the scan asks again after reading more of the page)."""
        key = (pos, finder)
        if key not in self._named:
            seg = self._raw[max(0, pos - _NEAR):pos + _NEAR]
            text = seg.decode(self._encoding, "ignore") if isinstance(seg, bytes) else seg
            text = _TAGS.sub(" ", text)
            low = text.lower()
            self._named[key] = _NAME_STARTS.found_in(low) and bool(finder(text))
        return self._named[key]

    @property
    def low(self) -> bytes | str:
        """The raw HTML, lower case."""
        return self._low

    def _run(self, pos: int) -> str:
        """The text run around a text hit (no tags, no entities), lower case, single spaces:
        how it reads in the tree's text."""
        low = self._low
        stops = (b">", b";", b"<", b"&") if self._binary else (">", ";", "<", "&")
        start = max(low.rfind(stops[0], max(0, pos - 40), pos),  # type: ignore[arg-type]
                    low.rfind(stops[1], max(0, pos - 40), pos)) + 1  # type: ignore[arg-type]
        start = start if start > 0 else max(0, pos - 40)
        ends = [e for e in (low.find(stops[2], pos, pos + 40),  # type: ignore[arg-type]
                            low.find(stops[3], pos, pos + 40)) if e != -1]  # type: ignore
        seg = low[start:min(ends) if ends else pos + 40]
        text = seg.decode(self._encoding, "ignore") if isinstance(seg, bytes) else seg
        run = " ".join(text.split())
        return run if len(run) >= 8 else "\x00"  # too short to tell: never "read"

    def holds(self, text: str) -> bool:
        """Does the raw HTML hold ``text`` (lower case) anywhere?"""
        needle = text.encode() if self._binary else text
        return bool(occurrences(self._low, needle))
