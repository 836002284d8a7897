"""A site's requests reuse their connections (a real crawl against a real local server):
as many are kept open as the site's policy lets requests run at once, so a crawl does not
open a new connection (a TCP and, on https, a TLS handshake) for each request."""

from __future__ import annotations

from pathlib import Path

from conftest import crawl, linked_pages, write_policy

SITE = "127.0.0.177"
CONCURRENCY = 4


def test_connections_are_kept_for_the_sites_concurrency(serve, tmp_path: Path) -> None:
    server = serve({SITE: linked_pages(60)})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 1000, "concurrency": CONCURRENCY})
    result = crawl(policies, store)
    assert len([r for r in result.ledger if r["gate"] == "store"
                and r["decision"] == "allow"]) == 61
    hits = server.hits_for(SITE)
    connections = {hit.client_port for hit in hits}
    assert len(hits) >= 61
    # Scrapy's pool would keep one per host (CONCURRENT_REQUESTS_PER_DOMAIN): the other
    # requests running at once each closed their connection and the next opened another
    assert 1 <= len(connections) <= CONCURRENCY, (len(connections), len(hits))
