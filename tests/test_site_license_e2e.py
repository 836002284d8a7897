"""The site license page in a real crawl. Four sites whose pages state no license of their
own: one whose footers link to a license page, one whose robots.txt disallows that page,
one whose license page answers 500, and one whose policy names its license page (outside
its allow_paths). What the server saw, what was stored, and what sidecars and ledger say.

The crawl stops at depth 1 (``DEPTH_LIMIT``), so the footer links to the license page are
not crawled as pages: every request for it the server sees is the site license read."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CrawlResult, crawl, write_policy

from crawler.demo.server import Route, SiteServer

FOOTER, ROBOTS, BROKEN, NAMED = "127.0.0.145", "127.0.0.146", "127.0.0.147", "127.0.0.148"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
PAGES = [f"/p{i}.html" for i in range(8)]
LICENSE_TEXT = Route(b"<html><head><title>License</title></head><body><h1>License</h1><p>All "
                     b"content on this site is available under CC BY 4.0.</p></body></html>")


def html(body: str, head: str = "", footer: bool = True) -> Route:
    links = '<footer><a href="/license">License</a></footer>' if footer else ""
    return Route(f"<html><head><title>T</title>{head}</head><body><p>{body}</p>{links}"
                 "</body></html>".encode())


def site(extra: dict[str, Route], footer: bool = True) -> dict[str, Route]:
    """A home page with a license of its own, linking pages without one (and the extra
    ``.html`` pages)."""
    links = "".join(f'<a href="{p}">{p}</a>' for p in [*PAGES, *extra] if p.endswith(".html"))
    home = html(f'{links}<a rel="license" href="{BY_SA}">CC BY-SA 4.0</a>', footer=False)
    return {"/": home, **{p: html(p, footer=footer) for p in PAGES}, **extra}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("site-license")
    routes = {
        FOOTER: site({
            "/license": LICENSE_TEXT,
            "/own.html": html(f'own <a rel="license" href="{BY_SA}">CC BY-SA 4.0</a>'),
            "/noai.html": html("opted out", '<meta name="robots" content="noai">')}),
        ROBOTS: {**site({"/license": LICENSE_TEXT}),
                 "/robots.txt": Route(b"User-agent: *\nDisallow: /license\n",
                                      content_type="text/plain")},
        BROKEN: site({"/license": Route(b"<html><body>down</body></html>", 500)}),
        NAMED: {**site({}, footer=False), "/legal/content": LICENSE_TEXT},
    }
    with SiteServer(routes) as server:
        policies = tmp / "policies"
        for name, address in (("footer", FOOTER), ("robots", ROBOTS), ("broken", BROKEN)):
            write_policy(policies, name, address, [server.url(address)])
        write_policy(policies, "named", NAMED, [server.url(NAMED)],
                     allow_paths=["/$", "/p"],  # the named license page is read all the same
                     licenses={"page": server.url(NAMED, "/legal/content")})
        yield server, crawl(policies, tmp / "corpus", "research", "DEPTH_LIMIT=1")


def hits(server: SiteServer, address: str, path: str) -> int:
    return [h.path for h in server.hits_for(address)].count(path)


def lines(result: CrawlResult, url: str, gate: str) -> list[dict[str, Any]]:
    return [r for r in result.ledger if r["url"] == url and r["gate"] == gate]


def test_pages_without_a_license_take_the_one_their_footer_links_to(run: Any) -> None:
    server, result = run
    license_url = server.url(FOOTER, "/license")
    for path in PAGES:
        card = result.sidecar(server.url(FOOTER, path))
        assert card["license"]["spdx"] == "CC-BY-4.0" and card["license"]["scope"] == "site"
        chosen = card["evidence"]["chosen"]
        assert (chosen["channel"], chosen["scope"], chosen["document"]) == (
            "site:license-page", "site", license_url)
        assert "CC BY 4.0" in chosen["snippet"]
        evidence = card["evidence"]["site_license"]
        assert (evidence["page"], evidence["found_by"], evidence["link_text"],
                evidence["status"], evidence["outcome"]) == (
            license_url, "footer", "License", 200, "site_license_found")
        assert evidence["fetched_at"].endswith("Z")
    [read] = lines(result, license_url, "license")
    assert (read["reason"], read["kind"], read["evidence"]["spdx"]) == (
        "site_license_found", "signal-file", "CC-BY-4.0")


def test_the_license_page_is_read_once_for_all_pages(run: Any) -> None:
    server, _result = run
    assert hits(server, FOOTER, "/license") == 1
    assert all(hits(server, FOOTER, p) == 1 for p in PAGES)


def test_a_page_license_wins_and_an_opt_out_wins_over_both(run: Any) -> None:
    server, result = run
    own = result.sidecar(server.url(FOOTER, "/own.html"))
    assert own["license"]["spdx"] == "CC-BY-SA-4.0" and "site_license" not in own["evidence"]
    noai = server.url(FOOTER, "/noai.html")
    assert noai not in result.stored_urls()
    assert ("optout", "optout") in result.decisions(noai)
    assert not lines(result, noai, "license")


def test_a_license_page_robots_txt_disallows_is_not_fetched(run: Any) -> None:
    server, result = run
    license_url = server.url(ROBOTS, "/license")
    assert hits(server, ROBOTS, "/license") == 0
    assert ("robots", "robots_disallowed") in result.decisions(license_url)
    assert ("license", "site_license_unreadable") in result.decisions(license_url)
    for path in PAGES:
        url = server.url(ROBOTS, path)
        assert url not in result.stored_urls()
        [line] = lines(result, url, "license")
        assert line["reason"] == "license_missing"
        assert line["evidence"]["site_license"]["outcome"] == "site_license_unreadable"


def test_a_license_page_answering_500_gives_no_site_license(run: Any) -> None:
    server, result = run
    license_url = server.url(BROKEN, "/license")
    assert hits(server, BROKEN, "/license") == 1
    [read] = lines(result, license_url, "license")
    assert (read["decision"], read["reason"], read["evidence"]["status"]) == (
        "deny", "site_license_unreadable", 500)
    assert {r["reason"] for p in PAGES
            for r in lines(result, server.url(BROKEN, p), "license")} == {"license_missing"}
    assert result.stored_urls() & {server.url(BROKEN, p) for p in PAGES} == set()


def test_a_license_page_the_policy_names_is_read(run: Any) -> None:
    server, result = run
    assert hits(server, NAMED, "/legal/content") == 1
    for path in PAGES:
        card = result.sidecar(server.url(NAMED, path))
        assert card["license"]["spdx"] == "CC-BY-4.0"
        assert card["evidence"]["site_license"]["found_by"] == "policy"
        assert card["evidence"]["site_license"]["page"] == server.url(NAMED, "/legal/content")
