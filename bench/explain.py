"""``crawler explain URL`` on a store with three large run ledgers: through the indexes
against reading every ledger line (the way it worked when the ledger was one file).

Three runs of ``--lines`` ledger lines each (six lines per URL, as a crawl writes for a
stored page) are written with the crawl's own :class:`~crawler.ledger.Ledger` into a local
store and, with ``--s3``, into a real ``moto_server`` on loopback; then one URL is looked
up ``--lookups`` times both ways. Printed: time and bytes read per lookup, and the ratio.

Run: ``.venv/bin/python bench/explain.py [--lines 300000] [--s3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.ledger_reader import find, records
from crawler.storage.base import Store
from crawler.storage.local import LocalStore

GATES = ("allowlist", "robots", "optout", "license", "store", "download")


def fill(store: Store, lines: int) -> None:
    for run in ("run-1", "run-2", "run-3"):
        started = time.perf_counter()
        ledger = Ledger(store, run)
        for i in range(lines):
            ledger.record(f"https://site.example/articles/{i // len(GATES)}.html",
                          Decision.allow(GATES[i % len(GATES)], "allowed on every count"),
                          purpose="research", kind="page", policy="site")
        ledger.close()
        print(f"  wrote {run}: {lines} lines in {time.perf_counter() - started:.1f} s")


def timed(lookup: Callable[[], tuple[int, int]], times: int) -> tuple[float, int, int]:
    """Median seconds, lines found, bytes read of ``times`` lookups."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        found, read = lookup()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent), found, read


def measure(name: str, store: Store, lines: int, lookups: int) -> None:
    print(f"{name}: 3 runs x {lines} ledger lines")
    fill(store, lines)
    url = f"https://site.example/articles/{lines // len(GATES) // 2}.html"

    def indexed() -> tuple[int, int]:
        found, reads = find(store, url)
        return len(found), reads.bytes_read

    def scanned() -> tuple[int, int]:
        found = [r for r in records(store) if r["url"] == url]
        total = sum(len(store.read(f)) for f in store.list_files("ledger", recursive=True)
                    if f.endswith(".jsonl"))
        return len(found), total

    fast, found_fast, read_fast = timed(indexed, lookups)
    slow, found_slow, read_slow = timed(scanned, max(1, lookups // 10))
    assert found_fast == found_slow == 3 * len(GATES), (found_fast, found_slow)
    print(f"  explain through the indexes: {fast * 1000:8.2f} ms, {read_fast:>12,} bytes read")
    print(f"  every line read (baseline):  {slow * 1000:8.2f} ms, {read_slow:>12,} bytes read")
    print(f"  ratio: {slow / fast:,.0f}x faster, {read_slow / read_fast:,.0f}x fewer bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--s3", action="store_true", help="also on a moto_server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("local store", LocalStore(Path(folder) / "store", fsync=False), args.lines,
                args.lookups)
    if args.s3:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        import s3server

        from crawler.storage.s3 import S3Store

        os.environ.update(s3server.DUMMY_ENV)
        with tempfile.TemporaryDirectory() as folder:
            server = s3server.MotoServer(Path(folder) / "moto.log")
            endpoint = server.start()
            try:
                bucket = s3server.new_bucket(endpoint)
                measure("S3 (moto_server)", S3Store.from_uri(f"s3://{bucket}/bench",
                                                             endpoint_url=endpoint),
                        args.lines // 10, args.lookups)
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
