"""``crawler demo``: serve the bundled sites on loopback and crawl them into a corpus."""

from __future__ import annotations

from pathlib import Path

from crawler.demo.server import SiteServer, site_from_directory
from crawler.run import run_crawl
from crawler.summary import RunSummary

HERE = Path(__file__).parent
DEMO_PORT = 8765
#: site folder → loopback address; "unlisted" has no policy and must see no request
DEMO_SITES = {"open-notes": "127.0.0.2", "photo-commons": "127.0.0.3",
              "mixed-wiki": "127.0.0.4", "closed-site": "127.0.0.5", "unlisted": "127.0.0.9"}
POLICIES = HERE / "policies"
#: sites that fail on purpose (closed-site answers robots.txt with 503: nothing is crawled)
EXPECTED_FAILURES = {"closed-site"}
#: the demo's operator (real crawls name theirs: COMPLIANCE_CONTACT / --contact)
DEMO_CONTACT = "mailto:demo-operator@example.invalid"


def run_demo(out: str, purpose: str) -> RunSummary:
    sites = {address: site_from_directory(HERE / "sites" / name)
             for name, address in DEMO_SITES.items()}
    with SiteServer(sites, port=DEMO_PORT) as server:
        summary = run_crawl(str(POLICIES), out, purpose, allow_private=True,  # loopback
                            extra=[("COMPLIANCE_CONTACT", DEMO_CONTACT)])
        unlisted = len(server.hits_for(DEMO_SITES["unlisted"]))
    print(f"demo: requests received by the host without a policy: {unlisted}")
    for site in EXPECTED_FAILURES & summary.failed_sites.keys():
        print(f"demo: {site} failed, as designed: {summary.failed_sites.pop(site)}")
    where = out if "://" in out else Path(out).resolve()
    print(f"demo: corpus in {where} (manifest, packs/; ledger: {summary.ledger})")
    return summary
