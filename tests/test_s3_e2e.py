"""Crawls into S3: the CLI against a real moto_server process, through boto3's standard
credential chain and AWS_ENDPOINT_URL from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import crawl, page, run_cli, write_policy
from s3server import DUMMY_ENV, new_bucket

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
    ledger = tmp_path / "ledger.jsonl"
    # a secret given as a Scrapy setting (as FEEDS users do) must not reach the log
    result = crawl(policies, uri, "research", f"COMPLIANCE_LEDGER={ledger}",
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
    again = crawl(policies, uri, "research", f"COMPLIANCE_LEDGER={ledger}")
    assert "stored 0 new item(s), 2 unchanged" in again.stdout
    proc = run_cli("export", uri, "--out", str(tmp_path / "export"))
    assert proc.returncode == 0 and "2 item(s)" in proc.stdout, proc.stderr
    proc = run_cli("purge", "--store", uri, "--url", server.url(SITE, "/a.html"),
                   "--ledger", str(ledger))
    assert proc.returncode == 0, proc.stderr
    assert {e["url"] for e in S3Store.from_uri(uri).entries()} == {server.url(SITE, "/")}


def test_demo_into_s3(tmp_path: Path, s3_env: str) -> None:
    bucket = new_bucket(s3_env)
    proc = run_cli("demo", "--store", f"s3://{bucket}/demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "stored 11 new item(s)" in proc.stdout
    assert len(S3Store.from_uri(f"s3://{bucket}/demo").entries()) == 11
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in proc.stderr
    assert (tmp_path / "ledger.jsonl").exists()  # a remote store keeps its ledger locally


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
    ledger = tmp_path / "ledger.jsonl"
    result = crawl(policies, f"s3://{bucket}/corpus", "research",
                   f"COMPLIANCE_LEDGER={ledger}", expect=1)
    result.ledger_path = ledger
    failed = {r["url"] for r in result.ledger if r["reason"] == "store_error"}
    assert failed == {server.url(SITE, "/"), server.url(SITE, "/a.html")}  # crawl went on
    assert "2 item(s) could not be stored" in result.stderr
    assert S3Store.from_uri(f"s3://{bucket}/corpus",
                            endpoint_url=fault_proxy.upstream_url).entries() == []


def test_unreachable_store_is_a_clear_error_before_any_request(serve, tmp_path: Path,
                                                               s3_env: str) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, "s3://no-such-bucket-here/corpus", "research",
                   f"COMPLIANCE_LEDGER={tmp_path / 'ledger.jsonl'}", expect=2)
    assert "cannot open S3 store" in result.stderr and "NoSuchBucket" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.hits == []
