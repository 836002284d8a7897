"""``crawler report`` as a command: which run it reports on, where it writes, the store it
reads (local or S3, never changed), and each mistake as one line with exit status 2."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from conftest import REPO, crawl, page, write_policy
from s3server import new_bucket

from crawler.demo.server import Route
from crawler.storage.base import CREATE
from crawler.storage.registry import open_store

LOCAL_SITE = "127.0.0.102"
S3_SITE = "127.0.0.103"
REPORT = "import sys; from crawler.report.command import main; sys.exit(main())"


def report_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``crawler report ...`` in its own process (before the ``crawler`` command has it)."""
    return subprocess.run([sys.executable, "-c", REPORT, "report", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def cards(path: Path) -> dict[str, int]:
    """The report's headline figures, by label."""
    doc = lxml.html.parse(str(path)).getroot()
    return {(card[0].tail or "").strip(): int(card.findtext("b").replace(",", ""))
            for card in doc.cssselect("#totals .card")}


def site(serve, address: str) -> tuple[object, dict[str, object]]:
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n",
                                   content_type="text/plain"),
              "/": page("home", links=("/a", "/private/b", "/noai")), "/a": page("a"),
              "/noai": Route(page("no").body, headers={"X-Robots-Tag": "noai"})}
    return serve({address: routes}), routes


def tree_digest(root: Path) -> str:
    """Every file under ``root`` with its content: a store the report only read is equal."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_newest_run_by_default_another_with_run(serve, tmp_path: Path) -> None:
    server, _ = site(serve, LOCAL_SITE)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", LOCAL_SITE, [server.url(LOCAL_SITE, "/")])
    first = crawl(policies, store, "research").ledger[0]["run_id"]
    second = crawl(policies, store, "research").ledger[-1]["run_id"]
    assert first != second
    before = tree_digest(store)

    work = tmp_path / "work"
    work.mkdir()
    proc = report_cli("--store", str(store), cwd=work)  # default: the newest, here
    assert proc.returncode == 0, proc.stderr
    newest = work / f"report-{second}.html"
    assert proc.stdout.startswith(f"report: report-{second}.html (run {second}:")
    assert cards(newest)["unchanged"] == 2 and cards(newest)["stored new"] == 0

    out = tmp_path / "first.html"
    proc = report_cli("--store", str(store), "--run", first, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert cards(out)["stored new"] == 2 and cards(out)["unchanged"] == 0
    assert f"Crawl report: run {first}" in out.read_text()
    assert tree_digest(store) == before  # read-only

    proc = report_cli("--store", str(store), "--out", str(tmp_path / "no" / "dir" / "r.html"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("crawler: cannot write the report to ") and "No such file" in line

    # the table's cap, with a note naming how many URLs the run met
    proc = report_cli("--store", str(store), "--run", first, "--out", str(out),
                      "--max-urls", "2")
    assert proc.returncode == 0, proc.stderr
    doc = lxml.html.parse(str(out)).getroot()
    assert len(doc.cssselect("#urls tbody tr")) == 2
    met = cards(out)["URLs met"]
    assert met > 2 and f"The first 2 of the {met} URLs" in doc.get_element_by_id(
        "urls-note").text_content()


def test_a_run_without_its_report_is_reported_from_its_ledger(serve, tmp_path: Path) -> None:
    server, _ = site(serve, LOCAL_SITE)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", LOCAL_SITE, [server.url(LOCAL_SITE, "/")])
    run_id = crawl(policies, store, "research").ledger[0]["run_id"]
    (store / "runs" / f"{run_id}.json").unlink()  # as a crash would leave it
    out = tmp_path / "r.html"
    proc = report_cli("--store", str(store), "--run", run_id, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "has no run report for this run" in out.read_text()
    assert cards(out)["stored new"] == 2
    proc = report_cli("--store", str(store))  # no report: no newest run either
    assert proc.returncode == 2 and "has no run report" in proc.stderr


def test_a_report_from_s3(serve, tmp_path: Path, s3_endpoint: str,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    server, _ = site(serve, S3_SITE)
    policies = tmp_path / "policies"
    write_policy(policies, "site", S3_SITE, [server.url(S3_SITE, "/")])
    uri = f"s3://{new_bucket(s3_endpoint)}/corpus"
    crawl(policies, uri, "research")
    out = tmp_path / "s3.html"
    proc = report_cli("--store", uri, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    figures = cards(out)
    assert figures["stored new"] == 2 and figures["excluded"] >= 2
    doc = lxml.html.parse(str(out)).getroot()
    commands = [c.text_content() for c in doc.cssselect("#urls code.cmd")]
    assert commands and all(c.endswith(f" --store {uri}") for c in commands)
    titles = [t.text_content() for t in doc.cssselect("#urls .title")]
    assert titles == ["A page", "A page"]  # read from the sidecars in the bucket


def test_mistakes_are_one_line_and_status_2(tmp_path: Path, s3_endpoint: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    empty = tmp_path / "empty"
    open_store(str(empty), mode=CREATE).close()
    cases = [
        (("--store", str(tmp_path / "nothing")), "no store at"),
        (("--store", str(empty)), "the store has no run report"),
        (("--store", str(empty), "--run", "0123456789ab"), "no run 0123456789ab in the store"),
        (("--store", str(empty), "--run", "../runs"), "is not a run id"),
        (("--store", "ftp://host/x"), "unsupported store URI scheme"),
        (("--store", "s3://no-such-bucket-here/corpus"), "cannot open S3 store"),
    ]
    for args, message in cases:
        proc = report_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        [line] = proc.stderr.splitlines()
        assert line.startswith("crawler: ") and message in line, (args, line)
    assert not list(tmp_path.glob("*.html"))
    assert not (tmp_path / "nothing").exists()  # read-only: nothing created
    proc = report_cli("--max-urls", "0")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].endswith("expected a positive whole number, got '0'")
