"""Ledger retention: a run's ledger is kept as long as the items it explains.

A finished run's ledger (its run report is in the store and every file of it is indexed)
may go once no live stored version has a URL the run has lines about, and it is older
than the operator's ``keep`` period. A run still going or one that crashed (no report, or
a file without its index) is never removed here; neither is a store's legacy
``ledger.jsonl``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from crawler import ledger_index
from crawler.ledger_reader import LedgerFile, ledger_files
from crawler.run_report import report_path
from crawler.storage.base import Store


def _finished(store: Store, run_id: str, reports: set[str]) -> datetime | None:
    path = report_path(run_id)
    if path not in reports:
        return None
    finished = json.loads(store.read(path)).get("finished")
    return datetime.fromisoformat(finished) if finished else None


def removable(store: Store, entries: Iterable[dict[str, Any]], now: datetime,
              keep: timedelta) -> dict[str, list[LedgerFile]]:
    """The runs whose ledgers may be removed now, with their files."""
    live = {ledger_index.url_key(e["url"]) for e in entries}
    reports = set(store.list_files("runs"))
    runs: dict[str, list[LedgerFile]] = defaultdict(list)
    for file in ledger_files(store):
        if file.run_id:
            runs[file.run_id].append(file)
    chosen = {}
    for run_id, files in runs.items():
        if any(f.index is None for f in files):
            continue
        finished = _finished(store, run_id, reports)
        if finished is None or finished > now - keep:
            continue
        if any(ledger_index.keys(store.read(f.index)) & live for f in files if f.index):
            continue
        chosen[run_id] = files
    return chosen


def paths(files: Iterable[LedgerFile]) -> list[str]:
    return [p for f in files for p in (f.path, f.index) if p]
