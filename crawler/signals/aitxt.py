"""Spawning's ``/ai.txt``: robots.txt grammar over file patterns, read as AI-use opt-outs.

A typical file (Spawning's generator, Jetpack's AI Crawler Control)::

    User-Agent: *
    Disallow: *.jpg
    Disallow: *.txt
    Disallow: /

The grammar, grouping and matching are those of :class:`crawler.signals.robots.RobotsTxt`
(RFC 9309: consecutive ``User-Agent`` lines share a group, the crawler's own group else ``*``,
longest match wins, Allow wins ties, ``*`` wildcard, ``$`` anchor, 500 KiB limit, BOM and CRLF
tolerated); ``*.jpg`` is a valid pattern there (a leading ``*`` is kept as a wildcard), so it
matches any path containing ``.jpg``. One deliberate difference: matching is
**case-insensitive**, because ai.txt patterns name file types (``Disallow: *.jpg`` also covers
``/IMG_1.JPG``). A Disallow that decides a path is an opt-out, an Allow is an explicit
permission, no matching rule (or no group for the crawler nor ``*``) is no statement.

Fetching (status codes, redirects, errors) is the adapter's business, as for robots.txt.
"""

from __future__ import annotations

import hashlib
import re

from crawler.signals.optout_types import ALLOWED, OPTOUT, SCOPE_ALL, OptOutSignal
from crawler.signals.robots import (
    MAX_ROBOTS_BYTES,
    RobotsTxt,
    as_bytes,
    decode_robots,
    path_from_url,
)
from crawler.signals.site_file import ItemView, SiteFile

__all__ = ["AI_TXT_FILE", "AI_TXT_URL", "AiTxt"]

AI_TXT_URL = "/ai.txt"
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")


class AiTxt:
    """A parsed ``/ai.txt``. Build it with :meth:`parse`; ``sha256`` identifies the bytes."""

    def __init__(self, robots: RobotsTxt, lines: list[str], url: str, sha256: str) -> None:
        self._robots = robots
        self._lines = lines
        self.url = url
        self.sha256 = sha256

    def __repr__(self) -> str:
        return f"AiTxt(url={self.url!r}, sha256={self.sha256!r})"

    @classmethod
    def parse(cls, body: bytes, url: str = AI_TXT_URL) -> AiTxt:
        """Parse an ai.txt body. Never raises."""
        body = as_bytes(body)
        # the rules and the lines quoted as evidence are read from one text: a UTF-16/32
        # file (byte-order mark) as UTF-8, anything else as it is
        text = decode_robots(body)
        data = text.encode("utf-8", "surrogateescape") if text is not None else body
        # bytes.lower() only folds ASCII letters: line structure, non-ASCII octets and
        # percent-escapes (re-upper-cased by the canonicalisation) are unchanged.
        robots = RobotsTxt.parse(data.lower())
        lines = data[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").lstrip("\ufeff")
        return cls(robots, _LINE_SPLIT_RE.split(lines), url, hashlib.sha256(body).hexdigest())

    def signal_for(self, path: str, token: str = "*") -> OptOutSignal | None:
        """What ai.txt says about ``path`` (a path+query or a URL) for ``token`` (its own
        group, else ``*``): an opt-out, an explicit allow, or None."""
        match = self._robots.match(path_from_url(path).lower(), token)
        rule = match.rule
        if rule is None:
            return None
        line = self._lines[rule.line - 1].strip() if 0 < rule.line <= len(self._lines) else ""
        return OptOutSignal(
            "ai.txt", OPTOUT if rule.kind == "disallow" else ALLOWED, SCOPE_ALL,
            line[:300] or f"{rule.kind}: {rule.pattern}", f"{self.url} line {rule.line}",
            {"rule": rule.kind, "pattern": rule.pattern, "group": ",".join(match.group_tokens)})


def _item_signals(ai_txt: AiTxt | None, item: ItemView) -> list[OptOutSignal]:
    found = ai_txt.signal_for(item.path, item.token) if ai_txt is not None else None
    return [found] if found is not None else []


AI_TXT_FILE = SiteFile("ai.txt", AI_TXT_URL, AiTxt.parse, _item_signals)
