"""A run's figures, from its ledger lines (streamed, in one pass) and its run report.

Nothing here reads a store: :func:`build` takes the lines and the report as plain data.
Memory stays bounded whatever the ledger's size: counters, one entry per second of the
run for the request rate, the first ``url_cap`` URLs for the table, and one hash per
further URL (to say how many the table leaves out).
"""

from __future__ import annotations

import shlex
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.report.timeline import Series, epoch, series

#: what each exit status means (the table in docs/operations.md, :mod:`crawler.exit_status`)
EXIT_MEANINGS = {0: "success", 1: "some items could not be stored (or removed)",
                 2: "usage or configuration error", 3: "the crawl finished but some sites failed",
                 4: "interrupted"}
#: the pseudo-site of URLs on hosts that no policy covers
NO_POLICY = "(no policy)"
URL_CAP = 5000

# final verdicts of a URL, as the table shows them
STORED, UNCHANGED, NOT_STORED, WITHDRAWN = "stored", "unchanged", "not stored", "withdrawn"
READ, NOT_READ, NO_FINAL = "read", "not read", "no final line"
VERDICTS = (STORED, UNCHANGED, NOT_STORED, WITHDRAWN, READ, NOT_READ, NO_FINAL)
#: control files: read by the crawl, never items
CONTROL_KINDS = frozenset({"robots", "signal-file", "sitemap"})
READ_REASONS = frozenset({"robots_parsed", "robots_unavailable", "signal_file_read",
                          "signal_file_absent"})
#: download drops for which no request left (refused before, or dropped by a middleware)
NOT_SENT = frozenset({"address_refused", "offsite", "ignored", "unsupported_scheme"})


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _evidence(rec: Mapping[str, Any]) -> Mapping[str, Any]:
    evidence = rec.get("evidence")
    return evidence if isinstance(evidence, dict) else {}


def verdict(rec: Mapping[str, Any]) -> str:
    """What a ledger line says about its URL in the end; :data:`NO_FINAL` for a line
    after which the URL's way goes on (a request gate let it pass)."""
    gate, kind = rec.get("gate"), rec.get("kind")
    if gate == "store" and rec.get("decision") == "allow":
        return STORED if _evidence(rec).get("new") else UNCHANGED
    if gate == "retention":
        return WITHDRAWN
    if rec.get("decision") == "deny":
        return NOT_READ if kind in CONTROL_KINDS else NOT_STORED
    return READ if rec.get("reason") in READ_REASONS else NO_FINAL


def is_answer(rec: Mapping[str, Any]) -> bool:
    """Does the line record the outcome of a request that was sent: an answer that reached
    the item gates, a robots.txt or site-file read, a 429/503 pause, a failed download?

    (Not recorded: a redirect, a sitemap read without remarks.) An image dropped for its
    page's noai/noimageai was never requested, though its line is on the opt-out gate."""
    gate, reason, kind = rec.get("gate"), _text(rec.get("reason")), rec.get("kind")
    if gate == "robots":
        return kind == "robots" and reason in ("robots_parsed", "robots_unavailable",
                                               "robots_unreachable")
    if gate == "optout":
        if reason.startswith("signal_file_"):
            return True
        evidence = _evidence(rec)
        return kind in ("page", "image") and not ("page_url" in evidence
                                                  and "signals" not in evidence)
    if gate == "content":
        return True
    if gate == "politeness":
        return rec.get("decision") == "allow"  # a 429/503 answer; a deny: nothing was sent
    return gate == "download" and reason not in NOT_SENT


def optout_signals(rec: Mapping[str, Any]) -> list[str]:
    """The opt-out signals a line refuses its URL for ([] when it is no opt-out)."""
    gate, reason, evidence = rec.get("gate"), rec.get("reason"), _evidence(rec)
    if rec.get("decision") != "deny":
        return []
    if gate == "optout" and reason in ("optout", "optout_unknown"):
        signals = evidence.get("signals")
        if isinstance(signals, list) and signals:
            return sorted({_text(s) for s in signals})
        return ["the page's noai/noimageai"] if "page_url" in evidence else ["unknown"]
    if gate == "robots" and reason in ("robots_ai_optout", "robots_ai_preference_unknown"):
        preference = evidence.get("preference")
        if preference:
            return [f"robots.txt {_text(preference)}"]
        return ["robots.txt AI-crawler groups" if evidence.get("tokens") else "robots.txt"]
    return []


