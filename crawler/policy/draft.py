"""Turn what ``crawler policy new`` saw on a site into a commented draft policy (YAML text).

Pure: a :class:`~crawler.policy.survey.Survey` (the answers, as bytes) in, YAML text out; no
network. Every proposal carries a comment saying where it came from (robots.txt line, link
text, license statement), and the ``tos:`` review fields are left empty for a person, so the
draft does not validate until someone has read the terms (``crawler policy check`` says
"not filled in" for each). What the site says about AI use (TDMRep, ai.txt, noai,
AI-training groups in robots.txt) is not a policy field: it is listed in comments, since the
crawl reads those signals itself for every item.

Anything taken from the site goes into the YAML quoted or into a comment cut to one line of
printable characters, so a hostile page cannot add keys to the draft; :func:`render` parses
its own output back and refuses to return text that does not mean what it built.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.policy.draft_signals import license_findings, license_page, signal_lines
from crawler.policy.hosts import normalize_host, url_port
from crawler.policy.schema import PATH_PATTERN
from crawler.policy.survey import PARSED, UNAVAILABLE, Survey
from crawler.signals.robots_parse import read_robots
from crawler.signals.terms import MAX_TERMS_BYTES, read_terms
from crawler.urlpath import Pattern

#: the rate proposed when robots.txt asks for none: the crawl's own default
DEFAULT_RPS = 1.0
DEFAULT_RETENTION_DAYS = 365
#: most robots.txt rules copied into deny_paths (the crawl obeys robots.txt anyway)
MAX_PATHS = 50
MAX_PATTERN = 200
MAX_COMMENT = 160
TO_FILL = "TO FILL"
_PLAIN = re.compile(r"[A-Za-z0-9_./-][A-Za-z0-9_./:~%+=@-]*")


def comment_text(text: str, limit: int = MAX_COMMENT) -> str:
    """``text`` made safe for one YAML comment line: printable characters only, whitespace
    collapsed, cut to ``limit``."""
    clean = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as ``value`` (None: empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    text = str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=not text.isprintable())


class _Writer:
    """Lines of YAML with comments, and the data they must parse back to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.data: dict[str, Any] = {}

    def comment(self, text: str, depth: int = 0) -> None:
        indent = " " * min(len(text) - len(text.lstrip(" ")), 8)
        self.lines.append(("  " * depth + "# " + indent + comment_text(text, 200)).rstrip())

    def blank(self) -> None:
        self.lines.append("")

    def _set(self, path: tuple[str, ...], value: Any) -> None:
        node = self.data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    @staticmethod
    def _line(depth: int, head: str, note: str | None) -> str:
        line = "  " * depth + head
        return f"{line}  # {comment_text(note)}" if note else line

    def mapping(self, path: tuple[str, ...], note: str | None = None) -> None:
        self._set(path, {})
        self.lines.append(self._line(len(path) - 1, f"{path[-1]}:", note))

    def value(self, path: tuple[str, ...], value: Any, note: str | None = None) -> None:
        self._set(path, value)
        text = scalar(value)
        self.lines.append(self._line(len(path) - 1, f"{path[-1]}: {text}".rstrip(), note))

    def sequence(self, path: tuple[str, ...], items: Iterable[tuple[Any, str | None]],
                 note: str | None = None) -> None:
        items = list(items)
        self._set(path, [value for value, _ in items])
        depth = len(path) - 1
        if not any(comment for _, comment in items):
            flow = "[" + ", ".join(scalar(value) for value, _ in items) + "]"
            self.lines.append(self._line(depth, f"{path[-1]}: {flow}", note))
            return
        self.lines.append(self._line(depth, f"{path[-1]}:", note))
        for value, comment in items:
            self.lines.append(self._line(depth + 1, f"- {scalar(value)}", comment))

    def text(self) -> str:
        text = "\n".join(self.lines) + "\n"
        if yaml.safe_load(text) != self.data:  # pragma: no cover - a bug, never the site's
            raise RuntimeError("internal error: the draft does not read back as written")
        return text


# ---------------------------------------------------------------- proposals (pure)


