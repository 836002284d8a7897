"""Sitemaps named by robots.txt ``Sitemap:`` lines (RFC 9309) are crawled beside the
policy's own, only inside the policy's hosts, ports and allowed paths; asserted from what
each server received, what was stored and what the ledger says."""

from __future__ import annotations

import gzip
from pathlib import Path

from conftest import crawl, page, write_policy

from crawler.demo.server import Route, SiteServer
from crawler.gates import sitemaps
from crawler.policy.registry import PolicyRegistry

SITE, ELSEWHERE, OTHER_POLICY = "127.0.0.62", "127.0.0.63", "127.0.0.64"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(*urls: str) -> Route:
    locs = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return Route(f'<?xml version="1.0"?><urlset xmlns="{NS}">{locs}</urlset>'.encode(),
                 content_type="application/xml")


def sitemapindex(*urls: str) -> Route:
    locs = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return Route(f'<?xml version="1.0"?><sitemapindex xmlns="{NS}">{locs}</sitemapindex>'
                 .encode(), content_type="application/xml")


def robots(*lines: str) -> Route:
    return Route(("User-agent: *\nDisallow: /maps/blocked.xml\n" + "".join(
        f"{line}\n" for line in lines)).encode(), content_type="text/plain")


def requested(server: SiteServer, address: str) -> list[str]:
    return [hit.path for hit in server.hits_for(address)]


def out_of_scope_lines(result, url: str) -> list[dict]:
    return [r for r in result.ledger if r["url"] == url and r["reason"] == "sitemap_out_of_scope"]


def test_robots_sitemaps_are_crawled_within_the_policy(serve, tmp_path: Path) -> None:
    server = serve({
        SITE: {"/docs/": page("home"),  # links to nothing: the rest is found by sitemaps
               "/docs/only-in-robots-sitemap.html": page("listed only in a robots sitemap"),
               "/docs/from-index.html": page("listed in a sitemap of an index"),
               "/blog/outside.html": page("outside the allowed paths"),
               "/blog/outside-too.html": page("outside the allowed paths")},
        ELSEWHERE: {"/maps/foreign.xml": urlset(), "/docs/x.html": page("no policy here")},
        OTHER_POLICY: {"/docs/other.html": page("another site's page")},
    })
    url = lambda path: server.url(SITE, path)  # noqa: E731
    server.routes(SITE).update({
        "/robots.txt": robots(
            "Sitemap: /maps/robots.xml",  # relative: resolved against robots.txt
            f"Sitemap: {url('/maps/index.xml')}",
            f"Sitemap: {url('/blog/sitemap.xml')}",  # outside allow_paths
            f"Sitemap: {server.url(ELSEWHERE, '/maps/foreign.xml')}",  # host without policy
            f"Sitemap: {url('/maps/blocked.xml')}"),  # robots.txt disallows it
        "/maps/robots.xml": urlset(url("/docs/only-in-robots-sitemap.html"),
                                   url("/blog/outside.html"), url("/blog/outside-too.html"),
                                   server.url(ELSEWHERE, "/docs/x.html"),
                                   server.url(OTHER_POLICY, "/docs/other.html")),
        "/maps/index.xml": sitemapindex(url("/maps/child.xml"), url("/blog/child.xml")),
        "/maps/child.xml": urlset(url("/docs/from-index.html")),
        "/maps/blocked.xml": urlset(url("/docs/only-in-robots-sitemap.html")),
        "/blog/sitemap.xml": urlset(url("/docs/from-index.html")),
        "/blog/child.xml": urlset(),
    })
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [url("/docs/")], allow_paths=["/docs/", "/maps/"])
    write_policy(policies, "other", OTHER_POLICY, [server.url(OTHER_POLICY, "/docs/")])
    result = crawl(policies, tmp_path / "corpus")

    # (a) a page listed only in a sitemap that robots.txt names is crawled and stored;
    # (c) so is one listed in a sitemap of an index that robots.txt names
    assert result.stored_urls() >= {url("/docs/"), url("/docs/only-in-robots-sitemap.html"),
                                    url("/docs/from-index.html")}
    hits = requested(server, SITE)
    assert hits.count("/robots.txt") == 1  # read once, by the robots gate
    for path in ("/maps/robots.xml", "/maps/index.xml", "/maps/child.xml"):
        assert hits.count(path) == 1, path
    # (b) URLs outside the allowed paths are not requested, sitemap files or pages, and
    # each file that listed any has one summary line
    for path in ("/blog/outside.html", "/blog/outside-too.html", "/blog/sitemap.xml",
                 "/blog/child.xml"):
        assert path not in hits, path
    [listed] = out_of_scope_lines(result, url("/maps/robots.xml"))
    assert listed["gate"] == "spider" and listed["decision"] == "deny"
    assert listed["evidence"]["not_taken"] == 4  # two paths, a host, another policy's host
    assert listed["evidence"]["policy"] == "site"
    assert [r["evidence"]["not_taken"] for r in out_of_scope_lines(
        result, url("/maps/index.xml"))] == [1]
    [named] = out_of_scope_lines(result, url("/robots.txt"))
    assert named["evidence"]["not_taken"] == 2  # /blog/sitemap.xml and the foreign one
    assert not [r for r in result.ledger if "/blog/" in r["url"] and r["gate"] == "allowlist"]
    # (d) a sitemap on a host without a policy, or a page on another policy's host, is
    # not requested
    assert requested(server, ELSEWHERE) == []
    assert "/docs/other.html" not in requested(server, OTHER_POLICY)
    # a sitemap robots.txt disallows is named there, but never fetched
    assert "/maps/blocked.xml" not in hits
    assert ("robots", "robots_disallowed") in result.decisions(url("/maps/blocked.xml"))


