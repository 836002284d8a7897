"""Oversize bodies and decompression bombs are stopped and ledgered (real crawls against a
real local server): a page over DOWNLOAD_MAXSIZE, as received or once decompressed, is
dropped with a ``size_limit`` line; a robots.txt over the 1 MiB control-file limit leaves
its origin unreachable."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTACT, REPO, CrawlResult, page, write_policy

from crawler.demo.server import Route

SITE = "127.0.0.86"
ROBOTS_SITE = "127.0.0.87"
LIMIT = 1_000_000
MiB = 1024 * 1024


def _crawl_measured(policies: Path, store: Path, *settings: str,
                    expect: int = 0) -> tuple[CrawlResult, float]:
    """``crawler crawl`` as :func:`conftest.crawl` runs it, and the child's peak RSS (MiB)."""
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
            "--store", str(store), "--purpose", "research", "--allow-private-networks",
            "--contact", CONTACT]
    for setting in settings:
        args += ["-s", setting]
    out, err = store.parent / "crawl.out", store.parent / "crawl.err"
    with out.open("w") as stdout, err.open("w") as stderr:  # files: wait4 reaps the child
        proc = subprocess.Popen(args, cwd=REPO, stdout=stdout, stderr=stderr)
        _pid, status, usage = os.wait4(proc.pid, 0)
    returncode = os.waitstatus_to_exitcode(status)
    assert returncode == expect, err.read_text()[-3000:]
    result = CrawlResult(returncode, out.read_text(), err.read_text(), store)
    return result, usage.ru_maxrss / 1024  # ru_maxrss: KiB on Linux


def test_gzip_bomb_and_oversize_page_are_dropped_with_size_limit(serve, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html>" + b" " * (50 * MiB))  # ~50 KB on the wire
    assert len(bomb) < LIMIT
    small_gz = gzip.compress(page("compressed but small").body)
    server = serve({SITE: {
        "/": page("home", links=("/a", "/bomb", "/big", "/small-gz")),
        "/a": page("a"),
        "/bomb": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "/big": page("big " + "y" * (LIMIT + 1000)),
        "/small-gz": Route(small_gz, headers={"Content-Encoding": "gzip"}),
    }})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result, peak_mib = _crawl_measured(policies, tmp_path / "corpus",
                                       f"DOWNLOAD_MAXSIZE={LIMIT}", "RETRY_ENABLED=False")
    url = lambda path: server.url(SITE, path)  # noqa: E731
    assert "/bomb" in {h.path for h in server.hits_for(SITE)}
    for path in ("/bomb", "/big"):  # decompressed over the limit; over it as received
        drops = [d for d in result.decisions(url(path)) if d[1] == "size_limit"]
        assert drops == [("download", "size_limit")], result.decisions(url(path))
    [line] = [r for r in result.ledger if r["url"] == url("/bomb") and r["gate"] == "download"]
    assert "during decompression" in line["sentence"]
    assert result.stored_urls() == {url("/"), url("/a"), url("/small-gz")}
    assert peak_mib < 500, f"crawl peaked at {peak_mib:.0f} MiB"


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_oversize_robots_txt_is_unreachable(serve, tmp_path: Path, encoding: str) -> None:
    robots = b"User-agent: *\nAllow: /\n" + b"# padding\n" * 120_000  # ~1.2 MB > 1 MiB
    route = (Route(robots, content_type="text/plain") if encoding == "identity" else
             Route(gzip.compress(robots), headers={"Content-Encoding": "gzip"},
                   content_type="text/plain"))
    server = serve({ROBOTS_SITE: {"/robots.txt": route, "/": page("home", links=("/a",)),
                                  "/a": page("a")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", ROBOTS_SITE,
                 [server.url(ROBOTS_SITE, "/"), server.url(ROBOTS_SITE, "/a")])
    result, _peak = _crawl_measured(policies, tmp_path / "corpus", expect=3)  # site failed
    assert {h.path for h in server.hits_for(ROBOTS_SITE)} == {"/robots.txt"}
    assert result.manifest == []
    robots_lines = [r for r in result.ledger if r["gate"] == "robots"]
    [fetch] = [r for r in robots_lines if r["url"] == server.url(ROBOTS_SITE, "/robots.txt")]
    assert fetch["reason"] == "robots_unreachable"
    assert "max size" in fetch["evidence"]["error"] or "DOWNLOAD_MAXSIZE" in \
        fetch["evidence"]["error"]
    for path in ("/", "/a"):
        [record] = [r for r in robots_lines if r["url"] == server.url(ROBOTS_SITE, path)]
        assert record["reason"] == "robots_unreachable"
