"""From a place in the raw HTML to the element holding it, without walking the whole tree.

A walk of every text node costs milliseconds on a large page; the raw HTML already says where
the words the scan wants stand. lxml records the line each element starts on
(``sourceline``), in document order, so the element a line falls in is found by a binary
search among the children of each element on the way down: a few dozen elements looked at,
whatever the page's size. On a minified page (a few very long lines) a line says too little;
:func:`holders_at` then gives up and the caller walks the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["elements_at", "holders_at", "line_numbers"]

_MAX_LINE = 32_000  # bytes: a longer line holds too many elements to search
_MAX_ON_LINE = 1500  # elements starting on one line
_MAX_SOURCELINE = 65535  # libxml2 stops counting lines there (without its "big lines" option)


def line_offset(root: Any, low: bytes | str) -> int:
    """How far the raw HTML's line numbers run ahead of lxml's (libxml2 does not count blank
    lines before the document starts), read at the ``<body>``, ``<head>`` or ``<html>`` tag."""
    for tag in ("body", "head", "html"):
        el = root if root.tag == tag else root.find(tag)
        pos = low.find(f"<{tag}".encode() if isinstance(low, bytes) else f"<{tag}")
        if el is not None and pos != -1 and isinstance(el.sourceline, int):
            nl: Any = b"\n" if isinstance(low, bytes) else "\n"
            return low.count(nl, 0, pos) + 1 - el.sourceline
    return 0


def line_numbers(low: bytes | str, positions: Iterable[int], offset: int = 0
                 ) -> dict[int, tuple[int, int]]:
    """Each position's line number (as lxml counts, ``offset`` lines behind the raw HTML's)
    and the length of its line (one pass of newline counts between sorted positions)."""
    nl: Any = b"\n" if isinstance(low, bytes) else "\n"
    out: dict[int, tuple[int, int]] = {}
    line, last = 1 - offset, 0
    length = -1
    for pos in sorted(set(positions)):
        crossed = low.count(nl, last, pos)
        line += crossed
        last = pos
        if not crossed and length >= 0:  # the line of the position before
            out[pos] = (line, length)
            continue
        lo, hi = max(0, pos - _MAX_LINE), min(len(low), pos + _MAX_LINE)
        start = low.rfind(nl, lo, pos)
        end = low.find(nl, pos, hi)
        if (start == -1 and lo > 0) or (end == -1 and hi < len(low)):
            length = _MAX_LINE + 1  # a longer line than worth searching
        else:
            length = (end if end != -1 else len(low)) - (start + 1)
        out[pos] = (line, length)
    return out


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


def holders_at(root: Any, low: bytes | str, positions: list[int],
               spellings: tuple[str, ...]) -> list[Any] | None:
    """The elements whose own text (``text`` or a child's ``tail``) holds one of
    ``spellings`` (lower case) at the given raw positions; None when the lines are too long
    or too far down for their line numbers to find the elements."""
    lines = line_numbers(low, positions, line_offset(root, low))
    found: list[Any] = []
    for line, length in set(lines.values()):
        if length > _MAX_LINE or line >= _MAX_SOURCELINE:
            return None
        on_line = _starting_on(root, line)
        if len(on_line) > _MAX_ON_LINE:
            return None
        path = _descend(root, line)
        container = next((el for el in reversed(path) if _line(el) < line), root)
        here = [el for el in (container, *on_line) if _holds(el, line, spellings)]
        if not here:
            return None  # the lines do not match the tree's: walk it instead
        found += here
    return list(dict.fromkeys(found))


def _holds(el: Any, line: int, spellings: tuple[str, ...]) -> bool:
    """Does ``el``'s own text (its text, its children's tails up to ``line``) hold one of
    ``spellings``?"""
    texts = [el.text or ""]
    for child in el:
        if _line(child) > line:
            break
        texts.append(child.tail or "")
    low = " ".join(texts).lower()
    return any(s in low for s in spellings)


def elements_at(root: Any, low: bytes | str, tag_opens: list[int],
                test: Callable[[Any], bool]) -> list[Any] | None:
    """The elements whose start tags open at the given raw positions and that pass ``test``
    (the attribute a raw hit was in); None when the lines are too long or too far down for
    their line numbers to find them."""
    lines = line_numbers(low, tag_opens, line_offset(root, low))
    found: list[Any] = []
    for line, length in sorted(set(lines.values())):
        if length > _MAX_LINE or line >= _MAX_SOURCELINE:
            return None
        on_line = _starting_on(root, line)
        if len(on_line) > _MAX_ON_LINE:
            return None
        here = [el for el in on_line if test(el)]
        if not here:
            return None  # the lines do not match the tree's (or the tag is not the one the
            # caller looks for): walk the tree instead
        found += here
    return list(dict.fromkeys(found))


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
