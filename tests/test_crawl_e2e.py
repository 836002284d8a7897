"""End-to-end crawls of local sites on 127.0.0.x through the real CLI.

Assertions are on outcomes: what the store holds, what sidecars and the ledger say, and
what each site's server actually received.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import (
    CC_BY,
    CONTACT,
    crawl,
    image,
    is_stored,
    page,
    run_cli,
    store_ledger,
    stored_bytes,
    write_policy,
)

from crawler.demo.server import Route
from crawler.storage.packs import split_locator

SITE, UNLISTED = "127.0.0.21", "127.0.0.29"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


def test_gated_crawl_end_to_end(serve, tmp_path: Path) -> None:
    server = serve({
        SITE: {
            "/robots.txt": Route(b"User-agent: *\nDisallow: /nobots/\n", content_type="text/plain"),
            "/a.html": page("a", license_url=CC_BY_SA, images=("/dog.png",)),
            "/nolicense.html": page("no license", license_url=None, images=("/lost.png",)),
            "/private/x.html": page("private"),
            "/nobots/y.html": page("robots say no"),
            "/nd.html": page("nd", license_url="https://creativecommons.org/licenses/by-nd/4.0/"),
            "/cat.png": image(),
            "/dog.png": image({"Link": f'<{CC_BY}>; rel="license"'}),
            "/lost.png": image(),
        },
        UNLISTED: {"/": page("unlisted"), "/trap": page("trap")},
    })
    # routes that point off-site need the port, known only once the server listens
    unlisted_root = server.url(UNLISTED, "/")
    server.routes(SITE).update({
        "/": page("home", links=("/a.html", "/nolicense.html", "/private/x.html",
                                 "/nobots/y.html", "/nd.html", "/redirect", unlisted_root),
                  images=("/cat.png",)),
        "/redirect": Route(b"", 302, {"Location": server.url(UNLISTED, "/trap")}),
    })
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], deny_paths=["/private/"],
                 licenses={"images_share_page_license": True})

    result = crawl(policies, tmp_path / "corpus")

    url = lambda path: server.url(SITE, path)  # noqa: E731
    assert result.stored_urls() == {url("/"), url("/a.html"), url("/cat.png"), url("/dog.png")}
    # nothing went to the host without a policy, neither by link nor by redirect
    assert server.hits_for(UNLISTED) == []
    assert ("allowlist", "no_policy") in result.decisions(unlisted_root)
    trap = [r for r in result.ledger if r["url"] == server.url(UNLISTED, "/trap")]
    assert trap and trap[0]["reason"] == "no_policy"
    assert trap[0]["redirected_from"] == url("/redirect")
    # paths outside the policy and robots-disallowed paths were never requested
    requested = {h.path for h in server.hits_for(SITE)}
    assert "/private/x.html" not in requested and "/nobots/y.html" not in requested
    assert result.decisions(url("/private/x.html")) == [("allowlist", "path_denied")]
    assert ("robots", "robots_disallowed") in result.decisions(url("/nobots/y.html"))
    # fetched but not stored, each with its reason
    assert ("license", "license_missing") in result.decisions(url("/nolicense.html"))
    assert ("license", "license_not_accepted") in result.decisions(url("/nd.html"))
    # images of a page that is not kept are not even requested
    assert "/lost.png" not in requested
    assert ("license", "page_excluded") in result.decisions(url("/lost.png"))
    # every stored item has content + sidecar; the sidecar matches the content
    for entry in result.manifest:
        content = stored_bytes(result.store, entry["content"])
        pack, offset, length = split_locator(entry["content"])
        assert pack.startswith("packs/") and split_locator(entry["sidecar"])[:2] == (
            pack, offset + length)  # the sidecar right after its content, in one append
        card = result.sidecar(entry["url"])
        assert card["sha256"] == hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert card["policy"]["name"] == "site" and len(card["policy"]["sha256"]) == 64
        assert card["robots"]["outcome"] == "parsed" and len(card["robots"]["sha256"]) == 64
        assert [d["gate"] for d in card["decisions"]][:2] == ["allowlist", "robots"]
    assert result.sidecar(url("/a.html"))["license"]["spdx"] == "CC-BY-SA-4.0"
    assert result.sidecar(url("/a.html"))["evidence"]["chosen"]["channel"] == "html:a"
    assert result.sidecar(url("/cat.png"))["license"]["spdx"] == "CC-BY-4.0"
    assert result.sidecar(url("/cat.png"))["evidence"]["chosen"]["channel"] == "page"
    dog = result.sidecar(url("/dog.png"))
    assert dog["evidence"]["chosen"]["channel"] == "http:link"
    assert dog["attribution"]["source_url"] == url("/dog.png")
    assert dog["attribution"]["license_url"] == CC_BY
    # the summary line counts what the manifest holds
    assert "stored 4 new item(s)" in result.stdout


def test_recrawl_is_idempotent(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home", links=("/a.html",)), "/a.html": page("a")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    first = crawl(policies, tmp_path / "corpus")
    files = sorted(p.relative_to(first.store) for p in (first.store / "items").rglob("*"))
    second = crawl(policies, tmp_path / "corpus")
    assert len(second.manifest) == len(first.manifest) == 2
    assert sorted(p.relative_to(second.store) for p in (second.store / "items").rglob("*")) == files
    assert "stored 0 new item(s), 2 unchanged" in second.stdout


def test_invalid_policy_directory_stops_before_any_request(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "good", SITE, [server.url(SITE, "/")])
    (policies / "bad.yaml").write_text("hosts: [x.example]\nrate: {requests_per_second: 0}\n")
    result = crawl(policies, tmp_path / "corpus", expect=2)
    assert f"{policies}/bad.yaml:1: tos: 'tos' is required" in result.stderr or \
        f"{policies}/bad.yaml:1: 'tos' is required" in result.stderr, result.stderr
    assert f"{policies}/bad.yaml:2: rate.requests_per_second:" in result.stderr
    assert server.hits == []
    assert not (tmp_path / "corpus").exists()


def test_robots_unreachable_fails_closed(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/robots.txt": Route(b"oops", 503), "/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, tmp_path / "corpus", expect=3)  # the site failed
    assert [h.path for h in server.hits] == ["/robots.txt"]
    assert result.manifest == []
    assert ("robots", "robots_unreachable") in result.decisions(server.url(SITE, "/"))


def test_robots_404_allows_crawl(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, tmp_path / "corpus")
    assert result.stored_urls() == {server.url(SITE, "/")}
    assert result.sidecar(server.url(SITE, "/"))["robots"]["outcome"] == "unavailable"


def test_purpose_and_tos_gate(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], purposes=["research"],
                 tos={"ai_training": "research-only"})
    result = crawl(policies, tmp_path / "corpus", "commercial")
    assert server.hits == []  # not even robots.txt
    assert result.decisions(server.url(SITE, "/")) == [("allowlist", "tos_prohibited")]


def test_scrapy_native_crawl_command(serve, tmp_path: Path) -> None:
    import subprocess
    import sys

    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    store = tmp_path / "corpus"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "corpus",
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True", "-a", f"policies={policies}",
         "-a", "purpose=research", "-a", f"store={store}", "-s", f"COMPLIANCE_CONTACT={CONTACT}"],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (store / "manifest.jsonl").read_text().count("\n") == 1


def test_validate_command(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [f"http://{SITE}/"])
    proc = run_cli("validate", "--policies", str(policies), "--allow-private-networks")
    assert proc.returncode == 0 and "ok  site" in proc.stdout
    (policies / "site.yaml").write_text("hosts: []\n")
    proc = run_cli("validate", "--policies", str(policies), "--allow-private-networks")
    assert proc.returncode == 2 and f"{policies}/site.yaml:1: hosts: [] should be non-empty" \
        in proc.stderr


def test_sitemaps_and_unfollowed_file_links(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home", links=("/report.pdf", "/steps")),
                           "/steps": page("steps"), "/from-sitemap.html": page("sitemap only"),
                           "/report.pdf": Route(b"%PDF-1.4", content_type="application/pdf")}})
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
               f'schemas/sitemap/0.9"><url><loc>{server.url(SITE, "/from-sitemap.html")}</loc>'
               '</url></urlset>')
    server.routes(SITE)["/sitemap.xml"] = Route(sitemap.encode(), content_type="application/xml")
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 sitemaps=[server.url(SITE, "/sitemap.xml")])
    result = crawl(policies, tmp_path / "corpus")
    assert result.stored_urls() == {server.url(SITE, p) for p in ("/", "/steps",
                                                                  "/from-sitemap.html")}
    assert "/report.pdf" not in {h.path for h in server.hits}
    assert result.decisions(server.url(SITE, "/report.pdf")) == [("spider", "not_followed")]


def test_demo_command(tmp_path: Path) -> None:
    proc = run_cli("demo", "--out", str(tmp_path / "corpus"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "requests received by the host without a policy: 0" in proc.stdout
    assert "stored 11 new item(s)" in proc.stdout
    for reason in ("allowlist/no_policy", "allowlist/path_denied", "robots/robots_disallowed",
                   "robots/robots_ai_optout", "robots/robots_unreachable",
                   "license/license_missing", "license/license_not_accepted",
                   "license/license_conflict", "license/license_unknown", "optout/optout"):
        assert f"excluded  {reason}" in proc.stdout, reason


def test_purge_commands_and_consent_withdrawal(serve, tmp_path: Path) -> None:
    robots = {"text": b"User-agent: *\nAllow: /\n"}

    def robots_route() -> Route:
        return Route(robots["text"], content_type="text/plain")

    server = serve({SITE: {"/robots.txt": robots_route, "/": page("home", links=("/a.html",
                                                                                   "/b.html")),
                           "/a.html": page("a"), "/b.html": page("b")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    store = tmp_path / "corpus"
    first = crawl(policies, store)
    assert len(first.stored_urls()) == 3
    # the site now opts /a.html out of AI training: a re-crawl withdraws it
    robots["text"] = b"User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /a.html\n"
    second = crawl(policies, store)
    assert second.stored_urls() == {server.url(SITE, "/"), server.url(SITE, "/b.html")}
    withdrawn = [r for r in second.ledger if r["reason"] == "consent_withdrawn"]
    assert [r["url"] for r in withdrawn] == [server.url(SITE, "/a.html")]
    assert not is_stored(store, withdrawn[0]["evidence"]["content"])
    # deletion on request, by URL and by site; dry runs delete nothing
    proc = run_cli("purge", "--store", str(store), "--url", server.url(SITE, "/b.html"))
    assert proc.returncode == 0 and "1 item(s) removed" in proc.stdout
    proc = run_cli("purge", "--store", str(store), "--site", SITE, "--dry-run")
    assert "would remove" in proc.stdout and len(second.manifest) == 1
    proc = run_cli("purge", "--store", str(store), "--site", SITE, "--quarantine")
    assert proc.returncode == 0 and second.manifest == []
    assert len((store / "quarantine" / "manifest.jsonl").read_text().splitlines()) == 1
    reasons = [r["reason"] for r in second.ledger if r["gate"] == "retention"]
    assert reasons == ["consent_withdrawn", "deletion_requested", "deletion_requested"]


def test_purge_expired_follows_policy_retention(serve, tmp_path: Path) -> None:

    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], retention_days=1)
    store = tmp_path / "corpus"
    result = crawl(policies, store)
    proc = run_cli("purge", "--store", str(store), "--expired", "--policies", str(policies),
                   "--allow-private-networks")
    assert "0 item(s) selected" in proc.stdout  # stored today, kept for a day
    # age the manifest entry by two days, as if the crawl had run then
    manifest = store / "manifest.jsonl"
    entry = json.loads(manifest.read_text())
    entry["committed_at"] = "2020-01-01T00:00:00.000Z"
    manifest.write_text(json.dumps(entry) + "\n")
    proc = run_cli("purge", "--store", str(store), "--expired", "--policies", str(policies),
                   "--allow-private-networks")
    assert proc.returncode == 0 and "1 item(s) removed" in proc.stdout
    assert result.manifest == []
    [record] = [r for r in result.ledger if r["gate"] == "retention"]
    assert record["reason"] == "retention_expired" and "1-day retention" in record["sentence"]


def test_prohibited_tos_on_recrawl_removes_the_site(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    store = tmp_path / "corpus"
    crawl(policies, store)
    write_policy(policies, "site", SITE, [], purposes=[],
                 tos={"ai_training": "prohibited"})
    hits_before = len(server.hits)
    result = crawl(policies, store)
    assert result.manifest == [] and len(server.hits) == hits_before
    assert [r["reason"] for r in result.ledger if r["gate"] == "retention"] == [
        "consent_withdrawn"]


def test_explain_shows_the_chain_for_one_url(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home", license_url=None)}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    crawl(policies, tmp_path / "corpus", "research")
    proc = run_cli("explain", server.url(SITE, "/"), cwd=tmp_path)  # ./corpus by default
    *lines, verdict = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) == 4, proc.stderr
    assert [line.split()[3:6] for line in lines] == [
        ["allowlist", "allow", "allowed"], ["robots", "allow", "allowed"],
        ["optout", "allow", "allowed"], ["license", "deny", "license_missing"]]
    assert verdict.startswith("verdict: not stored, because license/license_missing: No "
                              "license statement") and verdict.endswith(", policy site)")
    page_with_license = serve({UNLISTED: {"/": page("home")}})
    write_policy(policies, "other", UNLISTED, [page_with_license.url(UNLISTED, "/")])
    crawl(policies, tmp_path / "corpus", "research")
    proc = run_cli("explain", page_with_license.url(UNLISTED, "/"), "--store",
                   str(tmp_path / "corpus"))
    assert proc.stdout.splitlines()[-1].startswith(
        "verdict: stored (for research), because its license CC-BY-4.0 (html:a: "
        "https://creativecommons.org/licenses/by/4.0/) is accepted by policy other version ")


def test_export_command_writes_shards_and_card(serve, tmp_path: Path) -> None:

    nc = "https://creativecommons.org/licenses/by-nc/4.0/"
    server = serve({SITE: {"/": page("<b>Home</b> " + "moss grows north. " * 40,
                                     links=("/nc.html",)),
                           "/nc.html": page("non-commercial words " * 40, license_url=nc)}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    store = crawl(policies, tmp_path / "corpus").store
    out = tmp_path / "export"
    proc = run_cli("export", str(store), "--out", str(out), "--purpose", "research")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in (out / "shard-00000.jsonl").read_text().splitlines()]
    assert {r["license"] for r in records} == {"CC-BY-4.0", "CC-BY-NC-4.0"}
    assert "moss grows north" in next(r["text"] for r in records if r["license"] == "CC-BY-4.0")
    assert "| CC-BY-NC-4.0 |" in (out / "README.md").read_text()
    # the export carries the ledger lines that explain its items, and nothing else
    ledger = [json.loads(x) for x in (out / "ledger.jsonl").read_text().splitlines()]
    assert {r["url"] for r in ledger} == {r["url"] for r in records}
    assert {(r["gate"], r["reason"]) for r in ledger} >= {("license", "allowed"),
                                                          ("store", "allowed")}
    proc = run_cli("explain", server.url(SITE, "/nc.html"), "--ledger", str(out / "ledger.jsonl"))
    assert proc.returncode == 0 and "Stored with its license sidecar" in proc.stdout
    # crawled for research: nothing of it may be exported for commercial use
    proc = run_cli("export", str(store), "--out", str(tmp_path / "c"), "--purpose", "commercial")
    assert proc.returncode == 0 and "0 item(s)" in proc.stdout


def test_items_that_skip_the_gates_are_not_stored(serve, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO

    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], deny_paths=["/private/"])
    secret = server.url(SITE, "/private/secret")
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider",
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True",
         str(REPO / "tests/spiders/forged_item_spider.py"), "-a", f"url={secret}",
         "-a", "policy=site", "-s", f"COMPLIANCE_POLICIES={policies}",
         "-s", "COMPLIANCE_PURPOSE=research",
         "-s", f"COMPLIANCE_CONTACT={CONTACT}", "-s", f"COMPLIANCE_STORE={tmp_path / 'c'}"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ledger = store_ledger(tmp_path / "c")
    assert [(r["gate"], r["reason"]) for r in ledger if r["url"] == secret] == [
        ("store", "not_gated")]
    assert (tmp_path / "c" / "manifest.jsonl").read_text() == ""


def test_control_file_paths_are_not_pages(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/docs/": page("docs", links=("/ai.txt?page=1",)),
                           "/ai.txt": page("an HTML page at a control-file path")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/docs/")], allow_paths=["/docs/"])
    result = crawl(policies, tmp_path / "corpus")
    assert result.stored_urls() == {server.url(SITE, "/docs/")}
    # the crawler read /ai.txt as a control file, but a link to it is no page to store
    assert result.decisions(server.url(SITE, "/ai.txt?page=1")) == [
        ("allowlist", "path_not_allowed")]
