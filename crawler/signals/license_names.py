"""License names in text: Creative Commons names in every language of the phrase table, and
the common non-CC open licenses.

:func:`find_names` finds

* CC names, long (``Creative Commons Attribution-ShareAlike 4.0 International License``,
  ``Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International``,
  ``クリエイティブ・コモンズ 表示 - 継承 4.0 国際``, ``署名-非商业性使用-相同方式共享 4.0 国际``),
  with CC's short codes after the CC word (``Creative Commons BY-SA 4.0``) and short
  (``CC BY-SA 3.0 DE``, ``CC0``); each is canonicalised through the CC URL grammar, so
  ``CC BY-SA 2.0 UK`` is ``CC-BY-SA-2.0-UK`` and a name without a version is an
  :class:`UnversionedCC`. The element, jurisdiction and "International" words come from
  :mod:`crawler.signals.license_phrases`. Names written without the CC word are taken only in
  CJK scripts, and only with a version or two elements (``署名-相同方式共享``): ``表示`` alone is
  an everyday word.
* non-CC names (``GNU Free Documentation License 1.2``, ``GFDL 1.3``, ``MIT License``,
  ``Apache License 2.0``, ``GPLv3``, ``BSD 3-Clause``, ``ODbL``): ``NameMatch.cc`` is False for
  them, and callers take them as grants only where a sentence says so for the page's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.license_phrases import Phrases, phrase_pattern, phrases
from crawler.signals.license_urls import canonicalize_url
from crawler.signals.spdx_ids import lookup_spdx
from crawler.signals.substrings import Needles

__all__ = ["NameMatch", "find_names"]

_CC: Final = "https://creativecommons.org/"
_D = "\u2010-\u2015"
_S = rf"[\s\-{_D}_/,+\u30fb\u00b7\uff65\u00ab\u00bb\"\u201c\u201d\u201e]*"  # between elements
_VER_NUM = r"(?P<{}>[1-4]\.[0-5])(?![\d.]*\d)"


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    text: str
    license: License | UnversionedCC
    cc: bool = True


def _alt(p: Phrases, kind: str) -> str:
    """The alternation of one lexicon's phrases, as a non-capturing group."""
    return f"(?:{getattr(p, kind).regex.pattern})"


def _cjk_by(p: Phrases) -> str:
    items = [(k, v) for k, v in p.elements.values.items() if v == "by"]
    cjk = [k for k, _ in items if any(p.scripts[lang] == "cjk" for lang in p.elements.langs[k])]
    return "|".join(phrase_pattern(k, "cjk") for k in sorted(cjk, key=len, reverse=True))


@cache
def _name_re() -> re.Pattern[str]:
    p = phrases()
    el, ver_words = _alt(p, "elements"), _alt(p, "version")
    lic, where, cc = _alt(p, "license"), _alt(p, "where"), _alt(p, "cc")
    ver = rf"(?:{ver_words}\s*)?{_VER_NUM}"
    short = r"by(?:[\s\-](?:nc|nd|sa)){0,2}(?![\w])"

    def tail(x: str) -> str:
        """Translation in parentheses, version, jurisdiction and "license" after the name."""
        return (rf"[\u00bb\"\u201d]?"
                rf"(?:\s*\(\s*[\u00ab\"\u201c]?{el}(?:{_S}{el}){{0,2}}[\u00bb\"\u201d]?\s*\))?"
                rf"(?:\s*-?\s*{lic})?(?:\s*,?\s*{ver.format(x + 'ver')})?"
                rf"(?:\s*(?P<{x}where>{where}))?"
                rf"(?:\s*-?\s*{lic})?(?:\s*,?\s+{ver.format(x + 'ver2')})?")

    return re.compile(
        # long form, after the CC word in any language
        rf"(?P<long>{cc}[\s\-{_D}:]*(?:\(cc\)\s*)?(?:{lic}\s+)?"
        rf"(?:(?P<ccs>{short})|[\u00ab\"\u201c\u201e]?(?P<elems>{el}(?:{_S}{el}){{0,2}})"
        rf"|(?P<zero>{_alt(p, 'zero')})|(?P<pdm>{_alt(p, 'mark')})){tail('')})"
        # CJK names without the CC word: "署名-非商业性使用-相同方式共享 4.0 国际"
        rf"|(?P<cjk>(?:{_cjk_by(p)})(?:{_S}{el}){{0,2}}{tail('c')})"
        # short form: "CC BY-SA 4.0", "CC-BY-NC-ND-3.0-DE", "CC0 1.0", "CC BY-SA 2.0 UK"
        r"|(?P<short>(?<![\w\-])cc[\s\-]?(?:(?P<s_by>by(?:[\s\-](?:nc|nd|sa)){0,2})"
        r"|(?P<s_zero>0|zero)|(?P<s_pdm>pdm))(?![\w])"
        rf"(?:[\s\-]+{_VER_NUM.format('s_ver')}(?:[\s\-]+(?P<s_port>[a-z]{{2,8}})(?![\w]))?)?)"
        # "Public Domain Mark 1.0" without "Creative Commons"
        r"|(?P<pdm2>public\s+domain\s+mark(?:\s+1\.0)?)",
        re.IGNORECASE,
    )


