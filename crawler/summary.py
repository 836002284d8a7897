"""Run summary from the ledger: what was stored, what was excluded and why, licenses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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

    def lines(self) -> list[str]:
        out = [f"run {self.run_id}: stored {self.stored} new item(s), "
               f"{self.already_stored} unchanged, {sum(self.excluded.values())} excluded"]
        out += [f"  excluded  {reason:<28} {n}" for reason, n in self.excluded.most_common()]
        out += [f"  license   {spdx:<28} {n}" for spdx, n in self.licenses.most_common()]
        return out


def summarize(ledger: str | Path, run_id: str) -> RunSummary:
    summary = RunSummary(run_id, str(ledger))
    for rec in iter_jsonl(ledger):  # streamed: a ledger can be far larger than memory
        if rec["run_id"] != run_id or rec.get("kind") == "robots":  # control files, not items
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
    return summary

