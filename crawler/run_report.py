"""The run report: one JSON document per run, ``runs/<run-id>.json`` in the store, for
schedulers and people. It is built from the run's ledger lines (through
:class:`crawler.summary.RunSummary`) and Scrapy's own stats, which it carries whole, so
no count is kept twice by hand."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from crawler.policy.model import SitePolicy
from crawler.summary import RunSummary

REPORT_VERSION = 1
#: Scrapy stats keys of one site's requests (the download handler counts them)
SITE_STATS = "compliance/sites/{site}/{what}"


def report_path(run_id: str) -> str:
    return f"runs/{run_id}.json"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _site(name: str, summary: RunSummary, stats: Mapping[str, Any]) -> dict[str, Any]:
    counts = summary.sites.get(name)
    requests = stats.get(SITE_STATS.format(site=name, what="requests"), 0)
    first = stats.get(SITE_STATS.format(site=name, what="first_request"))
    last = stats.get(SITE_STATS.format(site=name, what="last_request"))
    rate = (requests - 1) / (last - first) if requests > 1 and last > first else None
    return {
        "requests": requests,
        "observed_requests_per_second": round(rate, 3) if rate is not None else None,
        "fetched": counts.answered if counts else 0,
        "stored_new": counts.stored if counts else 0,
        "unchanged": counts.unchanged if counts else 0,
        "revalidated": counts.revalidated if counts else 0,
        "withdrawn": dict(counts.withdrawn) if counts else {},
        "dropped": dict(sorted(counts.dropped.items())) if counts else {},
        "errors": counts.download_errors if counts else 0,
        "failed": summary.failed_sites.get(name),
        # the terms page found changed since the review: {expected, found, url}, or null
        "terms_changed": counts.terms_changed if counts else None,
    }


def build(summary: RunSummary, *, purpose: str, contact: str,
          policies: Iterable[SitePolicy], stats: Mapping[str, Any],
          resumed_from: str | None = None, ledger: str = "") -> dict[str, Any]:
    """The report of a finished (or interrupted) run; ``resumed_from``: the run it
    continued (``crawler crawl --resume``); ``ledger``: its ledger file in the store."""
    policies = list(policies)
    return {
        "v": REPORT_VERSION,
        "run_id": summary.run_id,
        "started": _plain(stats.get("start_time")),
        "finished": _plain(stats.get("finish_time")),
        "finish_reason": stats.get("finish_reason"),
        "interrupted": summary.interrupted,
        "resumed_from": resumed_from,
        "purpose": purpose,
        "operator": {"contact": contact},
        "ledger": ledger,
        "policies": {p.name: {"version": p.version, "sha256": p.sha256} for p in policies},
        "sites": {p.name: _site(p.name, summary, stats) for p in policies},
        "totals": {"stored_new": summary.stored, "unchanged": summary.already_stored,
                   "revalidated": summary.revalidated,
                   "store_errors": summary.store_errors,
                   "excluded": dict(sorted(summary.excluded.items())),
                   "licenses": dict(sorted(summary.licenses.items())),
                   "failed_sites": sorted(summary.failed_sites)},
        "exit_status": summary.exit_status,
        "scrapy_stats": {key: _plain(value) for key, value in sorted(stats.items())},
    }


def encode(report: Mapping[str, Any]) -> bytes:
    return (json.dumps(report, indent=1, sort_keys=False, default=str) + "\n").encode()
