"""Hostile pages in real crawls against real local servers: a page with 200,000 links
neither stalls the other sites nor floods its own (links taken per page and pages per
site per run are capped, each cap with its ledger line)."""

from __future__ import annotations

import itertools
from pathlib import Path

from conftest import crawl, page, write_policy

from crawler.demo.server import Route

FLOOD = "127.0.0.98"
QUIET = "127.0.0.89"
LINKS = 200_000


def flood_page() -> Route:
    anchors = "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(LINKS))
    return Route(f"<html><body>{anchors}</body></html>".encode())


def test_a_link_flood_is_capped_and_other_sites_go_on(serve, tmp_path: Path) -> None:
    chain = [f"/q{i}.html" for i in range(18)]  # within the cap of 20 pages per site
    quiet = {path: page(path, links=(nxt,)) for path, nxt in itertools.pairwise(chain)}
    quiet[chain[-1]] = page("end")
    server = serve({FLOOD: {"/": flood_page()}, QUIET: quiet})
    policies = tmp_path / "policies"
    write_policy(policies, "flood", FLOOD, [server.url(FLOOD, "/")],
                 rate={"requests_per_second": 200, "concurrency": 4})
    write_policy(policies, "quiet", QUIET, [server.url(QUIET, chain[0])],
                 rate={"requests_per_second": 5, "concurrency": 1})
    result = crawl(policies, tmp_path / "corpus", "research", "DEPTH_LIMIT=100",
                   "COMPLIANCE_MAX_LINKS_PER_PAGE=50", "COMPLIANCE_MAX_PAGES_PER_SITE=20")

    # the quiet site was crawled to its end, without a stall while the flood was parsed
    quiet_times = [h.time for h in server.hits_for(QUIET) if h.path.startswith("/q")]
    assert len(quiet_times) == len(chain)
    stall = max(b - a for a, b in itertools.pairwise(quiet_times))  # 0.2 s when smooth
    assert stall < 1.2, f"the quiet site waited {stall:.2f} s"
    flood_home = next(h.time for h in server.hits_for(FLOOD) if h.path == "/")
    assert quiet_times[0] < flood_home + 1 < quiet_times[-1]  # the crawls overlapped

    # one ledger line for the links not taken, on the flooding page
    home = server.url(FLOOD, "/")
    [limit] = [r for r in result.ledger if r["url"] == home and r["reason"] == "link_limit"]
    assert limit["evidence"] == {"limit": 50, "not_taken": LINKS - 50}
    # 20 pages requested from the site in this run (its home page and 19 links), the
    # other 31 taken links refused with a ledger line each, never requested
    pages = [h for h in server.hits_for(FLOOD) if h.path == "/" or h.path.startswith("/p")]
    assert len(pages) == 20
    refused = {r["url"] for r in result.ledger if r["reason"] == "site_page_limit"}
    assert len(refused) == 31
    assert not refused & {server.url(FLOOD, h.path) for h in pages}
