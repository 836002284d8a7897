"""The one grant matcher: does a clause *grant* a license, and for what?

Every language's wording comes from :mod:`crawler.signals.license_phrases`; this module only
knows the shape of a grant, the same in all of them:

    [subject] CUE [fillers] LICENSE          "Photos on this blog are licensed under CC BY"
    [subject] [fillers] LICENSE CUE          "この作品は CC BY 4.0 ライセンスの下に提供されています"
    [subject] LABEL: LICENSE                 "Photo license: CC BY 2.0", "Lizenz: CC BY 4.0"

The license (a name in the text or a link) must stand right at the cue: only the phrase
table's fillers ("a", "the terms of", "der", "una licencia de", "许可协议") may come between,
so "licensed under liberal licenses (e.g. CC0)" grants nothing. The subject says what is
licensed: the page text (no subject, or "text", "Inhalte", "本文" …), every image, one image,
videos, code or other things (a theme, a template, a dataset), or, with "some" ("some images",
"一部の画像"), an exception to the page's license. A subject holding a hedge ("often", "you",
"e.g.", "wenn") or a possessive of another work ("Wikipedia's text") makes the clause talk
about licenses instead of granting one. Words of a subject that no list knows are returned in
:attr:`Subject.unknown`; the caller decides whether the place of the clause makes them
acceptable (a footer line) or not (running text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Final

from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.license_names import find_names
from crawler.signals.license_phrases import Hit, Lexicon, Phrases, norm, phrases, tokenize
from crawler.signals.substrings import Needles

__all__ = [
    "ASSET_ALL",
    "ASSET_ONE",
    "ASSET_SOME",
    "OTHER",
    "PAGE",
    "Clause",
    "Cue",
    "Subject",
    "excludes_media",
    "grant_clause",
    "split_clauses",
]

#: what a grant is about
PAGE: Final = "page"  # the text / content of the page
ASSET_ALL: Final = "asset:all"  # every image (or video) of the page
ASSET_ONE: Final = "asset:one"  # one image, not named ("this photo is …")
ASSET_SOME: Final = "asset:some"  # some images, not said which: an exception
OTHER: Final = "other"  # something else: theme, code samples, data, fonts …

BEFORE: Final = "before"
AFTER: Final = "after"
LABEL: Final = "label"

_SCOPE_OF: Final = {"page": PAGE, "images": ASSET_ALL, "video": ASSET_ALL, "image": ASSET_ONE,
                    "code": OTHER, "other": OTHER}
_MEDIA: Final = frozenset({"images", "image", "video"})
_MAX_SUBJECT = 200
_MAX_TOKENS = 14
_MAX_CJK = 40
_MAX_GAP = 60
_PUNCT = " \t\n\r\f\v\u00a0\u3000\"'`\u201c\u201d\u201e\u00ab\u00bb\u300c\u300d\u300e\u300f" \
         "\uff08\uff09()[]:\uff1a,\uff0c.\u3002-\u2010\u2011\u2012\u2013\u2014\u2015|/"
_WORD: Final = re.compile(r"[^\W\d_][\w'\u2019.\-]*|\d[\d.]*")
_POSSESSIVE: Final = re.compile(r"([^\W\d_][\w\-]*)['\u2019]s\b")
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: words a subject may hold besides its vocabulary: license codes and names
_CODES: Final = frozenset({"cc", "by", "nc", "nd", "sa", "creative", "commons", "cc0"})

# Clause boundaries: sentence ends (not the "." in "4.0" or after an initial), CJK sentence
# ends, ";", "|", bullets, line breaks, ", and" / ", but" / ", while", and the paragraph
# separator the block builder inserts.
_CLAUSE_SPLIT: Final = re.compile(
    r"(?<!\b[A-Z])[.!?](?=\s|$)|[\u3002\uff01\uff1f\uff1b;|\u2022\u00b7\n\u2029]"
    r"|,\s*(?:[Aa]nd|[Bb]ut|[Ww]hile|[Ww]hereas)\s+|(?<=\s)[\u2013\u2014-](?=\s)")


#: the end of an abbreviation (lower case) whose dot ends no sentence
_ABBREVIATION: Final = re.compile(
    r"(?<![^\W\d_])(?:e\.g|i\.e|z\.\s?b|d\.\s?h|u\.\s?a|p\.\s?ex|p\.\s?ej|ej|es|ex|"
    r"bzw|bijv|np|etc|vs|cf|ca|nr|no|vgl|zb|напр|см|т\.\s?е)\.$",  # noqa: RUF001
    re.IGNORECASE)


@dataclass(frozen=True)
class Subject:
    """What a grant is about."""

    scope: str  # PAGE, ASSET_ALL, ASSET_ONE, ASSET_SOME or OTHER
    text: str  # the subject as written
    noun: str = ""  # the word that named what is licensed ("" when none did)
    unknown: tuple[str, ...] = ()  # words no list of the phrase table knows
    exception: bool = False  # "some images …": narrows another grant
    except_noted: bool = False  # "except where otherwise noted"
    credit: str = ""  # "<title> by <author> is licensed …": the credited work's title


@dataclass(frozen=True)
class Cue:
    kind: str  # BEFORE, AFTER or LABEL
    start: int
    end: int
    langs: frozenset[str]


class Clause:
    """One clause of a text and the grant cues in it. :meth:`grant_for` says whether a license
    at a given place is granted, and for what; ``subject``, ``object_start`` and
    ``subject_text`` describe the clause's first grant (``subject`` None: no grant cue with a
    valid subject), computed when first asked for."""

    __slots__ = ("_first", "cues", "end", "start", "text")

    def __init__(self, start: int, end: int, cues: tuple[Cue, ...] = (), text: str = ""):
        self.start, self.end, self.cues, self.text = start, end, cues, text
        self._first: tuple[str | None, int, str] | None = None

    def __repr__(self) -> str:
        return f"Clause({self.start}, {self.end}, cues={len(self.cues)})"

    @property
    def subject(self) -> str | None:
        """None: not a grant; else PAGE, ASSET_ALL, ASSET_ONE, ASSET_SOME or OTHER."""
        return self._first_grant()[0]

    @property
    def object_start(self) -> int:
        """Where the first grant's object starts (after "licensed under")."""
        return self._first_grant()[1]

    @property
    def subject_text(self) -> str:
        return self._first_grant()[2]

    def _first_grant(self) -> tuple[str | None, int, str]:
        if self._first is None:
            self._first = (None, 0, "")
            for cue in self.cues:
                if cue.kind == AFTER:
                    names = [n for n in find_names(self.text[:self.end]) if n.start >= self.start]
                    found = next((s for n in names
                                  if (s := self.grant_for(n.start, n.end, n.license))), None)
                    if found is not None:
                        self._first = (found.scope, self.start, found.text)
                        break
                    continue
                subject = _subject(self.text, self._seg_start(cue), cue.start, cue.langs)
                if subject is not None:
                    self._first = (subject.scope, cue.end, subject.text)
                    break
        return self._first

    def grant_for(self, pos: int, end: int | None = None,
                  lic: License | UnversionedCC | None = None) -> Subject | None:
        """The subject of the grant whose license ``lic`` stands at ``text[pos:end]`` (a name
        or a link), or None when no cue grants it. Between the cue and the license only
        fillers, or license names (see :func:`_gap_ok`)."""
        end = pos if end is None else end
        for cue in reversed(self.cues):  # the nearest cue before the license
            if cue.kind == AFTER:
                continue
            if (cue.end <= pos and _gap_ok(self.text[cue.end:pos], lic)) \
                    or pos <= cue.start < end:
                return _subject(self.text, self._seg_start(cue), cue.start, cue.langs)
        for cue in self.cues:
            if cue.kind == AFTER and ((cue.start >= end
                                       and _gap_ok(self.text[end:cue.start], lic))
                                      or pos < cue.start < end):
                return _subject(self.text, self._seg_start(cue), pos, cue.langs)
        return None

    def _seg_start(self, cue: Cue) -> int:
        """Where the subject of ``cue`` starts: after the cue before it, else the clause."""
        start = self.start
        for other in self.cues:
            if other.end <= cue.start and other is not cue and other.kind != AFTER:
                start = max(start, other.end)
        return start


