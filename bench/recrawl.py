"""Recrawl benchmark: the second crawl of an unchanged site against the first.

A generated site of ``--pages`` licensed pages (those of ``bench/throughput.py``) is served
by the project's loopback server, which sends an ETag with every page and answers 304 to a
conditional request for an unchanged one, as a static file server does. It is crawled
twice into one store with ``crawler crawl``; then twice with plain Scrapy (no store, so it
downloads everything each time), the baseline. Printed per crawl: Scrapy's
``downloader/response_bytes`` and ``elapsed_time_seconds``, and the ratio second/first.
Each crawl is checked: the framework must store every page the first time and revalidate
every page (304) the second.

Run: ``.venv/bin/python bench/recrawl.py [--pages 2000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput as tp  # the site and the plain-Scrapy crawl of the throughput benchmark

from crawler.demo.server import Route, SiteServer

HOST = "127.0.0.1"
CONCURRENCY = 16


def site(pages: int) -> dict[str, Route]:
    rng = random.Random(2026)
    paragraphs = tp._paragraphs(rng, False)
    routes = {tp.page_path(i): Route(tp.render_page(i, pages, paragraphs, rng))
              for i in range(pages)}
    routes["/robots.txt"] = Route(tp.ROBOTS_TXT, content_type="text/plain")
    return routes


def framework(policies: Path, store: Path) -> dict[str, Any]:
    """One ``crawler crawl``; its run report's Scrapy stats."""
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies), "--store",
         str(store), "--purpose", "research", "--allow-private-networks", "--contact",
         tp.BENCH_CONTACT, "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    newest = max((store / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    report = json.loads(newest.read_text())
    return {**report["scrapy_stats"], "totals": report["totals"]}


def plain(url: str, stats_file: Path) -> dict[str, Any]:
    return tp.plain_in_child(__file__, url, HOST, CONCURRENCY, stats_file)


def line(label: str, first: dict[str, Any], second: dict[str, Any]) -> None:
    b1, b2 = first["downloader/response_bytes"], second["downloader/response_bytes"]
    t1, t2 = first["elapsed_time_seconds"], second["elapsed_time_seconds"]
    print(f"{label:<14} first {b1:>12,} B {t1:7.2f} s   second {b2:>12,} B {t2:7.2f} s   "
          f"ratio bytes {b2 / b1:.3f}, time {t2 / t1:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--child-plain", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_plain:
        tp.child_plain(json.loads(args.child_plain))
        return 0
    with tempfile.TemporaryDirectory() as folder, SiteServer({HOST: site(args.pages)}) as server:
        work = Path(folder)
        policy = {"name": "bench", "hosts": [HOST],
                  "tos": {"url": server.url(HOST, "/terms"), "reviewed": "2026-11-01",
                          "reviewer": "Bench", "crawling": "allowed", "ai_training": "allowed"},
                  "purposes": ["research"], "start_urls": [server.url(HOST, "/")],
                  "ports": [server.port],
                  "rate": {"requests_per_second": 1000, "concurrency": CONCURRENCY},
                  "licenses": {"accept": {"research": ["CC-BY-4.0"]}}, "retention_days": 30}
        (work / "policies").mkdir()
        (work / "policies" / "bench.yaml").write_text(yaml.safe_dump(policy))
        print(f"recrawl of an unchanged site of {args.pages} pages (2 cores, concurrency "
              f"{CONCURRENCY})")
        first = framework(work / "policies", work / "store")
        second = framework(work / "policies", work / "store")
        assert first["totals"]["stored_new"] == args.pages, first["totals"]
        assert second["totals"]["revalidated"] == args.pages, second["totals"]
        line("framework", first, second)
        url = server.url(HOST, "/")
        line("plain Scrapy", plain(url, work / "a.json"), plain(url, work / "b.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
