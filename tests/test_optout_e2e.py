"""Opt-out signals as real sites serve them: nothing opted out is stored (or, where it can
be known before the fetch, even requested)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CC_BY, CONTACT, PNG, crawl, image, write_policy
from test_xmp import data_mining_packet, png_with_xmp

from crawler.demo.server import Route

SITE = "127.0.0.51"
VECTORS = Path(__file__).parent / "vectors" / "optout"


def html(head: str, body: str = "text", images: tuple[str, ...] = ()) -> Route:
    imgs = "".join(f'<img src="{src}" alt="i">' for src in images)
    return Route(f'<html><head><title>t</title>{head}</head><body><p>{body}</p>{imgs}'
                 f'<a rel="license" href="{CC_BY}">CC BY</a></body></html>'.encode())


def run(serve, tmp_path: Path, routes: dict, share_license: bool = True):
    server = serve({SITE: routes})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 licenses={"images_share_page_license": share_license})
    return server, crawl(policies, tmp_path / "corpus")


def paths(server, urls: set[str]) -> set[str]:
    return {u.removeprefix(server.url(SITE, "").rstrip("/")) for u in urls}


@pytest.mark.parametrize("route, stored", [
    (html('<meta name="robots" content="NoAI">', images=("/i.png",)), set()),
    (html('<meta name="compliance-crawler" content="noai">'), set()),
    (html('<meta name="otherbot" content="noai, noimageai">', images=("/i.png",)),
     {"/", "/i.png"}),
    (html('<meta name="robots" content="noimageai">', images=("/i.png",)), {"/"}),
    (Route(html("").body, headers={"X-Robots-Tag": ["otherbot: noindex", "noai"]}), set()),
    (Route(html("").body, headers={"X-Robots-Tag": "noai, otherbot: noindex"}), set()),
    (Route(html("").body, headers={"X-Robots-Tag": "otherbot: noai, noimageai"}), {"/"}),
    (Route(html("").body, headers={"tdm-reservation": "1",
                                   "tdm-policy": "https://x.example/p"}), set()),
    (Route(html("").body, headers={"tdm-reservation": "yes"}), {"/"}),
    (html('<meta name="tdm-reservation" content="1">'), set()),
    (Route(html("").body, headers={"Content-Usage": "train-ai=n"}), set()),
    (Route(html("").body, headers={"Content-Usage": "train-ai=maybe"}), set()),
])
def test_page_signals(serve, tmp_path: Path, route: Route, stored: set[str]) -> None:
    server, result = run(serve, tmp_path, {"/": route, "/i.png": image()})
    assert paths(server, result.stored_urls()) == stored
    if "/i.png" not in stored and "/" not in stored:
        assert "/i.png" not in {h.path for h in server.hits}  # never fetched
    if "/" not in stored:
        [denial] = [r for r in result.ledger if r["url"] == server.url(SITE, "/")
                    and r["decision"] == "deny"]
        assert denial["gate"] == "optout"


def test_noimageai_keeps_the_text_and_never_fetches_the_images(serve, tmp_path: Path) -> None:
    server, result = run(serve, tmp_path, {
        "/": html('<meta name="robots" content="noimageai">', images=("/i.png",)),
        "/i.png": image()})
    assert paths(server, result.stored_urls()) == {"/"}
    assert "/i.png" not in {h.path for h in server.hits}
    assert ("optout", "optout") in result.decisions(server.url(SITE, "/i.png"))


def test_tdmrep_json_first_matching_rule_wins(serve, tmp_path: Path) -> None:
    tdmrep = (b'[{"location": "/open/*", "tdm-reservation": 0},'
              b' {"location": "/*", "tdm-reservation": 1, "tdm-policy": "https://x/p.json"}]')
    server, result = run(serve, tmp_path, {
        "/.well-known/tdmrep.json": Route(tdmrep, content_type="application/json"),
        "/": Route(html("").body.replace(b"<p>text</p>", b'<a href="/open/a.html">a</a>')),
        "/open/a.html": html("")})
    assert paths(server, result.stored_urls()) == {"/open/a.html"}
    [denial] = [r for r in result.ledger if r["url"] == server.url(SITE, "/")
                and r["gate"] == "optout"]
    assert denial["reason"] == "optout"
    assert "https://x/p.json" in str(denial["evidence"])  # tdm-policy recorded


def test_header_zero_lifts_a_file_reservation_but_meta_wins(serve, tmp_path: Path) -> None:
    tdmrep = b'[{"location": "/", "tdm-reservation": 1}]'
    server, result = run(serve, tmp_path, {
        "/.well-known/tdmrep.json": Route(tdmrep, content_type="application/json"),
        "/": Route(html("").body.replace(b"<p>text</p>", b'<a href="/b.html">b</a>'),
                   headers={"tdm-reservation": "0"}),
        "/b.html": Route(html('<meta name="tdm-reservation" content="1">').body,
                         headers={"tdm-reservation": "0"})})
    assert paths(server, result.stored_urls()) == {"/"}


@pytest.mark.parametrize("status", [503, 500])
def test_unreadable_signal_file_excludes_the_host(serve, tmp_path: Path, status: int) -> None:
    server, result = run(serve, tmp_path, {
        "/ai.txt": Route(b"down", status), "/": html("")})
    assert result.manifest == []
    assert "/" not in {h.path for h in server.hits}
    assert ("optout", "optout_unknown") in result.decisions(server.url(SITE, "/"))


def test_ai_txt_opts_out_file_types(serve, tmp_path: Path) -> None:
    server, result = run(serve, tmp_path, {
        "/ai.txt": Route(b"User-Agent: *\nDisallow: *.png\n", content_type="text/plain"),
        "/": html("", images=("/i.png",)), "/i.png": image()})
    assert paths(server, result.stored_urls()) == {"/"}
    assert ("optout", "optout") in result.decisions(server.url(SITE, "/i.png"))


def test_image_xmp_data_mining_prohibited(serve, tmp_path: Path) -> None:
    prohibited = png_with_xmp(data_mining_packet("DMI-PROHIBITED-AIMLTRAINING"))
    allowed = png_with_xmp(data_mining_packet("DMI-ALLOWED"))
    server, result = run(serve, tmp_path, {
        "/": html("", images=("/no.png", "/yes.png", "/plain.png", "/c2pa.jpg")),
        "/no.png": Route(prohibited, content_type="image/png"),
        "/yes.png": Route(allowed, content_type="image/png"),
        "/plain.png": Route(PNG, content_type="image/png"),
        "/c2pa.jpg": Route((VECTORS / "c2pa_cawg_notallowed.jpg").read_bytes(),
                           content_type="image/jpeg")})
    assert paths(server, result.stored_urls()) == {"/", "/yes.png", "/plain.png"}
    assert ("optout", "optout") in result.decisions(server.url(SITE, "/no.png"))
    assert ("optout", "optout") in result.decisions(server.url(SITE, "/c2pa.jpg"))


def test_images_asked_for_before_their_page_item_still_follow_its_noai(serve,
                                                                       tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO

    server = serve({SITE: {"/": html('<meta name="robots" content="noimageai">',
                                     images=("/i.png",)), "/i.png": image()}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider",
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True",
         str(REPO / "tests/spiders/images_first_spider.py"), "-a", f"url={server.url(SITE, '/')}",
         "-s", f"COMPLIANCE_POLICIES={policies}", "-s", "COMPLIANCE_PURPOSE=research",
         "-s", f"COMPLIANCE_CONTACT={CONTACT}",
         "-s", f"COMPLIANCE_STORE={tmp_path / 'c'}"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "/i.png" not in {h.path for h in server.hits}
