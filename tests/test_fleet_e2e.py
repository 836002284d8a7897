"""A fleet of real worker processes (``crawler crawl --redis``) on a real redis-server,
crawling a loopback site: the site's rate holds across the fleet, every page is stored
exactly once, a killed worker loses nothing, and an unreachable or lost Redis is said
and has its own exit status."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from conftest import CONTACT, REPO, linked_pages, run_cli, store_ledger, write_policy
from redisserver import RedisServer, start_redis
from s3server import new_bucket

from crawler import exit_status
from crawler.jsonl import read_jsonl
from crawler.ledger_reader import ledger_files as store_ledger_files
from crawler.ledger_reader import records
from crawler.storage.s3 import S3Store

PAGES = 40


def worker(policies: Path, store: Path | str, redis_url: str,
           *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
         "--store", str(store), "--purpose", "research", "--allow-private-networks",
         "--contact", CONTACT, "--redis", redis_url, "--idle-exit", "2", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        raise AssertionError(f"the worker did not finish: {err[-3000:]}") from None
    return proc.returncode, err


def fleet_site(serve, tmp_path: Path, site: str, rate: float, concurrency: int,
               pages: int = PAGES) -> tuple[Any, Path, Path, set[str]]:
    """A loopback site of linked pages with its policy: (server, policies, local store,
    the URLs of its pages)."""
    server = serve({site: linked_pages(pages)})
    policies = tmp_path / "policies"
    write_policy(policies, "site", site, [server.url(site, "/")],
                 rate={"requests_per_second": rate, "concurrency": concurrency})
    urls = {server.url(site, "/")} | {server.url(site, f"/p{i}.html") for i in range(pages)}
    return server, policies, tmp_path / "corpus", urls


def stored_once(store: Path, urls: set[str]) -> None:
    """Every URL stored, each by exactly one commit."""
    commits = Counter(e["url"] for e in read_jsonl(store / "manifest.jsonl")
                      if e.get("event", "commit") == "commit")
    assert set(commits) == urls, set(commits) ^ urls
    assert max(commits.values()) == 1, [u for u, n in commits.items() if n > 1]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window)
               for i, start in enumerate(times))


def test_three_workers_keep_the_sites_rate_and_store_each_page_once(
        serve, tmp_path: Path, redis_server: RedisServer) -> None:
    site = "127.0.0.120"
    server, policies, store, urls = fleet_site(serve, tmp_path, site, 4, 2)
    workers = [worker(policies, store, redis_server.url) for _ in range(3)]
    results = [finish(proc) for proc in workers]
    assert [code for code, _ in results] == [0, 0, 0], results[0][1][-3000:]

    hits = server.hits_for(site)
    times = [h.time for h in hits]
    assert max_in_window(times) <= 4 + 1
    assert (len(times) - 1) / (max(times) - min(times)) <= 4.4
    # the shared dupefilter: one fetch per page; the shared control files (robots.txt,
    # tdmrep.json, ai.txt, ...): one fetch per file for the fleet
    paths = Counter(h.path for h in hits)
    assert max(paths.values()) == 1, paths
    assert "/robots.txt" in paths and "/.well-known/tdmrep.json" in paths
    stored_once(store, urls)

    # three ledgers, one per worker, under one run; one merged report of three workers
    ledgers = list(store.glob("ledger/*/*.jsonl"))
    assert len({f.parent.name for f in ledgers}) == 1 and len(ledgers) == 3
    run_id = ledgers[0].parent.name
    report = json.loads((store / "runs" / f"{run_id}.json").read_text())
    assert len(report["workers"]) == 3
    assert all(w["left_in_order"] and w["exit_status"] == 0 for w in report["workers"].values())
    assert report["totals"]["stored_new"] == PAGES + 1
    assert report["sites"]["site"]["requests"] == len(hits)
    assert report["sites"]["site"]["observed_requests_per_second"] <= 4.4
    assert report["exit_status"] == 0 and report["work_left"] == 0
    assert not list(redis_server.client().scan_iter(match=f"crawler:run:{run_id}:*"))

    # tomorrow's run is a new run (not a no-op): every page is asked for again
    again = worker(policies, store, redis_server.url)
    code, err = finish(again)
    assert code == 0, err[-3000:]
    assert len(server.hits_for(site)) >= 2 * (PAGES + 1)
    assert len({f.parent.name for f in store.glob("ledger/*/*.jsonl")}) == 2
    revalidated = [r for r in store_ledger(store)
                   if r["gate"] == "store" and r["evidence"].get("revalidated")]
    assert len(revalidated) == PAGES + 1


def test_a_killed_worker_loses_nothing(serve, tmp_path: Path,
                                       redis_server: RedisServer) -> None:
    site = "127.0.0.121"
    server, policies, store, urls = fleet_site(serve, tmp_path, site, 20, 3)
    workers = [worker(policies, store, redis_server.url) for _ in range(3)]
    deadline = time.monotonic() + 60
    while len([h for h in server.hits_for(site) if h.path.startswith("/p")]) < 8:
        assert time.monotonic() < deadline, "the crawl did not get going"
        time.sleep(0.02)
    workers[0].send_signal(signal.SIGKILL)  # mid-crawl, requests in flight
    results = [finish(proc) for proc in workers[1:]]
    assert [code for code, _ in results] == [0, 0], results[0][1][-3000:]
    assert "went back to the queue" in "".join(err for _, err in results)
    stored_once(store, urls)
    [run] = {f.parent.name for f in store.glob("ledger/*/*.jsonl")}
    report = json.loads((store / "runs" / f"{run}.json").read_text())
    stopped = [w for w, info in report["workers"].items() if info.get("stopped")]
    assert len(stopped) == 1 and report["work_left"] == 0
    # a worker killed after a group's manifest lines and before their ledger lines leaves
    # those pages stored without a `store` line that says new (the others then find them
    # stored already): at most one group, and every other page counted once
    said_new = {(r["url"], r["evidence"]["sha256"]) for r in store_ledger(store)
                if r["gate"] == "store" and r["decision"] == "allow" and r["evidence"]["new"]}
    unsaid = [e for e in read_jsonl(store / "manifest.jsonl") if e.get("event") == "commit"
              and (e["url"], e["sha256"]) not in said_new]
    assert len(unsaid) <= 64
    assert report["totals"]["stored_new"] + len(unsaid) == PAGES + 1


def test_redis_unreachable_at_the_start_is_one_line_and_its_own_status(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    write_policy(policies, "site", "127.0.0.122", ["http://127.0.0.122:8000/"])
    proc = worker(policies, tmp_path / "corpus", "redis://127.0.0.1:1/0")
    code, err = finish(proc)
    assert code == exit_status.FLEET_UNAVAILABLE == 5
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("crawler: cannot reach Redis at "
                                                    "redis://127.0.0.1:1/0")


def test_redis_lost_mid_run_stops_the_worker_and_says_so(serve, tmp_path: Path) -> None:
    site = "127.0.0.123"
    server, policies, store, _urls = fleet_site(serve, tmp_path, site, 5, 1)
    own: RedisServer = start_redis()
    try:
        proc = worker(policies, store, own.url)
        deadline = time.monotonic() + 60
        while len(server.hits_for(site)) < 5:
            assert time.monotonic() < deadline, "the crawl did not get going"
            time.sleep(0.02)
    finally:
        own.stop()
    code, err = finish(proc)
    assert code == exit_status.FLEET_UNAVAILABLE, err[-3000:]
    assert "lost the fleet's Redis" in err
    assert "Traceback" not in err.split("lost the fleet's Redis")[-1]
    assert len(server.hits_for(site)) < PAGES  # it stopped, it did not go on alone


def test_two_workers_into_one_s3_store(serve, tmp_path: Path, redis_server: RedisServer,
                                       s3_endpoint: str, monkeypatch) -> None:
    """The S3 store, manifest, per-worker ledgers and the merged report stay right with
    two writers at once (moto_server on loopback)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    site = "127.0.0.125"
    pages = 20
    # 21 pages at 5 a second: the crawl lasts longer than a worker's start-up on a loaded
    # machine, so both workers write (at 20 a second, the first could finish it alone)
    server, policies, _local, urls = fleet_site(serve, tmp_path, site, 5, 2, pages)
    uri = f"s3://{new_bucket(s3_endpoint)}/corpus"
    workers = [worker(policies, uri, redis_server.url) for _ in range(2)]
    results = [finish(proc) for proc in workers]
    assert [code for code, _ in results] == [0, 0], results[0][1][-3000:]

    store = S3Store.from_uri(uri, mode="read")
    assert {e["url"] for e in store.entries()} == urls
    [run] = {f.run_id for f in store_ledger_files(store)}
    files = store_ledger_files(store, run)
    assert len(files) == 2 and all(f.index is not None for f in files)
    new = Counter(r["url"] for r in records(store, run)
                  if r["gate"] == "store" and r["evidence"].get("new"))
    assert set(new) == urls and max(new.values()) == 1
    report = json.loads(store.read(f"runs/{run}.json"))
    assert len(report["workers"]) == 2 and report["totals"]["stored_new"] == pages + 1
    assert explain_verdict(uri, server.url(site, "/p3.html")).startswith("verdict: stored")


def explain_verdict(store: str, url: str) -> str:
    proc = run_cli("explain", url, "--store", store)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]