_OTHER_RE: Final = re.compile(
    r"(?<![\w\-])(?:"
    r"(?P<gfdl>(?:gnu\s+)?(?:free\s+documentation\s+licen[cs]e|g?fdl))"
    r"(?:[\s,\-]*(?:version|v\.?)?\s*(?P<gfdl_v>1\.[23]))?"
    r"(?P<gfdl_later>\s*\+|\s+or\s+(?:any\s+)?later(?:\s+version)?)?"
    r"|(?P<gpl>(?:gnu\s+)?(?:(?P<gpl_kind>[la])?gpl|(?P<gpl_long>(?:lesser\s+|affero\s+)?"
    r"general\s+public\s+licen[cs]e)))"
    r"(?:[\s,\-]*(?:version|v\.?)?\s*(?P<gpl_v>[23])(?:\.0)?)?"
    r"(?P<gpl_later>\s*\+|\s+or\s+(?:any\s+)?later(?:\s+version)?)?"
    r"|(?P<mit>(?:the\s+)?(?:mit(?:\s*[(/]\s*expat\s*\)?)?|expat)(?:[\s\-]+open[\s\-]?source)?"
    r"[\s\-]+licen[cs]e(?![\w]))"
    r"|(?P<apache>apache(?:[\s\-]+licen[cs]e)?[\s,\-]*(?:version\s*|v\.?\s*)?2(?:\.0)?"
    r"(?:[\s\-]+licen[cs]e)?)"
    r"|(?P<bsd>bsd[\s\-]*(?P<bsd_n>[23])[\s\-]*clause(?:[\s\-]+licen[cs]e)?)"
    r"|(?P<odbl>odbl(?:[\s\-]*(?:v\.?\s*)?1\.0)?|open\s+database\s+licen[cs]e)"
    r"|(?P<odcby>odc[\s\-]*by(?:[\s\-]*1\.0)?|open\s+data\s+commons\s+attribution\s+licen[cs]e)"
    r"|(?P<pddl>pddl(?:[\s\-]*1\.0)?))(?![\w])",
    re.IGNORECASE,
)
#: lower-case words where a non-CC name can start
_OTHER_STARTS: Final = Needles((
    "gnu", "gfdl", "fdl", "free documentation", "gpl", "lgpl", "agpl", "general public",
    "lesser general", "affero", "mit", "expat", "apache", "bsd", "odbl", "open database", "odc",
    "open data commons", "pddl", "the mit"))


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


def _elements(p: Phrases, text: str) -> list[str]:
    return [p.elements.value(m.group(0)) for m in p.elements.regex.finditer(text)]


def _resolve(unit: str, version: str | None, port: str | None,
             category: str = "licenses") -> License | UnversionedCC | None:
    if version is None:
        return canonicalize_url(f"{_CC}{category}/{unit}/")
    if port:
        found = canonicalize_url(f"{_CC}{category}/{unit}/{version}/{port}/")
        if found is not None:
            return found
    return canonicalize_url(f"{_CC}{category}/{unit}/{version}/")