def policy_name(host: str) -> str:
    """``docs.example.org`` -> ``docs-example-org`` (``www.`` dropped)."""
    return re.sub(r"[^a-z0-9]+", "-", host.lower().removeprefix("www.")).strip("-") or "site"


def floor_sig(value: float, digits: int = 3) -> float:
    """``value`` rounded *down* to ``digits`` significant digits: a proposed rate is never
    faster than the site asked."""
    exponent = math.floor(math.log10(value))
    factor = 10 ** (digits - 1 - exponent)
    return math.floor(value * factor) / factor


def propose_rate(robots: Any, token: str) -> tuple[float, str]:
    """requests_per_second and where it came from: robots.txt ``Crawl-delay`` /
    ``Request-rate`` of the crawler's group, else the crawl's polite default."""
    delay = robots.crawl_delay(token) if robots is not None else None
    per_request = robots.request_rate(token) if robots is not None else None
    seconds = max(delay or 0.0, per_request or 0.0)
    if seconds <= 1.0 / DEFAULT_RPS:
        asked = " (robots.txt asks no slower rate)" if seconds else ""
        return DEFAULT_RPS, f"the polite default: one request per second{asked}"
    source = (f"Crawl-delay: {delay:g}" if (delay or 0) >= (per_request or 0)
              else f"Request-rate: one request per {per_request:g} s")
    return floor_sig(1.0 / seconds), f"robots.txt {source} -> one request every {seconds:g} s"


def _group_rules(body: bytes, token: str) -> tuple[list[Any], str]:
    """The rules of the group robots.txt applies to ``token`` (its own, else ``*``), in
    file order, and the group's name."""
    parsed, _truncated = read_robots(body)
    indices = parsed.by_token.get(token.lower())
    name = token
    if not indices:
        indices, name = parsed.star, "*"
    rules = [rule for i in indices for rule in parsed.groups[i].rules]
    return sorted(rules, key=lambda r: r.line), name


def _as_path(pattern: str) -> str:
    """A robots.txt pattern as a policy path pattern (which must start with "/")."""
    return pattern if pattern.startswith("/") else "/" + pattern


def _usable(path: str) -> bool:
    """Can ``path`` be a policy path rule? Not with a dot segment (``policy check``
    refuses those: they match no URL)."""
    return re.match(PATH_PATTERN, path) is not None


def _literal_prefix(pattern: str) -> str:
    return re.split(r"[*$]", pattern, maxsplit=1)[0]