def split_clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of ``text``; the dot of an abbreviation ("e.g.",
    "z.B.", "ej.", "bzw.") ends none."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.group(0) == "." and _ABBREVIATION.search(text, max(0, m.start() - 6), m.end()):
            continue
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


_COLON: Final = re.compile(r"\s*[:\uff1a=]")


@cache
def _fillers() -> tuple[frozenset[str], tuple[str, ...]]:
    """Filler words of every language (Latin/Cyrillic tokens) and CJK filler phrases."""
    p = phrases()
    words: set[str] = set()
    cjk: set[str] = set()
    for lang, sets in p.by_lang.items():
        for phrase in sets["fillers"] | sets["license"]:
            if p.scripts[lang] == "cjk" and _CJK.search(phrase):
                cjk.add(phrase)
            else:
                words.update(phrase.split())
    words.update(norm(k) for k in p.cc.values for k in k.split())
    return frozenset(words), tuple(sorted(cjk, key=len, reverse=True))


def _gap_ok(gap: str, lic: License | UnversionedCC | None = None) -> bool:
    """Only fillers (and punctuation) between a cue and its license ``lic``, or license
    names: of ``lic`` itself ("Creative Commons Attribution [CC-BY 4.0 link]", one grant),
    or of another license, which is then granted beside it ("CC BY 4.0 [link to BY-NC]":
    two grants, a conflict for the license gate rather than a link quietly dropped)."""
    if _fillers_only(gap):
        return True
    names = find_names(gap) if lic is not None and len(gap) <= 2 * _MAX_GAP else []
    if not names:
        return False
    for n in reversed(names):
        gap = f"{gap[:n.start]} {gap[n.end:]}"
    return _fillers_only(gap)


