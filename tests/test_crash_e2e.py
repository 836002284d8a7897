"""A real crawl killed outright (SIGKILL) at random points, twenty times over one store:
after each kill, no item folder lacks its sidecar, nothing is listed without both files,
and nothing the ledger reports stored is missing from the manifest."""

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

from crawler.jsonl import read_jsonl
from crawler.storage.base import manifest_view

SITE = "127.0.0.111"
KILLS = 20


def _check(store: Path) -> int:
    """The store's invariants; the number of versions listed."""
    for folder in (store / "items").rglob("*"):
        files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        if any(name.startswith("content.") for name in files):
            assert files == ["content.html", "content.html.license.json"], (folder, files)
            card = json.loads((folder / "content.html.license.json").read_text())
            assert hashlib.sha256((folder / "content.html").read_bytes()).hexdigest() == \
                card["sha256"]
    listed = manifest_view(read_jsonl(store / "manifest.jsonl"))
    for entry in listed:
        assert (store / entry["content"]).is_file() and (store / entry["sidecar"]).is_file()
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
