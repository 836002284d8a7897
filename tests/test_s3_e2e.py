"""Crawls into S3: the CLI against a real moto_server process, through boto3's standard
credential chain and AWS_ENDPOINT_URL from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CONTACT, REPO, crawl, page, run_cli, write_policy
from s3server import DUMMY_ENV, new_bucket

from crawler.demo.server import Route
from crawler.ledger_reader import records
from crawler.storage.s3 import S3Store

SITE = "127.0.0.61"


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return s3_endpoint


def test_crawl_purge_and_export_on_s3(serve, tmp_path: Path, s3_env: str) -> None:
    bucket = new_bucket(s3_env)
    server = serve({SITE: {"/": page("home " * 50, links=("/a.html",)),
                           "/a.html": page("a " * 50)}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    uri = f"s3://{bucket}/corpus"
    # a secret given as a Scrapy setting (as FEEDS users do) must not reach the log
    result = crawl(policies, uri, "research",
                   "COMPLIANCE_S3_SSE=AES256", "AWS_SECRET_ACCESS_KEY=settings-secret-value")
    assert "Overridden settings" in result.stderr and "'AWS_SECRET_ACCESS_KEY': '***'" in \
        result.stderr
    for secret in (DUMMY_ENV["AWS_SECRET_ACCESS_KEY"], "settings-secret-value"):
        assert secret not in result.stderr + result.stdout
    store = S3Store.from_uri(uri)
    entries = store.entries()
    assert {e["url"] for e in entries} == {server.url(SITE, "/"), server.url(SITE, "/a.html")}
    for entry in entries:
        card = json.loads(store.read(entry["sidecar"]))
        assert card["license"]["spdx"] == "CC-BY-4.0" and card["url"] == entry["url"]
    again = crawl(policies, uri, "research")
    assert "stored 0 new item(s), 2 unchanged" in again.stdout
    proc = run_cli("export", uri, "--out", str(tmp_path / "export"))
    assert proc.returncode == 0 and "2 item(s)" in proc.stdout, proc.stderr
    proc = run_cli("purge", "--store", uri, "--url", server.url(SITE, "/a.html"))
    assert proc.returncode == 0, proc.stderr
    assert {e["url"] for e in S3Store.from_uri(uri).entries()} == {server.url(SITE, "/")}
    # the ledger of each run (two crawls, the purge) is in the bucket, indexed, and read
    # as one: explain finds /a.html in all three through the indexes
    names = store.list_files("ledger", recursive=True)
    assert len([n for n in names if n.endswith(".jsonl")]) == 3
    assert len([n for n in names if n.endswith(".idx")]) == 3
    assert not (REPO / "ledger.jsonl").exists()  # where the crawls ran
    proc = run_cli("explain", server.url(SITE, "/a.html"), "--store", uri)
    assert proc.returncode == 0, proc.stderr
    *lines, verdict = proc.stdout.splitlines()
    runs = {line.split()[2] for line in lines}
    assert len(runs) == 3 and "3 file(s) through their index, 0 read whole" in proc.stderr
    assert "deletion_requested" in proc.stdout
    assert verdict.startswith("verdict: not stored, because retention/deletion_requested")


def test_demo_into_s3(tmp_path: Path, s3_env: str) -> None:
    bucket = new_bucket(s3_env)
    proc = run_cli("demo", "--store", f"s3://{bucket}/demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "stored 11 new item(s)" in proc.stdout
    assert len(S3Store.from_uri(f"s3://{bucket}/demo").entries()) == 11
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in proc.stderr
    ledger = list(records(S3Store.from_uri(f"s3://{bucket}/demo", mode="read")))
    assert sum(r["gate"] == "store" and r["decision"] == "allow" for r in ledger) == 11
    assert list(tmp_path.iterdir()) == []  # nothing left on the machine


def test_store_failures_fail_items_closed_and_set_the_exit_status(
        serve, tmp_path: Path, fault_proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = new_bucket(fault_proxy.upstream_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_proxy.url)
    # the server keeps answering 500 to the commit of /a.html's items: retries, then give up
    fault_proxy.add(method="PUT", path=f"/{bucket}/corpus/items/", status=500,
                    code="InternalError", times=None, mode="reject")
    server = serve({SITE: {"/": page("home", links=("/a.html",)), "/a.html": page("a")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, f"s3://{bucket}/corpus", "research", expect=1)
    ledger = records(S3Store.from_uri(f"s3://{bucket}/corpus", mode="read",
                                      endpoint_url=fault_proxy.upstream_url))
    failed = {r["url"] for r in ledger if r["reason"] == "store_error"}
    assert failed == {server.url(SITE, "/"), server.url(SITE, "/a.html")}  # crawl went on
    assert "2 item(s) could not be stored" in result.stderr
    assert S3Store.from_uri(f"s3://{bucket}/corpus",
                            endpoint_url=fault_proxy.upstream_url).entries() == []


def test_unreachable_store_is_a_clear_error_before_any_request(serve, tmp_path: Path,
                                                               s3_env: str) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, "s3://no-such-bucket-here/corpus", "research", expect=2)
    assert "cannot open S3 store" in result.stderr and "NoSuchBucket" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.hits == []


def test_two_purposes_at_once_suppression_and_withdrawal_on_s3(serve, tmp_path: Path,
                                                                s3_env: str) -> None:
    import subprocess
    import sys


    robots = {"text": b"User-agent: *\nAllow: /\n"}
    links = tuple(f"/p{i}.html" for i in range(20))
    server = serve({SITE: {"/robots.txt": lambda: Route(robots["text"],
                                                        content_type="text/plain"),
                           "/": page("home", links=links),
                           **{link: page(f"page {link}") for link in links}}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    uri = f"s3://{new_bucket(s3_env)}/corpus"
    procs = [subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies), "--store",
         uri, "--purpose", purpose, "--allow-private-networks",
         "--contact", CONTACT],
        cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for purpose in ("research",
                                                                              "commercial")]
    assert [p.wait(timeout=180) for p in procs] == [0, 0]
    store = S3Store.from_uri(uri, mode="read")
    entries = store.entries()
    assert len(entries) == 21
    assert all(set(e["purposes"]) == {"research", "commercial"} for e in entries)
    for entry in entries:
        card = json.loads(store.read(entry["sidecar"]))
        assert card["url"] == entry["url"] and store.read(entry["content"])
    # a commercial re-crawl that meets an AI opt-out withdraws the commercial record only
    robots["text"] = b"User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /p0.html\n"
    crawl(policies, uri, "commercial")
    p0 = server.url(SITE, "/p0.html")
    [entry] = [e for e in S3Store.from_uri(uri).entries() if e["url"] == p0]
    assert entry["purposes"] == ["research"] and store.read(entry["content"])
    # a removal on request sticks on S3 too
    p1 = server.url(SITE, "/p1.html")
    proc = run_cli("purge", "--store", uri, "--url", p1)
    assert proc.returncode == 0, proc.stderr
    hits = len(server.hits)
    crawl(policies, uri, "research")
    assert "/p1.html" not in {h.path for h in server.hits[hits:]}
    assert p1 not in {e["url"] for e in S3Store.from_uri(uri).entries()}
    assert any(r["reason"] == "suppressed" and r["url"] == p1 for r in records(store))
    # a store that is not there is an error for the readers, and nothing is created
    missing = f"s3://{new_bucket(s3_env)}/nothing-here"
    proc = run_cli("export", missing, "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "no store there" in proc.stderr