def _fillers_only(gap: str) -> bool:
    g = gap.strip(_PUNCT)
    if not g:
        return True
    if len(g) > _MAX_GAP:
        return False
    words, cjk = _fillers()
    for phrase in cjk:
        g = g.replace(phrase, " ")
    return all(w in words for w in (norm(t) for t in re.split(rf"[{re.escape(_PUNCT)}]+", g))
               if w)


def _cues(p: Phrases, text: str, start: int, end: int) -> list[Cue]:
    toks = tokenize(text, start, end)
    found = [Cue(BEFORE, h.start, h.end, p.before.langs[h.key])
             for h in p.before.finditer(text, start, end, toks)]
    found += [Cue(AFTER, h.start, h.end, p.after.langs[h.key])
              for h in p.after.finditer(text, start, end, toks)]
    for h in p.labels.finditer(text, start, end, toks):
        colon = _COLON.match(text, h.end, end)
        if colon is not None:
            found.append(Cue(LABEL, h.start, colon.end(), p.labels.langs[h.key]))
    return sorted(found, key=lambda c: (c.start, -c.end))


def _hits(lexicon: Lexicon, s: str, toks: list[tuple[int, int, str]],
          langs: frozenset[str]) -> list[Hit]:
    """Phrases of ``lexicon`` in ``s`` written in one of ``langs`` (any, when empty)."""
    return [h for h in lexicon.finditer(s, 0, len(s), toks)
            if not langs or lexicon.langs[h.key] & langs]


