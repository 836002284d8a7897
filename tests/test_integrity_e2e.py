"""Integrity: nothing unpermitted gets in, nothing permitted is lost.

Each test drives the real crawler (CLI, or a user's Scrapy project with the addon) against
real local HTTP servers and asserts on what the servers saw, the store and the ledger.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    CONTACT,
    REPO,
    crawl,
    is_stored,
    ledger_files,
    page,
    run_cli,
    store_ledger,
    stored_bytes,
    write_policy,
)

from crawler import cli
from crawler.demo.server import Route
from crawler.jsonl import read_jsonl
from crawler.storage.base import manifest_view
from crawler.urlpath import canonical_path

SITE = "127.0.0.41"


def test_escaped_and_dotted_paths_do_not_bypass_policy_or_robots(serve, tmp_path: Path) -> None:
    server = serve({SITE: {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/~staff/a": page("staff"), "/private/p": page("private"), "/ok": page("ok"),
    }})
    base = server.url(SITE, "")
    spellings = ["/%7Estaff/a", "/%7estaff/a", "/%7E%73taff/a", "/x/../~staff/a",
                 "/x/%2E%2E/~staff/a", "/x/../private/p", "/%70rivate/p", "/./private/p"]
    server.routes(SITE)["/"] = page("home", links=tuple(base + s for s in [*spellings, "/ok"]))
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], deny_paths=["/~staff/"])

    result = crawl(policies, tmp_path / "corpus")

    seen = {canonical_path(h.path) for h in server.hits_for(SITE)}
    assert "/ok" in seen
    assert not {p for p in seen if p.startswith(("/~staff/", "/private/"))}, seen
    reasons = {r["reason"] for r in result.ledger if "staff" in r["url"]}
    assert reasons == {"path_denied"}
    assert any(r["reason"] == "robots_disallowed" for r in result.ledger
               if r["url"].endswith("/x/../private/p"))


# --- purposes: a crawl for one purpose never removes what another purpose stored ----------

def _site(serve, pages: int = 3) -> tuple[object, dict[str, object]]:
    links = tuple(f"/p{i}.html" for i in range(pages))
    routes: dict[str, object] = {"/": page("home", links=links)}
    routes.update({link: page(f"page {link}") for link in links})
    return serve({SITE: routes}), routes


def test_other_purpose_crawl_keeps_research_items(serve, tmp_path: Path) -> None:
    server, _ = _site(serve)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], purposes=["research"])
    research = crawl(policies, store, "research")
    stored = research.stored_urls()
    assert len(stored) == 4
    commercial = crawl(policies, store, "commercial")
    assert commercial.stored_urls() == stored  # nothing of research's was removed
    assert all(is_stored(store, e["content"]) for e in commercial.manifest)
    assert not [r for r in commercial.ledger if r["gate"] == "retention"]
    assert {r["reason"] for r in commercial.ledger if r["run_id"] != research.ledger[0]["run_id"]
            and r["decision"] == "deny"} == {"purpose_not_allowed"}


def test_second_purpose_gains_a_record_and_withdrawal_is_per_purpose(serve,
                                                                     tmp_path: Path) -> None:
    robots = {"text": b"User-agent: *\nAllow: /\n"}
    server, routes = _site(serve, pages=2)
    routes["/robots.txt"] = lambda: Route(robots["text"], content_type="text/plain")
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store, "research")
    first = {p: p.stat().st_ino for p in (store / "items").rglob("*") if p.is_file()}
    both = crawl(policies, store, "commercial")
    assert {tuple(e["purposes"]) for e in both.manifest} == {("research", "commercial")}
    assert {p: p.stat().st_ino for p in (store / "items").rglob("*") if p.is_file()} == first
    assert "stored 3 new item(s)" in both.stdout  # new for this purpose
    # the site opts /p0.html out of AI training: the commercial re-crawl withdraws it for
    # commercial only; the research record and the content stay
    robots["text"] = b"User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /p0.html\n"
    p0 = server.url(SITE, "/p0.html")
    after = crawl(policies, store, "commercial")
    [entry] = [e for e in after.manifest if e["url"] == p0]
    assert entry["purposes"] == ["research"] and is_stored(store, entry["content"])
    [withdrawn] = [r for r in after.ledger if r["reason"] == "consent_withdrawn"]
    assert withdrawn["url"] == p0 and withdrawn["evidence"]["purpose"] == "commercial"
    # the research re-crawl withdraws the last record: now the content goes
    final = crawl(policies, store, "research")
    assert p0 not in final.stored_urls() and not is_stored(store, entry["content"])


# --- policies: a missing file never deletes; retired: true does ---------------------------

def test_purge_expired_with_a_missing_policy_deletes_nothing(serve, tmp_path: Path) -> None:
    server, _ = _site(serve, pages=1)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    path = write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    write_policy(policies, "other", "127.0.0.42", [])
    result = crawl(policies, store)
    path.unlink()
    proc = run_cli("purge", "--store", str(store), "--expired", "--policies", str(policies),
                   "--allow-private-networks")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"no policy in {policies} covers stored host(s) {SITE} (2)" in proc.stderr
    assert len(result.manifest) == 2 and all(is_stored(store, e["content"])
                                             for e in result.manifest)
    assert not [r for r in result.ledger if r["gate"] == "retention"]


def test_retired_policy_withdraws_its_items_and_sends_nothing(serve, tmp_path: Path) -> None:
    server, _ = _site(serve, pages=1)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    first = crawl(policies, store)
    crawl(policies, store, "commercial")
    assert len(first.manifest) == 2
    hits = len(server.hits)
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], retired=True)
    result = crawl(policies, store)
    assert result.manifest == [] and len(server.hits) == hits
    assert not list((store / "items").rglob("content.html"))
    removed = [r for r in result.ledger if r["reason"] == "policy_retired"
               and r["gate"] == "retention"]
    assert len(removed) == 2 and {r["evidence"]["purpose"] for r in removed} == {"all"}
    assert ("allowlist", "policy_retired") in result.decisions(server.url(SITE, "/"))


# --- removals on request stick ------------------------------------------------------------

def test_purged_url_and_site_are_not_stored_again(serve, tmp_path: Path) -> None:
    server, _ = _site(serve, pages=2)
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, store)
    p0 = server.url(SITE, "/p0.html")
    proc = run_cli("purge", "--store", str(store), "--url", p0, "--reason", "takedown #12")
    assert proc.returncode == 0 and "1 item(s) removed" in proc.stdout
    hits = len(server.hits)
    again = crawl(policies, store)
    assert p0 not in again.stored_urls() and len(again.stored_urls()) == 2
    assert "/p0.html" not in {h.path for h in server.hits[hits:]}
    [denied] = [r for r in again.ledger if r["url"] == p0 and r["reason"] == "suppressed"]
    assert "takedown #12" in denied["sentence"]
    # a site removal sticks too, and unsuppress lifts a suppression
    assert run_cli("purge", "--store", str(store), "--site", SITE).returncode == 0
    hits = len(server.hits)
    assert crawl(policies, store).manifest == []
    assert [h.path for h in server.hits[hits:]] == []
    assert run_cli("unsuppress", "--store", str(store), "--site", SITE).returncode == 0
    assert run_cli("unsuppress", "--store", str(store), "--url", p0).returncode == 0
    assert len(crawl(policies, store).stored_urls()) == 3
    proc = run_cli("unsuppress", "--store", str(store), "--url", p0)
    assert proc.returncode == 2 and "is not suppressed" in proc.stderr


# --- several writers on one store --------------------------------------------------------

def _check_store(store: Path) -> list[dict[str, object]]:
    """Every listed version has both files, every sidecar matches its content."""
    entries = manifest_view(read_jsonl(store / "manifest.jsonl"))
    for entry in entries:
        content = stored_bytes(store, entry["content"])
        card = json.loads(stored_bytes(store, entry["sidecar"]))
        assert card["sha256"] == hashlib.sha256(content).hexdigest() == entry["sha256"]
    for line in (store / "manifest.jsonl").read_bytes().splitlines():
        json.loads(line)  # no torn or interleaved line
    for ledger in ledger_files(store):
        for line in ledger.read_bytes().splitlines():
            json.loads(line)
    return entries


def _background(log: Path, *args: str) -> subprocess.Popen[bytes]:
    """A CLI process whose output goes to ``log`` (a pipe could fill up and stall it)."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args,
                                 "--allow-private-networks"], cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT)


