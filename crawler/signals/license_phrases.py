"""The license phrase table: CC license names and grant/scope wording per language, as data.

``data/license_phrases.yaml`` (shipped as package data) holds, per language, how Creative
Commons' deeds name the licenses and how pages say that something is licensed, and what: the
grant cues ("licensed under", "steht unter", "…の下に提供されています"), the words between a cue
and the license, "except where otherwise noted", the nouns of what is licensed (text, images,
videos, code, themes …) and the words that make a sentence discuss licenses instead of granting
one. :func:`phrases` loads it once, validates it (a broken file fails loudly, naming the
language and key) and compiles one alternation per kind of phrase over every language.

Phrases are literal: a space matches any whitespace run, ``-`` any dash (spaces around it
allowed), an apostrophe any apostrophe; Latin and Cyrillic phrases match whole words only, CJK
phrases anywhere. :func:`norm` is the key a matched text is looked up by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = ["DATA_FILE", "Hit", "Lexicon", "PhraseDataError", "Phrases", "norm", "phrases",
           "tokenize"]

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "license_phrases.yaml"

SCRIPTS: Final = frozenset({"latin", "cyrillic", "cjk"})
ELEMENTS: Final = ("by", "nc", "nd", "sa")
SCOPES: Final = ("page", "images", "image", "video", "code", "other")
#: list-valued keys of a language
_LIST_KEYS: Final = frozenset({
    "cc", "zero", "mark", "international", "version", "license", "before", "after", "labels",
    "fillers", "except_noted", "exclude", "excluded", "some", "hedges", "subject", "places", "conj",
    "credit", "reserved", "markers", "attribution"})
_KEYS: Final = _LIST_KEYS | {"script", "head", "elements", "scope", "ports"}
_MAX_PHRASE = 120
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015-"
_APOSTROPHES = "'\u2019\u02bc"
_NORM_SPACES = re.compile(r"\s+")
_NORM_DASH = re.compile(rf"\s*[{_DASHES}]\s*")


class PhraseDataError(ValueError):
    """The phrase data file is malformed; the message names the language and the key."""


def norm(text: str) -> str:
    """The lookup key of a phrase or of a text a phrase matched: lower case, one space, one
    kind of dash and apostrophe."""
    low = _NORM_DASH.sub("-", _NORM_SPACES.sub(" ", text.strip().lower()))
    for a in _APOSTROPHES[1:]:
        low = low.replace(a, "'")
    return low


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _pattern_parts(phrase: str, script: str) -> tuple[str, list[str], str]:
    """One literal phrase's regular expression as (word-boundary look-behind, one piece per
    character or space run, look-ahead)."""
    out: list[str] = []
    for ch in phrase.strip():
        if ch.isspace():
            if not out or out[-1] != r"\s+":
                out.append(r"\s+")
        elif ch in _DASHES:
            out.append(rf"\s*[{_DASHES}]\s*")
        elif ch in _APOSTROPHES:
            out.append(f"[{_APOSTROPHES}]")
        else:
            out.append(re.escape(ch))
    if script == "cjk":
        return "", out, ""
    text = phrase.strip()
    left = r"(?<![^\W_])" if _is_word(text[0]) else ""
    right = r"(?![^\W_])" if _is_word(text[-1]) else ""
    return left, out, right


def phrase_pattern(phrase: str, script: str) -> str:
    """The regular expression of one literal phrase (see the module docstring)."""
    left, parts, right = _pattern_parts(phrase, script)
    return f"{left}{''.join(parts)}{right}"


def _alternation(parts: list[tuple[str, list[str], str]]) -> str:
    r"""The phrases' alternation (``parts`` in the order they are to be tried), grouped by
    first letter behind a look-ahead: ``(?=a)(?:attribution|…)|(?=n)(?:namensnennung|…)``.
    Python's engine tries every alternative at every place it is asked about, a few hundred
    per lexicon; grouped, the alternatives of another first letter are passed over with one
    test. Phrases of different first letters never match at the same place, so the order of
    the groups does not change what matches; within a group the order is kept."""
    groups: dict[str, list[str]] = {}
    for left, pieces, right in parts:
        head = pieces[0] if pieces else ""
        first = head.lower() if len(head) == 1 and head.isalpha() else ""
        groups.setdefault(first if len(first) == 1 else "", []).append(
            f"{left}{''.join(pieces)}{right}")
    return "|".join(f"(?={first})(?:{'|'.join(alts)})" if first else f"(?:{'|'.join(alts)})"
                    for first, alts in groups.items())


_TOKEN: Final = re.compile(r"[^\W_]+")
_CJK_CHAR: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _TOKEN.findall(text))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """The words of ``text[start:end]``: (start, end, lower-case word)."""
    end = len(text) if end is None else end
    seg = text[start:end]
    low = seg.lower()
    if len(low) == len(seg):
        return [(start + m.start(), start + m.end(), m.group(0)) for m in _TOKEN.finditer(low)]
    return [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN.finditer(text, start, end)]


@dataclass(frozen=True)
class Hit:
    """Where a phrase of a :class:`Lexicon` was found, and its normalised key."""

    start: int
    end: int
    key: str


class Lexicon:
    """One kind of phrase over every language, and, per normalised phrase, its value (a
    scope, an element code, a port) and languages.

    :meth:`finditer` looks phrases up word by word (a dict keyed by their first word; CJK
    phrases by substring search), in time linear in the text: an alternation of hundreds of
    phrases in one regular expression costs milliseconds per sentence. :attr:`regex` (the
    alternation, compiled on first use) is for patterns that embed the lexicon and are only
    tried at a few places (the name grammar)."""

    def __init__(self, entries: list[tuple[str, str, str, str]]):
        """``entries``: (phrase, script, value, language)."""
        patterns: dict[str, tuple[str, list[str], str]] = {}
        self.values: dict[str, str] = {}
        langs: dict[str, set[str]] = {}
        first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        cjk: dict[str, tuple[str, re.Pattern[str] | None]] = {}
        for phrase, script, value, lang in entries:
            key = norm(phrase)
            if key not in patterns:
                patterns[key] = _pattern_parts(phrase, script)
                if _CJK_CHAR.search(phrase):  # spaced CJK (Korean): a small regex
                    cjk[key] = (key, re.compile(phrase_pattern(phrase, script), re.IGNORECASE)
                                if " " in key or "-" in key else None)
                else:
                    words = _tokens(phrase)
                    if words:
                        first.setdefault(words[0], []).append((words, key))
            self.values.setdefault(key, value)
            langs.setdefault(key, set()).add(lang)
        self.langs: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in langs.items()}
        self._first = {w: tuple(sorted(c, key=lambda x: -len(x[0]))) for w, c in first.items()}
        self._cjk = tuple(sorted(cjk.items(), key=lambda kv: -len(kv[0])))
        self._parts = [patterns[k] for k in sorted(patterns, key=len, reverse=True)]
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            body = _alternation(self._parts) or r"(?!x)x"
            self._regex = re.compile(body, re.IGNORECASE)
        return self._regex

    def value(self, matched: str) -> str:
        return self.values.get(norm(matched), "")

    def langs_of(self, matched: str) -> frozenset[str]:
        return self.langs.get(norm(matched), frozenset())

    def finditer(self, text: str, start: int = 0, end: int | None = None,
                 toks: list[tuple[int, int, str]] | None = None) -> list[Hit]:
        """The phrases in ``text[start:end]``, leftmost-longest, not overlapping; ``toks``:
        :func:`tokenize` of the same span, when the caller has it."""
        end = len(text) if end is None else end
        hits: list[Hit] = []
        if self._first:
            if toks is None:
                toks = tokenize(text, start, end)
            i, n = 0, len(toks)
            while i < n:
                for words, key in self._first.get(toks[i][2], ()):
                    k = len(words)
                    if i + k <= n and all(toks[i + j][2] == words[j] for j in range(1, k)):
                        hits.append(Hit(toks[i][0], toks[i + k - 1][1], key))
                        i += k
                        break
                else:
                    i += 1
        if self._cjk and _CJK_CHAR.search(text, start, end):
            low = text[start:end].lower()
            taken = [(h.start, h.end) for h in hits]
            for key, (phrase, spaced) in self._cjk:
                found = ([(m.start(), m.end()) for m in spaced.finditer(low)] if spaced
                         else _find_all(low, phrase))
                for j, k in found:
                    a, b = start + j, start + k
                    if not any(x < b and a < y for x, y in taken):
                        hits.append(Hit(a, b, key))
                        taken.append((a, b))
            hits.sort(key=lambda h: h.start)
        return hits

    def search(self, text: str) -> bool:
        return bool(self.finditer(text))


def _find_all(text: str, needle: str) -> list[tuple[int, int]]:
    out = []
    j = text.find(needle)
    while j != -1:
        out.append((j, j + len(needle)))
        j = text.find(needle, j + len(needle))
    return out


def _lexicon(entries: list[tuple[str, str, str, str]]) -> Lexicon:
    return Lexicon(entries)


@dataclass(frozen=True)
class Phrases:
    """The compiled table. Each :class:`Lexicon` spans every language; ``by_lang`` keeps the
    per-language sets the grammar needs for the languages a cue was written in."""

    languages: tuple[str, ...]
    scripts: dict[str, str]
    heads: dict[str, str]
    cc: Lexicon
    elements: Lexicon  # value: by / nc / nd / sa
    zero: Lexicon
    mark: Lexicon
    where: Lexicon  # value: "" (unported) or a port code
    version: Lexicon
    license: Lexicon
    before: Lexicon
    after: Lexicon
    labels: Lexicon
    except_noted: Lexicon
    exclude: Lexicon
    excluded: Lexicon  # "… don't fall under this license"
    some: Lexicon
    hedges: Lexicon
    scope: Lexicon  # value: one of SCOPES
    credit: Lexicon
    reserved: Lexicon
    #: language -> key -> normalised phrases (fillers, subject, places, conj, hedges …)
    by_lang: dict[str, dict[str, frozenset[str]]]
    #: text markers a page scan looks for: in every page (English's) / per page language
    markers: tuple[str, ...]
    lang_markers: dict[str, tuple[str, ...]]


def _fail(lang: str, key: str, why: str) -> PhraseDataError:
    return PhraseDataError(f"{DATA_FILE.name}: language {lang!r}, key {key!r}: {why}")


def _phrase_list(lang: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _fail(lang, key, "expected a list of phrases")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(lang, key, f"{item!r} is not a phrase (quote yes/no/on/off)")
        if len(item) > _MAX_PHRASE:
            raise _fail(lang, key, f"phrase longer than {_MAX_PHRASE} characters: {item!r}")
    return value


def _phrase_map(lang: str, key: str, value: Any, allowed: tuple[str, ...] | None
                ) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _fail(lang, key, "expected a mapping")
    for sub, items in value.items():
        if allowed is not None and sub not in allowed:
            raise _fail(lang, key, f"unknown entry {sub!r} (expected one of {allowed})")
        _phrase_list(lang, f"{key}.{sub}", items)
    return value


def validate(data: Any, ports: frozenset[str]) -> dict[str, dict[str, Any]]:
    """The languages of ``data`` (the parsed file), checked; raise :class:`PhraseDataError`."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise PhraseDataError(f"{DATA_FILE.name}: expected 'version: 1' and 'languages'")
    languages = data.get("languages")
    if not isinstance(languages, dict) or not languages:
        raise PhraseDataError(f"{DATA_FILE.name}: 'languages' must be a non-empty mapping")
    for lang, entry in languages.items():
        if not isinstance(lang, str) or not _LANG_CODE.fullmatch(lang):
            raise PhraseDataError(f"{DATA_FILE.name}: {lang!r} is not a language code")
        if not isinstance(entry, dict):
            raise _fail(lang, "", "expected a mapping")
        unknown = set(entry) - _KEYS
        if unknown:
            raise _fail(lang, sorted(unknown)[0], "unknown key")
        if entry.get("script") not in SCRIPTS:
            raise _fail(lang, "script", f"expected one of {sorted(SCRIPTS)}")
        if entry.get("head", "last") not in ("first", "last"):
            raise _fail(lang, "head", "expected first or last")
        for key in _LIST_KEYS & set(entry):
            _phrase_list(lang, key, entry[key])
        _phrase_map(lang, "elements", entry.get("elements", {}), ELEMENTS)
        _phrase_map(lang, "scope", entry.get("scope", {}), SCOPES)
        for code in _phrase_map(lang, "ports", entry.get("ports", {}), None):
            if code not in ports:
                raise _fail(lang, "ports", f"{code!r} is not a CC jurisdiction")
    return languages