@cache
def _words(langs: frozenset[str], keys: tuple[str, ...]) -> frozenset[str]:
    """The words of the phrases of ``keys`` in ``langs`` (cached: few combinations occur)."""
    p = phrases()
    return frozenset(w for lang in langs for key in keys
                     for phrase in p.by_lang[lang][key] for w in phrase.split())


def _known(p: Phrases, langs: frozenset[str]) -> frozenset[str]:
    return _words(langs, ("subject", "places", "conj", "fillers", "some", "exclude", "license"))


def _subject(text: str, lo: int, hi: int, langs: frozenset[str]) -> Subject | None:
    """The subject ``text[lo:hi]`` of a grant cue written in ``langs``, or None when it is no
    grant's subject (a hedge, a possessive of another work, too long)."""
    s = text[lo:hi]
    return None if len(s) > _MAX_SUBJECT else _subject_of(s, langs)


@lru_cache(maxsize=512)
def _subject_of(s: str, langs: frozenset[str]) -> Subject | None:
    p = phrases()
    noted = False
    for h in p.except_noted.finditer(s):
        s = s[:h.start] + " " * (h.end - h.start) + s[h.end:]
        noted = True
    toks = tokenize(s)
    if _hits(p.hedges, s, toks, langs):
        return None
    known = _known(p, langs)
    if "en" in langs:
        for m in _POSSESSIVE.finditer(s):
            if norm(m.group(1)) not in known and not p.scope.value(m.group(1)):
                return None  # "Wikipedia's text": another work's license
    cut = [(h.start, h.end) for h in _hits(p.exclude, s, toks, langs)]
    nouns = [(h.start, h.end, p.scope.values[h.key], s[h.start:h.end])
             for h in p.scope.finditer(s, 0, len(s), toks)
             if not any(c_start <= h.start and _same_phrase(s, c_end, h.start)
                        for c_start, c_end in cut)]
    cjk = bool(_CJK.search(s))
    rest = s
    for a, b, _, _ in nouns:
        rest = rest[:a] + " " * (b - a) + rest[b:]
    words = [w.lower().rstrip(".") for w in _WORD.findall(rest)]
    if len(words) + len(nouns) > _MAX_TOKENS and not cjk:
        return None
    if cjk and len(s.strip()) > _MAX_CJK:
        return None
    unknown = _unknown(p, rest, words, known, cjk)
    some = [h.start for h in _hits(p.some, s, toks, langs)]
    clean = " ".join(s.split())
    by = _words(langs, ("attribution",))
    by_at = next((a for a, _, w in toks if w in by), None)
    if by_at is not None and not any(n[0] < by_at for n in nouns):
        title = s[:by_at].strip(_PUNCT + "\u2018\u2019")
        if title:  # "“Sunset” by J. Doe is licensed under …": a credit for that work
            return Subject(OTHER, clean, "", unknown, False, noted, title)
    if not nouns:
        return Subject(PAGE, clean, "", unknown, False, noted)
    head, joined = _head(p, s, nouns, langs, cjk)
    category = head[2]
    scope = _SCOPE_OF[category]
    if category != "page" and any(n[2] == "page" for n in joined):
        scope = PAGE  # "text and images are licensed …": the page text is covered
    exception = bool(some) and min(some) < head[0]
    if exception:
        scope = ASSET_SOME if category in _MEDIA else OTHER
    return Subject(scope, clean, head[3], unknown, exception, noted)


def _same_phrase(s: str, after: int, at: int) -> bool:
    """Does the noun at ``at`` belong to the phrase that starts at ``after`` (no comma or
    clause word between)?"""
    return after <= at and not re.search(r"[,;\uff0c]", s[after:at])


