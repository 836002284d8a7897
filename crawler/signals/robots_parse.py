"""robots.txt reading: the byte limit, lines, keys, and which lines form which group.

The rules this implements are listed in :mod:`crawler.signals.robots`. What a rule or an
AI-preference line means once read, and how groups are merged, is
:mod:`crawler.signals.robots_match`'s.
"""

from __future__ import annotations

import codecs
import math
import re

from crawler.signals.robots_match import (
    GroupBuilder,
    PrefLine,
    Rule,
    make_pattern,
    read_preference,
)

__all__ = ["MAX_ROBOTS_BYTES", "RobotsFile", "decode_robots", "read_robots"]

#: RFC 9309 §2.5: crawlers must parse at least 500 KiB; we parse exactly that much.
MAX_ROBOTS_BYTES = 500 * 1024

_WS = " \t\v\f\r\n"  # ASCII whitespace, as absl::StripAsciiWhitespace
_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian mark begins with UTF-16's (FF FE).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
_ASCII_RE = re.compile(r"[\x00-\x7f]")
_SPACE_TAB_RE = re.compile(r"[ \t]")
_PRODUCT_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]*")
_CRAWL_DELAY_RE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)")
_REQUEST_RATE_RE = re.compile(
    r"(\d+(?:\.\d+)?)[ \t]*/[ \t]*(\d+(?:\.\d+)?)[ \t]*([smhd]?)", re.IGNORECASE)
_RATE_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

_USER_AGENT, _ALLOW, _DISALLOW, _SITEMAP, _CRAWL_DELAY, _REQUEST_RATE = range(6)
_CONTENT_SIGNAL, _CONTENT_USAGE, _DISALLOW_AI_TRAINING, _LICENSE = range(6, 10)

# Exact key names (lower-cased); google's frequent typos are accepted, but not its prefix
# matching, which would read "DisallowAITraining" as "Disallow" and "AllowAITraining" as Allow.
_KEYS: dict[str, int] = {
    "user-agent": _USER_AGENT, "useragent": _USER_AGENT, "user agent": _USER_AGENT,
    "allow": _ALLOW,
    "disallow": _DISALLOW, "dissallow": _DISALLOW, "dissalow": _DISALLOW,
    "disalow": _DISALLOW, "diasllow": _DISALLOW, "disallaw": _DISALLOW,
    "sitemap": _SITEMAP, "site-map": _SITEMAP,
    "crawl-delay": _CRAWL_DELAY, "crawldelay": _CRAWL_DELAY,
    "request-rate": _REQUEST_RATE,
    "content-signal": _CONTENT_SIGNAL,
    "content-usage": _CONTENT_USAGE,
    "disallowaitraining": _DISALLOW_AI_TRAINING, "disallow-ai-training": _DISALLOW_AI_TRAINING,
    "license": _LICENSE,
}
#: AI-preference keys, named as :func:`read_preference` knows them
_PREF_KINDS = {
    _CONTENT_SIGNAL: "content-signal",
    _CONTENT_USAGE: "content-usage",
    _DISALLOW_AI_TRAINING: "disallow-ai-training",
}


def _key_value(line: str) -> tuple[str, str] | None:
    """Split one line into (key, value) the way google/robotstxt does, or None."""
    hash_pos = line.find("#")
    if hash_pos != -1:
        line = line[:hash_pos]
    line = line.strip(_WS)
    if not line:
        return None
    colon = line.find(":")
    if colon != -1:
        key, value = line[:colon], line[colon + 1:]
    else:
        # Google: a missing colon is accepted if the line is exactly two whitespace-separated
        # words ("user-agent FooBot", "disallow /").
        sep = _SPACE_TAB_RE.search(line)
        if sep is None:
            return None
        key, value = line[:sep.start()], line[sep.start():].lstrip(" \t")
        if _SPACE_TAB_RE.search(value):
            return None
    key = key.strip(_WS)
    if not key:
        return None
    return key, value.strip(_WS)