def propose_paths(body: bytes, token: str
                  ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """(deny_paths, allow exceptions, rules left out) from the robots.txt group that applies
    to ``token``: every Disallow, and the Allow rules that reopen part of a disallowed path
    (so the policy does not deny what robots.txt allows). Each with its comment."""
    rules, group = _group_rules(body, token)
    deny: dict[str, str] = {}
    left_out = 0
    for rule in rules:
        if rule.kind != "disallow":
            continue
        if len(rule.pattern) > MAX_PATTERN or len(deny) >= MAX_PATHS or \
                not _usable(_as_path(rule.pattern)):
            left_out += 1
            continue
        deny.setdefault(_as_path(rule.pattern),
                        f"robots.txt line {rule.line} (group {group}): Disallow: {rule.pattern}")
    allow: dict[str, str] = {}
    compiled = [Pattern(p) for p in deny]
    for rule in rules:
        path = _as_path(rule.pattern)
        if rule.kind != "allow" or len(path) > MAX_PATTERN or path in deny or path == "/" \
                or not _usable(path):
            continue
        prefix = _literal_prefix(path)
        if any(p.matches(prefix) and p.priority < len(path) for p in compiled):
            allow.setdefault(path, f"robots.txt line {rule.line} (group {group}): "
                                   f"Allow: {rule.pattern}")
    return list(deny.items()), list(allow.items()), left_out


def proposed_ports(survey: Survey) -> list[int]:
    """The ports the start URL (and where it led) use, when not just 80/443."""
    urls = [survey.start_url]
    if survey.home is not None and survey.home.answer is not None:
        urls.append(survey.home.final_url)
    ports = sorted({p for p in map(url_port, urls) if p is not None})
    return ports if set(ports) - {80, 443} else []


def _on_site(survey: Survey, url: str, ports: list[int]) -> bool:
    try:
        host = normalize_host(urlsplit(url).hostname or "")
    except ValueError:
        return False
    return host == survey.host and url_port(url) in (ports or [80, 443]) \
        and url.isprintable() and len(url) <= 2000


# ---------------------------------------------------------------- the draft


def _header(w: _Writer, survey: Survey, today: date, agent: str) -> None:
    w.comment(f"Draft site policy for {survey.start_url}, written by `crawler policy new` "
              f"({agent}) on {today.isoformat()}.")
    w.comment("NOT REVIEWED: it does not validate until a person has read the site's terms "
              f"and filled in every `tos:` field marked {TO_FILL}.")
    w.comment("Check every proposal (each says where it came from), then: crawler policy check "
              "DIR")
    w.comment("")
    w.comment(f"Requests made as {survey.token} (robots.txt obeyed, at least {survey.gap:g} s "
              "apart; nothing stored):")
    for visit in survey.visits:
        w.comment(f"  {visit.role}: {visit.url} -> {visit.outcome()}")
    if survey.stopped:
        w.comment(f"Stopped early: {survey.stopped}")


def _terms_note(survey: Survey) -> str:
    link = next((c for c in survey.links if c.kind == "terms"), None)
    if link is None:
        return (f"{TO_FILL}: no link to terms found on the home page; put the URL of the "
                "terms you review")
    where = " in the footer" if link.in_footer else ""
    fetched = survey.terms.outcome() if survey.terms is not None else "not fetched"
    return f'link "{link.text}" ({link.language}){where} on the home page; {fetched}'


def terms_fingerprint(survey: Survey) -> str | None:
    """The fingerprint of the terms page the survey read, when a crawl could check it
    (the page answered in full, on the draft's hosts and ports, with main text)."""
    link = next((c for c in survey.links if c.kind == "terms"), None)
    visit = survey.terms
    if link is None or visit is None or not visit.ok or visit.answer is None \
            or visit.answer.truncated or len(visit.answer.body) > MAX_TERMS_BYTES \
            or not _on_site(survey, link.url, proposed_ports(survey)):
        return None
    return read_terms(visit.answer.body, visit.answer.url).fingerprint


def _tos(w: _Writer, survey: Survey, today: date) -> None:
    w.mapping(("tos",))
    link = next((c for c in survey.links if c.kind == "terms"), None)
    w.comment(_terms_note(survey), 1)
    others = [c for c in survey.links if c.kind == "terms"][1:4]
    for other in others:
        w.comment(f'other link: "{other.text}" ({other.language}) -> {other.url}', 1)
    w.value(("tos", "url"), link.url if link is not None else None)
    fingerprint = terms_fingerprint(survey)
    if fingerprint is not None:
        w.comment(f"fingerprint: the main text of that page as fetched on {today.isoformat()}; "
                  "a crawl stops the site when it changes. Reviewed a later version? Run "
                  f"crawler policy check DIR --record-terms --site {policy_name(survey.host)}",
                  1)
        w.value(("tos", "fingerprint"), fingerprint)
    w.value(("tos", "reviewed"), None, f"{TO_FILL}: the date you read the terms, YYYY-MM-DD")
    w.value(("tos", "reviewer"), None, f"{TO_FILL}: your name")
    verdicts = "allowed | research-only | prohibited"
    w.value(("tos", "crawling"), None, f"{TO_FILL}: {verdicts} (what the terms say about "
                                       "crawling)")
    w.value(("tos", "ai_training"), None, f"{TO_FILL}: {verdicts} (what they say about AI "
                                          "training)")
    w.value(("tos", "notes"), "", "what in the terms led to your verdicts")


def _urls(w: _Writer, survey: Survey, ports: list[int]) -> None:
    home = survey.home
    start = home.final_url if home is not None and home.answer is not None \
        and _on_site(survey, home.final_url, ports) else survey.start_url
    if home is not None and home.answer is None:
        note = f"the URL given; {home.outcome()}"
        w.sequence(("start_urls",), [], note)
        w.comment(f"start_urls is empty: put the pages to start from ({start}?)")
    else:
        w.sequence(("start_urls",), [(start, "the URL given" + (
            f"; {home.outcome()}" if home is not None else ""))])
    maps = [(v.final_url, f"robots.txt Sitemap line; {v.outcome()}") for v in survey.sitemaps
            if v.ok and v.skipped is None and _on_site(survey, v.final_url, ports)]
    w.sequence(("sitemaps",), maps, None if maps else
               "no sitemap named by robots.txt answered as one" if survey.sitemap_urls
               else "robots.txt names no sitemap")
    others = [u for u in survey.sitemap_urls if u not in {v.url for v in survey.sitemaps}]
    if others:
        w.comment(f"robots.txt names {len(others)} more sitemap(s), not checked (the crawl "
                  "reads robots.txt's Sitemap lines itself, inside the policy): "
                  + ", ".join(others[:3]))
    if ports:
        w.sequence(("ports",), [(p, None) for p in ports],
                   "the start URL's port (default: 80 and 443)")


def _paths(w: _Writer, survey: Survey) -> None:
    robots = survey.robots
    if survey.robots_state == PARSED and robots.answer is not None:
        deny, allow, left_out = propose_paths(robots.answer.body, survey.token)
        if allow:
            w.sequence(("allow_paths",), [("/", "the whole site"), *allow],
                       "robots.txt reopens part of a disallowed path")
        w.sequence(("deny_paths",), deny, None if deny else
                   f"robots.txt disallows nothing for {survey.token}")
        if left_out:
            w.comment(f"{left_out} more robots.txt rule(s) left out; the crawl obeys "
                      "robots.txt anyway")
    else:
        why = ("robots.txt answered 4xx: no restrictions" if survey.robots_state == UNAVAILABLE
               else "robots.txt could not be read")
        w.sequence(("deny_paths",), [], why)


def _rate(w: _Writer, survey: Survey) -> None:
    rps, source = propose_rate(survey.robots_txt, survey.token)
    w.mapping(("rate",))
    w.comment(source, 1)
    w.value(("rate", "requests_per_second"), rps)
    w.value(("rate", "concurrency"), 1, "one request at a time")


def _licenses(w: _Writer, survey: Survey) -> None:
    accepted, notes = license_findings(survey)
    w.mapping(("licenses",))
    w.mapping(("licenses", "accept"))
    for note in notes:
        w.comment(note, 2)
    if accepted:
        w.sequence(("licenses", "accept", "research"), accepted)
    else:
        w.sequence(("licenses", "accept", "research"), [],
                   "no license grant found: list the licenses you accept (SPDX ids or "
                   "families like CC-BY-*)")
    w.comment("commercial: [...]  only for licenses that allow it (never NC), and only if "
              "both verdicts are 'allowed'", 2)
    page = license_page(survey)
    if page is not None and _on_site(survey, page[0], proposed_ports(survey)):
        w.value(("licenses", "page"), page[0], page[1])
    else:
        w.comment("default: a license the terms grant site-wide (only once you have read "
                  "them)", 1)


def draft_policy(survey: Survey, *, today: date, agent: str) -> str:
    """The draft policy for ``survey`` as commented YAML (see the module docstring)."""
    w = _Writer()
    _header(w, survey, today, agent)
    w.blank()
    w.value(("name",), policy_name(survey.host), "the file name is the default; shown in "
                                                 "the ledger and sidecars")
    w.value(("version",), 1, "raise it with every review")
    w.sequence(("hosts",), [(survey.host, f"the host of {survey.start_url}")])
    _tos(w, survey, today)
    w.sequence(("purposes",), [("research", None)],
               "research, commercial: only what both verdicts allow")
    ports = proposed_ports(survey)
    _urls(w, survey, ports)
    _paths(w, survey)
    _rate(w, survey)
    _licenses(w, survey)
    w.value(("retention_days",), DEFAULT_RETENTION_DAYS,
            "how long stored items may be kept (1-3650 days): your retention rule")
    w.comment("recrawl_every: 30d  (how often `crawler crawl --due` crawls the site)")
    lines = signal_lines(survey)
    if lines:
        w.blank()
        w.comment("Site signals seen (not policy fields: the crawl reads them itself, for "
                  "every item):")
        for line in lines:
            w.comment("  " + line)
    return w.text()
