"""Audit ledger: one JSON line per decision, allowed or not, for every URL the crawl met."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.gates.decision import Decision
from crawler.jsonl import AppendLog, utcnow

#: format version of a ledger line (``"v"``), raised when a field changes meaning
LEDGER_VERSION = 1


def default_ledger_path(store_root: str) -> Path:
    """``<store>/ledger.jsonl`` for a local store; for a remote one, ``./ledger.jsonl``."""
    return Path("ledger.jsonl") if "://" in store_root else Path(store_root) / "ledger.jsonl"


class Ledger:
    def __init__(self, path: str | Path, run_id: str):
        self.run_id = run_id
        self._log = AppendLog(path)
        self.path = self._log.path

    def record(self, url: str, decision: Decision, **context: Any) -> dict[str, Any]:
        entry = {"v": LEDGER_VERSION, "time": utcnow(), "run_id": self.run_id, "url": url,
                 **decision.as_record(), **context}
        self._log.append(entry)
        return entry

    def close(self) -> None:
        self._log.close()