def _parse_crawl_delay(value: str) -> float | None:
    m = _CRAWL_DELAY_RE.match(value)
    if m is None:
        return None
    delay = float(m.group(1))
    return delay if math.isfinite(delay) else None


def _parse_request_rate(value: str) -> float | None:
    """Seconds per request from ``n/t[smhd]`` (``1/5`` -> 5.0, ``1/1m`` -> 60.0)."""
    m = _REQUEST_RATE_RE.match(value)
    if m is None:
        return None
    requests, period = float(m.group(1)), float(m.group(2))
    if requests <= 0:
        return None
    seconds = period * _RATE_UNITS[m.group(3).lower()] / requests
    return seconds if math.isfinite(seconds) else None


class RobotsFile:
    """The groups and file-wide lines of one robots.txt, as written (not yet merged per token)."""

    __slots__ = ("by_token", "global_prefs", "groups", "licenses", "sitemaps", "star")

    def __init__(self) -> None:
        self.groups: list[GroupBuilder] = []
        self.by_token: dict[str, list[int]] = {}  # lower-cased token -> group indices
        self.star: list[int] = []
        self.global_prefs: list[PrefLine] = []  # AI preferences before any User-agent
        self.sitemaps: list[str] = []
        self.licenses: list[str] = []

    def _read(self, text: str) -> None:
        current: GroupBuilder | None = None
        closed = True  # the current group has seen a rule: the next User-agent starts a new one
        sitemaps: dict[str, None] = {}
        licenses: dict[str, None] = {}
        for number, line in enumerate(_LINE_SPLIT_RE.split(text), start=1):
            kv = _key_value(line)
            if kv is None:
                continue
            key_text, value = kv
            key = _KEYS.get(key_text.lower())
            if key is None:
                continue
            if key == _USER_AGENT:
                if closed:
                    current = GroupBuilder()
                    self.groups.append(current)
                    closed = False
                assert current is not None
                self._add_agent(current, len(self.groups) - 1, value)
            elif key in (_ALLOW, _DISALLOW):
                if current is None:
                    continue  # rules before any User-agent line are ignored
                closed = True
                self._add_rule(current, key == _ALLOW, value, number)
            elif key == _SITEMAP:
                if value:
                    sitemaps.setdefault(value, None)
            elif key == _LICENSE:
                if value:
                    licenses.setdefault(value, None)
            elif key == _CRAWL_DELAY:
                delay = _parse_crawl_delay(value)
                if current is not None and delay is not None:
                    current.crawl_delays.append(delay)
            elif key == _REQUEST_RATE:
                rate = _parse_request_rate(value)
                if current is not None and rate is not None:
                    current.request_rates.append(rate)
            else:
                raw = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip(_WS)
                pref = read_preference(_PREF_KINDS[key], value, raw, number)
                if pref is None:
                    continue
                # Outside any group an AI preference still states the site's wish: it applies
                # to every crawler (a rule there would be ignored, but ignoring an opt-out
                # would fail open).
                (current.prefs if current is not None else self.global_prefs).append(pref)
        self.sitemaps = list(sitemaps)
        self.licenses = list(licenses)

    def _add_agent(self, group: GroupBuilder, index: int, value: str) -> None:
        # Google: "*" followed by whitespace and anything is still the global agent.
        if value.startswith("*") and (len(value) == 1 or value[1] in " \t"):
            if not group.star:
                group.star = True
                self.star.append(index)
            return
        # The product token is the leading [A-Za-z0-9_-] run ("Foo Bar" -> "Foo", "Foo/1.0" ->
        # "Foo"). Digits are kept (unlike google), so "Ai2Bot" is not cut down to "Ai".
        token = _PRODUCT_TOKEN_RE.match(value)
        name = token.group(0) if token else ""
        if not name:
            return
        group.tokens.append(name)
        indices = self.by_token.setdefault(name.lower(), [])
        if not indices or indices[-1] != index:
            indices.append(index)

    @staticmethod
    def _add_rule(group: GroupBuilder, allow: bool, value: str, number: int) -> None:
        pattern = make_pattern(value, fix_relative=not allow)
        if pattern is None:
            return
        kind = "allow" if allow else "disallow"
        group.rules.append(Rule(kind, pattern, number))
        if allow:
            # Google: "Allow: /dir/index.htm[l]" also allows the directory URL "/dir/".
            slash = pattern.rfind("/")
            if slash != -1 and pattern.startswith("/index.htm", slash):
                group.rules.append(Rule(kind, pattern[:slash + 1] + "$", number))