def _many_sites(serve, tmp_path: Path, count: int, pages: int, size: int = 0,
                rate: float = 200) -> tuple[Path, set[str]]:
    policies, urls = tmp_path / "policies", set()
    sites = {f"127.0.0.{50 + i}": None for i in range(count)}
    server = serve({host: {} for host in sites})
    for host in sites:
        links = tuple(f"/p{i}.html" for i in range(pages))
        server.routes(host).update({"/": page("home", links=links),
                                    **{link: page(f"{host} {link} " + "x" * size)
                                       for link in links}})
        write_policy(policies, host.replace(".", "-"), host, [server.url(host, "/")],
                     rate={"requests_per_second": rate, "concurrency": 8})
        urls |= {server.url(host, "/"), *(server.url(host, link) for link in links)}
    return policies, urls


@pytest.mark.parametrize("writers", [2, 3])
def test_concurrent_crawls_share_one_store(serve, tmp_path: Path, writers: int) -> None:
    policies, urls = _many_sites(serve, tmp_path, 3, 40)
    store = tmp_path / "corpus"
    logs = [tmp_path / f"crawl{i}.log" for i in range(writers)]
    procs = [_background(log, "crawl", "--policies", str(policies), "--store", str(store),
                         "--purpose", purpose, "--contact", CONTACT)
             for log, purpose in zip(logs, ["research", "commercial", "research"], strict=False)]
    for proc, log in zip(procs, logs, strict=True):
        assert proc.wait(timeout=240) == 0, log.read_text()[-3000:]
    entries = _check_store(store)
    assert {e["url"] for e in entries} == urls
    expected = {"research", "commercial"} if writers > 1 else {"research"}
    assert all(set(e["purposes"]) == expected for e in entries)
    assert [p for d in (store / ".staging").iterdir() if d.is_dir() for p in d.iterdir()] == []


