"""What a license statement without a version can be taken as: its whole family, or the
family's latest version.

"Licensed under CC BY", a link to ``/licenses/by/``: the family is known, the license is not
(:class:`~crawler.signals.cc_licenses.UnversionedCC`). A policy says what such a statement
is worth (``licenses.unversioned``, decided by :mod:`crawler.gates.license`); this module
gives the two readings besides "nothing", both from the one license table and the one
pattern grammar (:mod:`crawler.signals.license_patterns`), never from a list of their own:

* :func:`as_family`: the family as a license, a :class:`License` whose id is the family
  pattern (``CC-BY-*``): the item is under *some* version of CC BY. Obligations are the
  family's; an accept list takes it only when it takes every member (:func:`selects`);
* :func:`latest`: the family's latest version in the CC table, international before a port
  (CC BY → CC-BY-4.0, CC0 → CC0-1.0, CC BY-NC-ND → CC-BY-NC-ND-4.0).

:func:`lookup` and :func:`selects` are :func:`~crawler.signals.spdx_ids.lookup_spdx` and
:meth:`LicenseSelector.matches` for an id an item may be stored under: an SPDX id or a
family pattern.

Pure (standard library only).
"""

from __future__ import annotations

from crawler.signals.cc_licenses import CC_ALIASES, CC_BY_KEY, UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.license_patterns import (
    FAMILY_SUFFIX,
    LicensePattern,
    LicensePatternError,
    LicenseSelector,
    parse_pattern,
)
from crawler.signals.spdx_ids import lookup_spdx

__all__ = ["as_family", "family_pattern", "latest", "lookup", "selects"]


def _pattern(name: str) -> LicensePattern | None:
    try:
        return parse_pattern(name + FAMILY_SUFFIX)
    except LicensePatternError:
        return None


def _family_tables() -> tuple[dict[UnversionedCC, LicensePattern], dict[str, UnversionedCC]]:
    """Each version-less CC name's family pattern (the first name of a family spells it),
    and the way back from a pattern's text (upper case)."""
    patterns: dict[UnversionedCC, LicensePattern] = {}
    families: dict[str, UnversionedCC] = {}
    for name, target in CC_ALIASES.items():
        if isinstance(target, UnversionedCC) and target not in patterns:
            pattern = _pattern(name)
            if pattern is not None:
                patterns[target] = pattern
                families.setdefault(pattern.text.upper(), target)
    return patterns, families


_PATTERNS, _FAMILIES = _family_tables()


def family_pattern(lic: UnversionedCC) -> LicensePattern | None:
    """The grammar's family for ``lic`` (``CC-BY-*``); None for a CC tool the grammar has
    no family for."""
    return _PATTERNS.get(lic)


def as_family(lic: UnversionedCC) -> License | None:
    """``lic`` as a license of its own: id the family pattern, the family's URL, name and
    obligations."""
    pattern = family_pattern(lic)
    if pattern is None:
        return None
    return License(pattern.text, lic.url, lic.name, lic.obligations)


def _version(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def latest(lic: UnversionedCC) -> License | None:
    """The latest version of ``lic``'s family: the highest international (unported)
    version, else the highest port."""
    pattern = family_pattern(lic)
    if pattern is None:
        return None
    members = [(not port, _version(version), found)
               for (_category, _unit, version, port), found in CC_BY_KEY.items()
               if found.spdx.upper() in pattern.spdx_ids]
    return max(members, key=lambda member: member[:2])[2]


def lookup(spdx: str) -> License | None:
    """The license an item is stored under: an SPDX id, or a family pattern taken as a
    license (:func:`as_family`)."""
    if not spdx.strip().endswith(FAMILY_SUFFIX):
        return lookup_spdx(spdx)
    pattern = _pattern(spdx.strip()[:-len(FAMILY_SUFFIX)])
    family = _FAMILIES.get(pattern.text.upper()) if pattern is not None else None
    return as_family(family) if family is not None else None


def selects(selector: LicenseSelector, spdx: str) -> bool:
    """Does ``selector`` take ``spdx``? A family pattern (an item under some version of
    it) only when the selector takes every member of the family."""
    if not spdx.strip().endswith(FAMILY_SUFFIX):
        return selector.matches(spdx)
    pattern = _pattern(spdx.strip()[:-len(FAMILY_SUFFIX)])
    return pattern is not None and pattern.spdx_ids <= selector.selected