def _utf8(data: bytes) -> str:
    """UTF-8 with a BOM (even a partial one, like google) skipped; invalid bytes are kept as
    surrogate escapes, so a pattern's octets keep their identity."""
    skip = 0
    while skip < 3 and skip < len(data) and data[skip] == _UTF8_BOM[skip]:
        skip += 1
    return data[skip:].decode("utf-8", "surrogateescape")


def _whole_lines(text: str) -> str:
    """``text`` without the line the size limit cut in two: its author did not write that."""
    return text[:max(text.rfind("\n"), text.rfind("\r")) + 1]


def decode_robots(body: bytes) -> str | None:
    """The text of a robots.txt body's first 500 KiB, or None when the body is not text.

    RFC 9309 §2.3: the file is UTF-8 (a UTF-8 BOM is skipped). Stray invalid UTF-8 bytes are
    tolerated and kept as surrogate escapes: §2.2 has crawlers use whatever lines parse.
    A file that starts with a UTF-16 or UTF-32 byte-order mark (LE or BE) is decoded in that
    encoding, although the RFC does not name it: the mark states the encoding without
    guessing, no UTF-8 file can start with it (FE and FF never occur in UTF-8, and
    UTF-32-BE's mark starts with NUL), and Windows editors save such files ("Unicode" is
    UTF-16-LE). Read as UTF-8 they match no line, and an empty robots.txt allows everything.

    None (the caller must fail closed, never read this as an empty file) when a UTF-16/32
    body is invalid after its mark or decodes to text without a single ASCII character (no
    robots.txt line can be written so; UTF-8 behind a stray mark decodes so), or when the
    decoded 500 KiB hold a NUL character: no robots.txt has one, and UTF-16 without a mark,
    binary data or a compressed body all do.

    RFC 9309 §2.5: crawlers must parse at least 500 KiB; only the first
    :data:`MAX_ROBOTS_BYTES` bytes are decoded, whatever the body's size, and the line that
    limit cuts in two is dropped.
    """
    truncated = len(body) > MAX_ROBOTS_BYTES
    data = body[:MAX_ROBOTS_BYTES]
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                # incremental: a character the limit cuts in two is left out, not an error
                text = codecs.getincrementaldecoder(codec)("strict").decode(
                    data[len(bom):], final=not truncated)
            except UnicodeDecodeError:
                return None
            if text and _ASCII_RE.search(text) is None:
                return None  # not one key, colon or line break: UTF-8 behind a stray mark
            break
    else:
        text = _utf8(data)
    if "\x00" in text:  # before the line cut: binary data may have no line break at all
        return None
    return _whole_lines(text) if truncated else text


def read_robots(body: bytes) -> tuple[RobotsFile, bool]:
    """Read a robots.txt body; the flag tells whether input beyond 500 KiB was ignored.

    A body :func:`decode_robots` rejects is read as UTF-8 anyway, as far as it goes: callers
    other than the robots gate (ai.txt) keep whatever rules it has, and the gate checks
    :func:`decode_robots` itself and treats such a robots.txt as unreachable.
    """
    truncated = len(body) > MAX_ROBOTS_BYTES
    text = decode_robots(body)
    if text is None:
        text = _utf8(body[:MAX_ROBOTS_BYTES])
        if truncated:
            text = _whole_lines(text)
    robots = RobotsFile()
    robots._read(text)
    return robots, truncated
