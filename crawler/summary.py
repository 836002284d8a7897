"""Run summary from the ledger: what was stored, what was excluded and why, licenses, and
which sites failed (their robots.txt was never read in the run, or nothing they were asked
for was answered)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.jsonl import iter_jsonl


@dataclass
class RunSummary:
    run_id: str
    ledger: str = ""
    stored: int = 0
    already_stored: int = 0
    store_errors: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    licenses: Counter[str] = field(default_factory=Counter)
    #: site (policy name) -> why it failed in this run
    failed_sites: dict[str, str] = field(default_factory=dict)
    #: the run was stopped (SIGTERM, SIGINT) before it finished
    interrupted: bool = False

    def lines(self) -> list[str]:
        out = [f"run {self.run_id}: stored {self.stored} new item(s), "
               f"{self.already_stored} unchanged, {sum(self.excluded.values())} excluded"
               + (" (interrupted)" if self.interrupted else "")]
        out += [f"  excluded  {reason:<28} {n}" for reason, n in self.excluded.most_common()]
        out += [f"  license   {spdx:<28} {n}" for spdx, n in self.licenses.most_common()]
        out += [f"  failed    {site:<28} {why}" for site, why in sorted(self.failed_sites.items())]
        return out


@dataclass
class _SiteOutcome:
    robots_read: bool = False  # robots.txt parsed or unavailable (4xx) at least once
    robots_unreachable: int = 0
    answered: int = 0  # responses that reached the item gates
    download_errors: int = 0

    def failure(self) -> str | None:
        if self.robots_unreachable and not self.robots_read:
            return "robots.txt unreachable for the whole run"
        if self.download_errors and not self.answered:
            return "no request was answered"
        return None


#: gates that only see a response: a line from one means the site answered
_ANSWERED_GATES = frozenset({"content", "optout", "license", "store"})


def summarize(ledger: str | Path, run_id: str,
              site_of: Callable[[str], str | None] = lambda _host: None) -> RunSummary:
    """``site_of``: the site (policy name) of a host, for the failed sites."""
    summary = RunSummary(run_id, str(ledger))
    sites: dict[str, _SiteOutcome] = {}
    for rec in iter_jsonl(ledger):  # streamed: a ledger can be far larger than memory
        if rec["run_id"] != run_id:
            continue
        site = site_of(urlsplit(rec["url"]).hostname or "")
        if site is not None:
            _count_site(sites.setdefault(site, _SiteOutcome()), rec)
        if rec.get("kind") == "robots":  # control files, not items
            continue
        if rec["decision"] == "deny":
            if rec["reason"] == "store_error":
                summary.store_errors += 1
            summary.excluded[f"{rec['gate']}/{rec['reason']}"] += 1
        elif rec["gate"] == "store":
            if rec["evidence"].get("new"):
                summary.stored += 1
                summary.licenses[rec["evidence"]["spdx"]] += 1
            else:
                summary.already_stored += 1
    summary.failed_sites = {site: why for site, outcome in sites.items()
                            if (why := outcome.failure()) is not None}
    return summary


def _count_site(outcome: _SiteOutcome, rec: dict[str, Any]) -> None:
    if rec.get("kind") == "robots" and rec["gate"] == "robots":
        if rec["reason"] == "robots_unreachable":
            outcome.robots_unreachable += 1
        else:
            outcome.robots_read = True
    elif rec["gate"] in _ANSWERED_GATES:
        outcome.answered += 1
    elif rec["gate"] == "download" and rec["decision"] == "deny":
        outcome.download_errors += 1
