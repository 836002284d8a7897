"""The run report in the store (``runs/<run-id>.json``): its per-site counts match what the
server saw and what the store holds (real crawls of real local servers)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from conftest import CONTACT, crawl, page, write_policy

from crawler.demo.server import Route

SITE = "127.0.0.77"
DOWN = "127.0.0.76"


def test_the_report_counts_what_the_server_saw_and_the_store_holds(serve,
                                                                   tmp_path: Path) -> None:
    links = ("/a", "/b", "/private/c", "/nolicense")
    server = serve({SITE: {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": page("home", links=links), "/a": page("a"), "/b": page("b"),
        "/nolicense": page("none", license_url=None)}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], version=7,
                 rate={"requests_per_second": 20, "concurrency": 2})
    with socket.socket() as sock:
        sock.bind((DOWN, 0))
        down_port = sock.getsockname()[1]
    write_policy(policies, "down", DOWN, [f"http://{DOWN}:{down_port}/"])
    result = crawl(policies, store, "research", "RETRY_ENABLED=False", expect=3)

    [report_file] = (store / "runs").glob("*.json")
    assert f"report    {report_file}" in result.stdout
    report = json.loads(report_file.read_text())
    assert report["run_id"] == report_file.stem == result.ledger[0]["run_id"]
    assert report["exit_status"] == 3 and report["interrupted"] is False
    assert report["purpose"] == "research"
    assert report["operator"] == {"contact": CONTACT}
    assert report["policies"]["site"]["version"] == "7"
    assert report["started"] < report["finished"]

    site = report["sites"]["site"]
    hits = server.hits_for(SITE)
    assert site["requests"] == len(hits)  # robots.txt, site files and pages, as sent
    pages = {h.path for h in hits} & {"/", *links}
    assert site["fetched"] == len(pages) == 4  # /private/c never left
    stored = {e["url"] for e in result.manifest}
    assert site["stored_new"] == len(stored) == 3 and site["unchanged"] == 0
    assert site["dropped"]["robots/robots_disallowed"] == 1
    assert site["dropped"]["license/license_missing"] == 1
    assert site["failed"] is None and site["errors"] == 0
    assert site["observed_requests_per_second"] <= 20.5

    down = report["sites"]["down"]
    assert down["failed"] == "robots.txt unreachable for the whole run"
    assert down["stored_new"] == 0 and down["requests"] >= 1
    assert report["totals"]["failed_sites"] == ["down"]
    assert report["totals"]["stored_new"] == 3
    # Scrapy's own stats, whole
    assert report["scrapy_stats"]["finish_reason"] == "finished"
    assert report["scrapy_stats"]["downloader/request_count"] >= site["requests"]

    # a second run: its own report, the pages unchanged
    again = crawl(policies, store, "research", "RETRY_ENABLED=False", expect=3)
    second = [p for p in (store / "runs").glob("*.json") if p != report_file]
    assert len(second) == 1 and second[0].stem == again.ledger[-1]["run_id"]
    assert json.loads(second[0].read_text())["sites"]["site"]["unchanged"] == 3


def test_images_a_page_opts_out_of_are_not_counted_as_fetched(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": Route(page("home", images=("/a.png",)).body,
                                      headers={"X-Robots-Tag": "noimageai"})}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store)
    [report_file] = (store / "runs").glob("*.json")
    site = json.loads(report_file.read_text())["sites"]["site"]
    assert "/a.png" not in {h.path for h in server.hits_for(SITE)}
    assert site["fetched"] == 1 and site["dropped"]["optout/optout"] == 1
