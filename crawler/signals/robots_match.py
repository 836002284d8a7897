"""robots.txt decisions: rule precedence, groups, and the AI-usage preference lines.

Everything here works on what :mod:`crawler.signals.robots_parse` read: a rule's normalised
pattern, the groups as written, and the Content-Signal, Content-Usage and DisallowAITraining
lines. Which group applies to a crawler and the queries themselves are
:class:`crawler.signals.robots.RobotsTxt`'s; the public types are re-exported there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.signals.aipref_vocab import UnreadablePreference, train_ai_optout
from crawler.urlpath import Pattern, canonical_bytes

__all__ = [
    "DEFAULT_AI_TRAINING_TOKENS",
    "EMPTY_GROUP",
    "AIPreference",
    "Group",
    "GroupBuilder",
    "PrefLine",
    "RobotsMatch",
    "Rule",
    "combined_optout",
    "make_pattern",
    "read_preference",
]

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


# --------------------------------------------------------------------------------------------
# Rules and their precedence
# --------------------------------------------------------------------------------------------


def make_pattern(value: str, *, fix_relative: bool) -> str | None:
    """The normalised pattern for a rule value, or None for an empty value (matches nothing).

    ``fix_relative``: a Disallow-type value such as ``private/`` is read as ``/private/`` (fail
    closed). Allow values are left alone, so ``Allow: private/`` never matches (RFC grammar).
    """
    if not value:
        return None
    if fix_relative and not value.startswith(("/", "*")):
        value = "/" + value
    return canonical_bytes(value.encode("utf-8", "surrogateescape"))


class _CompiledRule:
    __slots__ = ("allow", "pattern", "rule", "sort_key")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.allow = rule.kind == "allow"
        self.pattern = Pattern(rule.pattern)
        # Longest first; on equal length Allow first; then file order (stable evidence).
        self.sort_key = (-self.pattern.priority, not self.allow, rule.line)


# --------------------------------------------------------------------------------------------
# AI-preference lines
# --------------------------------------------------------------------------------------------

#: Result of reading one preference line: (states_something_about_training, optout).
_Reading = tuple[bool, bool | None]
_SILENT: _Reading = (False, None)  # the line says nothing about AI training: never returned


def _content_usage_optout(value: str) -> _Reading:
    """train-ai of a Content-Usage line's vocabulary: n opts out, y allows, unreadable is unknown.

    The rules (Tokens only, case-sensitive keys, last duplicate wins) are
    :mod:`crawler.signals.aipref_vocab`'s, shared with the Content-Usage header.
    """
    try:
        optout = train_ai_optout(value)
    except UnreadablePreference:
        return True, None
    return _SILENT if optout is None else (True, optout)


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
class PrefLine:
    """An AI-preference line as read: its compiled path (if any) and what it says."""

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


def read_preference(kind: str, value: str, raw: str, number: int) -> PrefLine | None:
    """The preference stated by one AI-preference line, or None if it states none.

    ``kind`` is "content-signal", "content-usage" or "disallow-ai-training"; ``raw`` is the
    line, kept as evidence. A DisallowAITraining value is a path pattern and always an opt-out
    (an empty value states nothing). The other two take an optional leading path, then their
    vocabulary; a line that says nothing about AI training is dropped, so it cannot shadow one
    that does.
    """
    if kind == "disallow-ai-training":
        pattern = make_pattern(value, fix_relative=True)
        if pattern is None:
            return None
        return PrefLine(kind, raw, number, True, Pattern(pattern))
    path, rest = _split_path_value(value)
    read = _content_usage_optout if kind == "content-usage" else _content_signal_optout
    states, optout = read(rest)
    if not states:
        return None
    pattern = make_pattern(path, fix_relative=False) if path else None
    return PrefLine(kind, raw, number, optout, Pattern(pattern) if pattern else None)


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------


class GroupBuilder:
    """One group as written, filled line by line; merged into a :class:`Group` on first use."""

    __slots__ = ("crawl_delays", "prefs", "request_rates", "rules", "star", "tokens")

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.star = False
        self.rules: list[Rule] = []
        self.crawl_delays: list[float] = []
        self.request_rates: list[float] = []
        self.prefs: list[PrefLine] = []


@dataclass(frozen=True)
class Group:
    """A finished group (or several merged): rules pre-sorted so the first hit decides."""

    tokens: tuple[str, ...]
    rules: tuple[_CompiledRule, ...]
    crawl_delay: float | None
    request_rate: float | None
    prefs: tuple[PrefLine, ...]

    @classmethod
    def merge(cls, groups: Sequence[GroupBuilder]) -> Group:
        tokens: dict[str, None] = {}
        rules: list[_CompiledRule] = []
        delays: list[float] = []
        rates: list[float] = []
        prefs: list[PrefLine] = []
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


EMPTY_GROUP = Group((), (), None, None, ())
