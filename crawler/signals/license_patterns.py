"""One grammar for "which licenses", shared by policy accept lists and export filters.

A pattern is either

* an **exact SPDX id** known to the license tables (case-insensitive, e.g. ``cc-by-4.0``,
  ``CC-BY-3.0-DE``, ``MIT``), canonicalised to the table's spelling; or
* a **family** ``<FAMILY>-*``: one license unit with all its versions and jurisdiction ports.
  ``CC-BY-*`` is CC BY 1.0 … 4.0 and every port (``CC-BY-3.0-DE``, ``LicenseRef-CC-BY-2.0-FR``),
  never another unit: not CC BY-SA, BY-NC, BY-ND, ... Families come from the CC legal-tool
  table (:mod:`crawler.signals.cc_licenses`: its version-less names ``CC-<UNIT>``, ``CC0``,
  ``CC-PDM``); CC's 1.0 ``by-nd-nc`` / 2.0 ``by-nc-nd`` spellings of the same elements are one
  family, as in SPDX (``CC-BY-NC-ND-1.0``). The non-CC table
  (:mod:`crawler.signals.other_licenses`) has no version model, so a non-CC family is a name
  followed by a version in its ids (``GPL-*``: GPL-2.0-only … GPL-3.0-or-later, never LGPL or
  AGPL; ``GFDL-*``, ``Apache-*``, ``ODbL-*``); names without versions (``MIT``,
  ``BSD-2-Clause``) have no family.

No other wildcard exists (no ``*`` alone, no ``?``, no mid-id ``*``): "all licenses" is
expressed by the caller (an export without a filter), never by a pattern that would also admit
licenses nobody reviewed. Unknown ids and families are errors, with a "did you mean" when one
is close. Matching is on SPDX ids; purpose rules (NC never commercial) are applied by the
caller, see :func:`crawler.purposes.license_permits`.

Pure (standard library only).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from crawler.signals.cc_licenses import CC_ALIASES, CC_BY_KEY, CC_UNVERSIONED, UnversionedCC
from crawler.signals.other_licenses import OTHER_BY_SPDX
from crawler.signals.spdx_ids import known_spdx_ids, lookup_spdx

__all__ = [
    "FAMILY_SUFFIX",
    "LicensePattern",
    "LicensePatternError",
    "LicenseSelector",
    "compile_patterns",
    "parse_pattern",
]

FAMILY_SUFFIX: Final = "-*"
_WILDCARD_CHARS: Final = frozenset("*?[]")
_LICENSEREF: Final = "LICENSEREF-"
# A non-CC id "<name>-<version>[-only|-or-later]"; only for the non-CC table, which has no
# version model (the CC table's units and versions come from cc_licenses itself).
_VERSIONED_ID: Final = re.compile(r"(?P<name>.+?)-\d+(?:\.\d+)*(?:-only|-or-later)?")


class LicensePatternError(ValueError):
    """One or more license patterns are invalid; ``problems`` has one message per pattern."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class LicensePattern:
    #: canonical spelling: the table's SPDX id, or the upper-case family name + ``-*``
    text: str
    #: upper-cased SPDX ids the pattern selects
    spdx_ids: frozenset[str]

    @property
    def is_family(self) -> bool:
        return self.text.endswith(FAMILY_SUFFIX)


