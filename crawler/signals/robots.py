"""robots.txt parser and matcher (RFC 9309 + google/robotstxt) with AI-usage extensions.

Pure standard library, no network, no Scrapy. Protego is not used because it drops every line it
does not know (Content-Signal, Content-Usage, License, DisallowAITraining), lets such a line
between two ``User-agent`` lines end the group, and matches ``Google`` against
``Google-Extended``.

Reading rules (RFC 9309, with google/robotstxt behaviour where the RFC is silent):

* Only the first 500 KiB are parsed; a line cut by that limit is dropped. A UTF-8 BOM (even a
  partial one) is skipped; CR, LF and CRLF end lines; ``#`` starts a comment; keys are
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
decoded, so ``/%7Euser`` and ``/~user`` are the same path; dot segments are removed (RFC 3986
§5.2.4). The normalisation and the pattern matcher are :mod:`crawler.urlpath`'s, shared with
the policy matcher.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.signals import safexml
from crawler.urlpath import Pattern, canonical_bytes, canonical_path

__all__ = [
    "DEFAULT_AI_TRAINING_TOKENS",
    "MAX_ROBOTS_BYTES",
    "AIPreference",
    "RobotsMatch",
    "RobotsTxt",
    "Rule",
    "SFParseError",
    "SFToken",
    "combined_optout",
    "parse_rsl_prohibits_ai_training",
    "parse_sf_dictionary",
    "path_from_url",
]

#: RFC 9309 §2.5: crawlers must parse at least 500 KiB; we parse exactly that much.
MAX_ROBOTS_BYTES = 500 * 1024

#: Well-known AI *training* crawler tokens (ai-robots-txt ``robots.json``, see signals.md §A).
#: Search/assistant bots (PerplexityBot, OAI-SearchBot, ChatGPT-User, ...) are deliberately absent.
DEFAULT_AI_TRAINING_TOKENS: tuple[str, ...] = (
    "GPTBot",
    "CCBot",
    "Google-Extended",
    "ClaudeBot",
    "anthropic-ai",
    "Applebot-Extended",
    "Bytespider",
    "meta-externalagent",
    "FacebookBot",
    "cohere-ai",
    "cohere-training-data-crawler",
    "Diffbot",
    "omgili",
    "omgilibot",
    "ImagesiftBot",
    "Amazonbot",
    "AI2Bot",
    "Ai2Bot-Dolma",
    "PanguBot",
    "Timpibot",
    "img2dataset",
    "TikTokSpider",
    "Webzio-Extended",
    "Cotoyogi",
    "ICC-Crawler",
)

# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One Allow/Disallow rule; ``pattern`` is the normalised pattern that is matched."""

    kind: str  # "allow" | "disallow"
    pattern: str
    line: int


@dataclass(frozen=True)
class RobotsMatch:
    """The decision for one path: ``rule`` is the deciding rule (None: nothing matched)."""

    allowed: bool
    rule: Rule | None
    group_tokens: tuple[str, ...]


@dataclass(frozen=True)
class AIPreference:
    """One robots.txt line expressing an AI-usage preference that applies to a path.

    ``optout`` is True for an opt-out of AI training, False for an explicit permission and None
    when the line speaks about training but cannot be read (unknown, which is not a permission).
    Lines that say nothing about training are never returned.
    """

    kind: str  # "content-signal" | "content-usage" | "disallow-ai-training"
    raw: str
    line: int
    optout: bool | None
    path: str | None = None  # normalised path pattern of the line, None if it had none


def combined_optout(prefs: Iterable[AIPreference]) -> bool | None:
    """Most restrictive combination (AIPREF vocab §7.1): any opt-out wins, then any unknown."""
    values = [p.optout for p in prefs]
    if True in values:
        return True
    if None in values:
        return None
    return False if values else None


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


class _CompiledRule:
    __slots__ = ("allow", "pattern", "rule", "sort_key")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.allow = rule.kind == "allow"
        self.pattern = Pattern(rule.pattern)
        # Longest first; on equal length Allow first; then file order (stable evidence).
        self.sort_key = (-self.pattern.priority, not self.allow, rule.line)


# --------------------------------------------------------------------------------------------
# RFC 9651 Structured Field dictionary (for Content-Usage)
# --------------------------------------------------------------------------------------------


class SFParseError(ValueError):
    """The input is not a valid RFC 9651 Dictionary."""


