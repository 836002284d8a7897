"""Exit statuses a scheduler can act on (real crawls of real local servers): 0 success,
2 bad configuration, 3 finished but some sites failed, 4 interrupted (after a graceful
flush that leaves the store consistent)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import (
    CONTACT,
    REPO,
    crawl,
    image,
    is_stored,
    linked_pages,
    page,
    refused_crawl,
    store_ledger,
    stored_bytes,
    write_policy,
)

from crawler.jsonl import read_jsonl
from crawler.storage.base import manifest_view

UP = "127.0.0.79"
DOWN = "127.0.0.78"  # nothing listens there


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def test_a_site_that_is_down_makes_the_run_exit_3(serve, tmp_path: Path) -> None:
    server = serve({UP: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "up", UP, [server.url(UP, "/")])
    down_url = f"http://{DOWN}:{_free_port(DOWN)}/"
    write_policy(policies, "down", DOWN, [down_url])
    result = crawl(policies, tmp_path / "corpus", "research", "RETRY_ENABLED=False",
                   expect=3)
    assert result.stored_urls() == {server.url(UP, "/")}  # the rest of the run went on
    assert "failed    down" in result.stdout and "robots.txt unreachable" in result.stdout
    assert "1 site(s) failed: down" in result.stderr

    # every site down: 3 as well; the same crawl with the site up: 0
    (policies / "up.yaml").unlink()
    crawl(policies, tmp_path / "corpus", "research", "RETRY_ENABLED=False", expect=3)
    (policies / "down.yaml").unlink()
    write_policy(policies, "up", UP, [server.url(UP, "/")])
    assert crawl(policies, tmp_path / "corpus").returncode == 0


def test_bad_settings_exit_2_with_one_line(serve, tmp_path: Path) -> None:
    server = serve({UP: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "up", UP, [server.url(UP, "/")])
    assert refused_crawl(policies, tmp_path / "corpus", "--contact", CONTACT,
                         "-s", "CONCURRENT_REQUESTS=many") == (
        "crawler: the crawl could not start: invalid literal for int() with base 10: 'many' "
        "(check the settings given with -s)")
    assert server.hits == []


def test_sigterm_stops_gracefully_with_exit_4(serve, tmp_path: Path) -> None:
    server = serve({UP: linked_pages(40)})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "up", UP, [server.url(UP, "/")],
                 rate={"requests_per_second": 5, "concurrency": 1})
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
             "--store", str(store), "--purpose", "research", "--allow-private-networks",
             "--contact", CONTACT], cwd=REPO, stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        while len(server.hits) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=60)
    assert returncode == 4, (tmp_path / "err").read_text()[-3000:]
    assert "(interrupted)" in (tmp_path / "out").read_text()
    assert len(server.hits) < 3 + 1 + 40  # it stopped before the end (40 pages)

    # the store is consistent: everything listed has both files, and the stored pages are
    # the ones the ledger says were stored
    entries = manifest_view(read_jsonl(store / "manifest.jsonl"))
    assert entries
    for entry in entries:
        assert is_stored(store, entry["content"]) and is_stored(store, entry["sidecar"])
    stored = {r["url"] for r in store_ledger(store)
              if r["gate"] == "store" and r["decision"] == "allow"}
    assert {e["url"] for e in entries} == stored


def test_scrapy_crawl_has_the_same_exit_statuses(serve, tmp_path: Path) -> None:
    """``scrapy crawl corpus`` (the project's command): a mistake is one line and 2, a
    run with a failed site exits 3, like ``crawler crawl``."""
    server = serve({UP: {"/": page("home")}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "up", UP, [server.url(UP, "/")])

    def scrapy_crawl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "corpus", "-a", f"policies={policies}",
             "-a", f"store={store}", "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True", *args],
            cwd=REPO, capture_output=True, text=True, timeout=120)

    proc = scrapy_crawl("-a", "purpose=research")  # no contact
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "scrapy crawl: the operator's contact is required")
    proc = scrapy_crawl("-a", "purpose=research", "-a", f"contact={CONTACT}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(manifest_view(read_jsonl(store / "manifest.jsonl"))) == 1
    write_policy(policies, "down", DOWN, [f"http://{DOWN}:{server.port}/"])
    proc = scrapy_crawl("-a", "purpose=research", "-a", f"contact={CONTACT}")
    assert proc.returncode == 3, proc.stderr[-2000:]


def test_scrapy_feed_exports_take_the_corpus_items(serve, tmp_path: Path) -> None:
    """``scrapy crawl corpus -O items.jsonl``: text bodies as strings, an image's as null
    with where the store keeps it."""
    server = serve({UP: {"/": page("moss grows north", images=("/a.png",)), "/a.png": image()}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "up", UP, [server.url(UP, "/")],
                 licenses={"images_share_page_license": True})
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "corpus", "-a", f"policies={policies}",
         "-a", f"store={store}", "-a", "purpose=research", "-a", f"contact={CONTACT}",
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True", "-O", str(tmp_path / "items.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    items = {r["kind"]: r for r in read_jsonl(tmp_path / "items.jsonl")}
    assert set(items) == {"page", "image"}
    assert "moss grows north" in items["page"]["body"]
    assert items["image"]["body"] is None
    stored = items["image"]["stored"]
    assert stored_bytes(Path(stored["store"]), stored["content"])[:4] == b"\x89PNG"
    assert items["page"]["license"]["spdx"] == "CC-BY-4.0"
