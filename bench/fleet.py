"""Fleet benchmark: one worker against two on one Redis, with plain Scrapy in the same run.

A generated local site (``--pages`` licensed pages, served by the throughput benchmark's
server in a process of its own, rate limits lifted: ``requests_per_second: 1000``,
``concurrency`` as given, which a fleet shares) is crawled by

* **plain Scrapy**, one process (the throughput benchmark's run A);
* **1 worker**: ``crawler crawl --redis`` on a fresh ``redis-server`` (Debian's, on
  loopback), into a fresh local store;
* **2 workers**: two such processes started together, sharing the run.

Pages/s is the crawl's span as the run's merged report sees it (first to last request of
the site, over every worker), so start-up and the idle exit are left out; CPU per page is
the sum of the workers' CPU time from spider open to close (``fleet/cpu_seconds``). Each
run is checked: every page stored once, the report's work left 0. Targets: CPU per page
with 2 workers at most 1.15x one worker's (the coordination's cost), pages/s with 2 workers
at least 1.7x one's where the cores allow (this machine has ``os.cpu_count()`` cores, and
the site and Redis need some of them too).

    .venv/bin/python bench/fleet.py [--pages 2000] [--concurrency 16] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import throughput as tp  # the site server and the plain-Scrapy crawl

GOAL_CPU = 1.15
GOAL_SPEEDUP = 1.7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Redis:
    """A ``redis-server`` on loopback for one run, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def fleet(workers: int, server: tp.BenchServer, work: Path, concurrency: int) -> dict[str, Any]:
    """One run of ``workers`` processes; its figures."""
    policies, store = work / f"policies-{workers}", work / f"store-{workers}"
    tp.write_policy(policies, server, concurrency)
    store_redis = Redis()
    try:
        procs = [subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
             "--store", str(store), "--purpose", "research", "--allow-private-networks",
             "--contact", tp.BENCH_CONTACT, "--redis", store_redis.url, "--idle-exit", "1",
             "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", "LOG_LEVEL=WARNING"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(workers)]
        for proc in procs:
            _out, err = proc.communicate(timeout=tp.CRAWL_TIMEOUT)
            if proc.returncode != 0:
                raise SystemExit(f"a worker failed ({proc.returncode}): {err[-2000:]}")
    finally:
        store_redis.close()
    [merged] = [p for p in (store / "runs").glob("*.json")]
    report = json.loads(merged.read_text())
    stats = report["scrapy_stats"]
    stored = report["totals"]["stored_new"]
    tp._expect(f"{workers} worker(s)", "pages stored once", stored, server.pages)
    tp._expect(f"{workers} worker(s)", "work left", report["work_left"], 0)
    span = (stats["compliance/sites/bench/last_request"]
            - stats["compliance/sites/bench/first_request"])
    cpu = sum(json.loads((store / info["report"]).read_text())["scrapy_stats"]
              ["fleet/cpu_seconds"] for info in report["workers"].values())
    return {"pages_per_s": server.pages / span, "cpu_ms": 1000 * cpu / server.pages}


def plain(server: tp.BenchServer, work: Path, concurrency: int) -> dict[str, Any]:
    stats = tp.plain_in_child(__file__, server.url("/"), tp.HOST, concurrency,
                              work / "plain-stats.json")
    return {"pages_per_s": server.pages / stats["elapsed_time_seconds"],
            "cpu_ms": 1000 * stats["bench/cpu_seconds"] / server.pages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child-plain", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_plain:
        tp.child_plain(json.loads(args.child_plain))
        return 0
    runs: dict[str, list[dict[str, Any]]] = {"plain Scrapy": [], "1 worker": [],
                                             "2 workers": []}
    with tp.BenchServer(args.pages) as server:
        for round_ in range(args.repeat):  # interleaved, so drift hits all alike
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                runs["plain Scrapy"].append(plain(server, work, args.concurrency))
                runs["1 worker"].append(fleet(1, server, work, args.concurrency))
                runs["2 workers"].append(fleet(2, server, work, args.concurrency))
            print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr)

    def median(label: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[label])

    print(f"{args.pages} pages, concurrency {args.concurrency} (shared by the fleet), "
          f"{os.cpu_count()} cores, medians of {args.repeat}")
    print(f"{'':<14}{'pages/s':>10}{'CPU ms/page':>14}{'pages/s vs 1':>14}{'CPU vs 1':>10}"
          f"{'pages/s vs plain':>18}")
    one_rate, one_cpu = median("1 worker", "pages_per_s"), median("1 worker", "cpu_ms")
    plain_rate = median("plain Scrapy", "pages_per_s")
    for label in runs:
        rate, cpu = median(label, "pages_per_s"), median(label, "cpu_ms")
        print(f"{label:<14}{rate:>10.1f}{cpu:>14.2f}{rate / one_rate:>14.2f}"
              f"{cpu / one_cpu:>10.2f}{rate / plain_rate:>18.2f}")
    speedup = median("2 workers", "pages_per_s") / one_rate
    overhead = median("2 workers", "cpu_ms") / one_cpu
    print(f"2 workers: CPU per page {overhead:.2f}x one worker (goal <= {GOAL_CPU}), "
          f"pages/s {speedup:.2f}x (goal >= {GOAL_SPEEDUP} where the cores allow)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
