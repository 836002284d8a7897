"""Run summary from the ledger: what was stored, what was excluded and why, licenses, and
which sites failed (their robots.txt was never read in the run, or nothing they were asked
for was answered)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler import exit_status
from crawler.gates import terms as terms_gate
from crawler.jsonl import iter_jsonl

#: a site whose requests the terms gate refused failed, and why
TERMS_STOPS = {terms_gate.CHANGED: "terms changed since the review",
               terms_gate.UNREADABLE: "terms page unreadable"}


@dataclass
class RunSummary:
    run_id: str
    ledger: str = ""
    stored: int = 0
    already_stored: int = 0
    revalidated: int = 0  # of the unchanged: answered 304 to a conditional request
    store_errors: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    licenses: Counter[str] = field(default_factory=Counter)
    #: site (policy name) -> why it failed in this run
    failed_sites: dict[str, str] = field(default_factory=dict)
    #: the run was stopped (SIGTERM, SIGINT) before it finished
    interrupted: bool = False

    #: per site (policy name): what happened to it in this run
    sites: dict[str, SiteCounts] = field(default_factory=dict)
    #: where the run report was written (a path or URI), once it is
    report: str | None = None
    #: why this worker lost the fleet's Redis during the run (``--redis``), if it did
    fleet_lost: str | None = None

    @property
    def exit_status(self) -> int:
        """A worker that lost its fleet, a stopped run (it did not finish), then lost items,
        then failed sites."""
        if self.fleet_lost:
            return exit_status.FLEET_UNAVAILABLE
        if self.interrupted:
            return exit_status.INTERRUPTED
        if self.store_errors:
            return exit_status.STORE_FAILURES
        if self.failed_sites:
            return exit_status.SITES_FAILED
        return exit_status.OK

    def lines(self) -> list[str]:
        out = [f"run {self.run_id}: stored {self.stored} new item(s), "
               f"{self.already_stored} unchanged ({self.revalidated} revalidated), "
               f"{sum(self.excluded.values())} excluded"
               + (" (interrupted)" if self.interrupted else "")]
        out += [f"  excluded  {reason:<28} {n}" for reason, n in self.excluded.most_common()]
        out += [f"  license   {spdx:<28} {n}" for spdx, n in self.licenses.most_common()]
        out += [f"  failed    {site:<28} {why}" for site, why in sorted(self.failed_sites.items())]
        if self.report:
            out.append(f"  report    {self.report}")
        return out


@dataclass
class SiteCounts:
    """One site's run, from the ledger."""

    robots_read: bool = False  # robots.txt parsed or unavailable (4xx) at least once
    robots_unreachable: int = 0
    answered: int = 0  # responses that reached the item gates
    stored: int = 0
    unchanged: int = 0
    revalidated: int = 0
    withdrawn: Counter[str] = field(default_factory=Counter)  # by reason
    dropped: Counter[str] = field(default_factory=Counter)  # gate/reason of every refusal
    download_errors: int = 0
    #: the terms page found changed since the review: {expected, found, url} (last seen)
    terms_changed: dict[str, Any] | None = None
    #: why the site's requests were refused for its terms page (terms/terms_* lines), if so
    terms_stopped: str | None = None

    def failure(self) -> str | None:
        if self.robots_unreachable and not self.robots_read:
            return "robots.txt unreachable for the whole run"
        if self.terms_stopped:
            return self.terms_stopped
        if self.download_errors and not self.answered:
            return "no request was answered"
        return None

    def _terms(self, rec: dict[str, Any]) -> None:
        evidence = rec.get("evidence") or {}
        if rec["reason"] == terms_gate.CHANGED:
            self.terms_changed = {key: evidence.get(key) for key in ("expected", "found", "url")}
        if rec["decision"] == "deny" and rec["reason"] in TERMS_STOPS:
            self.terms_stopped = TERMS_STOPS[rec["reason"]] + f" ({evidence.get('url')})"

    def count(self, rec: dict[str, Any]) -> None:
        if rec["gate"] == terms_gate.GATE:
            self._terms(rec)
        if rec.get("kind") == "robots" and rec["gate"] == "robots":
            if rec["reason"] == "robots_unreachable":
                self.robots_unreachable += 1
            else:
                self.robots_read = True
            return
        if rec["gate"] == "retention":
            self.withdrawn[rec["reason"]] += 1
            return
        # an item's first item-gate line: content (only when it refuses), else optout
        self.answered += rec["gate"] == "content" or (
            rec["gate"] == "optout" and rec.get("kind") in ("page", "image")
            and rec.get("evidence", {}).get("requested", True))
        if rec["decision"] == "deny":
            self.dropped[f"{rec['gate']}/{rec['reason']}"] += 1
            self.download_errors += rec["gate"] == "download"
        elif rec["gate"] == "store":
            if rec["evidence"].get("new"):
                self.stored += 1
            else:
                self.unchanged += 1
                self.revalidated += bool(rec["evidence"].get("revalidated"))




def summarize(ledger: str | Path, run_id: str,
              site_of: Callable[[str], str | None] = lambda _host: None) -> RunSummary:
    """``site_of``: the site (policy name) of a host, for the failed sites."""
    # streamed: a ledger can be far larger than memory
    return tally(iter_jsonl(ledger), run_id, site_of, str(ledger))


def tally(records: Iterable[dict[str, Any]], run_id: str,
          site_of: Callable[[str], str | None] = lambda _host: None,
          ledger: str = "") -> RunSummary:
    """The summary of ``run_id`` from ledger lines (one writer's, or a fleet's)."""
    summary = RunSummary(run_id, ledger)
    for rec in records:
        if rec["run_id"] != run_id:
            continue
        site = site_of(urlsplit(rec["url"]).hostname or "")
        if site is not None:
            summary.sites.setdefault(site, SiteCounts()).count(rec)
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
                summary.revalidated += bool(rec["evidence"].get("revalidated"))
    summary.failed_sites = {site: why for site, counts in summary.sites.items()
                            if (why := counts.failure()) is not None}
    return summary
