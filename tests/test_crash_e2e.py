"""A real crawl killed outright (SIGKILL) at random points, twenty times over one store:
after each kill, every listed version reads back whole (content, and a sidecar that agrees
with it), and nothing the ledger reports stored is missing from the manifest."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import CONTACT, REPO, linked_pages, store_ledger, write_policy

from crawler.storage.base import READ
from crawler.storage.local import LocalStore

SITE = "127.0.0.111"
KILLS = 20


def _check(store: Path) -> int:
    """The store's invariants; the number of versions listed."""
    reader = LocalStore(store, mode=READ)
    listed = reader.entries()
    for entry in listed:  # each listed version whole: content, and a sidecar that agrees
        card = json.loads(reader.read(entry["sidecar"]))
        assert hashlib.sha256(reader.read(entry["content"])).hexdigest() == card["sha256"] \
            == entry["sha256"]
    reader.close()
    stored = {(r["url"], r["evidence"]["sha256"]) for r in store_ledger(store)
              if r["gate"] == "store" and r["decision"] == "allow"}
    assert stored <= {(e["url"], e["sha256"]) for e in listed}
    return len(listed)


def test_sigkill_at_random_points_never_breaks_the_store(serve, tmp_path: Path) -> None:
    server = serve({SITE: linked_pages(150)})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 200, "concurrency": 8})
    rng = random.Random(20261201)
    listed = []
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
             "--store", str(store), "--purpose", "research", "--allow-private-networks",
             "--contact", CONTACT], cwd=REPO, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not list(store.glob("ledger/*/*.jsonl")) or len(
                list(store.glob("ledger/*/*.jsonl"))) <= kill:
            assert time.monotonic() < deadline and proc.poll() is None, "the crawl did not start"
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 2.0))  # somewhere in the crawl: fetching, committing
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        listed.append(_check(store))
    assert listed == sorted(listed)  # each run kept what the ones before committed
    # and a run left to finish completes the store from whatever the kills left
    finished = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
         "--store", str(store), "--purpose", "research", "--allow-private-networks",
         "--contact", CONTACT], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert _check(store) == 151