def test_crawl_purge_and_export_at_once(serve, tmp_path: Path) -> None:
    # 15 requests/s per site: the crawl lasts some 5 s whatever the machine's speed, long
    # enough for several purges and an export to run during it
    policies, urls = _many_sites(serve, tmp_path, 2, 80, size=200_000, rate=15)
    store = tmp_path / "corpus"
    crawl(policies, store)  # something to export and to purge from
    log = tmp_path / "crawl.log"
    crawler_proc = _background(log, "crawl", "--policies", str(policies), "--store",
                               str(store), "--purpose", "commercial", "--contact", CONTACT)
    opens = exports = 0
    while crawler_proc.poll() is None:
        # the purge command in this process, as fast as it goes: each run opens the store
        assert cli.main(["purge", "--store", str(store), "--site", "127.0.0.99",
                         "--dry-run"]) == 0
        opens += 1
        if opens % 20 == 1:
            proc = run_cli("export", str(store), "--out", str(tmp_path / f"x{exports}"))
            assert proc.returncode == 0, proc.stderr[-2000:]
            exports += 1
    assert crawler_proc.wait() == 0, log.read_text()[-3000:]
    assert exports >= 1 and opens > exports
    entries = _check_store(store)
    assert {e["url"] for e in entries} == urls
    assert all(set(e["purposes"]) == {"research", "commercial"} for e in entries)
    proc = run_cli("purge", "--store", str(store), "--expired", "--policies", str(policies),
                   "--allow-private-networks")
    assert proc.returncode == 0 and "0 item(s) selected" in proc.stdout


