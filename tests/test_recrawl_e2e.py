"""Incremental recrawls against a real local server: conditional requests for what is
stored, 304s judged again on the stored copy, and withdrawal when consent changed (a new
opt-out, a robots Disallow, another license, 410 at once, 404 on its second run, 5xx
never)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import crawl, linked_pages, page, stored_bytes, write_policy

from crawler.demo.server import Route
from crawler.jsonl import read_jsonl
from crawler.storage.base import manifest_view

SITE = "127.0.0.107"
ND = "https://creativecommons.org/licenses/by-nd/4.0/"


def _entries(store: Path) -> list[dict[str, Any]]:
    return manifest_view(read_jsonl(store / "manifest.jsonl"))


def _tree(store: Path) -> dict[str, tuple[int, int]]:
    """Every item file with its size and modification time."""
    return {str(p.relative_to(store)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in (store / "items").rglob("*") if p.is_file()}


def test_an_unchanged_site_is_revalidated_and_nothing_is_rewritten(serve,
                                                                   tmp_path: Path) -> None:
    server = serve({SITE: linked_pages(12)})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store)
    stored = {e["url"] for e in _entries(store)}
    assert len(stored) == 13
    manifest, tree = (store / "manifest.jsonl").read_bytes(), _tree(store)
    first = len(server.hits)
    second = crawl(policies, store)
    hits = {server.url(SITE, h.path): h for h in server.hits[first:]
            if h.path not in ("/robots.txt", "/ai.txt", "/.well-known/tdmrep.json")}
    assert set(hits) == stored
    for url, hit in hits.items():  # each asked only for a newer version than the stored one
        [entry] = [e for e in _entries(store) if e["url"] == url]
        assert hit.headers["If-None-Match"] == entry["validators"]["etag"]
    assert (store / "manifest.jsonl").read_bytes() == manifest and _tree(store) == tree
    store_lines = [r for r in second.ledger if r["run_id"] != second.ledger[0]["run_id"]
                   and r["gate"] == "store"]
    assert len(store_lines) == 13 and all(r["evidence"]["revalidated"] for r in store_lines)
    assert "13 unchanged (13 revalidated)" in second.stdout
    [report] = [json.loads(p.read_text()) for p in (store / "runs").iterdir()
                if json.loads(p.read_text())["totals"]["revalidated"]]
    assert report["sites"]["site"]["revalidated"] == 13
    assert report["scrapy_stats"]["downloader/response_status_count/304"] == 13


def test_a_changed_page_is_a_new_version(serve, tmp_path: Path) -> None:
    body = {"text": "first words"}
    server = serve({SITE: {"/": lambda: page(body["text"])}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store)
    body["text"] = "second words"
    crawl(policies, store)
    versions = _entries(store)
    assert len(versions) == 2 and [v["current"] for v in versions] == [False, True]
    assert b"second words" in stored_bytes(store, versions[1]["content"])


def test_withdrawn_when_consent_changed(serve, tmp_path: Path) -> None:
    names = ["noai", "robots", "license", "gone", "missing", "error", "kept"]
    routes: dict[str, Route] = {f"/{n}.html": page(f"page {n}") for n in names}
    robots = {"text": b"User-agent: *\nAllow: /\n"}
    server = serve({SITE: {"/": page("home", links=tuple(routes)),
                           "/robots.txt": lambda: Route(robots["text"],
                                                        content_type="text/plain"),
                           **{path: (lambda path=path: routes[path]) for path in routes}}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store)
    assert len(_entries(store)) == 8

    # the same bodies (304s), with a new opt-out header; new rules and answers elsewhere
    routes["/noai.html"] = Route(routes["/noai.html"].body,
                                 headers={"X-Robots-Tag": "noai"})
    robots["text"] = b"User-agent: *\nDisallow: /robots.html\n"
    routes["/license.html"] = page("page license", license_url=ND)
    routes["/gone.html"] = Route(b"gone", 410)
    routes["/missing.html"] = Route(b"not here", 404)
    routes["/error.html"] = Route(b"busy", 503)
    second = crawl(policies, store, "research", "RETRY_ENABLED=False")

    def live() -> set[str]:
        return {e["url"].rsplit("/", 1)[1] for e in _entries(store)}

    assert live() == {"", "kept.html", "missing.html", "error.html"}
    withdrawn = {r["url"].rsplit("/", 1)[1]: r["sentence"] for r in second.ledger
                 if r["gate"] == "retention"}
    assert set(withdrawn) == {"noai.html", "robots.html", "license.html", "gone.html"}
    assert "optout/optout" in withdrawn["noai.html"]
    assert "content/gone" in withdrawn["gone.html"]
    [missing] = [e for e in _entries(store) if e["url"].endswith("/missing.html")]
    assert len(missing["missing"]) == 1  # one 404: kept, noted for the next run

    third = crawl(policies, store, "research", "RETRY_ENABLED=False")
    assert live() == {"", "kept.html", "error.html"}  # the second 404 in a row withdraws
    assert [r["reason"] for r in third.ledger if r["gate"] == "retention"
            and r["run_id"] == third.ledger[-1]["run_id"]] == ["consent_withdrawn"]
    # a 404 followed by an answer is not two in a row
    routes["/error.html"] = Route(b"not here", 404)
    crawl(policies, store, "research", "RETRY_ENABLED=False")
    routes["/error.html"] = page("page error")
    crawl(policies, store, "research", "RETRY_ENABLED=False")
    routes["/error.html"] = Route(b"not here", 404)
    crawl(policies, store, "research", "RETRY_ENABLED=False")
    assert "error.html" in live()
    [error] = [e for e in _entries(store) if e["url"].endswith("/error.html")]
    assert len(error["missing"]) == 1
