"""From a place in the raw HTML to the element holding it, without walking the whole tree.

A walk of every text node costs milliseconds on a large page; the raw HTML already says where
the words the scan wants stand. lxml records, in document order, the line each element's
start tag ends on (``sourceline``), so the element a line falls in is found by a search
among the children of each element on the way down: a few dozen elements looked at,
whatever the page's size. On a minified page (a few very long lines) a line says too little;
:class:`Lines` then gives up and the caller walks the tree.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any, Final

__all__ = ["Lines"]

_MAX_LINE = 32_000  # bytes: a longer line holds too many elements to search
_MAX_ON_LINE = 1500  # elements starting on one line
_MAX_SOURCELINE = 65535  # libxml2 stops counting lines there (without its "big lines" option)
_START_TAG_B: Final = re.compile(rb"""<[^\s/>]+(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
_START_TAG_S: Final = re.compile(r"""<[^\s/>]+(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")


def _tag_end(low: bytes | str, pos: int) -> int:
    """Where the start tag that opens at ``pos`` ends (its ``>``, not one in a quoted value):
    libxml2 gives an element the line its start tag ends on."""
    pattern = _START_TAG_B if isinstance(low, bytes) else _START_TAG_S
    m = pattern.match(low, pos, pos + _MAX_LINE)  # type: ignore[call-overload]
    return m.end() - 1 if m is not None else pos


def _line(el: Any) -> int:
    line = el.sourceline
    return line if isinstance(line, int) else 0


def _around(node: Any, line: int) -> tuple[Any, list[Any]]:
    """The last child of ``node`` that starts before ``line`` (or None) and the children that
    start on it, read from the nearer end of the children (lxml indexes children by walking
    them: a binary search would walk them again and again)."""
    first = next(iter(node), None)
    if first is None:
        return None, []
    last = node[-1]
    before, on = None, []
    if line - _line(first) <= _line(last) - line:
        for child in node:
            at = _line(child)
            if at > line:
                break
            if at < line:
                before, on = child, []
            else:
                on.append(child)
    else:
        for child in node.iterchildren(reversed=True):
            at = _line(child)
            if at < line:
                before = child
                break
            if at == line:
                on.append(child)
        on.reverse()
    return before, on


def _descend(root: Any, line: int) -> list[Any]:
    """The elements from ``root`` down to the last one that starts on or before ``line``."""
    path = [root]
    node = root
    while True:
        before, on = _around(node, line)
        elements = [c for c in (before, *on) if c is not None and isinstance(c.tag, str)]
        if not elements:
            return path
        node = elements[-1]
        path.append(node)


class Lines:
    """One page's tree and raw HTML (lower case), for finding the elements at raw positions:
    newlines are counted from the nearest position already numbered (one pass over the page
    however often the scan asks), the offset between the raw HTML's line numbers and lxml's
    is read once, and the elements that start on a line are listed once per page (the scan
    asks about the same lines for links, attributes and text)."""

    def __init__(self, root: Any, low: bytes | str):
        self._root, self._low = root, low
        self._nl: Any = b"\n" if isinstance(low, bytes) else "\n"
        self._marks = [0]  # positions whose raw line number is known, sorted
        self._raw_lines = [1]  # their raw line numbers
        self._offset: int | None = None
        self._on_line: dict[tuple[Any, int], list[Any] | None] = {}

    @property
    def offset(self) -> int:
        """How far the raw HTML's line numbers run ahead of lxml's (libxml2 does not count
        blank lines before the document starts), read at the ``<body>``, ``<head>`` or
        ``<html>`` tag."""
        if self._offset is None:
            self._offset = 0
            root, low = self._root, self._low
            for tag in ("body", "head", "html"):
                el = root if root.tag == tag else root.find(tag)
                pos = low.find(f"<{tag}".encode() if isinstance(low, bytes) else f"<{tag}")
                if el is not None and pos != -1 and isinstance(el.sourceline, int):
                    self._offset = self._raw_line(_tag_end(low, pos)) - el.sourceline
                    break
        return self._offset

    def numbers(self, positions: Iterable[int]) -> dict[int, tuple[int, int]]:
        """Each position's line number (as lxml counts) and the length of its line."""
        low, nl = self._low, self._nl
        out: dict[int, tuple[int, int]] = {}
        last_line, length = -1, -1
        for pos in sorted(set(positions)):
            line = self._raw_line(pos) - self.offset
            if line != last_line:
                lo, hi = max(0, pos - _MAX_LINE), min(len(low), pos + _MAX_LINE)
                start = low.rfind(nl, lo, pos)
                end = low.find(nl, pos, hi)
                if (start == -1 and lo > 0) or (end == -1 and hi < len(low)):
                    length = _MAX_LINE + 1  # a longer line than worth searching
                else:
                    length = (end if end != -1 else len(low)) - (start + 1)
            out[pos], last_line = (line, length), line
        return out

    def _raw_line(self, pos: int) -> int:
        """The raw HTML's line number at ``pos``, counted from the nearest known position
        before it."""
        i = bisect_right(self._marks, pos) - 1
        line = self._raw_lines[i] + self._low.count(self._nl, self._marks[i], pos)
        if self._marks[i] != pos:
            self._marks.insert(i + 1, pos)
            self._raw_lines.insert(i + 1, line)
        return line

    def starting_on(self, node: Any, line: int) -> list[Any] | None:
        """The elements under ``node`` that start on ``line``; None when they are too many
        to look at."""
        key = (node, line)
        if key not in self._on_line:
            found = _starting_on(node, line)
            self._on_line[key] = None if len(found) > _MAX_ON_LINE else found
        return self._on_line[key]

    def elements_at(self, tag_opens: list[int], test: Callable[[Any], bool]) -> list[Any] | None:
        """The elements whose start tags open at the given raw positions and that pass
        ``test`` (the attribute a raw hit was in); None when the lines are too long or too
        far down for their line numbers to find them."""
        found: list[Any] = []
        ends = [_tag_end(self._low, pos) for pos in tag_opens]
        lines = self._lines(ends)
        if lines is None or self._most_of_the_page(ends):
            return None  # an attribute step in C beats a search of most of the page here
        for line in lines:
            here = [el for el in self.starting_on(self._root, line) or () if test(el)]
            if not here:
                return None  # the lines do not match the tree's (or the tag is not the one
                # the caller looks for), or too many elements start on it: walk the tree
            found += here
        return list(dict.fromkeys(found))

    def holders_at(self, node: Any, positions: list[int], spellings: tuple[str, ...]
                   ) -> list[Any] | None:
        """The elements under ``node`` whose own text (``text`` or a child's ``tail``) holds
        one of ``spellings`` (lower case) at the given raw positions; None when the lines are
        too long or too far down for their line numbers to find the elements."""
        found: list[Any] = []
        lines = self._lines(positions)
        if lines is None:
            return None
        for line in lines:
            on_line = self.starting_on(node, line)
            if on_line is None:
                return None
            path = _descend(node, line)
            container = next((el for el in reversed(path) if _line(el) < line), node)
            here = [el for el in (container, *on_line) if _holds(el, line, spellings)]
            if not here:  # text after an element that started on a line before: its tail
                here = [el.getparent() for el in reversed(path) if _line(el) < line
                        and el.getparent() is not None and _spells(el.tail, spellings)][:1]
            if not here:
                return None  # the lines do not match the tree's: walk it instead
            found += here
        return list(dict.fromkeys(found))

    def _lines(self, positions: list[int]) -> list[int] | None:
        """The lines of ``positions`` (sorted), or None when one of them is too long or too
        far down to search (told before any element is looked at)."""
        numbers = set(self.numbers(positions).values())
        if any(length > _MAX_LINE or line >= _MAX_SOURCELINE for line, length in numbers):
            return None
        return sorted(line for line, _ in numbers)

    def _most_of_the_page(self, positions: list[int]) -> bool:
        """Do the lines of ``positions`` hold most of the page (one line, minified)?"""
        lengths = {self.numbers(positions)[p] for p in positions}
        return 2 * sum(length for _, length in lengths) > len(self._low)


def _spells(text: str | None, spellings: tuple[str, ...]) -> bool:
    low = (text or "").lower()
    return any(s in low for s in spellings)


def _holds(el: Any, line: int, spellings: tuple[str, ...]) -> bool:
    """Does ``el``'s own text (its text, its children's tails up to ``line``) hold one of
    ``spellings``?"""
    texts = [el.text or ""]
    for child in el:
        if _line(child) > line:
            break
        texts.append(child.tail or "")
    return _spells(" ".join(texts), spellings)


def _starting_on(node: Any, line: int, out: list[Any] | None = None) -> list[Any]:
    """Every element under ``node`` that starts on ``line``: in the last child that starts
    before it, and the children that start on it (and theirs); stops past
    :data:`_MAX_ON_LINE` of them (the caller then walks the tree)."""
    out = [] if out is None else out
    before, on = _around(node, line)
    if before is not None:
        _starting_on(before, line, out)
    for child in on:
        if len(out) > _MAX_ON_LINE:
            break
        if isinstance(child.tag, str):
            out.append(child)
            _starting_on(child, line, out)
    return out
