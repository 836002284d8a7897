"""Robots-style path patterns (``*`` wildcard, ``$`` end anchor), used by policies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


@dataclass(frozen=True)
class PathPattern:
    """A prefix pattern over URL path+query, as in robots.txt rules."""

    pattern: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))

    def matches(self, path: str) -> bool:
        return self._regex.match(path) is not None
