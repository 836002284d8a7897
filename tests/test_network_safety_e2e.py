"""Network safety in real crawls against real local servers: names resolve through the
crawl's own resolver (``COMPLIANCE_RESOLVE`` pins them to loopback addresses, checked like
DNS answers), private and metadata addresses are refused at connect time, and ports are
limited to the policy's."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CONTACT, CrawlResult, crawl, page, run_cli, write_policy

PUBLIC_NAME = "docs.rebind.example"  # a public-looking name that resolves to loopback
ADDRESS = "127.0.0.91"
OTHER_PORT_SITE = "127.0.0.92"


def test_a_public_name_resolving_to_a_private_address_is_never_contacted(
        serve, tmp_path: Path) -> None:
    server = serve({ADDRESS: {"/": page("home")}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    start = f"http://{PUBLIC_NAME}:{server.port}/"
    write_policy(policies, "rebind", PUBLIC_NAME, [start])
    pinned = json.dumps({PUBLIC_NAME: [ADDRESS]})
    # no --allow-private-networks: the policy loads (the name is public), the address is not
    proc = run_cli("crawl", "--policies", str(policies), "--store", str(store),
                   "--purpose", "research", "--contact", CONTACT,
                   "-s", f"COMPLIANCE_RESOLVE={pinned}",
                   "-s", "RETRY_ENABLED=False")
    result = CrawlResult(proc.returncode, proc.stdout, proc.stderr, store)
    assert server.hits == []  # not even robots.txt
    assert not result.stored_urls()
    reasons = {r["reason"] for r in result.ledger if r["url"] == start}
    assert reasons & {"robots_unreachable"}, reasons
    robots = [r for r in result.ledger if r["url"].endswith("/robots.txt")
              or r.get("evidence", {}).get("robots_url", "").endswith("/robots.txt")]
    assert any("loopback" in json.dumps(r) for r in robots), robots

    # the same crawl with the operator's switch reaches the site
    allowed = crawl(policies, tmp_path / "corpus2", "research",
                    f"COMPLIANCE_RESOLVE={pinned}")
    assert allowed.stored_urls() == {start}
    assert {h.path for h in server.hits_for(ADDRESS)} >= {"/robots.txt", "/"}


def test_metadata_addresses_are_refused_even_on_private_networks(tmp_path: Path) -> None:
    name = "meta.rebind.example"
    policies = tmp_path / "policies"
    start = f"http://{name}/latest/meta-data/"
    write_policy(policies, "meta", name, [start])
    pinned = json.dumps({name: ["169.254.169.254"]})
    result = crawl(policies, tmp_path / "corpus", "research", f"COMPLIANCE_RESOLVE={pinned}",
                   "RETRY_ENABLED=False", "DOWNLOAD_TIMEOUT=5", expect=3)  # the site failed
    assert not result.stored_urls()
    assert "metadata" in json.dumps([r for r in result.ledger if name in r["url"]])


def test_ports_are_limited_to_the_policys(serve, tmp_path: Path) -> None:
    routes: dict = {}
    main = serve({OTHER_PORT_SITE: routes})
    other = serve({OTHER_PORT_SITE: {"/": page("on another port")}})
    off_port = other.url(OTHER_PORT_SITE, "/")
    routes["/"] = page("home", links=(off_port,))
    policies = tmp_path / "policies"
    start = main.url(OTHER_PORT_SITE, "/")
    write_policy(policies, "site", OTHER_PORT_SITE, [start])  # ports: [main.port]
    result = crawl(policies, tmp_path / "corpus")
    assert result.stored_urls() == {start}
    assert ("allowlist", "port_not_allowed") in result.decisions(off_port)
    assert other.hits == []

    # a start URL on a port the policy does not list is a policy error, before any request
    write_policy(policies, "site", OTHER_PORT_SITE, [start], ports=[80, 443])
    proc = run_cli("crawl", "--policies", str(policies), "--store", str(tmp_path / "c2"),
                   "--purpose", "research", "--allow-private-networks")
    assert proc.returncode == 2
    assert f"port {main.port} is not among the policy's ports [80, 443]" in proc.stderr
