"""Robots-style path patterns (``*`` wildcard, ``$`` end anchor), used by policies.

The pattern and the URL are normalised by :mod:`crawler.urlpath`, the same functions the
robots.txt matcher uses, so an escape or a dot segment cannot slip past a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.urlpath import Pattern, canonical_pattern


@dataclass(frozen=True)
class PathPattern:
    """A prefix pattern over URL path+query, as in robots.txt rules."""

    pattern: str
    _compiled: Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", Pattern(canonical_pattern(self.pattern)))

    @property
    def priority(self) -> int:
        """Length of the canonical pattern: the longest match decides."""
        return self._compiled.priority

    def matches(self, canonical_path: str) -> bool:
        """``canonical_path``: a path+query from :func:`crawler.urlpath.canonical_path`."""
        return self._compiled.matches(canonical_path)
