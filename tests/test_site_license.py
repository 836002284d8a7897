"""The site license page, pure: which page it is (named by the policy, or linked from a
page's footer with license wording, on the site), what it grants the site, when a page
wants it, and how the license gate weighs it (a page's own license wins)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector
from test_license_detect import CC, make_policy
from test_policy_loader import GOOD, write

from crawler.gates import item_chain
from crawler.gates import site_license as sl
from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.policy.loader import check_policies, load_policies
from crawler.policy.terms_links import MAX_FOOTER_LINKS
from crawler.signals import license_detect as ld

PAGE = "https://site.example/a.html"
LICENSE_PAGE = "https://site.example/license"
BY_4 = f"{CC}by/4.0/"


def footer(link: str, href: str = "/license") -> Selector:
    return Selector(text=f'<html><body><p>Text.</p><footer><a href="{href}">{link}</a>'
                         "</footer></body></html>")


@pytest.mark.parametrize("text", ["License", "Content license", "Lizenz", "Licence",
                                  "Licencia", "Licenza", "Licença", "Licentie"])
def test_a_footer_link_with_license_wording_names_the_page(text: str) -> None:
    link = sl.license_page(make_policy(), PAGE, footer(text))
    assert link == sl.LicensePageLink(LICENSE_PAGE, sl.BY_FOOTER, text, PAGE)


@pytest.mark.parametrize(("html", "why"), [
    ('<p><a href="/license">License</a></p>', "not in the footer"),
    ('<footer><a href="/copyright">Copyright</a></footer>', "no license wording"),
    ('<footer><a href="https://other.example/license">License</a></footer>', "off the site"),
    ('<footer><a href="https://site.example:8443/license">License</a></footer>',
     "another port"),
    (f'<footer><a href="{BY_4}">License</a></footer>', "a license's own URL"),
    ('<footer><a href="/a.html">License</a></footer>', "the page itself"),
    ('<div class="has-footer-widgets"><p><a href="/license">License</a></p></div>',
     "a class that only mentions a footer"),
    ('<div class="x-footerless"><a href="/license">License</a></div>', "no footer token"),
])
def test_other_links_name_no_license_page(html: str, why: str) -> None:
    selector = Selector(text=f"<html><body>{html}</body></html>")
    assert sl.license_page(make_policy(), PAGE, selector) is None, why


def test_a_footer_class_on_the_body_makes_no_footer_of_the_page() -> None:
    """A theme's state class on <body> ("has-footer-widgets", even "footer") says nothing
    about where a link stands: the link in the text is not a footer link."""
    for body_class in ("has-footer-widgets", "footer"):
        selector = Selector(text=f'<html><body class="{body_class}"><p>About our '
                                 '<a href="/license">License</a></p></body></html>')
        assert sl.license_page(make_policy(), PAGE, selector) is None, body_class


@pytest.mark.parametrize("box", ['<div class="site-footer">', '<div id="colophon">',
                                 '<div class="footer-widgets col">'])
def test_a_footer_marked_by_its_class_or_id_is_a_footer(box: str) -> None:
    selector = Selector(text=f'<html><body><p>Text.</p>{box}<a href="/license">License</a>'
                             "</div></body></html>")
    assert sl.license_page(make_policy(), PAGE, selector) == sl.LicensePageLink(
        LICENSE_PAGE, sl.BY_FOOTER, "License", PAGE)


def test_the_policy_names_the_page_before_any_footer() -> None:
    policy = make_policy(page="https://site.example/legal/content")
    assert sl.license_page(policy, PAGE, footer("License")) == sl.LicensePageLink(
        "https://site.example/legal/content", sl.BY_POLICY)


def evidence(url: str, scope: str = ld.SCOPE_PAGE) -> ld.LicenseEvidence:
    """The page's ``rel=license`` link to ``url``, with ``scope``."""
    [found] = ld.detect(PAGE, {}, Selector(text=f'<html><body><p>x</p><a rel="license" '
                                                f'href="{url}">l</a></body></html>'))
    return replace(found, scope=scope)


def test_a_page_wants_the_site_license_only_without_a_version_of_its_own() -> None:
    assert sl.wanted([])
    assert sl.wanted([evidence(f"{CC}by/")])  # a family: the site may pin it
    assert sl.wanted([evidence(BY_4, ld.SCOPE_ASSET)])  # an image's, not the page's
    assert not sl.wanted([evidence(BY_4)])
    assert sl.reads_license_page(make_policy())
    assert not sl.reads_license_page(make_policy(default="CC-BY-4.0"))  # the default decides