def _long(p: Phrases, m: re.Match[str]) -> License | UnversionedCC | None:
    x = "c" if m.group("cjk") else ""
    version = m.group(x + "ver") or m.group(x + "ver2")
    if m.group("zero"):
        return _resolve("zero", version or "1.0", None, "publicdomain")
    if m.group("pdm"):
        return _resolve("mark", version or "1.0", None, "publicdomain")
    port = p.where.value(m.group(x + "where") or "") or None
    if m.group("ccs"):
        parts = set(re.split(r"[\s\-]+", m.group("ccs").lower())) - {"by"}
        unit = _cc_unit(parts, version)
        return _resolve(unit, version, port) if unit else None
    found = _elements(p, m.group("elems") or m.group("cjk") or "")
    if not found or len(set(found)) != len(found):
        return None
    if m.group("cjk") and not version and len(found) < 2:
        return None  # "表示" alone is an everyday word
    if found[0] != "by":  # 1.0-only units without attribution ("ShareAlike 1.0")
        unit = "-".join(e for e in ("nc", "nd", "sa") if e in found)
        unit = {"nc-nd": "nd-nc"}.get(unit, unit)
        return _resolve(unit, version, port) if version else None
    unit = _cc_unit(set(found) - {"by"}, version)
    return _resolve(unit, version, port) if unit else None


def _license_of(p: Phrases, m: re.Match[str]) -> License | UnversionedCC | None:
    if m.group("long") or m.group("cjk"):
        return _long(p, m)
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


def _other_license(m: re.Match[str]) -> License | None:
    """The SPDX license a non-CC name names; None when its version is missing."""
    if m.group("gfdl"):
        v = m.group("gfdl_v")
        return lookup_spdx(f"GFDL-{v}-{'or-later' if m.group('gfdl_later') else 'only'}") \
            if v else None
    if m.group("gpl"):
        v = m.group("gpl_v")
        long = (m.group("gpl_long") or "").lower()
        kind = (m.group("gpl_kind") or "").upper() or (
            "L" if long.startswith("lesser") else "A" if long.startswith("affero") else "")
        later = "or-later" if m.group("gpl_later") else "only"
        return lookup_spdx(f"{kind}GPL-{v}.0-{later}") if v else None
    if m.group("mit"):
        return lookup_spdx("MIT")
    if m.group("apache"):
        return lookup_spdx("Apache-2.0")
    if m.group("bsd"):
        return lookup_spdx(f"BSD-{m.group('bsd_n')}-Clause")
    for group, spdx in (("odbl", "ODbL-1.0"), ("odcby", "ODC-By-1.0"), ("pddl", "PDDL-1.0")):
        if m.group(group):
            return lookup_spdx(spdx)
    return None  # pragma: no cover - every alternative is handled above


@cache
def _cc_starts() -> Needles:
    """Lower-case words where a CC name can start: the CC words, "cc", "public domain mark"
    and the CJK attribution elements."""
    p = phrases()
    words = {k for k in p.cc.values} | {"cc", "public domain mark"}
    words |= {k for k, v in p.elements.values.items()
              if v == "by" and any(p.scripts[lang] == "cjk" for lang in p.elements.langs[k])}
    return Needles(sorted(words))


def find_names(text: str) -> list[NameMatch]:
    """Every recognisable license name in ``text``, in order (no overlaps): CC names first,
    then the non-CC names outside them."""
    low = text.lower()
    p = phrases()
    name_re = _name_re()
    found: list[NameMatch] = []
    end = -1
    for start in _cc_starts().starts(low):
        if start < end or (start and low[start].isascii() and low[start - 1].isalnum()):
            continue  # inside a word ("access", "success")
        m = name_re.match(text, start)
        if m is None:
            continue
        lic = _license_of(p, m)
        if lic is not None:
            found.append(NameMatch(m.start(), m.end(), m.group(0).rstrip(), lic))
            end = m.end()
    others: list[NameMatch] = []
    end = -1
    for start in _OTHER_STARTS.starts(low):
        if start < end or any(n.start <= start < n.end for n in found) or (
                start and low[start - 1].isalnum()):
            continue
        m = _OTHER_RE.match(text, start)
        if m is None:
            continue
        other = _other_license(m)
        if other is not None:
            others.append(NameMatch(m.start(), m.end(), m.group(0), other, cc=False))
            end = m.end()
    return sorted(found + others, key=lambda n: n.start)