def explain_command(url: str, store: str) -> str:
    """The shell command that shows every decision about ``url``, quoted for a POSIX shell
    (a URL from a hostile site may hold ``'``, ``$(...)`` or spaces)."""
    return f"crawler explain {shlex.quote(url)} --store {shlex.quote(store)}"


@dataclass
class UrlRow:
    """One URL of the run and the line that decided it (the last deciding line)."""

    url: str
    host: str
    kind: str
    time: str = ""
    verdict: str = NO_FINAL
    gate: str = ""
    reason: str = ""
    sentence: str = ""
    lines: int = 0
    sidecar: str = ""  # the stored item's sidecar, for its title
    spdx: str = ""
    site: str = ""
    title: str = ""

    def add(self, rec: Mapping[str, Any]) -> None:
        self.lines += 1
        said, time = verdict(rec), _text(rec.get("time"))
        if said == NO_FINAL and self.verdict != NO_FINAL:
            return  # a deciding line stands against a later passing one
        if said != NO_FINAL and self.verdict != NO_FINAL and time < self.time:
            return  # lines of several writer files: the latest deciding line wins
        evidence = _evidence(rec)
        self.time, self.verdict = time, said
        self.gate, self.reason = _text(rec.get("gate")), _text(rec.get("reason"))
        self.sentence = _text(rec.get("sentence"))
        self.sidecar = _text(evidence.get("sidecar")) if rec.get("gate") == "store" else ""
        self.spdx = _text(evidence.get("spdx")) if rec.get("gate") == "store" else ""


@dataclass
class SiteFigures:
    name: str
    hosts: list[str]
    #: (gate, reason) -> [allowed, denied] lines
    decisions: dict[tuple[str, str], list[int]]
    #: the run report's entry for the site and its policy ({} when there is none)
    report: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)


@dataclass
class Figures:
    run_id: str
    report: dict[str, Any]  # the run report ({} when the store has none for the run)
    lines: int  # ledger lines of the run
    sites: list[SiteFigures]
    licenses: Counter[str]  # stored new, by SPDX id
    licenses_unchanged: Counter[str]
    optouts: Counter[tuple[str, str]]  # (signal, gate/reason) -> lines
    drops: Counter[str]  # gate/reason -> lines (items: control files are not drops)
    drop_examples: dict[str, str]  # gate/reason -> the first sentence given for it
    rate: Series
    urls: list[UrlRow]  # the first url_cap URLs, in ledger order
    url_total: int