LINK = sl.LicensePageLink(LICENSE_PAGE, sl.BY_FOOTER, "License", PAGE)


def read_page(html: str, status: int = 200) -> sl.LicensePageReading:
    found = ld.detect(LICENSE_PAGE, {}, Selector(text=html))
    return sl.read(LINK, 1_800_000_000.0, status, found)


def test_the_page_grant_becomes_the_site_license() -> None:
    reading = read_page("<html><body><h1>License</h1><p>All content on this site is "
                        "available under CC BY 4.0.</p></body></html>")
    statement = reading.statement
    assert statement is not None and statement.license is not None
    assert statement.license.spdx == "CC-BY-4.0"  # type: ignore[union-attr]
    assert (statement.channel, statement.scope, statement.part, statement.document) == (
        sl.CHANNEL, ld.SCOPE_SITE, "site", LICENSE_PAGE)
    assert reading.record() == {
        "page": LICENSE_PAGE, "found_by": "footer", "fetched_at": "2027-01-15T08:00:00.000Z",
        "status": 200, "outcome": "site_license_found", "spdx": "CC-BY-4.0",
        "canonical_url": BY_4, "link_text": "License", "linked_from": PAGE}
    decision = sl.fetch_decision(reading, make_policy())
    assert (decision.gate, decision.allowed, decision.reason) == (
        "license", True, "site_license_found")


@pytest.mark.parametrize(("html", "status", "reason", "problem"), [
    ("<html><body><p>Nothing here.</p></body></html>", 200, "site_license_none",
     "it grants no license for its own text"),
    (f'<html><body><p>x</p><a rel="license" href="{BY_4}">a</a>'
     f'<a rel="license" href="{CC}by-sa/4.0/">b</a></body></html>', 200, "site_license_none",
     "it grants several licenses: CC-BY-4.0, CC-BY-SA-4.0"),
    ("<html><body>down</body></html>", 500, "site_license_unreadable", "HTTP 500"),
])
def test_no_site_license(html: str, status: int, reason: str, problem: str) -> None:
    reading = read_page(html, status)
    assert reading.statement is None and reading.problem == problem
    decision = sl.fetch_decision(reading, make_policy())
    assert decision.reason == reason and decision.allowed is (status == 200)


def test_a_family_and_its_version_are_one_license() -> None:
    reading = read_page(f'<html><body><p>x</p><a rel="license" href="{CC}by/">a</a>'
                        f'<a rel="license" href="{BY_4}">b</a></body></html>')
    assert reading.statement is not None and reading.record()["spdx"] == "CC-BY-4.0"


def judge(page_html: str, reading: sl.LicensePageReading | None,
          **rules: Any) -> tuple[item_chain.ItemCase, Decision]:
    """The license gate of the item chain over a page, with the site's license page as
    read."""
    item = CorpusItem(kind="page", url=PAGE, status=200, content_type="text/html",
                      body=page_html.encode(), headers={}, fetched_at="")
    case = item_chain.ItemCase(item, make_policy(**rules), "research", "compliance-crawler",
                               PAGE, (), selector=Selector(text=page_html),
                               site_license=reading)
    return case, item_chain.license(case)


SITE = read_page("<html><body><p>All content on this site is available under CC BY 4.0."
                 "</p></body></html>")


def test_a_page_without_a_license_takes_the_site_license() -> None:
    case, decision = judge("<html><body><p>Plain.</p></body></html>", SITE)
    assert decision.allowed and case.chosen is SITE.statement
    assert case.license_notes == {"site_license": SITE.record()}
    assert decision.evidence["site_license"]["page"] == LICENSE_PAGE


def test_the_page_license_wins_over_the_site_license() -> None:
    case, decision = judge(f'<html><body><p>x</p><a rel="license" href="{CC}by-sa/4.0/">l</a>'
                           "</body></html>", SITE)
    assert decision.allowed and case.chosen is not None and case.chosen.channel == "html:a"
    assert case.license_notes == {}
    assert {s["channel"]: s["status"] for s in case.statements} == {
        "html:a": "chosen", sl.CHANNEL: "unused"}


