"""Adding a site-level file signal is one module + one line: the toy one in toy_signal.py
is fetched once per origin through the gates, ledgered, decides items, and fails closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTACT, REPO, CrawlResult, page, write_policy
from toy_signal import NO_TRAIN, PATH, item_signals, parse

from crawler.demo.server import Route
from crawler.signals import site_files

SITE, BROKEN = "127.0.0.71", "127.0.0.72"


def _crawl(policies: Path, store: Path, *settings: str) -> CrawlResult:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
            "--store", str(store), "--purpose", "research", "--allow-private-networks",
            "--contact", CONTACT]
    for setting in settings:
        args += ["-s", setting]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, store)


def test_toy_site_file_decides_items_and_fails_closed(serve, tmp_path: Path) -> None:
    server = serve({
        SITE: {PATH: Route(b"/secret/\n", content_type="text/plain"),
               "/": page("home", links=("/secret/a.html", "/open.html")),
               "/secret/a.html": page("secret"), "/open.html": page("open")},
        BROKEN: {PATH: Route(b"oops", 503), "/": page("home")},
    })
    policies = tmp_path / "policies"
    # allow_paths does not list the file: site files are read all the same
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], allow_paths=["/", "/open"])
    write_policy(policies, "broken", BROKEN, [server.url(BROKEN, "/")])
    result = _crawl(policies, tmp_path / "corpus",
                    "COMPLIANCE_SITE_FILES=toy_signal.NO_TRAIN")
    assert result.returncode == 0, result.stderr[-3000:]
    url = lambda host, path: server.url(host, path)  # noqa: E731
    assert result.stored_urls() == {url(SITE, "/"), url(SITE, "/open.html")}
    assert ("optout", "optout") in result.decisions(url(SITE, "/secret/a.html"))
    assert [h.path for h in server.hits_for(SITE)].count(PATH) == 1  # once per origin
    assert ("optout", "signal_file_read") in result.decisions(url(SITE, PATH))
    # a site whose file cannot be read: its items are excluded, and the ledger says why
    assert ("optout", "signal_file_unreadable") in result.decisions(url(BROKEN, PATH))
    assert ("optout", "optout_unknown") in result.decisions(url(BROKEN, "/"))
    assert [h.path for h in server.hits_for(BROKEN)] == ["/robots.txt", *[
        f.path for f in site_files.SITE_FILES], PATH]


def test_a_site_file_parser_that_raises_fails_closed(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/.well-known/broken.txt": Route(b"x", content_type="text/plain"),
                           "/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = _crawl(policies, tmp_path / "corpus",
                    "COMPLIANCE_SITE_FILES=toy_signal.BROKEN_PARSER")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stored_urls() == set()
    broken = server.url(SITE, "/.well-known/broken.txt")
    assert ("optout", "signal_file_unreadable") in result.decisions(broken)
    # the other site files were still read and recorded
    assert ("optout", "signal_file_absent") in result.decisions(server.url(SITE, "/ai.txt"))
    assert ("optout", "optout_unknown") in result.decisions(server.url(SITE, "/"))


def test_a_bad_site_file_setting_is_one_clear_line(tmp_path: Path, serve) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    for value, message in (("toy_signal.NOPE", "cannot load 'toy_signal.NOPE'"),
                           ("toy_signal.parse", "is not a SiteFile"),
                           ("crawler.signals.aitxt.AI_TXT_FILE", "reuses the name or path")):
        result = _crawl(policies, tmp_path / "corpus", f"COMPLIANCE_SITE_FILES={value}")
        assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
        assert "Traceback" not in result.stderr
    assert server.hits == []


@pytest.mark.parametrize(("body", "path", "state"), [
    (b"/secret/\n", "/secret/x", "optout"), (b"/secret/\n", "/open", None),
    (b"junk\n", "/x", "unknown"),
])
def test_toy_signal_pure(body: bytes, path: str, state: str | None) -> None:
    from crawler.signals.site_file import ItemView

    found = item_signals(parse(body, PATH), ItemView("page", path, "bot", {}, []))
    assert [s.state for s in found] == ([state] if state else [])
    assert site_files.configured(["toy_signal.NO_TRAIN"])[-1] is NO_TRAIN
