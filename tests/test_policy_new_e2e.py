"""``crawler policy new`` against real local sites: the requests a site sees, the draft, the
review a person does, and a crawl with the reviewed policy."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import CONTACT, REPO, Route, crawl, page

SITE = "127.0.0.104"
SITE_B = "127.0.0.105"
SITE_C = "127.0.0.106"

HOME = b"""<html><head><title>Willkommen</title></head><body>
<main><p>Artikel und Notizen.</p><a href="/artikel/eins">Eins</a></main>
<p>Inhalte unter <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY
4.0</a>.</p>
<footer><a href="/impressum">Impressum</a> | <a href="/recht/nutzungsbedingungen">
Nutzungsbedingungen</a> | <a href="/lizenz">Lizenz</a></footer>
</body></html>"""


def policy_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``crawler policy ...`` (the module's own entry point until the CLI wires it in)."""
    return subprocess.run([sys.executable, "-m", "crawler.policy.command", "policy", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def german_site(serve):  # type: ignore[no-untyped-def]
    server = serve({SITE: {
        "/": Route(HOME),
        "/artikel/eins": page("eins"),
        "/artikel/zwei": page("zwei, nur in der Sitemap"),
        "/lizenz": page("Alle Inhalte stehen unter CC BY 4.0."),
        "/impressum": page("Impressum", license_url=None),
        "/recht/nutzungsbedingungen": page("Nutzungsbedingungen", license_url=None),
        "/intern/x": page("intern"),
        "/.well-known/tdmrep.json": Route(b'[{"location": "/intern/*", "tdm-reservation": 1}]',
                                          content_type="application/json"),
    }})
    routes = server.routes(SITE)
    routes["/robots.txt"] = Route(
        ("User-agent: *\nCrawl-delay: 1.5\nDisallow: /recht/\nDisallow: /intern/\n\n"
         f"Sitemap: {server.url(SITE, '/sitemap.xml')}\n").encode(), content_type="text/plain")
    routes["/sitemap.xml"] = Route(
        ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         f"<url><loc>{server.url(SITE, '/artikel/zwei')}</loc></url></urlset>").encode(),
        content_type="application/xml")
    return server


def fill_review(text: str) -> str:
    """What the reviewer does after reading the terms: fill the four empty fields."""
    for key, value in (("reviewed", "2026-11-02"), ("reviewer", "Ada Reviewer"),
                       ("crawling", "allowed"), ("ai_training", "research-only")):
        text, n = re.subn(rf"^(  {key}:)\s*#.*$", rf"\1 {value}", text, flags=re.MULTILINE)
        assert n == 1, key
    return text


def test_draft_review_check_and_crawl(serve, tmp_path: Path) -> None:
    server = german_site(serve)
    home = server.url(SITE, "/")
    policies = tmp_path / "policies"
    policies.mkdir()
    out = policies / "artikel.yaml"
    proc = policy_cli("new", home, "--out", str(out), "--contact", CONTACT,
                      "--allow-private-networks")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr

    # the site saw the fixed set, in order, robots.txt obeyed, 1.5 s apart, with our contact
    hits = server.hits_for(SITE)
    assert [h.path for h in hits] == ["/robots.txt", "/", "/.well-known/tdmrep.json",
                                      "/ai.txt", "/sitemap.xml", "/lizenz"]
    gaps = [b.time - a.time for a, b in itertools.pairwise(hits)]
    assert min(gaps) >= 1.45, gaps
    assert all(CONTACT in h.headers["User-Agent"] for h in hits)
    assert all(h.headers["User-Agent"].startswith("compliance-crawler/") for h in hits)

    text = out.read_text()
    draft = yaml.safe_load(text)
    port = server.port
    assert draft["hosts"] == [SITE]
    assert draft["ports"] == [port]
    assert draft["start_urls"] == [home]
    assert draft["sitemaps"] == [server.url(SITE, "/sitemap.xml")]
    assert draft["deny_paths"] == ["/recht/", "/intern/"]
    assert draft["rate"] == {"requests_per_second": 0.666, "concurrency": 1}
    assert draft["licenses"]["accept"] == {"research": ["CC-BY-4.0"]}
    assert draft["tos"] == {"url": server.url(SITE, "/recht/nutzungsbedingungen"),
                            "reviewed": None, "reviewer": None, "crawling": None,
                            "ai_training": None, "notes": ""}
    # the comments say where each proposal came from
    assert '# link "Nutzungsbedingungen" (German) in the footer on the home page; not ' \
           "fetched: robots.txt disallows it for compliance-crawler (line 3: Disallow: " \
           "/recht/)" in text
    assert "- /recht/  # robots.txt line 3 (group *): Disallow: /recht/" in text
    assert "# robots.txt Crawl-delay: 1.5 -> one request every 1.5 s" in text
    assert "- CC-BY-4.0  # granted by html:a on the home page" in text
    assert "tdmrep.json: 1 rule(s); nothing about /" in text

    # as drafted, it does not validate: the review is missing
    proc = policy_cli("check", str(policies), "--allow-private-networks")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    problems = proc.stderr.splitlines()[1:]
    assert [p.split(": ", 1)[1] for p in problems] == [
        f"tos.{key}: not filled in: the person who reviewed the terms fills this in"
        for key in ("reviewed", "reviewer", "crawling", "ai_training")]
    assert all(p.startswith(f"  {out}:") for p in problems)

    out.write_text(fill_review(text))
    proc = policy_cli("check", str(policies), "--allow-private-networks", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok  127-0-0-104")
    assert "accept research:\n      CC-BY-4.0" in proc.stdout

    # the reviewed draft crawls the site
    before = len(server.hits_for(SITE))
    result = crawl(policies, tmp_path / "corpus")
    assert {home, server.url(SITE, "/artikel/eins"),
            server.url(SITE, "/artikel/zwei")} <= result.stored_urls()
    crawled = [h.path for h in server.hits_for(SITE)[before:]]
    assert "/robots.txt" in crawled
    assert not [p for p in crawled if p.startswith(("/recht/", "/intern/"))]


def test_private_addresses_are_refused_before_any_request(serve, tmp_path: Path) -> None:
    server = serve({SITE_B: {"/": page("home")}})
    proc = policy_cli("new", server.url(SITE_B, "/"), "--contact", CONTACT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith(
        f"refused, nothing was sent: {SITE_B}: {SITE_B} is a loopback address: refused "
        "unless the operator allows private networks (--allow-private-networks)")
    # a cloud metadata address never, even with the operator's switch
    proc = policy_cli("new", "http://169.254.169.254/latest/", "--contact", CONTACT,
                      "--allow-private-networks")
    assert proc.returncode == 2
    assert "169.254.169.254 is a cloud metadata address" in proc.stderr
    proc = policy_cli("new", server.url(SITE_B, "/"))  # no contact: no request either
    assert proc.returncode == 2 and "contact is required" in proc.stderr
    assert server.hits_for(SITE_B) == []


def test_unreachable_robots_txt_stops_after_it(serve, tmp_path: Path) -> None:
    server = serve({SITE_B: {"/robots.txt": Route(b"busy", 503), "/": page("home")}})
    proc = policy_cli("new", server.url(SITE_B, "/"), "--contact", CONTACT,
                      "--allow-private-networks")
    assert proc.returncode == 0, proc.stderr
    assert [h.path for h in server.hits_for(SITE_B)] == ["/robots.txt"]
    assert "robots.txt is unreachable: the crawl would fetch nothing" in proc.stderr
    draft = yaml.safe_load(proc.stdout)
    assert draft["deny_paths"] == [] and draft["tos"]["url"] is None


def test_existing_file_is_never_overwritten(serve, tmp_path: Path) -> None:
    server = serve({SITE_C: {"/": page("home")}})
    out = tmp_path / "site.yaml"
    out.write_text("mine\n")
    proc = policy_cli("new", server.url(SITE_C, "/"), "--out", str(out), "--contact", CONTACT,
                      "--allow-private-networks")
    assert proc.returncode == 2 and "exists: a draft never overwrites a file" in proc.stderr
    assert out.read_text() == "mine\n"
    assert server.hits_for(SITE_C) == []


def test_redirects_stay_on_the_site_and_obey_robots(serve, tmp_path: Path) -> None:
    """The home page moved (followed, robots.txt checked for the target); the terms link
    points to another host (not fetched, still proposed)."""
    server = serve({SITE_C: {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /alt/\n", content_type="text/plain"),
        "/": Route(b"", 301, {"Location": "/start/"}),
        "/start/": Route(b'<a href="/alt/">old</a><a href="http://terms.example.net/tos">'
                         b"Terms of Service</a>"),
        "/.well-known/tdmrep.json": Route(b"", 302, {"Location": "/alt/tdm.json"}),
    }})
    proc = policy_cli("new", server.url(SITE_C, "/"), "--contact", CONTACT,
                      "--allow-private-networks")
    assert proc.returncode == 0, proc.stderr
    assert [h.path for h in server.hits_for(SITE_C)] == [
        "/robots.txt", "/", "/start/", "/.well-known/tdmrep.json", "/ai.txt"]
    draft = yaml.safe_load(proc.stdout)
    assert draft["start_urls"] == [server.url(SITE_C, "/start/")]
    assert draft["tos"]["url"] == "http://terms.example.net/tos"
    assert "not fetched: on another host (terms.example.net)" in proc.stdout
    assert f"redirects to {server.url(SITE_C, '/alt/tdm.json')}: robots.txt disallows it" \
        in proc.stdout