def test_a_site_family_follows_the_unversioned_policy() -> None:
    family = read_page('<html><body><p>x</p><a rel="license" '
                       f'href="{CC}by/">l</a></body></html>')
    plain = "<html><body><p>Plain.</p></body></html>"
    assert judge(plain, family)[1].reason == "license_missing"
    case, decision = judge(plain, family, unversioned="assume-latest")
    assert decision.allowed and case.license_notes["unversioned"]["license"] == "CC-BY-4.0"
    assert case.license_notes["site_license"]["page"] == LICENSE_PAGE


def test_an_unreadable_license_page_is_evidence_not_a_license() -> None:
    _case, decision = judge("<html><body><p>Plain.</p></body></html>",
                            sl.unreadable(LINK, 1_800_000_000.0, "HTTP 503", 503))
    assert decision.reason == "license_missing"
    assert decision.evidence["site_license"]["outcome"] == "site_license_unreadable"


# ----------------------------------------------------------------------------------------------
# The policy key
# ----------------------------------------------------------------------------------------------

def policy_text(page: str, default: bool = False) -> str:
    return GOOD.replace("  default: CC-BY-4.0", f"  page: {page}" + (
        "\n  default: CC-BY-4.0" if default else ""))


def test_the_license_page_loads(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", policy_text("https://docs.example.org/license"))
    [policy] = load_policies(tmp_path)
    assert policy.licenses.page == "https://docs.example.org/license"


@pytest.mark.parametrize(("page", "default", "message"), [
    ("https://elsewhere.example.net/license", False,
     "licenses.page: the license page https://elsewhere.example.net/license is not on one of "
     "the policy's hosts: a crawl reads it under this policy"),
    ("https://docs.example.org:8443/license", False,
     "licenses.page: the license page https://docs.example.org:8443/license: port 8443 is not "
     "among the policy's ports [80, 443]: a crawl reads it under this policy"),
    ("/license", False, "licenses.page: '/license' does not match '^https?://'"),
    ("https://docs.example.org/license", True,
     "licenses.page: licenses.default decides for every page without a license of its own, "
     "so the license page would never be read: keep one of them"),
])
def test_a_license_page_the_crawl_cannot_read_is_refused(tmp_path: Path, page: str,
                                                         default: bool, message: str) -> None:
    write(tmp_path, "s.yaml", policy_text(page, default))
    assert [str(p).partition(": ")[2] for p in check_policies(tmp_path).problems] == [message]


def test_only_the_first_footer_links_are_read() -> None:
    """A page flooding its footer with links costs a bounded walk: the license link past
    the first ``MAX_FOOTER_LINKS`` is not looked at."""
    flood = "".join(f'<a href="/x{i}">x</a>' for i in range(MAX_FOOTER_LINKS))
    selector = Selector(text=f'<html><body><footer>{flood}<a href="/license">License</a>'
                             "</footer></body></html>")
    assert sl.license_page(make_policy(), PAGE, selector) is None


def _image_decision(page_license: ld.LicenseEvidence) -> Decision:
    """The license gate for an image of a page whose license is ``page_license``, under a
    policy that lets images share their page's license."""
    item = CorpusItem(kind="image", url="https://site.example/img/a.jpg", status=200,
                      content_type="image/jpeg", body=b"\xff\xd8\xff\xd9", headers={},
                      fetched_at="")
    case = item_chain.ItemCase(item, make_policy(images_share_page_license=True), "research",
                               "compliance-crawler", PAGE, (), page_license=page_license)
    return item_chain.license(case)


def test_an_image_does_not_take_a_site_license_its_license_page_takes_media_out_of() -> None:
    taken = read_page("<html><body><p>All content on this site is available under CC BY "
                      "4.0. Photos from other sources are not covered by this license.</p>"
                      "</body></html>")
    statement = taken.statement
    assert statement is not None and statement.media_excluded
    assert "takes some images out of it" in statement.note
    # the page still takes it; its images, through the request's meta, do not
    _case, page = judge("<html><body><p>Plain.</p></body></html>", taken)
    assert page.allowed
    travelled = ld.LicenseEvidence.from_record(statement.as_record())
    assert travelled.media_excluded
    decision = _image_decision(travelled)
    assert decision.reason == "license_missing" and "does not reach every image" in \
        decision.sentence
    assert SITE.statement is not None and not SITE.statement.media_excluded
    assert _image_decision(SITE.statement).allowed