def test_a_sitemap_named_by_policy_and_robots_is_fetched_once(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home"), "/listed.html": page("listed")}})
    url = lambda path: server.url(SITE, path)  # noqa: E731
    server.routes(SITE).update({
        "/robots.txt": robots(f"Sitemap: {url('/maps/shared.xml')}",
                              "Sitemap: /maps/shared.xml"),
        "/maps/shared.xml": urlset(url("/listed.html")),
    })
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [url("/")], sitemaps=[url("/maps/shared.xml")])
    result = crawl(policies, tmp_path / "corpus")

    assert result.stored_urls() == {url("/"), url("/listed.html")}
    hits = requested(server, SITE)
    assert hits.count("/maps/shared.xml") == 1
    assert hits.count("/listed.html") == 1
    assert hits.count("/robots.txt") == 1


def test_a_gzip_sitemap_over_the_size_limit_is_not_read(serve, tmp_path: Path) -> None:
    """The addon's DOWNLOAD_MAXSIZE (32 MiB) holds for a ``.xml.gz`` sitemap too, once
    decompressed, and the drop is ledgered like any other ``size_limit``."""
    server = serve({SITE: {"/": page("home"), "/in-bomb.html": page("listed in a bomb"),
                           "/fine.html": page("listed in a fine gzip sitemap")}})
    url = lambda path: server.url(SITE, path)  # noqa: E731

    def gz(loc: str, padding: int) -> Route:
        xml = (f'<?xml version="1.0"?><urlset xmlns="{NS}"><url><loc>{loc}</loc></url>'
               + " " * padding + "</urlset>")
        return Route(gzip.compress(xml.encode()), content_type="application/x-gzip")

    server.routes(SITE).update({
        "/robots.txt": robots("Sitemap: /maps/bomb.xml.gz", "Sitemap: /maps/fine.xml.gz"),
        "/maps/bomb.xml.gz": gz(url("/in-bomb.html"), 33 * 1024 * 1024),
        "/maps/fine.xml.gz": gz(url("/fine.html"), 1024),
    })
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [url("/")])
    result = crawl(policies, tmp_path / "corpus")

    assert result.stored_urls() == {url("/"), url("/fine.html")}
    assert "/in-bomb.html" not in requested(server, SITE)
    assert result.decisions(url("/maps/bomb.xml.gz"))[-1] == ("download", "size_limit")


def test_an_error_answer_or_a_body_that_is_no_sitemap_is_ledgered(serve,
                                                                 tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home"), "/maps/not-a-sitemap.xml": page("html")}})
    url = lambda path: server.url(SITE, path)  # noqa: E731
    server.routes(SITE)["/robots.txt"] = robots("Sitemap: /maps/missing.xml",
                                                "Sitemap: /maps/not-a-sitemap.xml")
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [url("/")])
    result = crawl(policies, tmp_path / "corpus")

    assert result.decisions(url("/maps/missing.xml"))[-1] == ("content", "http_error")
    assert result.decisions(url("/maps/not-a-sitemap.xml"))[-1] == (
        "content", "unsupported_content")
    assert result.stored_urls() == {url("/")}  # a sitemap is never an item


def test_scope_is_the_naming_policy_hosts_ports_and_paths(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    write_policy(policies, "docs", "docs.example.org", ["https://docs.example.org/"],
                 allow_paths=["/docs/"], deny_paths=["/docs/private/"])
    write_policy(policies, "wiki", "wiki.example.org", ["https://wiki.example.org/"])
    registry = PolicyRegistry.from_directory(str(policies))
    docs = registry.for_host("docs.example.org")
    selection = sitemaps.select([
        "https://docs.example.org/docs/a.html",
        "https://docs.example.org/docs/a.html",  # listed twice, taken once
        "https://DOCS.example.org./docs/b.html",  # the same host, spelt otherwise
        "https://docs.example.org/docs/private/c.html",  # deny_paths
        "https://docs.example.org/blog/d.html",  # not in allow_paths
        "https://docs.example.org:8443/docs/e.html",  # not one of its ports
        "https://wiki.example.org/docs/f.html",  # another policy's host
        "https://nobody.example.net/docs/g.html",  # no policy
        "ftp://docs.example.org/docs/h.html", "http://[::1/docs/", "/docs/relative.html",
    ], docs, registry)
    assert selection.taken == ["https://docs.example.org/docs/a.html",
                               "https://DOCS.example.org./docs/b.html"]
    assert selection.skipped == 8 and len(selection.examples) == sitemaps.EXAMPLES
    decision = sitemaps.skipped(selection, docs, "sitemap")
    assert decision is not None and decision.reason == "sitemap_out_of_scope"
    assert decision.evidence["not_taken"] == 8
    assert sitemaps.skipped(sitemaps.select([], docs, registry), docs, "sitemap") is None
    assert sitemaps.select(["https://docs.example.org/docs/a.html"], None, registry).taken == []
    assert sitemaps.over_limit(0) is None
    limit = sitemaps.over_limit(3)
    assert limit is not None and limit.evidence["not_taken"] == 3
