"""robots.txt parser and matcher (RFC 9309 + google/robotstxt) with AI-usage extensions.

No network, no Scrapy. Protego is not used because it drops every line it does not know
(Content-Signal, Content-Usage, License, DisallowAITraining), lets such a line between two
``User-agent`` lines end the group, and matches ``Google`` against ``Google-Extended``; the tests
run it as a second, independent opinion on allow/deny (``tests/test_robots_protego.py``).

Reading rules (RFC 9309, with google/robotstxt behaviour where the RFC is silent):

* Only the first 500 KiB are parsed; a line cut by that limit is dropped. The file is UTF-8
  (stray invalid bytes tolerated) and a UTF-8 BOM (even a partial one) is skipped; a file
  starting with a UTF-16 or UTF-32 byte-order mark is decoded accordingly; a body that is not
  text (NUL characters, invalid UTF-16/32) is :func:`decode_robots`'s None, which the robots
  gate reads as unreachable. CR, LF and CRLF end lines; ``#`` starts a comment; keys are
  case-insensitive; a missing colon is accepted when the line is exactly ``key value``.
* Consecutive ``User-agent`` lines share a group; only an ``Allow``/``Disallow`` line closes the
  list of agents, so any other line (Sitemap, Crawl-delay, Content-Signal, unknown keys) between
  ``User-agent`` lines keeps the group together. Rules before the first ``User-agent`` are
  ignored. All groups naming a token are merged; a token with no group of its own falls back to
  the ``*`` group(s); with neither, everything is allowed.
* A ``User-agent`` value is reduced to its leading product token (``Foo Bar`` and ``Foo/1.0`` ->
  ``Foo``) and compared case-insensitively and exactly with the crawler's token, so ``Google``
  never matches ``Google-Extended``.
* The longest matching pattern (octets of its normalised form) decides; Allow wins ties; ``*`` is
  a wildcard and a final ``$`` anchors the end; empty values match nothing; ``/robots.txt`` is
  always allowed.

Where the RFC and Google's implementation differ, the RFC 9309 §2.2.2 percent-encoding rules are
followed (on both the pattern and the URL): octets outside printable US-ASCII are
percent-encoded, hex digits are upper-cased, and percent-encoded *unreserved* characters are
decoded, so ``/%7Euser`` and ``/~user`` are the same path; dot segments are removed from the
URL's path (RFC 3986 §5.2.4), not from patterns, which are not paths. The normalisation
and the pattern matcher are :mod:`crawler.urlpath`'s, shared with the policy matcher.

The work is split by concept: :mod:`crawler.signals.robots_parse` reads lines and groups,
:mod:`crawler.signals.robots_match` holds rule precedence and the AI-preference lines,
:mod:`crawler.signals.aipref_vocab` reads Content-Usage's RFC 9651 dictionaries (with http-sf) and
:mod:`crawler.signals.rsl` reads the RSL documents ``License:`` lines point at. This module
ties them together and is the one to import from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from crawler.signals.robots_match import (
    DEFAULT_AI_TRAINING_TOKENS,
    EMPTY_GROUP,
    AIPreference,
    Group,
    PrefLine,
    RobotsMatch,
    Rule,
    combined_optout,
)
from crawler.signals.robots_parse import (
    MAX_ROBOTS_BYTES,
    RobotsFile,
    decode_robots,
    read_robots,
)
from crawler.signals.rsl import parse_rsl_prohibits_ai_training
from crawler.urlpath import canonical_path

__all__ = [
    "DEFAULT_AI_TRAINING_TOKENS",
    "MAX_ROBOTS_BYTES",
    "AIPreference",
    "RobotsMatch",
    "RobotsTxt",
    "Rule",
    "combined_optout",
    "decode_robots",
    "parse_rsl_prohibits_ai_training",
    "path_from_url",
]

_PATH_START_RE = re.compile(r"[/?;]")


def as_bytes(body: object) -> bytes:
    """A file body as bytes, whatever a caller passed (str, bytearray, memoryview, junk)."""
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    return body if isinstance(body, bytes) else b""


def path_from_url(url: str) -> str:
    """Path, params and query of ``url`` (no scheme, authority or fragment); always starts "/".

    A port of google/robotstxt ``GetPathParamsQuery``: a bare path is returned unchanged, and an
    empty or path-less URL yields "/".
    """
    search_start = 2 if url.startswith("//") else 0
    early = _PATH_START_RE.search(url, search_start)
    protocol_end = url.find("://", search_start)
    if early is not None and (protocol_end == -1 or early.start() < protocol_end):
        protocol_end = -1
    protocol_end = search_start if protocol_end == -1 else protocol_end + 3
    start = _PATH_START_RE.search(url, protocol_end)
    if start is None:
        return "/"
    path_start = start.start()
    hash_pos = url.find("#", search_start)
    if hash_pos != -1 and hash_pos < path_start:
        return "/"
    path = url[path_start:] if hash_pos == -1 else url[path_start:hash_pos]
    return path if path.startswith("/") else "/" + path


class RobotsTxt:
    """A parsed robots.txt. Build it with :meth:`parse`; queries never change its rules.

    ``sha256`` is the hex digest of the raw bytes given to :meth:`parse` (all of them, not just
    the parsed 500 KiB); ``truncated`` tells whether input beyond the limit was ignored.
    """

    def __init__(self, sha256: str, truncated: bool = False) -> None:
        self.sha256 = sha256
        self.truncated = truncated
        self._file = RobotsFile()
        # Merged group per (token, specific_only), built on first use: merging at parse time
        # would copy every rule once per token, quadratic on hostile files.
        self._cache: dict[tuple[str, bool], Group] = {}
        #: the tokens of a list that have a group of their own, with it, per list
        self._own_groups: dict[tuple[str, ...], tuple[tuple[str, Group], ...]] = {}

    def __repr__(self) -> str:
        return (f"RobotsTxt(sha256={self.sha256!r}, truncated={self.truncated}, "
                f"groups={len(self._file.groups)})")

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def parse(cls, body: bytes) -> RobotsTxt:
        """Parse a robots.txt body. Never raises; input beyond 500 KiB is ignored."""
        body = as_bytes(body)
        robots = cls(sha256=hashlib.sha256(body).hexdigest())
        robots._file, robots.truncated = read_robots(body)
        return robots

    # ---- group selection --------------------------------------------------------------------

    def _group_for(self, token: str, *, specific_only: bool = False) -> Group | None:
        """The merged group for ``token`` (falling back to ``*`` unless specific_only)."""
        key = (token.lower(), specific_only)
        cached = self._cache.get(key)
        if cached is not None:
            return cached if cached is not EMPTY_GROUP else None
        parsed = self._file
        indices = parsed.by_token.get(key[0]) if key[0] else None
        if not indices and not specific_only:
            indices = parsed.star
        group = Group.merge([parsed.groups[i] for i in indices]) if indices else EMPTY_GROUP
        self._cache[key] = group
        return group if group is not EMPTY_GROUP else None

    # ---- queries ------------------------------------------------------------------------------

    def match(self, path: str, token: str) -> RobotsMatch:
        """Decide ``path`` (path+query, e.g. "/a/b?x=1") for the crawler product ``token``."""
        group = self._group_for(token)
        if group is None:
            return RobotsMatch(True, None, ())
        return group.decide(canonical_path(path))

    def allowed(self, url_or_path: str, token: str) -> bool:
        """True if a full URL (or a path) may be crawled by ``token``."""
        return self.match(path_from_url(url_or_path), token).allowed

    def crawl_delay(self, token: str) -> float | None:
        group = self._group_for(token)
        return group.crawl_delay if group else None

    def request_rate(self, token: str) -> float | None:
        """Seconds per request from ``Request-rate`` (``1/5`` -> 5.0) of the applicable group."""
        group = self._group_for(token)
        return group.request_rate if group else None

    def sitemaps(self) -> list[str]:
        return list(self._file.sitemaps)

    def license_urls(self) -> list[str]:
        """File-wide RSL ``License:`` URLs, in file order, without duplicates."""
        return list(self._file.licenses)

    def ai_training_optout(self, path: str, ai_tokens: Iterable[str]) -> list[str]:
        """Tokens from ``ai_tokens`` whose *own* group disallows ``path``.

        The ``*`` group is not consulted: ``User-agent: *`` / ``Disallow: /`` is a crawl
        restriction for everyone, not a statement about AI training.
        """
        tokens = tuple(ai_tokens)
        own = self._own_groups.get(tokens)
        if own is None:  # asked for every page: most robots.txt name none of the tokens
            own = self._own_groups[tokens] = tuple(
                (token, group) for token in tokens
                if (group := self._group_for(token, specific_only=True)) is not None)
        if not own:
            return []
        normalised = canonical_path(path)
        out: dict[str, None] = {}
        for token, group in own:
            if not group.decide(normalised).allowed:
                out.setdefault(token, None)
        return list(out)

    def ai_preferences(self, path: str, token: str) -> list[AIPreference]:
        """AI-training preference lines (Content-Signal, Content-Usage, DisallowAITraining)
        of the group for ``token`` (else ``*``) that apply to ``path``, in file order.

        For Content-Signal and Content-Usage the line(s) with the longest matching path apply
        (a path-less line counts as "/"); lines with an equally long path are all returned so the
        caller combines them most restrictively. Lines that say nothing about AI training are
        not candidates, so ``/blog/ search=y`` does not hide ``/ train-ai=n``. Every matching
        DisallowAITraining line is returned (opt-out).
        """
        normalised = canonical_path(path)
        group = self._group_for(token)
        candidates = [*self._file.global_prefs, *(group.prefs if group else ())]
        chosen: list[PrefLine] = []
        for kind in ("content-signal", "content-usage"):
            matching = [p for p in candidates if p.kind == kind and p.matches(normalised)]
            if matching:
                best = max(p.priority for p in matching)
                chosen.extend(p for p in matching if p.priority == best)
        chosen.extend(p for p in candidates
                      if p.kind == "disallow-ai-training" and p.matches(normalised))
        chosen.sort(key=lambda p: p.line)
        return [p.public() for p in chosen]

