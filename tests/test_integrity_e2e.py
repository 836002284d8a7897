"""Integrity: nothing unpermitted gets in, nothing permitted is lost.

Each test drives the real crawler (CLI, or a user's Scrapy project with the addon) against
real local HTTP servers and asserts on what the servers saw, the store and the ledger.
"""

from __future__ import annotations

from pathlib import Path

from conftest import crawl, page, write_policy

from crawler.demo.server import Route
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
