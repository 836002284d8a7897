"""``recrawl_every`` in policies and ``crawler crawl --due``: one scheduler entry serves
sites on different schedules, judged from the run reports in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CONTACT, page, run_cli, write_policy

from crawler.policy.loader import PolicyError, load_policies
from crawler.schedule import due, last_success, parse_period

WEEKLY = "127.0.0.73"
ALWAYS = "127.0.0.72"


def test_periods() -> None:
    assert parse_period("12h") == timedelta(hours=12)
    assert parse_period("7d") == timedelta(days=7)
    assert parse_period("2w") == timedelta(weeks=2)
    for bad in ("", "7", "0d", "7m", "1.5d", "-1d", "7 d"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_a_bad_period_is_a_policy_error(tmp_path: Path) -> None:
    write_policy(tmp_path, "site", "example.org", ["https://example.org/"],
                 recrawl_every="7 days")
    with pytest.raises(PolicyError, match="recrawl_every"):
        load_policies(tmp_path)


def test_last_success_skips_interrupted_runs_and_failed_sites() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    reports = [
        {"finished": t0.isoformat(), "sites": {"a": {"failed": None}, "b": {"failed": None}}},
        {"finished": (t0 + timedelta(days=2)).isoformat(),
         "sites": {"a": {"failed": "robots.txt unreachable for the whole run"}}},
        {"finished": (t0 + timedelta(days=3)).isoformat(), "interrupted": True,
         "sites": {"b": {"failed": None}}},
    ]
    assert last_success(reports) == {"a": t0, "b": t0}


def _crawl_due(policies: Path, store: Path):
    return run_cli("crawl", "--policies", str(policies), "--store", str(store),
                   "--purpose", "research", "--allow-private-networks", "--contact", CONTACT,
                   "--due")


def test_due_crawls_only_the_sites_whose_period_has_passed(serve, tmp_path: Path) -> None:
    server = serve({WEEKLY: {"/": page("weekly")}, ALWAYS: {"/": page("always")}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "weekly", WEEKLY, [server.url(WEEKLY, "/")], recrawl_every="7d")
    write_policy(policies, "always", ALWAYS, [server.url(ALWAYS, "/")])

    first = _crawl_due(policies, store)  # no store yet: both are due
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(server.hits_for(WEEKLY)) > 0 and len(server.hits_for(ALWAYS)) > 0

    weekly_hits = len(server.hits_for(WEEKLY))
    second = _crawl_due(policies, store)  # at once: the weekly site is not due, the other is
    assert second.returncode == 0, second.stderr[-2000:]
    assert "not due yet: weekly" in second.stdout
    assert len(server.hits_for(WEEKLY)) == weekly_hits

    # the weekly site's last successful run ended eight days ago: due again
    for path in (store / "runs").glob("*.json"):
        report = json.loads(path.read_text())
        report["finished"] = (datetime.now(UTC) - timedelta(days=8)).isoformat()
        path.write_text(json.dumps(report))
    third = _crawl_due(policies, store)
    assert third.returncode == 0, third.stderr[-2000:]
    assert len(server.hits_for(WEEKLY)) > weekly_hits

    policies_all = load_policies(policies, allow_private=True)
    assert due(policies_all, [], datetime.now(UTC)) == ["always", "weekly"]
