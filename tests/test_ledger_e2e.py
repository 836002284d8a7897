"""The ledger in the store, per run: found by ``explain`` through the indexes across runs,
uploaded to S3 during a run, and kept as long as the items it explains (real crawls of
a real local server; a real moto_server)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conftest import CONTACT, REPO, crawl, ledger_files, linked_pages, page, run_cli, write_policy
from s3server import new_bucket

from crawler.demo.server import Route
from crawler.ledger import SPOOL_FILE, SPOOL_PREFIX, SPOOL_TARGET, Ledger, recover_spools
from crawler.ledger_reader import find
from crawler.ledger_reader import ledger_files as store_ledger_files
from crawler.storage.base import StoreError
from crawler.storage.local import LocalStore
from crawler.storage.s3 import S3Store
from crawler.workdirs import STALE_AFTER

SITE, OTHER = "127.0.0.100", "127.0.0.101"


def test_explain_finds_a_url_across_three_runs_through_the_indexes(serve,
                                                                   tmp_path: Path) -> None:
    server = serve({SITE: linked_pages(80)})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    for _ in range(3):
        crawl(policies, store)
    files = ledger_files(store)
    assert len(files) == 3 and all(f.with_suffix(".idx").is_file() for f in files)
    total = sum(f.stat().st_size for f in files)
    proc = run_cli("explain", server.url(SITE, "/p7.html"), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    *lines, verdict = proc.stdout.splitlines()
    assert verdict.startswith("verdict: stored (for research), because its license CC-BY-4.0")
    assert len({line.split()[2] for line in lines}) == 3  # three runs
    store_lines = [line for line in lines if line.split()[3] == "store"]
    assert ["Stored" in line for line in store_lines] == [True, False, False]
    read = int(re.search(r"read (\d+) bytes", proc.stderr).group(1))
    assert "3 file(s) through their index, 0 read whole" in proc.stderr
    assert read * 20 < total, (read, total)  # measured: 14 KB of 645 KB


def test_the_ledger_reaches_s3_during_the_run(serve, tmp_path: Path, s3_endpoint: str,
                                              monkeypatch) -> None:
    """A crawl killed outright leaves the lines of its last upload in the bucket,
    readable (without an index) by explain."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    server = serve({SITE: linked_pages(40)})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 4, "concurrency": 1})
    uri = f"s3://{new_bucket(s3_endpoint)}/corpus"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies), "--store",
         uri, "--purpose", "research", "--allow-private-networks", "--contact", CONTACT,
         "-s", "COMPLIANCE_LEDGER_UPLOAD_INTERVAL=0.5"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            store = S3Store.from_uri(uri, mode="read")
        except StoreError:
            continue  # not created yet
        files = store_ledger_files(store)
        if files and b'"gate":"store"' in store.read(files[0].path):
            break  # an item's lines have been uploaded
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    [file] = store_ledger_files(store)
    assert file.index is None  # the writer never finished
    explained = run_cli("explain", server.url(SITE, "/"), "--store", uri)
    assert explained.returncode == 0, explained.stderr
    assert "Stored" in explained.stdout and "1 read whole" in explained.stderr