class SFToken(str):
    """An sf-token bare item (distinct from an sf-string with the same characters)."""

    __slots__ = ()


@dataclass(frozen=True)
class SFDate:
    seconds: int


@dataclass(frozen=True)
class SFDisplayString:
    value: str


_LCALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_ALPHA = _LCALPHA | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_KEY_FIRST = _LCALPHA | {"*"}
_KEY_CHARS = _LCALPHA | _DIGITS | frozenset("_-.*")
_TCHAR = _ALPHA | _DIGITS | frozenset("!#$%&'*+-.^_`|~")
_TOKEN_CHARS = _TCHAR | frozenset(":/")
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_LCHEX = frozenset("0123456789abcdef")

SFBareItem = int | float | str | bytes | bool | SFDate | SFDisplayString
SFParams = dict[str, SFBareItem]
SFItem = tuple[SFBareItem, SFParams]
SFMember = tuple[SFBareItem | list[SFItem], SFParams]


class _SFParser:
    """RFC 9651 §4.2 parsing algorithms, for Dictionaries only."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def _peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def _fail(self, why: str) -> SFParseError:
        return SFParseError(f"{why} at offset {self.i}")

    def _skip(self, chars: str) -> None:
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1

    def parse(self) -> dict[str, SFMember]:
        self._skip(" ")
        result = self._dictionary()
        self._skip(" ")
        if self.i != len(self.s):
            raise self._fail("trailing characters")
        return result

    def _dictionary(self) -> dict[str, SFMember]:
        members: dict[str, SFMember] = {}
        while self.i < len(self.s):
            key = self._key()
            member: SFMember
            if self._peek() == "=":
                self.i += 1
                member = self._item_or_inner_list()
            else:
                member = (True, self._parameters())
            members.pop(key, None)  # last duplicate wins (and moves to the end)
            members[key] = member
            self._skip(" \t")
            if self.i == len(self.s):
                return members
            if self.s[self.i] != ",":
                raise self._fail("expected ','")
            self.i += 1
            self._skip(" \t")
            if self.i == len(self.s):
                raise self._fail("trailing comma")
        return members

    def _key(self) -> str:
        if not self._peek() or self._peek() not in _KEY_FIRST:
            raise self._fail("invalid key")
        start = self.i
        self.i += 1
        while self.i < len(self.s) and self.s[self.i] in _KEY_CHARS:
            self.i += 1
        return self.s[start:self.i]

    def _parameters(self) -> SFParams:
        params: SFParams = {}
        while self._peek() == ";":
            self.i += 1
            self._skip(" ")
            key = self._key()
            value: SFBareItem = True
            if self._peek() == "=":
                self.i += 1
                value = self._bare_item()
            params.pop(key, None)
            params[key] = value
        return params

    def _item_or_inner_list(self) -> SFMember:
        if self._peek() == "(":
            return self._inner_list()
        return self._item()

    def _inner_list(self) -> SFMember:
        self.i += 1
        items: list[SFItem] = []
        while self.i < len(self.s):
            self._skip(" ")
            if self._peek() == ")":
                self.i += 1
                return items, self._parameters()
            items.append(self._item())
            if self._peek() not in (" ", ")"):
                raise self._fail("bad inner list")
        raise self._fail("unterminated inner list")

    def _item(self) -> SFItem:
        value = self._bare_item()
        return value, self._parameters()

    def _bare_item(self) -> SFBareItem:
        c = self._peek()
        if c == "-" or (c and c in _DIGITS):
            return self._number()
        if c == '"':
            return self._string()
        if c == "*" or (c and c in _ALPHA):
            return self._token()
        if c == ":":
            return self._binary()
        if c == "?":
            return self._boolean()
        if c == "@":
            self.i += 1
            number = self._number()
            if isinstance(number, float):
                raise self._fail("date must be an integer")
            return SFDate(number)
        if c == "%":
            return self._display_string()
        raise self._fail("invalid bare item")

    def _number(self) -> int | float:
        sign = 1
        if self._peek() == "-":
            sign = -1
            self.i += 1
        if not self._peek() or self._peek() not in _DIGITS:
            raise self._fail("expected digit")
        start = self.i
        is_decimal = False
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in _DIGITS:
                self.i += 1
            elif c == "." and not is_decimal:
                if self.i - start > 12:
                    raise self._fail("decimal too long")
                is_decimal = True
                self.i += 1
            else:
                break
            if (is_decimal and self.i - start > 16) or (not is_decimal and self.i - start > 15):
                raise self._fail("number too long")
        text = self.s[start:self.i]
        if not is_decimal:
            return sign * int(text)
        if text.endswith("."):
            raise self._fail("decimal ends with '.'")
        if len(text.split(".", 1)[1]) > 3:
            raise self._fail("too many fractional digits")
        return sign * float(text)

    def _string(self) -> str:
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                if self.i >= len(self.s) or self.s[self.i] not in '"\\':
                    raise self._fail("bad escape")
                out.append(self.s[self.i])
                self.i += 1
            elif c == '"':
                return "".join(out)
            elif not " " <= c <= "~":
                raise self._fail("invalid string character")
            else:
                out.append(c)
        raise self._fail("unterminated string")

    def _token(self) -> SFToken:
        start = self.i
        self.i += 1
        while self.i < len(self.s) and self.s[self.i] in _TOKEN_CHARS:
            self.i += 1
        return SFToken(self.s[start:self.i])

    def _binary(self) -> bytes:
        self.i += 1
        start = self.i
        while self.i < len(self.s) and self.s[self.i] != ":":
            if self.s[self.i] not in _BASE64_CHARS:
                raise self._fail("invalid base64 character")
            self.i += 1
        if self.i >= len(self.s):
            raise self._fail("unterminated byte sequence")
        data = self.s[start:self.i]
        self.i += 1
        try:
            return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise self._fail("invalid base64") from exc

    def _boolean(self) -> bool:
        self.i += 1
        c = self._peek()
        if c not in ("0", "1") or not c:
            raise self._fail("invalid boolean")
        self.i += 1
        return c == "1"

    def _display_string(self) -> SFDisplayString:
        if self.s[self.i:self.i + 2] != '%"':
            raise self._fail("invalid display string")
        self.i += 2
        buf = bytearray()
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if not " " <= c <= "~":
                raise self._fail("invalid display string character")
            if c == "%":
                pair = self.s[self.i:self.i + 2]
                if len(pair) != 2 or not set(pair) <= _LCHEX:
                    raise self._fail("invalid percent escape")
                buf.append(int(pair, 16))
                self.i += 2
            elif c == '"':
                try:
                    return SFDisplayString(buf.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise self._fail("invalid UTF-8") from exc
            else:
                buf.append(ord(c))
        raise self._fail("unterminated display string")


def parse_sf_dictionary(text: str) -> dict[str, SFMember]:
    """Parse an RFC 9651 Dictionary; raises :class:`SFParseError` on any syntax error."""
    return _SFParser(text).parse()


# --------------------------------------------------------------------------------------------
# AI-preference lines
# --------------------------------------------------------------------------------------------

#: Result of reading one preference line: (states_something_about_training, optout).
_Reading = tuple[bool, bool | None]
_SILENT: _Reading = (False, None)  # the line says nothing about AI training: never returned


def _content_usage_optout(value: str) -> _Reading:
    """train-ai from an AIPREF vocabulary dictionary: optout True (n), False (y) or None.

    Keys are case-sensitive bytes (``Train-ai`` is a parse error, hence unknown); only the Tokens
    ``y``/``n`` count; a duplicate key keeps its last value.
    """
    try:
        members = parse_sf_dictionary(value)
    except SFParseError:
        return True, None
    member = members.get("train-ai")
    if member is None:
        return _SILENT
    item = member[0]
    if isinstance(item, SFToken) and item in ("n", "y"):
        return True, item == "n"
    return True, None


def _content_signal_optout(value: str) -> _Reading:
    """ai-train from a Cloudflare Content-Signal list (``search=yes, ai-train=no``).

    The format is a comma list of ``name=yes|no``; names and values are read case-insensitively.
    An ``ai-train`` entry with any other value is unknown; several ``ai-train`` entries combine
    most restrictively.
    """
    seen: list[bool | None] = []
    for entry in value.split(","):
        name, sep, val = entry.partition("=")
        if not sep or name.strip(" \t").lower() != "ai-train":
            continue
        val = val.strip(" \t").lower()
        seen.append(True if val == "no" else False if val == "yes" else None)
    if not seen:
        # No ai-train entry: no statement, unless the line is not a signal list at all.
        if value.strip(" \t") and "=" not in value:
            return True, None
        return _SILENT
    if True in seen:
        return True, True
    if None in seen:
        return True, None
    return True, False


@dataclass(frozen=True)
class _PrefLine:
    kind: str
    raw: str
    line: int
    optout: bool | None
    pattern: Pattern | None  # None: the line has no path and applies to every path

    @property
    def priority(self) -> int:
        # A path-less line covers everything, exactly like "/" (length 1): the two tie.
        return self.pattern.priority if self.pattern is not None else 1

    def matches(self, path: str) -> bool:
        return self.pattern is None or self.pattern.matches(path)

    def public(self) -> AIPreference:
        return AIPreference(self.kind, self.raw, self.line, self.optout,
                            self.pattern.text if self.pattern is not None else None)


def _split_path_value(value: str) -> tuple[str | None, str]:
    """``/path rest`` -> (path, rest); a value not starting with "/" has no path."""
    if not value.startswith("/"):
        return None, value
    for i, c in enumerate(value):
        if c in " \t":
            return value[:i], value[i:].strip(" \t")
    return value, ""


# --------------------------------------------------------------------------------------------
# Line parsing
# --------------------------------------------------------------------------------------------

_WS = " \t\v\f\r\n"  # ASCII whitespace, as absl::StripAsciiWhitespace
_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
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


def _make_pattern(value: str, *, fix_relative: bool) -> str | None:
    """The normalised pattern for a rule value, or None for an empty value (matches nothing).

    ``fix_relative``: a Disallow-type value such as ``private/`` is read as ``/private/`` (fail
    closed). Allow values are left alone, so ``Allow: private/`` never matches (RFC grammar).
    """
    if not value:
        return None
    if fix_relative and not value.startswith(("/", "*")):
        value = "/" + value
    return canonical_bytes(value.encode("utf-8", "surrogateescape"))


class _GroupBuilder:
    __slots__ = ("crawl_delays", "prefs", "request_rates", "rules", "star", "tokens")

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.star = False
        self.rules: list[Rule] = []
        self.crawl_delays: list[float] = []
        self.request_rates: list[float] = []
        self.prefs: list[_PrefLine] = []


@dataclass(frozen=True)
class _Group:
    """A finished group (or several merged): rules pre-sorted so the first hit decides."""

    tokens: tuple[str, ...]
    rules: tuple[_CompiledRule, ...]
    crawl_delay: float | None
    request_rate: float | None
    prefs: tuple[_PrefLine, ...]

    @classmethod
    def merge(cls, groups: Sequence[_GroupBuilder]) -> _Group:
        tokens: dict[str, None] = {}
        rules: list[_CompiledRule] = []
        delays: list[float] = []
        rates: list[float] = []
        prefs: list[_PrefLine] = []
        for g in groups:
            for t in g.tokens:
                tokens.setdefault(t, None)
            if g.star:
                tokens.setdefault("*", None)
            rules.extend(_CompiledRule(r) for r in g.rules)
            delays.extend(g.crawl_delays)
            rates.extend(g.request_rates)
            prefs.extend(g.prefs)
        rules.sort(key=lambda r: r.sort_key)
        # Several values (e.g. merged groups): keep the slowest, the most polite reading.
        return cls(tuple(tokens), tuple(rules), max(delays, default=None),
                   max(rates, default=None), tuple(prefs))

    def decide(self, path: str) -> RobotsMatch:
        """Decide a normalised path (RFC 9309 §2.2.2: /robots.txt is implicitly allowed)."""
        if path == "/robots.txt" or path.startswith("/robots.txt?"):
            return RobotsMatch(True, None, self.tokens)
        startswith = path.startswith
        for compiled in self.rules:
            pattern = compiled.pattern
            # Cheap literal-prefix test first: most rules fail here.
            if startswith(pattern.first) and pattern.matches(path):
                return RobotsMatch(compiled.allow, compiled.rule, self.tokens)
        return RobotsMatch(True, None, self.tokens)


_EMPTY_GROUP = _Group((), (), None, None, ())


# --------------------------------------------------------------------------------------------
# RobotsTxt
# --------------------------------------------------------------------------------------------


class RobotsTxt:
    """A parsed robots.txt. Build it with :meth:`parse`; queries never change its rules.

    ``sha256`` is the hex digest of the raw bytes given to :meth:`parse` (all of them, not just
    the parsed 500 KiB); ``truncated`` tells whether input beyond the limit was ignored.
    """

    def __init__(self, sha256: str, truncated: bool = False) -> None:
        self.sha256 = sha256
        self.truncated = truncated
        self._groups: list[_GroupBuilder] = []
        self._by_token: dict[str, list[int]] = {}  # lower-cased token -> group indices
        self._star: list[int] = []
        self._global_prefs: list[_PrefLine] = []  # AI preferences before any User-agent
        self._sitemaps: list[str] = []
        self._licenses: list[str] = []
        # Merged group per (token, specific_only), built on first use: merging at parse time
        # would copy every rule once per token, quadratic on hostile files.
        self._cache: dict[tuple[str, bool], _Group] = {}

    def __repr__(self) -> str:
        return (f"RobotsTxt(sha256={self.sha256!r}, truncated={self.truncated}, "
                f"groups={len(self._groups)})")

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def parse(cls, body: bytes) -> RobotsTxt:
        """Parse a robots.txt body. Never raises; input beyond 500 KiB is ignored."""
        body = as_bytes(body)
        robots = cls(sha256=hashlib.sha256(body).hexdigest())
        data = body
        if len(data) > MAX_ROBOTS_BYTES:
            robots.truncated = True
            data = data[:MAX_ROBOTS_BYTES]
            # Drop the line the limit cut in two: its author did not write that text.
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            data = data[:cut + 1] if cut >= 0 else b""
        skip = 0
        while skip < 3 and skip < len(data) and data[skip] == _UTF8_BOM[skip]:
            skip += 1
        robots._read(data[skip:].decode("utf-8", "surrogateescape"))
        return robots

    def _read(self, text: str) -> None:
        current: _GroupBuilder | None = None
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
                    current = _GroupBuilder()
                    self._groups.append(current)
                    closed = False
                assert current is not None
                self._add_agent(current, len(self._groups) - 1, value)
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
                pref = self._make_pref(key, value, line, number)
                if pref is None:
                    continue
                # Outside any group an AI preference still states the site's wish: it applies
                # to every crawler (a rule there would be ignored, but ignoring an opt-out
                # would fail open).
                (current.prefs if current is not None else self._global_prefs).append(pref)
        self._sitemaps = list(sitemaps)
        self._licenses = list(licenses)

    def _add_agent(self, group: _GroupBuilder, index: int, value: str) -> None:
        # Google: "*" followed by whitespace and anything is still the global agent.
        if value.startswith("*") and (len(value) == 1 or value[1] in " \t"):
            if not group.star:
                group.star = True
                self._star.append(index)
            return
        # The product token is the leading [A-Za-z0-9_-] run ("Foo Bar" -> "Foo", "Foo/1.0" ->
        # "Foo"). Digits are kept (unlike google), so "Ai2Bot" is not cut down to "Ai".
        token = _PRODUCT_TOKEN_RE.match(value)
        name = token.group(0) if token else ""
        if not name:
            return
        group.tokens.append(name)
        indices = self._by_token.setdefault(name.lower(), [])
        if not indices or indices[-1] != index:
            indices.append(index)

    @staticmethod
    def _add_rule(group: _GroupBuilder, allow: bool, value: str, number: int) -> None:
        pattern = _make_pattern(value, fix_relative=not allow)
        if pattern is None:
            return
        kind = "allow" if allow else "disallow"
        group.rules.append(Rule(kind, pattern, number))
        if allow:
            # Google: "Allow: /dir/index.htm[l]" also allows the directory URL "/dir/".
            slash = pattern.rfind("/")
            if slash != -1 and pattern.startswith("/index.htm", slash):
                group.rules.append(Rule(kind, pattern[:slash + 1] + "$", number))

    @staticmethod
    def _make_pref(key: int, value: str, line: str, number: int) -> _PrefLine | None:
        raw = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip(_WS)
        if key == _DISALLOW_AI_TRAINING:
            pattern = _make_pattern(value, fix_relative=True)
            if pattern is None:
                return None
            return _PrefLine("disallow-ai-training", raw, number, True, Pattern(pattern))
        path, rest = _split_path_value(value)
        if key == _CONTENT_USAGE:
            kind, (states, optout) = "content-usage", _content_usage_optout(rest)
        else:
            kind, (states, optout) = "content-signal", _content_signal_optout(rest)
        if not states:
            return None
        pattern = _make_pattern(path, fix_relative=False) if path else None
        return _PrefLine(kind, raw, number, optout, Pattern(pattern) if pattern else None)

    # ---- group selection --------------------------------------------------------------------

    def _group_for(self, token: str, *, specific_only: bool = False) -> _Group | None:
        """The merged group for ``token`` (falling back to ``*`` unless specific_only)."""
        key = (token.lower(), specific_only)
        cached = self._cache.get(key)
        if cached is not None:
            return cached if cached is not _EMPTY_GROUP else None
        indices = self._by_token.get(key[0]) if key[0] else None
        if not indices and not specific_only:
            indices = self._star
        group = _Group.merge([self._groups[i] for i in indices]) if indices else _EMPTY_GROUP
        self._cache[key] = group
        return group if group is not _EMPTY_GROUP else None

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
        return list(self._sitemaps)

    def license_urls(self) -> list[str]:
        """File-wide RSL ``License:`` URLs, in file order, without duplicates."""
        return list(self._licenses)

    def ai_training_optout(self, path: str, ai_tokens: Iterable[str]) -> list[str]:
        """Tokens from ``ai_tokens`` whose *own* group disallows ``path``.

        The ``*`` group is not consulted: ``User-agent: *`` / ``Disallow: /`` is a crawl
        restriction for everyone, not a statement about AI training.
        """
        normalised = canonical_path(path)
        out: dict[str, None] = {}
        for token in ai_tokens:
            group = self._group_for(token, specific_only=True)
            if group is not None and not group.decide(normalised).allowed:
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
        candidates = [*self._global_prefs, *(group.prefs if group else ())]
        chosen: list[_PrefLine] = []
        for kind in ("content-signal", "content-usage"):
            matching = [p for p in candidates if p.kind == kind and p.matches(normalised)]
            if matching:
                best = max(p.priority for p in matching)
                chosen.extend(p for p in matching if p.priority == best)
        chosen.extend(p for p in candidates
                      if p.kind == "disallow-ai-training" and p.matches(normalised))
        chosen.sort(key=lambda p: p.line)
        return [p.public() for p in chosen]


# --------------------------------------------------------------------------------------------
# RSL (Really Simple Licensing) documents
# --------------------------------------------------------------------------------------------

_RSL_AI_TRAINING_USAGES = frozenset({"ai-train", "train-ai", "ai-all", "all"})
_RSL_USAGE_SPLIT_RE = re.compile(r"[\s,]+")


def parse_rsl_prohibits_ai_training(xml: bytes) -> bool | None:
    """Does an RSL license document prohibit AI training?

    True if any ``<prohibits type="usage">`` lists ``ai-train``, ``train-ai``, ``ai-all`` or
    ``all``; False if it is a readable RSL document without such a prohibition; None if it is
    not well-formed XML, not RSL (no ``<rsl>`` element), or declares a DTD/entities (refused so
    no entity can ever be expanded). Namespaces and prefixes are ignored.
    """
    if isinstance(xml, str):
        xml = xml.encode("utf-8", "surrogatepass")
    elif isinstance(xml, (bytearray, memoryview)):
        xml = bytes(xml)
    elif not isinstance(xml, bytes):
        return None
    state = {"rsl": False, "prohibits": False}
    depth_in_prohibits = 0
    text: list[str] = []

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth_in_prohibits
        tag = local(name)
        if tag == "rsl":
            state["rsl"] = True
        if depth_in_prohibits:
            depth_in_prohibits += 1
            return
        if tag == "prohibits":
            kind = next((v for k, v in attrs.items() if local(k) == "type"), "")
            if kind.strip().lower() == "usage":
                depth_in_prohibits = 1
                text.clear()

    def end(_name: str) -> None:
        nonlocal depth_in_prohibits
        if not depth_in_prohibits:
            return
        depth_in_prohibits -= 1
        if depth_in_prohibits == 0:
            usages = {u.lower() for u in _RSL_USAGE_SPLIT_RE.split("".join(text)) if u}
            if usages & _RSL_AI_TRAINING_USAGES:
                state["prohibits"] = True

    def chars(data: str) -> None:
        if depth_in_prohibits:
            text.append(data)

    parser = safexml.parser("}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(xml, True)
    except safexml.PARSE_ERRORS:
        return None
    if not state["rsl"]:
        return None
    return state["prohibits"]