class Tally:
    """The one pass over a run's ledger lines."""

    def __init__(self, run_id: str, url_cap: int = URL_CAP):
        self.run_id, self.url_cap = run_id, url_cap
        self.lines = 0
        self.host_site: dict[str, str] = {}
        self.host_decisions: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(dict)
        self.throttled: set[str] = set()  # URLs whose last answer was a 429/503
        self.licenses: Counter[str] = Counter()
        self.licenses_unchanged: Counter[str] = Counter()
        self.optouts: Counter[tuple[str, str]] = Counter()
        self.drops: Counter[str] = Counter()
        self.drop_examples: dict[str, str] = {}
        self.per_second: Counter[int] = Counter()
        self.rows: dict[str, UrlRow] = {}
        self.more_urls: set[int] = set()  # hashes of the URLs past the cap
        self.first_time, self.last_time = "", ""
        self._hosts: dict[str, str] = {}

    def add(self, rec: Any) -> None:
        if not isinstance(rec, dict) or rec.get("run_id", self.run_id) != self.run_id \
                or not isinstance(rec.get("url"), str):
            return
        self.lines += 1
        url, gate, reason = _text(rec.get("url")), _text(rec.get("gate")), _text(rec.get("reason"))
        host = self._host(url)
        time = _text(rec.get("time"))
        if time and (not self.first_time or time < self.first_time):
            self.first_time = time
        self.last_time = max(self.last_time, time)
        if isinstance(rec.get("policy"), str) and rec["policy"]:
            self.host_site[host] = rec["policy"]
        denied = rec.get("decision") == "deny"
        self.host_decisions[host].setdefault((gate, reason), [0, 0])[denied] += 1
        second = epoch(time) if is_answer(rec) and self._new_request(url, rec) else None
        if second is not None:
            self.per_second[second] += 1
        for signal in optout_signals(rec):
            self.optouts[signal, f"{gate}/{reason}"] += 1
        if denied and rec.get("kind") != "robots":
            self.drops[f"{gate}/{reason}"] += 1
            self.drop_examples.setdefault(f"{gate}/{reason}", _text(rec.get("sentence")))
        elif gate == "store" and not denied:
            spdx = _text(_evidence(rec).get("spdx")) or "unknown"
            (self.licenses if _evidence(rec).get("new") else self.licenses_unchanged)[spdx] += 1
        row = self.rows.get(url)
        if row is None:
            if len(self.rows) >= self.url_cap:
                self.more_urls.add(hash(url))
                return
            row = self.rows[url] = UrlRow(url, host, _text(rec.get("kind")))
        row.add(rec)

    def _host(self, url: str) -> str:
        """The URL's host (lower case, no port), parsed once per scheme and authority."""
        scheme, sep, rest = url.partition("://")
        origin = f"{scheme}://{rest.split('/', 1)[0]}" if sep else ""
        host = self._hosts.get(origin)
        if host is None:
            try:
                host = (urlsplit(origin).hostname or "") if origin else ""
            except ValueError:
                host = ""
            if len(self._hosts) < 100_000:
                self._hosts[origin] = host
        return host

    def _new_request(self, url: str, rec: dict[str, Any]) -> bool:
        """False for the refusal that follows a 429/503 answer whose politeness line was
        counted already: the retries were given up, and that answer is the last one."""
        if rec.get("gate") == "politeness":
            if len(self.throttled) < 100_000:
                self.throttled.add(url)
            return True
        throttled = url in self.throttled
        self.throttled.discard(url)
        return not (throttled and rec.get("decision") == "deny")

    def site_of(self, host: str) -> str:
        return self.host_site.get(host, NO_POLICY)

    def figures(self, report: Mapping[str, Any] | None) -> Figures:
        report = dict(report or {})
        by_site: dict[str, SiteFigures] = {}
        for host in sorted(self.host_decisions):
            name = self.site_of(host)
            site = by_site.setdefault(name, SiteFigures(name, [], {}))
            site.hosts.append(host)
            for key, (allowed, denied) in self.host_decisions[host].items():
                counts = site.decisions.setdefault(key, [0, 0])
                counts[0] += allowed
                counts[1] += denied
        reported = report.get("sites") if isinstance(report.get("sites"), Mapping) else {}
        policies = report.get("policies") if isinstance(report.get("policies"), Mapping) else {}
        for name in reported:  # a site of the run with no line (nothing met) still shows
            by_site.setdefault(name, SiteFigures(name, [], {}))
        for site in by_site.values():
            entry, policy = reported.get(site.name), policies.get(site.name)
            site.report = dict(entry) if isinstance(entry, Mapping) else {}
            site.policy = dict(policy) if isinstance(policy, Mapping) else {}
        sites = sorted(by_site.values(), key=lambda s: (s.name == NO_POLICY, s.name))
        for row in self.rows.values():
            row.site = self.site_of(row.host)
        first = epoch(_text(report.get("started"))) or epoch(self.first_time)
        last = epoch(_text(report.get("finished"))) or epoch(self.last_time)
        return Figures(self.run_id, report, self.lines, sites, self.licenses,
                       self.licenses_unchanged, self.optouts, self.drops, self.drop_examples,
                       series(self.per_second, first, last), list(self.rows.values()),
                       len(self.rows) + len(self.more_urls))


def build(records: Iterable[Any], report: Mapping[str, Any] | None, run_id: str,
          url_cap: int = URL_CAP) -> Figures:
    """The figures of run ``run_id`` from its ledger lines and its run report (None when
    the store has none: a run still going, or one that crashed)."""
    tally = Tally(run_id, url_cap)
    for rec in records:
        tally.add(rec)
    return tally.figures(report)
