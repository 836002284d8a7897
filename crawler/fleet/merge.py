"""The run report of a fleet's run: each worker writes its own
(``runs/<run-id>/<worker>.json``); the last one out merges them into ``runs/<run-id>.json``,
the report every reader knows, counted from every worker's ledger lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crawler import ledger_reader, run_report
from crawler.ledger import run_folder
from crawler.policy.model import SitePolicy
from crawler.storage.base import Store, StoreError
from crawler.summary import tally

_EARLIEST = ("start_time", "first_request")
_LATEST = ("finish_time", "last_request")


def worker_report_path(run_id: str, worker: str) -> str:
    return f"runs/{run_id}/{worker}.json"


def merge_stats(stats: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Scrapy stats of several workers as one: counts added, the earliest start and
    first request, the latest finish and last request; other values kept when all
    workers agree, else listed."""
    merged: dict[str, Any] = {}
    for one in stats:
        for key, value in one.items():
            if key not in merged:
                merged[key] = value
            elif key.endswith(_EARLIEST):
                merged[key] = min(merged[key], value)
            elif key.endswith(_LATEST):
                merged[key] = max(merged[key], value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                merged[key] += value
            elif merged[key] != value:
                seen = merged[key] if isinstance(merged[key], list) else [merged[key]]
                merged[key] = sorted({*map(str, seen), str(value)})
    return merged


def merge(store: Store, run_id: str, *, workers: list[str], finished: set[str],
          work_left: int, purpose: str, contact: str, policies: Iterable[SitePolicy],
          site_of: Callable[[str], str | None]) -> dict[str, Any]:
    """The run's report from its workers' reports and ledger lines. A worker that left
    no report was stopped (SIGKILL, a lost machine): its requests went back to the
    queue for the others, so the run is complete unless ``work_left``."""
    reports: dict[str, dict[str, Any]] = {}
    for worker in workers:
        try:
            reports[worker] = json.loads(store.read(worker_report_path(run_id, worker)))
        except (StoreError, ValueError):
            continue  # stopped before it could write one
    summary = tally(ledger_reader.records(store, run_id), run_id, site_of, run_folder(run_id))
    summary.interrupted = work_left > 0
    summary.store_errors = sum(r["totals"]["store_errors"] for r in reports.values())
    report = run_report.build(summary, purpose=purpose, contact=contact, policies=policies,
                              stats=merge_stats(r["scrapy_stats"] for r in reports.values()),
                              ledger=run_folder(run_id))
    report["workers"] = {
        worker: ({"report": worker_report_path(run_id, worker),
                  "exit_status": reports[worker]["exit_status"],
                  "finish_reason": reports[worker]["finish_reason"]}
                 if worker in reports else {"report": None, "stopped": True})
        | {"left_in_order": worker in finished}
        for worker in workers}
    report["work_left"] = work_left
    return report