@dataclass(frozen=True)
class LicenseSelector:
    """Compiled patterns; an empty selector selects nothing (callers decide what empty means)."""

    patterns: tuple[LicensePattern, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        """Canonical pattern texts, in the order given, without duplicates."""
        return tuple(p.text for p in self.patterns)

    @cached_property
    def selected(self) -> frozenset[str]:
        """Every exact SPDX id (upper case) one of the patterns selects."""
        return frozenset().union(*(p.spdx_ids for p in self.patterns))

    def matches(self, spdx: str) -> bool:
        """Is ``spdx`` (any case) selected by one of the patterns?"""
        return spdx.strip().upper() in self.selected


def _cc_families() -> dict[str, frozenset[str]]:
    """Family name (upper case, no ``-*``) -> member ids, from the CC table's version-less names.

    Units with the same elements in another order (1.0 ``by-nd-nc``, 2.0+ ``by-nc-nd``) are one
    family: SPDX itself calls by-nd-nc 1.0 ``CC-BY-NC-ND-1.0``."""
    def elements(category: str, unit: str) -> tuple[str, frozenset[str]]:
        return category, frozenset(unit.split("-"))

    members: dict[tuple[str, frozenset[str]], set[str]] = {}
    for (category, unit, _version, _port), lic in CC_BY_KEY.items():
        members.setdefault(elements(category, unit), set()).add(lic.spdx.upper())
    unit_of = {family: key for key, family in CC_UNVERSIONED.items()}
    families: dict[str, frozenset[str]] = {}
    for alias, target in CC_ALIASES.items():
        if isinstance(target, UnversionedCC):
            ids = frozenset(members[elements(*unit_of[target])])
            families[alias] = ids
            families[alias.replace("+", "-PLUS")] = ids  # the LicenseRef spelling of "+"
    return families


def _other_families() -> dict[str, frozenset[str]]:
    """Family name as the table spells it (``ODbL``) -> member ids (upper case)."""
    members: dict[str, set[str]] = {}
    for lic in OTHER_BY_SPDX.values():
        found = _VERSIONED_ID.fullmatch(lic.spdx)
        if found is not None:
            members.setdefault(found["name"], set()).add(lic.spdx.upper())
    return {name: frozenset(ids) for name, ids in members.items()}


def _families() -> dict[str, tuple[str, frozenset[str]]]:
    """Upper-case family name -> (canonical name, member ids)."""
    found = {**_other_families(), **_cc_families()}
    return {name.upper(): (name, ids) for name, ids in found.items()}


_FAMILIES: Final = _families()
_ID_CANDIDATES: Final = {i.upper(): i for i in known_spdx_ids()}


def _suggest(key: str, candidates: dict[str, str], cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=cutoff)
    return f" (did you mean {candidates[close[0]]!r}?)" if close else ""


def _id_suggestion(key: str) -> str:
    # LicenseRef-CC-... ids (unlisted CC ports) are only suggested for LicenseRef input: they
    # would otherwise crowd out the SPDX ids people mean.
    wanted = key.startswith(_LICENSEREF)
    return _suggest(key, {k: v for k, v in _ID_CANDIDATES.items()
                          if k.startswith(_LICENSEREF) == wanted})


def _family_hint(name: str) -> str:
    """Why ``name`` is no family and what to write instead (``name`` upper case, no ``-*``)."""
    wider = sorted(canonical + FAMILY_SUFFIX for key, (canonical, _) in _FAMILIES.items()
                   if key.startswith(name + "-"))
    if len(wider) > 1:
        return (": it would span several license units; list the ones you mean, e.g. "
                + ", ".join(map(repr, wider[:3])))
    elements = frozenset(name.split("-"))
    same = [canonical for key, (canonical, _) in sorted(_FAMILIES.items())
            if frozenset(key.split("-")) == elements]
    if wider or same:
        return f" (did you mean {(wider or [same[0] + FAMILY_SUFFIX])[0]!r}?)"
    ids = sorted(v for k, v in _ID_CANDIDATES.items() if k == name or k.startswith(name + "-"))
    if ids:
        owners = sorted({canonical + FAMILY_SUFFIX for canonical, members in _FAMILIES.values()
                         if any(i.upper() in members for i in ids)})
        if not owners:
            return (": a license without versions has no family; name it: "
                    + ", ".join(map(repr, ids[:3])))
        return (f": name the license exactly ({', '.join(map(repr, ids[:3]))}) "
                f"or its whole family ({owners[0]!r})")
    candidates = {k + FAMILY_SUFFIX: canonical + FAMILY_SUFFIX
                  for k, (canonical, _) in _FAMILIES.items()}
    return _suggest(name + FAMILY_SUFFIX, candidates, cutoff=0.75)


def parse_pattern(text: str) -> LicensePattern:
    """Resolve one pattern; raise :class:`LicensePatternError` naming it when it is invalid."""
    stripped = text.strip()
    key = stripped.upper()
    if not key:
        raise LicensePatternError(["empty license pattern"])
    if key.endswith(FAMILY_SUFFIX) and not _WILDCARD_CHARS & set(key[:-len(FAMILY_SUFFIX)]):
        name = key[:-len(FAMILY_SUFFIX)]
        family = _FAMILIES.get(name)
        if family is None:
            raise LicensePatternError([f"unknown license family {stripped!r}"
                                       + _family_hint(name)])
        return LicensePattern(family[0] + FAMILY_SUFFIX, family[1])
    if _WILDCARD_CHARS & set(key):
        name = key.rstrip("*?[]-")
        hint = (f" (did you mean {_FAMILIES[name][0] + FAMILY_SUFFIX!r}?)" if name in _FAMILIES
                else _family_hint(name) if name else "")
        raise LicensePatternError([
            f"unsupported license pattern {stripped!r}: the only wildcard is a trailing '-*' "
            f"naming one license family, e.g. 'CC-BY-*'{hint}"])
    lic = lookup_spdx(key)
    if lic is None:
        raise LicensePatternError([f"unknown license id {stripped!r}" + _id_suggestion(key)])
    return LicensePattern(lic.spdx, frozenset({lic.spdx.upper()}))


def compile_patterns(texts: Iterable[str]) -> LicenseSelector:
    """Compile ``texts``; raise :class:`LicensePatternError` listing every invalid one."""
    patterns: dict[str, LicensePattern] = {}
    problems: list[str] = []
    for text in texts:
        try:
            pattern = parse_pattern(text)
        except LicensePatternError as exc:
            problems += exc.problems
            continue
        patterns.setdefault(pattern.text, pattern)
    if problems:
        raise LicensePatternError(problems)
    return LicenseSelector(tuple(patterns.values()))
