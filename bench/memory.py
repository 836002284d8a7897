"""Peak memory of a crawl as the site grows: this crawler against plain Scrapy.

Crawls a generated site (the throughput benchmark's: licensed pages, five links each, on
127.0.0.50) of each ``--sizes`` with plain Scrapy (robots.txt obeyed, same link discovery)
and with this crawler (the CLI's own code path, durable store on), each in a fresh child
process, and prints each child's peak RSS. What matters is the growth from the smallest to
the largest site: the goal is that this crawler grows by at most plain Scrapy's growth
+ 20 MiB (nothing per item stays referenced once it is stored or dropped).

    .venv/bin/python bench/memory.py [--sizes 5000 50000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput as tp  # the site, its server and the two crawl children

GOAL_EXTRA_MIB = 20.0
TIMEOUT = 3600.0


def peak_rss(spec: dict[str, object]) -> tuple[float, float]:
    """Run one crawl child; its peak resident set (MiB) and wall time (s)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, tp.__file__, "--child", json.dumps(spec)],
                            cwd=tp.REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    usage = tp.wait_measured(proc, TIMEOUT)
    if usage is None:
        raise SystemExit(f"{spec['mode']} crawl took longer than {TIMEOUT:.0f} s")
    if proc.returncode != 0:
        raise SystemExit(f"{spec['mode']} crawl failed (exit {proc.returncode}):\n"
                         f"{proc.stderr.read().decode()[-3000:]}")
    return usage.ru_maxrss / 1024, time.monotonic() - started  # ru_maxrss: KiB on Linux


def measure(size: int, concurrency: int, workdir: Path) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    with tp.BenchServer(size) as server:
        base = {"concurrency": concurrency, "cprofile_out": None}
        out["plain"] = peak_rss({**base, "mode": "plain", "urls": [server.url("/")],
                                 "hosts": [tp.HOST],
                                 "stats_file": str(workdir / f"plain-{size}.json")})
        policies, store = workdir / f"policies-{size}", workdir / f"store-{size}"
        tp.write_policy(policies, server, concurrency)
        out["framework"] = peak_rss({**base, "mode": "framework", "policies": str(policies),
                                     "store": str(store), "fsync": True, "settings": {},
                                     "stats_file": str(workdir / f"framework-{size}.json")})
        stats = json.loads((workdir / f"framework-{size}.json").read_text())
        if stats.get("item_scraped_count") != size:
            raise SystemExit(f"framework stored {stats.get('item_scraped_count')} of {size}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        results = {}
        for size in sizes:
            print(f"crawling {size} pages with plain Scrapy and with this crawler ...",
                  flush=True)
            results[size] = measure(size, args.concurrency, Path(tmp))
    print(f"\n{'pages':>8} {'plain Scrapy':>14} {'this crawler':>14} {'ratio':>7}")
    for size in sizes:
        (plain, plain_s), (ours, ours_s) = results[size]["plain"], results[size]["framework"]
        print(f"{size:>8} {plain:>10.1f} MiB {ours:>10.1f} MiB {ours / plain:>7.2f}"
              f"   ({plain_s:.0f} s / {ours_s:.0f} s)")
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        plain_growth = results[high]["plain"][0] - results[low]["plain"][0]
        ours_growth = results[high]["framework"][0] - results[low]["framework"][0]
        verdict = "met" if ours_growth <= plain_growth + GOAL_EXTRA_MIB else "NOT met"
        print(f"\ngrowth {low} -> {high} pages: plain Scrapy {plain_growth:+.1f} MiB, "
              f"this crawler {ours_growth:+.1f} MiB (goal: at most plain + "
              f"{GOAL_EXTRA_MIB:.0f} MiB: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
