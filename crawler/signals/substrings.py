"""Fixed strings found in a text, each search one vectorised pass.

The license scan looks for words everywhere: markers in a page's raw HTML, the words a
license name or a notice can start with in every block it reads, the exclusion wording in
every clause. ``bytes.find`` reads about 2 GB/s here, and ``any(w in text for w in words)``
costs a microsecond per few words, for every text, in every language's word list. An
Aho-Corasick automaton (``ahocorasick-rs``: SIMD ``memmem`` for one needle) reads a text once
for all of them, three to ten times faster on this scan's texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import ahocorasick_rs

__all__ = ["Needles", "occurrences"]


@cache
def _one(needle: bytes) -> ahocorasick_rs.BytesAhoCorasick:
    return ahocorasick_rs.BytesAhoCorasick([needle])


def occurrences(haystack: bytes | str, needle: bytes | str, start: int = 0) -> list[int]:
    """Where ``needle`` starts in ``haystack`` from ``start`` on, each past the one before (as
    repeated ``find`` calls give them)."""
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        view = memoryview(haystack)[start:]
        return [start + s for _, s, _ in _one(needle).find_matches_as_indexes(view)]
    found, pos = [], haystack.find(needle, start)  # type: ignore[arg-type]
    while pos != -1:
        found.append(pos)
        pos = haystack.find(needle, pos + len(needle))  # type: ignore[arg-type]
    return found


class Needles:
    """A fixed set of strings, all looked for in a text at once."""

    def __init__(self, words: Iterable[str]):
        self.words = tuple(dict.fromkeys(w for w in words if w))
        self._automaton = ahocorasick_rs.AhoCorasick(list(self.words)) if self.words else None

    def found_in(self, text: str) -> bool:
        """Does ``text`` hold one of the strings?"""
        return self._automaton is not None and bool(
            self._automaton.find_matches_as_indexes(text))

    def starts(self, text: str) -> list[int]:
        """Where the strings start in ``text`` (sorted, each place once); a string's
        occurrences are those repeated ``find`` calls give (none inside the one before)."""
        if self._automaton is None:
            return []
        past: dict[int, int] = {}  # string -> where its last occurrence taken ends
        found = set()
        for word, start, end in self._automaton.find_matches_as_indexes(text, overlapping=True):
            if start >= past.get(word, 0):
                past[word] = end
                found.add(start)
        return sorted(found)