def test_read_only_commands_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch"
    for args in (["purge", "--store", str(missing), "--url", "http://x/", "--dry-run"],
                 ["purge", "--store", str(missing), "--url", "http://x/"],
                 ["export", str(missing), "--out", str(tmp_path / "out")],
                 ["unsuppress", "--store", str(missing), "--url", "http://x/"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert f"no store at {missing}" in proc.stderr and "Traceback" not in proc.stderr
    assert not missing.exists() and not (tmp_path / "out").exists()


# --- a user's own Scrapy project with the addon: every item is gated ----------------------

USER_SPIDER = '''
from dataclasses import dataclass

import scrapy


class Article(scrapy.Item):
    url = scrapy.Field()
    title = scrapy.Field()


@dataclass
class Snippet:
    url: str
    text: str


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, start: str = "", **kwargs):
        super().__init__(**kwargs)
        self.start_url = start

    async def start(self):
        yield {"url": self.start_url + "from-start", "text": "never fetched"}
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        yield {"url": response.url, "text": response.text[:40]}
        yield Article(url=response.url, title=response.css("title::text").get())
        yield Snippet(url=response.url, text="snippet")
        yield {"url": response.url + "#elsewhere-claimed", "text": "not this page"}
        yield from response.follow_all(css="a:not([rel=license])", callback=self.parse)
'''


def _user_project(root: Path, policies: Path, store: Path, feed: Path) -> Path:
    (root / "userproj" / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = userproj.settings\n")
    (root / "userproj" / "__init__.py").write_text("")
    (root / "userproj" / "spiders" / "__init__.py").write_text("")
    (root / "userproj" / "spiders" / "news.py").write_text(USER_SPIDER)
    (root / "userproj" / "settings.py").write_text(
        'BOT_NAME = "userproj"\nSPIDER_MODULES = ["userproj.spiders"]\n'
        'ADDONS = {"crawler.scrapy_adapters.addon.ComplianceAddon": 0}\n'
        f'COMPLIANCE_POLICIES = {str(policies)!r}\nCOMPLIANCE_STORE = {str(store)!r}\n'
        'COMPLIANCE_PURPOSE = "research"\nCOMPLIANCE_STORE_FSYNC = False\n'
        f'COMPLIANCE_CONTACT = {CONTACT!r}\n'
        'COMPLIANCE_ALLOW_PRIVATE_NETWORKS = True\n'  # the test site is on loopback
        f'FEEDS = {{{str(feed)!r}: {{"format": "jsonl"}}}}\n'
        # a project pipeline, ordered late, that is not the last: the store still is
        'ITEM_PIPELINES = {"userproj.settings.Tag": 999_999}\n'
        "class Tag:\n    def process_item(self, item):\n        return item\n")
    return root


def test_user_spider_items_of_any_type_pass_the_gates(serve, tmp_path: Path) -> None:
    server = serve({SITE: {
        "/": page("home", links=("/noai.html", "/nolicense.html", "/ok.html", "/gone")),
        "/ok.html": page("ok"),
        "/noai.html": Route(b'<html><head><meta name="robots" content="noai"><title>x</title>'
                            b'</head><body><a rel="license" href="https://creativecommons.org/'
                            b'licenses/by/4.0/">cc</a></body></html>'),
        "/nolicense.html": page("no license", license_url=None),
    }})
    policies, store, feed = tmp_path / "policies", tmp_path / "corpus", tmp_path / "items.jsonl"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    project = _user_project(tmp_path / "project", policies, store, feed)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a",
                           f"start={server.url(SITE, '/')}"], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]

    url = lambda path: server.url(SITE, path)  # noqa: E731
    exported = read_jsonl(feed)
    # three item types from each of the two licensed pages; nothing else reached the feed
    assert sorted({r["url"] for r in exported}) == [url("/"), url("/ok.html")]
    assert len(exported) == 6
    entries = manifest_view(read_jsonl(store / "manifest.jsonl"))
    assert {e["url"] for e in entries} == {url("/"), url("/ok.html")}
    ledger = store_ledger(store)

    def reasons(u: str) -> set[tuple[str, str]]:
        return {(r["gate"], r["reason"]) for r in ledger if r["url"] == u}

    assert ("optout", "optout") in reasons(url("/noai.html"))
    assert ("license", "license_missing") in reasons(url("/nolicense.html"))
    assert reasons(url("/from-start")) == {("store", "not_gated")}
    assert ("content", "not_from_response") in reasons(url("/#elsewhere-claimed"))
    assert not [r for r in exported if "noai" in r["url"] or "nolicense" in r["url"]]
    # a status the spider does not handle never reaches it: the drop is ledgered
    assert ("content", "http_error") in reasons(url("/gone"))


def test_an_item_changed_after_the_gates_is_not_stored(serve, tmp_path: Path) -> None:
    import os

    server = serve({SITE: {"/keep": page("keep"), "/swap": page("swap")}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [], ports=[server.port])
    urls = ",".join(server.url(SITE, p) for p in ("/keep", "/swap"))
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider",
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True",
         str(REPO / "tests/spiders/tampering_spider.py"), "-a", f"urls={urls}",
         "-s", f"COMPLIANCE_POLICIES={policies}", "-s", "COMPLIANCE_PURPOSE=research",
         "-s", f"COMPLIANCE_CONTACT={CONTACT}",
         "-s", f"COMPLIANCE_STORE={store}"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO / "tests" / "spiders")},
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    entries = manifest_view(read_jsonl(store / "manifest.jsonl"))
    assert {e["url"] for e in entries} == {server.url(SITE, "/keep")}
    reasons = {r["reason"] for r in store_ledger(store)
               if r["url"] == server.url(SITE, "/swap") and r["gate"] == "store"}
    assert reasons == {"changed_after_gates"}
