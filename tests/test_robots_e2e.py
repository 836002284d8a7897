"""robots.txt as a real server serves it: AI-training groups, AI-preference lines, RSL
licenses, redirects and the cache TTL, asserted from what was stored and requested."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import crawl, page, write_policy

from crawler.demo.server import Route

SITE = "127.0.0.41"
PAGES = ("/a.html", "/ai-ok/b.html")


def robots_site(serve, robots: str, extra: dict | None = None):
    routes = {"/robots.txt": Route(robots.encode(), content_type="text/plain"),
              "/": page("home", links=PAGES)}
    routes.update({p: page(p) for p in PAGES})
    routes.update(extra or {})
    return serve({SITE: routes})


def run(server, tmp_path: Path, *settings: str, expect: int = 0):
    policies = tmp_path / "policies"  # every page is a start URL: none depends on another
    write_policy(policies, "site", SITE, [server.url(SITE, p) for p in ("/", *PAGES)])
    return crawl(policies, tmp_path / "corpus", "research", *settings, expect=expect)


@pytest.mark.parametrize("robots, stored, reason", [
    # an AI-training crawler's own group disallows: opted out, and not even fetched
    ("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", set(), "robots_ai_optout"),
    ("User-agent: CCBot\nDisallow: /a.html\n", {"/", "/ai-ok/b.html"}, "robots_ai_optout"),
    # a search bot is no training opt-out
    ("User-agent: PerplexityBot\nDisallow: /\n", {"/", "/a.html", "/ai-ok/b.html"}, None),
    ("User-agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n", set(),
     "robots_ai_optout"),
    ("User-agent: *\nContent-Signal: search=yes, ai-train=yes\n",
     {"/", "/a.html", "/ai-ok/b.html"}, None),
    ("User-agent: *\nContent-Usage: train-ai=n\n", set(), "robots_ai_optout"),
    ("User-agent: *\nContent-Usage: / train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n",
     {"/ai-ok/b.html"}, "robots_ai_optout"),
    ("User-agent: *\nContent-Usage: train-ai=maybe\n", set(), "robots_ai_preference_unknown"),
    ("User-agent: *\nDisallowAITraining: /a.html\n", {"/", "/ai-ok/b.html"}, "robots_ai_optout"),
    # our own token: exact product-token match only
    ("User-agent: compliance-crawler-extended\nDisallow: /\n",
     {"/", "/a.html", "/ai-ok/b.html"}, None),
    ("User-agent: Compliance-Crawler\nDisallow: /a.html\n", {"/", "/ai-ok/b.html"},
     "robots_disallowed"),
    ("\ufeffUser-agent: *\r\nDisallow: /a.html\r\n", {"/", "/ai-ok/b.html"}, "robots_disallowed"),
])
def test_robots_lines_decide_what_is_fetched_and_stored(serve, tmp_path: Path, robots: str,
                                                        stored: set[str], reason: str | None):
    server = robots_site(serve, robots)
    result = run(server, tmp_path)
    assert result.stored_urls() == {server.url(SITE, p) for p in stored}
    requested = {h.path for h in server.hits}
    for path in {"/", *PAGES} - stored:
        assert path not in requested, f"{path} was fetched although robots.txt opts it out"
        assert ("robots", reason) in result.decisions(server.url(SITE, path))


@pytest.mark.parametrize("rsl, stored", [
    ('<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>'
     '<prohibits type="usage">ai-train</prohibits></license></content></rsl>', False),
    ('<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>'
     '<permits type="usage">search</permits></license></content></rsl>', True),
    (None, False),  # the RSL file is missing: unknown, so fail closed
])
def test_rsl_license_named_in_robots(serve, tmp_path: Path, rsl: str | None, stored: bool):
    extra = {"/license.xml": Route(rsl.encode(), content_type="application/xml")} if rsl else {}
    server = robots_site(serve, "License: /license.xml\nUser-agent: *\nAllow: /\n", extra)
    result = run(server, tmp_path)
    assert bool(result.manifest) is stored
    assert "/license.xml" in {h.path for h in server.hits}
    if not stored:
        assert {h.path for h in server.hits} == {"/robots.txt", "/license.xml"}
        [record] = [r for r in result.ledger if r["url"] == server.url(SITE, "/")
                    and r["gate"] == "robots"]
        assert record["evidence"]["preference"] == "rsl"


def test_robots_redirects_are_followed_up_to_five(serve, tmp_path: Path) -> None:
    chain = {f"/r{i}": Route(b"", 301, {"Location": f"/r{i + 1}"}) for i in range(5)}
    chain["/r5"] = Route(b"User-agent: *\nDisallow: /a.html\n", content_type="text/plain")
    server = robots_site(serve, "", {"/robots.txt": Route(b"", 301, {"Location": "/r1"}), **chain})
    result = run(server, tmp_path)
    assert result.stored_urls() == {server.url(SITE, "/"), server.url(SITE, "/ai-ok/b.html")}

    too_long = {f"/r{i}": Route(b"", 301, {"Location": f"/r{i + 1}"}) for i in range(7)}
    server2 = robots_site(serve, "", {"/robots.txt": Route(b"", 301, {"Location": "/r1"}),
                                      **too_long})
    result2 = run(server2, tmp_path / "second", expect=3)  # the site failed
    assert result2.manifest == []  # six redirects: unreachable, disallow all


def test_robots_cache_expires_and_is_fetched_again(serve, tmp_path: Path) -> None:
    chain = [f"/p{i}.html" for i in range(6)]  # each page links the next: found one by one
    routes = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
              "/": page("home", links=(chain[0],))}
    routes.update({link: page(link, links=tuple(chain[i + 1:i + 2]))
                   for i, link in enumerate(chain)})
    server = serve({SITE: routes})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 4, "concurrency": 1})
    result = crawl(policies, tmp_path / "corpus", "research", "COMPLIANCE_ROBOTS_TTL=0.5")
    robots_hits = [h for h in server.hits if h.path == "/robots.txt"]
    assert len(robots_hits) >= 2
    assert len(result.manifest) == 7


def test_huge_and_garbage_robots_never_crash_the_crawl(serve, tmp_path: Path) -> None:
    # every byte but NUL (a NUL makes robots.txt unreachable: see the test below)
    garbage = bytes(range(1, 256)) * 4000 + b"\nUser-agent: *\nDisallow: /a.html\n"
    server = robots_site(serve, "", {"/robots.txt": Route(garbage, content_type="text/plain")})
    result = run(server, tmp_path)
    # the Disallow sits beyond 500 KiB: ignored, as RFC 9309 allows
    assert result.stored_urls() == {server.url(SITE, p) for p in ("/", *PAGES)}


def test_rsl_license_lines_beyond_the_limit_are_unknown(serve, tmp_path: Path) -> None:
    permits = (b'<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>'
               b'<permits type="usage">search</permits></license></content></rsl>')
    lines = "".join(f"License: /l{i}.xml\n" for i in range(6))
    extra = {f"/l{i}.xml": Route(permits, content_type="application/xml") for i in range(6)}
    server = robots_site(serve, lines + "User-agent: *\nAllow: /\n", extra)
    result = run(server, tmp_path)
    assert result.manifest == []  # the sixth license was never read: it might prohibit
    assert "/l5.xml" not in {h.path for h in server.hits}
    assert ("robots", "robots_ai_preference_unknown") in result.decisions(server.url(SITE, "/"))


def test_utf16_robots_with_bom_is_obeyed(serve, tmp_path: Path) -> None:
    site = "127.0.0.83"
    robots = "\ufeffUser-agent: *\r\nDisallow: /private/\r\n".encode("utf-16-le")
    assert robots.startswith(b"\xff\xfe")
    server = serve({site: {"/robots.txt": Route(robots, content_type="text/plain"),
                           "/": page("home", links=("/private/x.html", "/public.html")),
                           "/private/x.html": page("private"),
                           "/public.html": page("public")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", site, [server.url(site, "/")])
    result = crawl(policies, tmp_path / "corpus", "research")
    requested = {h.path for h in server.hits_for(site)}
    assert "/private/x.html" not in requested
    assert "/public.html" in requested
    assert ("robots", "robots_disallowed") in result.decisions(server.url(site, "/private/x.html"))
    assert result.stored_urls() == {server.url(site, "/"), server.url(site, "/public.html")}


def test_robots_with_nul_bytes_is_unreachable(serve, tmp_path: Path) -> None:
    site = "127.0.0.84"
    robots = b"User-agent: *\x00\nAllow: /\n\x00\x00"
    server = serve({site: {"/robots.txt": Route(robots, content_type="text/plain"),
                           "/": page("home", links=PAGES), **{p: page(p) for p in PAGES}}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", site, [server.url(site, p) for p in ("/", *PAGES)])
    result = crawl(policies, tmp_path / "corpus", "research", expect=3)  # the site failed
    assert {h.path for h in server.hits_for(site)} == {"/robots.txt"}
    assert result.manifest == []
    robots_lines = [r for r in result.ledger if r["gate"] == "robots"]
    [fetch] = [r for r in robots_lines if r["url"] == server.url(site, "/robots.txt")]
    assert fetch["reason"] == "robots_unreachable"
    assert fetch["evidence"]["outcome"] == "unreachable"
    assert "NUL" in fetch["evidence"]["error"]
    for path in ("/", *PAGES):
        [record] = [r for r in robots_lines if r["url"] == server.url(site, path)]
        assert record["reason"] == "robots_unreachable"
        assert record["evidence"]["robots_outcome"] == "unreachable"