def test_ledger_retention_keeps_the_runs_that_explain_stored_items(serve,
                                                                   tmp_path: Path) -> None:
    gone = {"headers": {}}
    server = serve({SITE: {"/": page("kept")},
                    OTHER: {"/": lambda: Route(page("gone").body, headers=gone["headers"])}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    write_policy(policies, "other", OTHER, [server.url(OTHER, "/")])
    crawl(policies, store)  # run A: both stored
    gone["headers"] = {"X-Robots-Tag": "noai"}
    crawl(policies, store, "research", "COMPLIANCE_SITES=other")  # run B: withdraws OTHER's
    run_a, run_b = (f.parent.name for f in ledger_files(store))
    crashed = store / "ledger" / "crashed" / "w.jsonl"  # a run with no report, no index
    crashed.parent.mkdir()
    crashed.write_text('{"url": "http://x.test/", "run_id": "crashed"}\n')

    def purge(*args: str) -> str:
        proc = run_cli("purge", "--store", str(store), "--expired", "--policies",
                       str(policies), "--allow-private-networks", *args)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "0 run ledger(s) removed" in purge("--ledger-keep", "7d")  # too recent
    assert "run ledger" not in purge("--ledger-keep", "forever")
    assert "1 run ledger(s) selected" in purge("--dry-run")
    out = purge()
    assert f"remove  ledger of run {run_b}" in out and "1 run ledger(s) removed" in out
    assert {f.parent.name for f in ledger_files(store)} == {run_a, "crashed"}
    assert (store / "runs" / f"{run_b}.json").is_file()  # its report stays (for --due)
    proc = run_cli("explain", server.url(OTHER, "/"), "--store", str(store))
    assert {line.split()[2] for line in proc.stdout.splitlines()[:-1]} == {run_a}


WRITE_AND_HANG = """
import sys, time
from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.storage.s3 import S3Store
ledger = Ledger(S3Store.from_uri(sys.argv[1]), "run1", upload_interval=3600)
for i in range(80):
    ledger.record(f"http://a.example/{i}", Decision.allow("allowlist", "let in"))
    if i == 49:
        ledger.upload()  # the last upload before the kill: 30 lines only in the spool
print(ledger.name, flush=True)
time.sleep(60)
"""


def test_a_killed_writers_spool_is_uploaded_by_the_next_writer(
        s3_endpoint: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uri = f"s3://{new_bucket(s3_endpoint)}/corpus"
    writer = subprocess.Popen([sys.executable, "-c", WRITE_AND_HANG, uri], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    name = writer.stdout.readline().strip()
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    [spool] = [p for p in tmp_path.iterdir() if p.is_dir()]  # before the other one
    lines = (spool / SPOOL_FILE).read_bytes()
    assert lines.count(b"\n") == 80
    store = S3Store.from_uri(uri)
    assert store.read(name).count(b"\n") == 50
    # another store's spool, abandoned too: not this store's to upload or remove
    other = tmp_path / f"{SPOOL_PREFIX}other"
    other.mkdir()
    (tmp_path / f"{SPOOL_PREFIX}other.lock").touch()  # a lock its process no longer holds
    (other / SPOOL_TARGET).write_text(json.dumps({"store": "s3://other/x",
                                                  "name": "ledger/r/w.jsonl"}))
    (other / SPOOL_FILE).write_text("{}\n")
    past = time.time() - STALE_AFTER - 5
    for lock in tmp_path.glob("*.lock"):
        os.utime(lock, (past, past))

    ledger = Ledger(store, "run2", upload_interval=3600)  # the next writer to this store
    assert store.read(name) == lines  # all 80, with the index
    found, reads = find(store, "http://a.example/70", "run1")
    assert [r["sentence"] for r in found] == ["let in"] and reads.indexed == 1
    assert not spool.exists() and (other / SPOOL_FILE).is_file()
    ledger.close()


def _spool(parent: Path, name: str, target: dict[str, str] | None, lines: bytes | None,
           link: Path | None = None) -> Path:
    """An abandoned spool folder (its lock free and old)."""
    spool = parent / f"{SPOOL_PREFIX}{name}"
    spool.mkdir()
    lock = parent / f"{SPOOL_PREFIX}{name}.lock"
    lock.touch()
    past = time.time() - STALE_AFTER - 5
    os.utime(lock, (past, past))
    if target is not None:
        (spool / SPOOL_TARGET).write_text(json.dumps(target))
    if link is not None:
        (spool / SPOOL_FILE).symlink_to(link)
    elif lines is not None:
        (spool / SPOOL_FILE).write_bytes(lines)
    return spool


def test_spool_recovery_writes_only_run_ledgers_and_follows_no_link(tmp_path: Path) -> None:
    """A shared temporary folder may hold anyone's files: a spool that names a file other
    than a run ledger, or whose lines are a link, is not uploaded."""
    store = LocalStore(tmp_path / "store")
    root, tmp = store.root, tmp_path / "tmp"
    tmp.mkdir()
    secret = tmp_path / "secret"
    secret.write_text("credentials\n")
    good = _spool(tmp, "good", {"store": root, "name": "ledger/r1/w1.jsonl"}, b'{"url": "u"}\n{')
    forged = _spool(tmp, "forged", {"store": root, "name": "runs/forged.json"}, b"x\n")
    linked = _spool(tmp, "linked", {"store": root, "name": "ledger/r1/w2.jsonl"}, None, secret)
    empty = _spool(tmp, "empty", None, None)  # killed before it wrote anything
    assert recover_spools(store, tmp) == 2
    assert store.read("ledger/r1/w1.jsonl") == b'{"url": "u"}\n'  # the complete line
    assert store.list_files("runs") == []
    assert not (tmp_path / "store" / "ledger/r1/w2.jsonl").exists()
    assert not good.exists() and not empty.exists() and forged.is_dir() and linked.is_dir()
    store.close()
