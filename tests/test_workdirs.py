"""Working folders held by a live process (:mod:`crawler.workdirs`): a folder whose process
was killed is removed by the next process to look, a live one's never; and a crawl killed
outright leaves its temporary frontier only until the next crawl on the machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import CONTACT, REPO, linked_pages, write_policy

from crawler.scrapy_adapters.addon import FRONTIER_PREFIX
from crawler.storage.local import STAGING, LocalStore
from crawler.workdirs import STALE_AFTER, OwnedFolder, remove_abandoned

HOLD = """
import sys, time
from pathlib import Path
from crawler.workdirs import OwnedFolder
folder = OwnedFolder(Path(sys.argv[1]), "x-")
(folder.path / "queue").write_text("waiting")
print(folder.path, flush=True)
time.sleep(60)
"""


def _age(parent: Path) -> None:
    """Make every lock under ``parent`` older than STALE_AFTER (the only clock involved)."""
    past = time.time() - STALE_AFTER - 5
    for lock in parent.glob("*.lock"):
        os.utime(lock, (past, past))


def _holder(parent: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(parent)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_killed_processs_folder_is_removed_a_live_ones_kept(tmp_path: Path) -> None:
    live, live_folder = _holder(tmp_path)
    killed, killed_folder = _holder(tmp_path)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert remove_abandoned(tmp_path, "x-") == 0  # too young to judge
        _age(tmp_path)
        assert remove_abandoned(tmp_path, "x-") == 1
        assert not killed_folder.exists() and not Path(f"{killed_folder}.lock").exists()
        assert (live_folder / "queue").read_text() == "waiting"
        assert remove_abandoned(tmp_path, "other-") == 0
    finally:
        live.kill()
        live.wait(timeout=10)


def test_an_owned_folder_is_removed_with_its_lock(tmp_path: Path) -> None:
    folder = OwnedFolder(tmp_path, "x-")
    (folder.path / "f").write_text("x")
    folder.remove()
    folder.remove()  # twice is once
    assert list(tmp_path.iterdir()) == []


def test_a_killed_store_writers_staging_folder_is_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    LocalStore(store).close()
    staging = store / STAGING
    holder, folder = _holder(staging)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    _age(staging)
    writer = LocalStore(store)
    try:
        assert not folder.exists()
        assert [p.name for p in staging.iterdir() if p.is_dir()] == [writer._staging.name]
    finally:
        writer.close()


def test_a_killed_crawls_frontier_is_removed_by_the_next_crawl(serve, tmp_path: Path) -> None:
    site = "127.0.0.76"
    server = serve({site: linked_pages(100)})
    policies, store, tmp = tmp_path / "policies", tmp_path / "corpus", tmp_path / "tmp"
    tmp.mkdir()
    write_policy(policies, "site", site, [server.url(site, "/")],
                 rate={"requests_per_second": 20, "concurrency": 1})
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
               "--store", str(store), "--purpose", "research", "--allow-private-networks",
               "--contact", CONTACT]
    env = {**os.environ, "TMPDIR": str(tmp)}
    first = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(server.hits) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    [left] = [p for p in tmp.iterdir() if p.is_dir() and p.name.startswith(FRONTIER_PREFIX)]
    assert any(left.rglob("*"))  # the killed crawl's queue and seen list
    _age(tmp)
    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 0, second.stderr[-2000:]
    assert list(tmp.glob(f"{FRONTIER_PREFIX}*")) == []  # the killed one's, and its own


def test_links_in_a_shared_temporary_folder_are_not_followed(tmp_path: Path) -> None:
    """A lock beside a symbolic link to someone's folder: the folder is not removed."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data").write_text("keep")
    shared = tmp_path / "tmp"
    shared.mkdir()
    (shared / "x-trap").symlink_to(precious)
    (shared / "x-trap.lock").touch()
    (shared / "x-linked.lock").symlink_to(shared / "x-trap.lock")
    (shared / "x-linked").mkdir()
    _age(shared)
    assert remove_abandoned(shared, "x-") == 0
    assert (precious / "data").read_text() == "keep" and (shared / "x-linked").is_dir()