def _unknown(p: Phrases, rest: str, words: list[str], known: frozenset[str],
             cjk: bool) -> tuple[str, ...]:
    if cjk:
        left = rest
        for lang_sets in p.by_lang.values():
            for phrase in sorted(lang_sets["subject"] | lang_sets["conj"], key=len,
                                 reverse=True):
                if _CJK.search(phrase):
                    left = left.replace(phrase, " ")
        left = "".join(ch for ch in left if _CJK.match(ch))
        return (left,) if left else ()
    return tuple(w for w in words if w not in known and w not in _CODES
                 and not w[0].isdigit())


def _only_particles(between: str, langs: frozenset[str]) -> bool:
    """Is ``between`` (CJK) only particles and determiners ("の", "的", "의")?"""
    rest = between
    for word in sorted(_words(langs, ("subject",)), key=len, reverse=True):
        rest = rest.replace(word, "")
    return not rest.strip()


def _head(p: Phrases, s: str, nouns: list[tuple[int, int, str, str]], langs: frozenset[str],
          cjk: bool) -> tuple[tuple[int, int, str, str], list[tuple[int, int, str, str]]]:
    """The noun naming what is licensed, and the nouns joined to it by "and"."""
    places, conj = _words(langs, ("places",)), _words(langs, ("conj",))
    first_lang = next(iter(sorted(langs)), "en")
    head_rule = "last" if cjk else p.heads.get(first_lang, "last")
    group = [nouns[0]]
    joined: list[tuple[int, int, str, str]] = []
    in_place = False
    for prev, noun in pairwise(nouns):
        between = s[prev[1]:noun[0]]
        tokens = [norm(w) for w in _WORD.findall(between)]
        if any(t in conj for t in tokens) or between.strip() in ("&", "\u3001"):
            joined.append(noun)  # "text and images", "el código del tema y el contenido"
            in_place = False
        elif in_place:
            continue
        elif not joined and (not between.strip(" -\u2010\u2011") or (cjk and (
                not tokens or _only_particles(between, langs)))):
            group.append(noun)  # a compound: "website content", "本博客所有文章", "サイトの写真"
        elif any(t in places for t in tokens):
            in_place = True  # "photos on this blog": a place, not what is licensed
        else:
            break
    head = group[0] if head_rule == "first" else group[-1]
    return head, joined


@cache
def _license_words() -> Needles:
    """The word "license" of every language, lower case."""
    return Needles(sorted({w for sets in phrases().by_lang.values() for w in sets["license"]}))


@cache
def _exclusion_words() -> Needles:
    """A word of each ``excluded`` phrase that grant wording does not use ("fall", not
    "under"), lower case: a clause with none of them takes nothing out of a license
    (checked before the clause is tokenised)."""
    p = phrases()
    common = {w for key in p.before.values for w in key.split()}
    common |= {w for sets in p.by_lang.values() for w in sets["fillers"]}
    words = set()
    for key in p.excluded.values:
        tokens = key.replace("'", " ").split()
        words.add(max([t for t in tokens if t not in common] or tokens, key=len))
    return Needles(sorted(words))


def excludes_media(text: str, start: int, end: int, named_before: bool = False) -> bool:
    """Does the clause ``text[start:end]`` take images or videos out of a license it refers
    to ("The figures reused from other sources don't fall under this license", "Diese
    Lizenz gilt nicht für Fotos")? The clause must hold the ``excluded`` wording, the word
    "license" or a license name (or, with ``named_before``, refer back to one the sentence
    before named: "… don't fall under it"), and a word naming media."""
    low = text[start:end].lower()
    if not _exclusion_words().found_in(low):
        return False
    if not named_before and not _license_words().found_in(low) \
            and not find_names(text[start:end]):
        return False
    p = phrases()
    if not p.excluded.finditer(text, start, end):
        return False
    return any(p.scope.values[h.key] in _MEDIA for h in p.scope.finditer(text, start, end))


def grant_clause(text: str, start: int, end: int) -> Clause:
    """``text[start:end]`` (one clause) and its grant cues."""
    return Clause(start, end, tuple(_cues(phrases(), text, start, end)), text)