def _compile(languages: dict[str, dict[str, Any]]) -> Phrases:
    entries: dict[str, list[tuple[str, str, str, str]]] = {}
    by_lang: dict[str, dict[str, frozenset[str]]] = {}

    def add(kind: str, items: list[str], script: str, value: str, lang: str) -> None:
        entries.setdefault(kind, []).extend((p, script, value, lang) for p in items)

    for category in SCOPES:  # "images" is added before "image": it wins where both say it
        for lang, entry in languages.items():
            add("scope", entry.get("scope", {}).get(category, []), entry["script"], category,
                lang)
    for lang, entry in languages.items():
        script = entry["script"]
        for key in ("cc", "zero", "mark", "version", "license", "before", "after", "labels",
                    "except_noted", "exclude", "excluded", "some", "hedges", "credit",
                    "reserved"):
            add(key, entry.get(key, []), script, "", lang)
        add("where", entry.get("international", []), script, "", lang)
        for code, items in entry.get("ports", {}).items():
            add("where", items, script, code, lang)
        for element, items in entry.get("elements", {}).items():
            add("elements", items, script, element, lang)
        by_lang[lang] = {key: frozenset(norm(p) for p in entry.get(key, []))
                         for key in ("fillers", "subject", "places", "conj", "hedges",
                                     "exclude", "some", "license", "attribution")}
    lex = {kind: _lexicon(items) for kind, items in entries.items()}
    empty = _lexicon([])
    everywhere = tuple(languages.get("en", {}).get("markers", []))
    per_lang = {lang: tuple(m for m in entry.get("markers", []) if m not in everywhere)
                for lang, entry in languages.items() if lang != "en"}
    return Phrases(
        tuple(languages), {k: v["script"] for k, v in languages.items()},
        {k: v.get("head", "last") for k, v in languages.items()},
        *(lex.get(kind, empty) for kind in (
            "cc", "elements", "zero", "mark", "where", "version", "license", "before", "after",
            "labels", "except_noted", "exclude", "excluded", "some", "hedges", "scope", "credit",
            "reserved")),
        by_lang, everywhere, per_lang)


def load(path: Path = DATA_FILE) -> Phrases:
    """Read, validate and compile a phrase file (:func:`phrases` is the cached default)."""
    from crawler.signals.cc_licenses import CC_BY_KEY

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise PhraseDataError(f"{path.name}: not valid YAML: {exc}") from exc
    ports = frozenset(port for (_c, _u, _v, port) in CC_BY_KEY if port)
    return _compile(validate(data, ports))


@cache
def phrases() -> Phrases:
    """The package's phrase table, loaded and compiled on first use."""
    return load()
