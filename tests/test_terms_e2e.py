"""Terms change detection in real crawls: a policy that records the fingerprint of its
terms page gets its site crawled while the page's main text is the one reviewed (a new date
or menu item changes nothing), and stopped, before any page is requested, when a sentence
changed or the page cannot be read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import crawl, page, refused_crawl, write_policy
from test_terms_fingerprint import CLAUSES, terms_html

from crawler.demo.server import Route
from crawler.signals.terms import read_terms

SITE, OTHER = "127.0.0.109", "127.0.0.110"
TERMS = "/legal/terms"
#: the terms as the reviewer read them
REVIEWED = terms_html()
NEW_DATE_AND_MENU = terms_html("Last updated: 3 March 2027", ("Home", "Docs", "Blog", "Shop"))
CHANGED = terms_html(clauses=(*CLAUSES[:2], CLAUSES[2].replace("is permitted",
                                                                "is not permitted"), CLAUSES[3]))


def sites(serve, terms: dict[str, Route]):  # type: ignore[no-untyped-def]
    """SITE with a terms page (``terms["now"]``, changeable) outside its allow_paths, and
    OTHER, a site whose policy records no fingerprint."""
    return serve({
        SITE: {"/": page("home", links=("/a.html",)), "/a.html": page("a"),
               TERMS: lambda: terms["now"]},
        OTHER: {"/": page("other"), TERMS: Route(CHANGED)},
    })


def policies(tmp_path: Path, server: Any) -> Path:
    directory = tmp_path / "policies"
    url = server.url(SITE, TERMS)
    write_policy(directory, "site", SITE, [server.url(SITE, "/")],
                 allow_paths=["/$", "/a.html"],  # the terms page is read all the same
                 tos={"url": url, "fingerprint": read_terms(REVIEWED, url).fingerprint})
    write_policy(directory, "other", OTHER, [server.url(OTHER, "/")],
                 tos={"url": server.url(OTHER, TERMS)})
    return directory


def report(store: Path) -> dict[str, Any]:
    [path] = store.glob("runs/*.json")
    return json.loads(path.read_text())


def test_unchanged_terms_with_a_new_date_and_menu_item_crawl_as_usual(serve,
                                                                    tmp_path: Path) -> None:
    terms = {"now": Route(NEW_DATE_AND_MENU)}
    server = sites(serve, terms)
    result = crawl(policies(tmp_path, server), tmp_path / "corpus")
    assert result.stored_urls() == {server.url(SITE, "/"), server.url(SITE, "/a.html"),
                                    server.url(OTHER, "/")}
    assert [h.path for h in server.hits_for(SITE)].count(TERMS) == 1  # once for the site
    assert ("terms", "terms_unchanged") in result.decisions(server.url(SITE, TERMS))
    # no fingerprint: nothing fetched, nothing checked
    assert TERMS not in [h.path for h in server.hits_for(OTHER)]
    site = report(result.store)["sites"]["site"]
    assert site["terms_changed"] is None and site["failed"] is None


def test_a_changed_sentence_stops_the_site_before_any_page(serve, tmp_path: Path) -> None:
    terms = {"now": Route(CHANGED)}
    server = sites(serve, terms)
    result = crawl(policies(tmp_path, server), tmp_path / "corpus", expect=3)
    # the site saw robots.txt and its terms page, nothing else; the other site is crawled
    assert [h.path for h in server.hits_for(SITE)] == ["/robots.txt", TERMS]
    assert result.stored_urls() == {server.url(OTHER, "/")}
    url = server.url(SITE, TERMS)
    [refusal] = [r for r in result.ledger if r["url"] == server.url(SITE, "/")
                 and r["decision"] == "deny"]
    assert (refusal["gate"], refusal["reason"], refusal["decision"]) == (
        "terms", "terms_changed", "deny")
    expected = read_terms(REVIEWED, url).fingerprint
    found = read_terms(CHANGED, url).fingerprint
    assert refusal["evidence"]["expected"] == expected and refusal["evidence"]["found"] == found
    assert "--record-terms --site site" in refusal["sentence"]
    run = report(result.store)
    assert run["sites"]["site"]["terms_changed"] == {"expected": expected, "found": found,
                                                     "url": url}
    assert run["sites"]["site"]["failed"].startswith("terms changed since the review")
    assert run["totals"]["failed_sites"] == ["site"] and run["exit_status"] == 3
    assert "failed    site" in result.stdout


def test_warn_crawls_anyway_with_a_warning(serve, tmp_path: Path) -> None:
    terms = {"now": Route(CHANGED)}
    server = sites(serve, terms)
    result = crawl(policies(tmp_path, server), tmp_path / "corpus", "research",
                   "COMPLIANCE_TERMS_CHANGE=warn")
    assert server.url(SITE, "/a.html") in result.stored_urls()
    assert [line for line in result.stderr.splitlines()
            if "WARNING" in line and "changed since the review" in line]
    [line] = [r for r in result.ledger if r["gate"] == "terms"]
    assert (line["reason"], line["decision"]) == ("terms_changed", "allow")
    site = report(result.store)["sites"]["site"]
    assert site["terms_changed"]["found"] == read_terms(CHANGED, line["url"]).fingerprint
    assert site["failed"] is None


@pytest.mark.parametrize("answer", [Route(b"down", 500), Route(b"gone", 404),
                                    Route(b"<html><body></body></html>")])
def test_an_unreadable_terms_page_stops_the_site(serve, tmp_path: Path, answer: Route) -> None:
    server = sites(serve, {"now": answer})
    result = crawl(policies(tmp_path, server), tmp_path / "corpus", expect=3)
    assert [h.path for h in server.hits_for(SITE)] == ["/robots.txt", TERMS]
    assert result.stored_urls() == {server.url(OTHER, "/")}
    assert ("terms", "terms_unreadable") in result.decisions(server.url(SITE, "/"))
    site = report(result.store)["sites"]["site"]
    assert site["failed"].startswith("terms page unreadable") and site["terms_changed"] is None


def test_a_bad_setting_is_one_line(serve, tmp_path: Path) -> None:
    server = sites(serve, {"now": Route(REVIEWED)})
    line = refused_crawl(policies(tmp_path, server), tmp_path / "corpus",
                         "--contact", "mailto:t@example.org", "-s",
                         "COMPLIANCE_TERMS_CHANGE=maybe")
    assert "COMPLIANCE_TERMS_CHANGE must be stop or warn" in line
    assert server.hits == []
