"""One URL path normalisation and one path-pattern grammar, shared by every path rule.

Policies (``allow_paths``/``deny_paths``), robots.txt rules, AI-preference lines and TDMRep
locations all compare a URL's path+query with ``*``/``$`` patterns. Two normalisations for
one comparison let ``/%7Estaff/`` or ``/x/../~staff/`` slip past a ``/~staff/`` rule, so both
sides go through the same two functions here:

* :func:`canonical_path` for the URL: RFC 3986 §6.2.2 percent-encoding normalisation
  (unreserved characters decoded, every other escape upper-cased, raw non-ASCII and unsafe
  octets encoded) and §5.2.4 dot-segment removal on the path. Empty segments (``//``) are
  kept, as the RFC says: ``/a//b`` and ``/a/b`` are different paths to a server.
* :func:`canonical_pattern` for a rule: the same percent-encoding normalisation; ``*`` and
  ``$`` keep their meaning (a ``%2A`` stays a literal ``%2A``, never a wildcard).

Which rules apply and their precedence (robots longest match, TDMRep first match, ...)
stay with each signal; only normalisation and compilation live here.
"""

from __future__ import annotations

import re

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# One %XX escape, a stray '%', or an octet that may not appear raw in a URI (controls, space,
# DEL, non-ASCII and the "unsafe" ASCII characters).
_CANON_RE = re.compile(rb'%([0-9A-Fa-f]{2})|[%\x00-\x20\x7f-\xff"<>\\^`{|}]')
_NEEDS_CANON_RE = re.compile(r'[^\x21-\x7e]|[%"<>\\^`{|}]')
_DOT_SEGMENT_RE = re.compile(r"(?:^|/)\.\.?(?:/|$)")


def _canon_sub(m: re.Match[bytes]) -> bytes:
    hexpair = m.group(1)
    if hexpair is not None:
        value = int(hexpair, 16)
        if value in _UNRESERVED:
            return bytes((value,))
        return b"%" + hexpair.upper()
    return b"%%%02X" % m.group(0)[0]


def canonical_bytes(raw: bytes) -> str:
    """Percent-encoding normalisation of raw octets: printable ASCII, comparable octet by
    octet. ``*`` and ``$`` are reserved characters, so decoding never produces either."""
    return _CANON_RE.sub(_canon_sub, raw).decode("ascii")


def canonical_text(text: str) -> str:
    """:func:`canonical_bytes` of ``text`` (UTF-8), without copying text that needs nothing."""
    if _NEEDS_CANON_RE.search(text) is None:
        return text
    return canonical_bytes(text.encode("utf-8", "surrogatepass"))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: resolve ``.`` and ``..`` segments (``..`` never climbs above ``/``)."""
    if _DOT_SEGMENT_RE.search(path) is None:
        return path
    out: list[str] = []
    rest = path
    while rest:
        if rest.startswith("../"):
            rest = rest[3:]
        elif rest.startswith("./"):
            rest = rest[2:]
        elif rest.startswith("/./") or rest == "/.":
            rest = "/" + rest[3:]
        elif rest.startswith("/../") or rest == "/..":
            rest = "/" + rest[4:]
            if out:
                out.pop()
        elif rest in (".", ".."):
            rest = ""
        else:
            end = rest.find("/", 1)
            end = len(rest) if end == -1 else end
            out.append(rest[:end])
            rest = rest[end:]
    return "".join(out)


def canonical_path(path_and_query: str) -> str:
    """A URL's path+query as every matcher compares it (fragment dropped, leading ``/``)."""
    path = path_and_query.split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    path = canonical_text(path)
    path_part, question, query = path.partition("?")
    return remove_dot_segments(path_part) + question + query


def canonical_pattern(pattern: str) -> str:
    """A ``*``/``$`` rule pattern normalised like :func:`canonical_path` normalises URLs."""
    return canonical_text(pattern)


class Pattern:
    """A compiled pattern over canonical text: literal pieces between ``*``, optionally
    ``$``-anchored, matched as a prefix.

    Matching is a greedy leftmost search for each piece, which is exact for ``*``-only globs
    and linear in the path length, so a hostile pattern (``/*a*a*a*...``) cannot backtrack.
    ``text`` must already be canonical (see :func:`canonical_pattern`).
    """

    __slots__ = ("anchored", "first", "last", "middle", "multi", "priority", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.priority = len(text)  # octets: canonical text is ASCII
        self.anchored = text.endswith("$")
        body = text[:-1] if self.anchored else text
        pieces = body.split("*")
        self.first = pieces[0]
        self.multi = len(pieces) > 1
        self.middle = tuple(s for s in pieces[1:-1] if s)
        self.last = pieces[-1]

    def matches(self, path: str) -> bool:
        """Does the canonical ``path`` match?"""
        if not path.startswith(self.first):
            return False
        if not self.multi:
            return not self.anchored or len(path) == len(self.first)
        pos = len(self.first)
        for piece in self.middle:
            found = path.find(piece, pos)
            if found < 0:
                return False
            pos = found + len(piece)
        last = self.last
        if self.anchored:
            return len(path) - len(last) >= pos and path.endswith(last)
        return not last or path.find(last, pos) >= 0
