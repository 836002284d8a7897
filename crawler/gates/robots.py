"""Gate 2: robots.txt (RFC 9309), read fail-closed, plus AI-training opt-outs in it.

Fetch outcomes (RFC 9309 §2.3.1): 2xx → parse; 4xx other than 429 → "unavailable", crawl
allowed; 429, 5xx, too many redirects, timeout, DNS or connection error → "unreachable",
everything on the origin disallowed until a later fetch succeeds. So is a 2xx body that is not
text (:func:`crawler.signals.robots.decode_robots`): read as an empty file it would allow all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crawler.gates.decision import Decision
from crawler.signals.robots import RobotsTxt, as_bytes, decode_robots

GATE = "robots"

PARSED, UNAVAILABLE, UNREACHABLE = "parsed", "unavailable", "unreachable"


@dataclass(frozen=True)
class RslLicense:
    """An RSL license document named by a robots.txt ``License:`` line, as read."""

    url: str
    prohibits_ai_training: bool | None  # None: it could not be fetched or read
    error: str | None = None


@dataclass(frozen=True)
class RobotsSnapshot:
    """One fetch of one origin's robots.txt and how it was read."""

    url: str
    outcome: str
    fetched_at: float
    status: int | None = None
    robots: RobotsTxt | None = None
    error: str | None = None
    attempt: int = 1  # consecutive unreachable fetches, for the retry backoff
    licenses: tuple[RslLicense, ...] = ()

    def min_gap(self, token: str) -> float:
        """Seconds between requests that robots.txt asks of ``token`` (Crawl-delay and
        Request-rate; the larger wins), 0 when it asks nothing."""
        if self.robots is None:
            return 0.0
        return max(self.robots.crawl_delay(token) or 0.0, self.robots.request_rate(token) or 0.0)

    @property
    def sha256(self) -> str | None:
        return self.robots.sha256 if self.robots is not None else None

    def expired(self, now: float, ttl: float, error_ttl: float) -> bool:
        """Successful reads live ``ttl``; an unreachable robots.txt is retried after
        ``error_ttl``, doubling with each consecutive failure (never beyond ``ttl``)."""
        if self.outcome == UNREACHABLE:
            return now - self.fetched_at >= min(ttl, error_ttl * 2 ** (self.attempt - 1))
        return now - self.fetched_at >= ttl

    def as_record(self) -> dict[str, Any]:
        return {"url": self.url, "outcome": self.outcome, "status": self.status,
                "sha256": self.sha256, "error": self.error,
                "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.fetched_at)),
                **({"rsl": [vars(lic) for lic in self.licenses]} if self.licenses else {})}


#: why a 2xx robots.txt that :func:`decode_robots` rejects is unreachable, not parsed
UNDECODABLE = ("its body is not text: NUL characters, or invalid data after a UTF-16/UTF-32 "
               "byte-order mark (RFC 9309 §2.3 wants UTF-8)")


def from_response(url: str, status: int, body: bytes, fetched_at: float) -> RobotsSnapshot:
    if 200 <= status < 300:
        if decode_robots(as_bytes(body)) is None:  # never an empty, allow-all file
            return RobotsSnapshot(url, UNREACHABLE, fetched_at, status,
                                  error=f"HTTP {status}, but {UNDECODABLE}")
        return RobotsSnapshot(url, PARSED, fetched_at, status, RobotsTxt.parse(body))
    if 400 <= status < 500 and status != 429:
        return RobotsSnapshot(url, UNAVAILABLE, fetched_at, status)
    return RobotsSnapshot(url, UNREACHABLE, fetched_at, status,
                          error=f"HTTP {status} for robots.txt")


def from_error(url: str, error: str, fetched_at: float) -> RobotsSnapshot:
    return RobotsSnapshot(url, UNREACHABLE, fetched_at, error=error)


def check(snapshot: RobotsSnapshot, path: str, token: str, ai_tokens: Sequence[str],
          max_gap: float = float("inf"), for_item: bool = True) -> Decision:
    """``for_item=False`` is for the site's control files (tdmrep.json, ai.txt, RSL): they
    are read, never stored, so only the crawl rules apply to them, not the AI-training
    opt-outs (which would otherwise hide the very files that state the site's wishes)."""
    evidence: dict[str, Any] = {"robots_url": snapshot.url, "robots_sha256": snapshot.sha256,
                                "robots_outcome": snapshot.outcome}
    if snapshot.outcome == UNREACHABLE:
        return Decision.deny(GATE, "robots_unreachable",
                             f"robots.txt could not be read ({snapshot.error}): the site is "
                             "treated as disallowing everything.", **evidence)
    robots = snapshot.robots
    if robots is None:
        return Decision.allow(GATE, f"robots.txt is unavailable (HTTP {snapshot.status}): "
                              "no restrictions.", **evidence)
    gap = snapshot.min_gap(token)
    if gap > max_gap:
        return Decision.deny(GATE, "crawl_delay_too_long",
                             f"robots.txt asks for {gap:g} s between requests, more than the "
                             f"configured maximum of {max_gap:g} s: the host is skipped.",
                             crawl_delay=gap, **evidence)
    match = robots.match(path, token)
    if not match.allowed:
        rule = match.rule
        return Decision.deny(GATE, "robots_disallowed",
                             f"robots.txt disallows {path} for {token}"
                             + (f" (line {rule.line}: Disallow: {rule.pattern})." if rule else "."),
                             rule_line=rule.line if rule else None,
                             rule=rule.pattern if rule else None, **evidence)
    if not for_item:
        return Decision.allow(GATE, f"robots.txt allows {path} for {token}.", **evidence)
    for lic in snapshot.licenses:
        if lic.prohibits_ai_training is not False:
            unknown = lic.prohibits_ai_training is None
            return Decision.deny(
                GATE, "robots_ai_preference_unknown" if unknown else "robots_ai_optout",
                f"The RSL license {lic.url} named in robots.txt "
                + (f"cannot be read ({lic.error}): treated as an opt-out." if unknown
                   else "prohibits AI training."),
                preference="rsl", rsl_url=lic.url, **evidence)
    optouts = robots.ai_training_optout(path, ai_tokens)
    if optouts:
        return Decision.deny(GATE, "robots_ai_optout",
                             f"robots.txt disallows {path} for AI-training crawlers "
                             f"{', '.join(optouts)}: the site opts out of training.",
                             tokens=optouts, **evidence)
    for pref in robots.ai_preferences(path, token):
        if pref.optout is not False:
            unknown = pref.optout is None
            return Decision.deny(
                GATE, "robots_ai_preference_unknown" if unknown else "robots_ai_optout",
                f"robots.txt line {pref.line} ({pref.raw.strip()}) "
                + ("cannot be read: treated as an opt-out." if unknown
                   else "opts out of AI training."),
                preference=pref.kind, line=pref.line, **evidence)
    return Decision.allow(GATE, f"robots.txt allows {path} for {token}.", **evidence)
