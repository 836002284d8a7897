"""``licenses.unversioned`` in a real crawl: four sites serve the same page, licensed "CC BY"
without a version, under policies that differ only in the mode and the accept list. What
is stored, under which license, and what the sidecars and ledger lines say."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CrawlResult, crawl, write_policy

from crawler.demo.server import Route, SiteServer

FAMILY_URL = "https://creativecommons.org/licenses/by/"
PAGE = (f'<html><head><title>Moss</title></head><body><p>On moss.</p><footer><a rel="license" '
        f'href="{FAMILY_URL}">CC BY</a></footer></body></html>').encode()
#: address → (policy name, licenses section)
SITES: dict[str, tuple[str, dict[str, Any]]] = {
    "127.0.0.141": ("rejecting", {"accept": {"research": ["CC-BY-*"]}}),
    "127.0.0.142": ("family", {"accept": {"research": ["CC-BY-*"]}, "unversioned": "family"}),
    "127.0.0.143": ("one-version", {"accept": {"research": ["CC-BY-4.0"]},
                                    "unversioned": "family"}),
    "127.0.0.144": ("latest", {"accept": {"research": ["CC-BY-4.0"]},
                               "unversioned": "assume-latest"}),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("unversioned")
    with SiteServer({address: {"/": Route(PAGE)} for address in SITES}) as server:
        for address, (name, licenses) in SITES.items():
            write_policy(tmp / "policies", name, address, [server.url(address)],
                         licenses=licenses)
        yield server, crawl(tmp / "policies", tmp / "corpus")


def license_line(result: CrawlResult, url: str) -> dict[str, Any]:
    [line] = [r for r in result.ledger if r["url"] == url and r["gate"] == "license"]
    return line


def test_reject_stores_nothing(run: Any) -> None:
    server, result = run
    url = server.url("127.0.0.141")
    assert url not in result.stored_urls()
    line = license_line(result, url)
    assert (line["decision"], line["reason"]) == ("deny", "license_unknown")
    assert line["evidence"]["unversioned"]["mode"] == "reject"
    assert line["evidence"]["unversioned"]["family"] == "CC-BY-*"


def test_family_is_stored_under_the_family(run: Any) -> None:
    server, result = run
    url = server.url("127.0.0.142")
    card = result.sidecar(url)
    assert card["license"]["spdx"] == "CC-BY-*"
    assert card["license"]["url"] == FAMILY_URL and card["license"]["obligations"] == ["BY"]
    assert card["evidence"]["chosen"]["url"] == FAMILY_URL
    assert card["evidence"]["unversioned"] == {
        "mode": "family", "family": "CC-BY-*", "version": "unknown", "license": "CC-BY-*",
        "statement": card["evidence"]["chosen"]}
    assert "version unknown" in card["attribution"]["text"]
    [entry] = [e for e in result.manifest if e["url"] == url]
    assert entry["spdx"] == "CC-BY-*"
    assert license_line(result, url)["evidence"]["unversioned"]["mode"] == "family"


def test_family_needs_the_whole_family_accepted(run: Any) -> None:
    server, result = run
    url = server.url("127.0.0.143")
    assert url not in result.stored_urls()
    line = license_line(result, url)
    assert (line["reason"], line["evidence"]["spdx"]) == ("license_not_accepted", "CC-BY-*")
    assert line["evidence"]["unversioned"]["mode"] == "family"


def test_assume_latest_is_stored_as_the_latest_version(run: Any) -> None:
    server, result = run
    url = server.url("127.0.0.144")
    card = result.sidecar(url)
    assert card["license"]["spdx"] == "CC-BY-4.0"
    assert card["license"]["url_found"] == FAMILY_URL  # what the page said
    record = card["evidence"]["unversioned"]
    assert (record["mode"], record["version"], record["license"]) == (
        "assume-latest", "assumed-latest", "CC-BY-4.0")
    assert record["statement"]["url"] == FAMILY_URL and record["statement"]["spdx"] is None
    assert "taken as CC-BY-4.0" in card["evidence"]["chosen"]["note"]
    line = license_line(result, url)
    assert line["decision"] == "allow" and line["evidence"]["unversioned"]["version"] == \
        "assumed-latest"
