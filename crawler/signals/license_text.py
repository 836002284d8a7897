"""License statements written as text: CC names, grant sentences, copyright notices, badges.

Pure standard library plus :mod:`crawler.signals.licenses`. Works on short strings (one block
of a page, one metadata value), never on a whole document:

* :func:`find_names` finds Creative Commons license names in text, long (``Creative Commons
  Attribution-ShareAlike 4.0 International License``) and short (``CC BY-SA 3.0 DE``, ``CC0``),
  and canonicalises each through the CC URL grammar, so ``CC BY-SA 2.0 UK`` is
  ``CC-BY-SA-2.0-UK`` and a name without a version is an :class:`UnversionedCC`.
* :func:`split_clauses` and :func:`grant_clause` decide whether a clause *grants* a license
  ("Text is available under …", "Photos on this blog are licensed under …", "user
  contributions licensed under …") and for what subject: the page text, its images, or
  something else (a theme, code samples). A license named in running text without such a
  statement is a mention, not a grant.
* :func:`notice_kind` recognises "All rights reserved" and copyright lines (notices, never grants).
* :func:`badge_license` maps CC badge image URLs (``licensebuttons.net/l/by-sa/4.0/88x31.png``,
  ``i.creativecommons.org/p/zero/1.0/…``) to their license.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.license_urls import canonicalize_url

__all__ = [
    "ASSET_ALL",
    "ASSET_ONE",
    "OTHER",
    "PAGE",
    "Clause",
    "NameMatch",
    "badge_license",
    "find_names",
    "grant_clause",
    "notice_kind",
    "split_clauses",
]

#: what a grant sentence is about
PAGE: Final = "page"  # the text / content of the page
ASSET_ALL: Final = "asset:all"  # every image of the page ("photos on this blog are …")
ASSET_ONE: Final = "asset:one"  # one image, not named ("this photo is …", "header image …")
OTHER: Final = "other"  # something else: theme, code samples, data, fonts …

_CC: Final = "https://creativecommons.org/"

# ----------------------------------------------------------------------------------------------
# CC license names
# ----------------------------------------------------------------------------------------------

#: jurisdiction names (as CC writes them, plus common variants) -> port code
_PORT_NAMES: Final[dict[str, str]] = {
    "armenia": "am", "argentina": "ar", "austria": "at", "australia": "au", "azerbaijan": "az",
    "belgium": "be", "bulgaria": "bg", "brazil": "br", "canada": "ca", "switzerland": "ch",
    "chile": "cl", "china mainland": "cn", "china": "cn", "colombia": "co", "costa rica": "cr",
    "czech republic": "cz", "czechia": "cz", "germany": "de", "denmark": "dk", "ecuador": "ec",
    "estonia": "ee", "egypt": "eg", "spain": "es", "finland": "fi", "france": "fr",
    "georgia": "ge", "greece": "gr", "guatemala": "gt", "hong kong": "hk", "croatia": "hr",
    "hungary": "hu", "ireland": "ie", "igo": "igo", "israel": "il", "india": "in",
    "italy": "it", "japan": "jp", "korea": "kr", "south korea": "kr", "luxembourg": "lu",
    "macedonia": "mk", "malta": "mt", "mexico": "mx", "malaysia": "my", "netherlands": "nl",
    "the netherlands": "nl", "norway": "no", "new zealand": "nz", "peru": "pe",
    "philippines": "ph", "poland": "pl", "puerto rico": "pr", "portugal": "pt",
    "romania": "ro", "serbia": "rs", "uk: scotland": "scotland", "scotland": "scotland",
    "sweden": "se", "singapore": "sg", "slovenia": "si", "thailand": "th", "taiwan": "tw",
    "uganda": "ug", "uk: england & wales": "uk", "uk: england and wales": "uk",
    "england & wales": "uk", "england and wales": "uk", "england": "uk", "united kingdom": "uk",
    "uk": "uk", "united states": "us", "us": "us", "usa": "us", "venezuela": "ve",
    "vietnam": "vn", "south africa": "za",
}
_UNPORTED_WORDS: Final = ("international", "unported", "generic", "universal", "worldwide")

_S = r"[\s\-\u2010-\u2015_/,+]*"  # between name elements: space, dashes, slash, comma
_NC = r"non[\s\-\u2010-\u2015]?commercial"
_ND = r"no[\s\-\u2010-\u2015]?deriv(?:ative|ed)?s?(?:[\s\-]+works)?"
_SA = r"share[\s\-\u2010-\u2015]?alike"
_VER = r"(?:version\s*|v\.?\s*)?(?P<{}>[1-4]\.[0-5])(?![\d.]*\d)"
_WHERE = "|".join(re.escape(w) for w in sorted((*_PORT_NAMES, *_UNPORTED_WORDS),
                                                key=len, reverse=True))
_LIC = r"(?:public\s+)?licen[cs]e"
_PORT_CODES = "|".join(sorted(set(_PORT_NAMES.values()), key=len, reverse=True))

_NAME_RE: Final = re.compile(
    # long form: "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International License"
    r"(?P<long>creative\s+commons\s+(?:\(cc\)\s+)?(?:licen[cs]e\s+)?"
    rf"(?:(?P<attr>attribution(?P<rest>(?:{_S}(?:{_NC}|{_ND}|{_SA})){{0,2}})"
    rf"|(?P<nonby>(?:{_NC}|{_ND}|{_SA})(?:{_S}(?:{_NC}|{_ND}|{_SA})){{0,1}}))"
    r"|(?P<zero>zero|cc0)|(?P<pdm>public\s+domain\s+mark))"
    rf"(?:\s+{_LIC})?(?:\s*,?\s*{_VER.format('ver')})?"
    rf"(?:\s+(?P<where>{_WHERE})\b)?(?:\s+{_LIC})?(?:\s*,?\s+{_VER.format('ver2')})?)"
    # short form: "CC BY-SA 4.0", "CC-BY-NC-ND-3.0-DE", "CC0 1.0", "CC BY-SA 2.0 UK", "CC PDM"
    r"|(?P<short>(?<![\w\-])cc[\s\-]?(?:(?P<s_by>by(?:[\s\-](?:nc|nd|sa)){0,2})|(?P<s_zero>0|zero)"
    r"|(?P<s_pdm>pdm))(?![\w])"
    rf"(?:[\s\-]+{_VER.format('s_ver')}(?:[\s\-]+(?P<s_port>{_PORT_CODES})(?![\w]))?)?)"
    # "Public Domain Mark 1.0", "CC0 Public Domain Dedication" spelled without "Creative Commons"
    r"|(?P<pdm2>public\s+domain\s+mark(?:\s+1\.0)?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    text: str
    license: License | UnversionedCC


def _cc_unit(parts: set[str], version: str | None) -> str | None:
    """by + {nc, nd, sa} -> the CC unit (``by-nc-sa``); 1.0 spells NC+ND as ``by-nd-nc``."""
    if "nd" in parts and "sa" in parts:
        return None
    unit = "by"
    if "nc" in parts:
        unit += "-nc"
    if "nd" in parts:
        unit = "by-nd-nc" if version == "1.0" and "nc" in parts else unit + "-nd"
    if "sa" in parts:
        unit += "-sa"
    return unit


def _elements(text: str) -> set[str]:
    low = text.lower()
    found = set()
    if "commercial" in low or re.search(r"\bnc\b", low):
        found.add("nc")
    if "deriv" in low or re.search(r"\bnd\b", low):
        found.add("nd")
    if "alike" in low or re.search(r"\bsa\b", low):
        found.add("sa")
    return found


def _resolve(unit: str, version: str | None, port: str | None,
             category: str = "licenses") -> License | UnversionedCC | None:
    if version is None:
        return canonicalize_url(f"{_CC}{category}/{unit}/")
    if port:
        found = canonicalize_url(f"{_CC}{category}/{unit}/{version}/{port}/")
        if found is not None:
            return found
    return canonicalize_url(f"{_CC}{category}/{unit}/{version}/")


def _license_of(m: re.Match[str]) -> License | UnversionedCC | None:
    if m.group("long"):
        version = m.group("ver") or m.group("ver2")
        if m.group("zero"):
            return _resolve("zero", version or "1.0", None, "publicdomain")
        if m.group("pdm"):
            return _resolve("mark", version or "1.0", None, "publicdomain")
        where = (m.group("where") or "").lower()
        port = _PORT_NAMES.get(re.sub(r"\s+", " ", where))
        if m.group("nonby"):  # 1.0-only units without attribution ("ShareAlike 1.0")
            parts = _elements(m.group("nonby"))
            unit = "-".join(p for p in ("nc", "nd", "sa") if p in parts)
            unit = {"nc-nd": "nd-nc"}.get(unit, unit)
            return _resolve(unit, version, port) if version else None
        unit = _cc_unit(_elements(m.group("rest") or ""), version)
        return _resolve(unit, version, port) if unit else None
    if m.group("short"):
        version = m.group("s_ver")
        if m.group("s_zero"):
            return _resolve("zero", version or "1.0", None, "publicdomain")
        if m.group("s_pdm"):
            return _resolve("mark", version or "1.0", None, "publicdomain")
        parts = set(re.split(r"[\s\-]+", m.group("s_by").lower())) - {"by"}
        unit = _cc_unit(parts, version)
        port = (m.group("s_port") or "").lower() or None
        return _resolve(unit, version, port) if unit else None
    return _resolve("mark", "1.0", None, "publicdomain")


#: where a name can start (lower case): the regex is tried only there
_NAME_STARTS: Final = ("creative", "cc", "public domain mark")


def find_names(text: str) -> list[NameMatch]:
    """Every recognisable CC license name in ``text``, in order (no overlaps)."""
    low = text.lower()
    starts: list[int] = []
    for needle in _NAME_STARTS:
        i = low.find(needle)
        while i != -1:
            starts.append(i)
            i = low.find(needle, i + len(needle))
    found: list[NameMatch] = []
    end = -1
    for start in sorted(starts):
        if start < end:
            continue
        m = _NAME_RE.match(text, start)
        if m is None:
            continue
        lic = _license_of(m)
        if lic is not None:
            found.append(NameMatch(m.start(), m.end(), m.group(0), lic))
            end = m.end()
    return found


# ----------------------------------------------------------------------------------------------
# Grant sentences
# ----------------------------------------------------------------------------------------------

_PAGE_NOUNS = (
    r"text(?:ual)?(?:\s+content)?s?|content(?:s)?|materials?|works?|pages?|posts?|articles?|"
    r"(?:web\s*)?sites?|blog(?:\s+posts?)?|wiki|documentation|docs|documents?|entr(?:y|ies)|"
    r"contributions?|writings?|essays?|stor(?:y|ies)|books?|publications?|transcripts?|"
    r"answers?|questions?|comments?|everything|notes?|recipes?|lessons?|tutorials?|"
    r"course\s+materials?|this"
)
_ASSET_PLURAL = (
    r"photos|photographs|images|pictures|illustrations|graphics|artworks?|drawings|diagrams|"
    r"figures|screenshots|media|videos|maps|charts|visuals|imagery|photography"
)
_ASSET_ONE = (
    r"photo|photograph|image|picture|illustration|graphic|drawing|diagram|figure|screenshot|"
    r"video|map|chart"
)
_OTHER_NOUNS = (
    r"themes?|templates?|(?:site\s+)?design|layout|logos?|icons?|fonts?|typefaces?|"
    r"(?:source\s+)?code(?:\s+(?:samples?|snippets?|examples?|blocks?))?|software|"
    r"plugins?|scripts?|stylesheets?|css|data(?:sets?|bases?)?|apis?|trademarks?|"
    r"audio|music|sounds?|podcasts?"
)
_MODIFIERS = (
    r"original|written|textual|editorial|user|site|blog|web|wiki|other|published|submitted|"
    r"header|cover|featured|banner|title|hero|lead|top|background|accompanying|embedded|"
    r"source|sample|example|open|community|member"
)
_PLACE = (
    r"(?:\s+(?:on|of|in|from|at|within|for|published\s+on|posted\s+on|appearing\s+on)\s+"
    r"(?:this|our|my|the)\s+(?:site|website|web\s*site|blog|page|wiki|post|article|server|"
    r"domain|channel|feed|project|repository|book))?"
)
_GRANT_RE: Final = re.compile(
    r"\s*(?:(?:except|unless)\s+(?:where\s+|as\s+|if\s+)?otherwise\s+(?:noted|stated|indicated|"
    r"specified|marked|mentioned)\s*,?\s*)?"
    r"(?:(?P<subject>(?:(?:all|the|this|these|those|our|my|its|any|each|every)\s+){0,2}"
    rf"(?:(?:{_MODIFIERS})\s+){{0,2}}"
    rf"(?:(?P<page>{_PAGE_NOUNS})|(?P<plural>{_ASSET_PLURAL})|(?P<one>{_ASSET_ONE})"
    rf"|(?P<other>{_OTHER_NOUNS}))"
    rf"(?:\s+(?:and|&)\s+(?:(?:{_MODIFIERS})\s+)?(?P<and>{_PAGE_NOUNS}|{_ASSET_PLURAL}|{_ASSET_ONE}"
    rf"|{_OTHER_NOUNS}))?"
    rf"{_PLACE}(?:(?:\s+[\w'\u2019.-]+){{0,4}}?\s+by\s+[^,;:()]{{1,80}}?)?(?:\s*\([^)]{{0,60}}\))?)"
    r"\s*,?\s*)?"
    r"(?:(?:is|are|has\s+been|have\s+been|was|were|will\s+be)\s+)?"
    r"(?:(?:also|hereby|now|all|freely|generally|each|both)\s+)?"
    r"(?P<verb>licen[sc]ed(?:\s+(?:under|as|with|via|using|to\s+you\s+under))?"
    r"|(?:made\s+)?(?:available|released|published|distributed|offered|shared|provided)"
    r"(?:\s+[\w-]+){0,3}?\s+under"
    r"|(?:dedicated|released|placed)\s+(?:in|into|to)\s+the\s+public\s+domain"
    r"|licen[cs]e[ds]?\s*[:=]|rights\s*:|usage\s+(?:rights|terms)\s*:)",
    re.IGNORECASE,
)

# Clause boundaries: sentence ends (not the "." in "4.0" or after an initial), ";", "|", bullets,
# line breaks,
# ", and" / ", but" / ", while", and the paragraph separator the block builder inserts.
_CLAUSE_SPLIT: Final = re.compile(
    r"(?<!\b[A-Z])[.!?](?=\s|$)|[;|•·\n\u2029]|,\s*(?:[Aa]nd|[Bb]ut|[Ww]hile|[Ww]hereas)\s+"
    r"|(?<=\s)[\u2013\u2014-](?=\s)")


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    #: None: not a grant; else PAGE, ASSET_ALL, ASSET_ONE or OTHER
    subject: str | None = None
    #: offset where the grant's object starts (after "licensed under")
    object_start: int = 0
    subject_text: str = ""


def split_clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of ``text``."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _subject_scope(m: re.Match[str]) -> str:
    groups = [g for g in ("page", "plural", "one", "other") if m.group(g)]
    if not groups:
        return PAGE  # "Licensed under …" with no subject: the page speaks about itself
    first = groups[0]
    extra = (m.group("and") or "").lower()
    # "text and images are licensed …": the page text is covered
    if extra and (first == "page" or re.fullmatch(_PAGE_NOUNS, extra, re.IGNORECASE)):
        return PAGE
    return {"page": PAGE, "plural": ASSET_ALL, "one": ASSET_ONE, "other": OTHER}[first]


def grant_clause(text: str, start: int, end: int) -> Clause:
    """Whether ``text[start:end]`` (one clause) is a grant statement, and about what."""
    m = _GRANT_RE.match(text, start, end)
    if m is None:
        return Clause(start, end)
    return Clause(start, end, _subject_scope(m), m.end(), (m.group("subject") or "").strip())


# ----------------------------------------------------------------------------------------------
# Notices
# ----------------------------------------------------------------------------------------------

RIGHTS_RESERVED: Final = "all rights reserved"
COPYRIGHT: Final = "copyright"
_RESERVED_RE: Final = re.compile(r"\ball\s+rights\s+reserved\b", re.IGNORECASE)
_COPYRIGHT_RE: Final = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\s*(?:©|\(c\)|\d{4})",
                                  re.IGNORECASE)


def notice_kind(text: str) -> str | None:
    """``all rights reserved``, ``copyright`` or None."""
    if _RESERVED_RE.search(text):
        return RIGHTS_RESERVED
    if _COPYRIGHT_RE.search(text):
        return COPYRIGHT
    return None


# ----------------------------------------------------------------------------------------------
# Badges
# ----------------------------------------------------------------------------------------------

_BADGE_RE: Final = re.compile(
    r"^(?:https?:)?//(?:i\.creativecommons\.org|(?:www\.)?licensebuttons\.net|"
    r"mirrors\.creativecommons\.org/presskit/buttons/(?:88x31|80x15)/(?:png|svg))"
    r"/(?:(?P<cat>[lp])/(?P<path>[a-z0-9+\-]+(?:/[0-9.]+)?(?:/[a-z]{2,8})?)/[^/]*"
    r"|(?P<press>[a-z0-9\-.]+)\.(?:png|svg))$",
    re.IGNORECASE,
)


def badge_license(src: str) -> License | UnversionedCC | None:
    """The license a CC badge image URL shows, None for anything else.

    ``https://licensebuttons.net/l/by-sa/4.0/88x31.png`` -> CC-BY-SA-4.0,
    ``https://i.creativecommons.org/l/by-sa/2.0/uk/80x15.png`` -> CC-BY-SA-2.0-UK,
    ``https://i.creativecommons.org/p/zero/1.0/88x31.png`` -> CC0-1.0; press-kit buttons carry
    no version (``…/buttons/88x31/png/by-nc.png`` -> an unversioned BY-NC).
    """
    m = _BADGE_RE.match(src.strip())
    if m is None:
        return None
    if m.group("press"):
        unit = m.group("press").lower()
        if unit in ("cc-zero", "cc0", "zero"):
            return canonicalize_url(f"{_CC}publicdomain/zero/1.0/")
        if unit in ("publicdomain", "pd", "mark"):
            return canonicalize_url(f"{_CC}publicdomain/mark/1.0/")
        return canonicalize_url(f"{_CC}licenses/{unit}/")
    category = "licenses" if m.group("cat").lower() == "l" else "publicdomain"
    return canonicalize_url(f"{_CC}{category}/{m.group('path')}/")
