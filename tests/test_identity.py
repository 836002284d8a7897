"""The operator's identity: a contact is required, and every request the sites see
carries it in the User-Agent with the product token and version, and no purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTACT, crawl, page, refused_crawl, write_policy

from crawler.identity import ContactError, crawler_version, normalize_contact, user_agent

SITE = "127.0.0.88"


@pytest.mark.parametrize(("raw", "shown"), [
    ("ops@example.org", "mailto:ops@example.org"),
    ("mailto:ops@example.org", "mailto:ops@example.org"),
    (" https://example.org/crawler ", "https://example.org/crawler"),
    ("http://example.org", "http://example.org"),
])
def test_contacts_are_urls_or_email_addresses(raw: str, shown: str) -> None:
    assert normalize_contact(raw) == shown


@pytest.mark.parametrize("raw", [None, "", "  ", "nobody", "ftp://example.org", "http://",
                                 "a b@example.org", "https://example.org/a b",
                                 "ops@example", "x (research corpus)"])
def test_anything_else_is_refused(raw: str | None) -> None:
    with pytest.raises(ContactError):
        normalize_contact(raw)


def test_user_agent_has_token_version_and_contact_only() -> None:
    agent = user_agent("compliance-crawler", "ops@example.org")
    assert agent == f"compliance-crawler/{crawler_version()} (+mailto:ops@example.org)"
    assert crawler_version()[0].isdigit()
    assert "research" not in agent and "commercial" not in agent


def test_every_request_carries_the_contact(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home", links=("/a",)), "/a": page("a")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, tmp_path / "corpus")
    assert len(result.manifest) == 2
    agents = {h.headers.get("User-Agent") for h in server.hits}
    assert agents == {f"compliance-crawler/{crawler_version()} (+{CONTACT})"}
    assert {h.path for h in server.hits} >= {"/robots.txt", "/", "/a"}


def test_a_crawl_without_a_contact_does_not_start(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    assert refused_crawl(policies, tmp_path / "corpus") == (
        "crawler: the operator's contact is required (COMPLIANCE_CONTACT or --contact): a URL "
        "or an e-mail address site owners can reach")
    assert server.hits == []

    last = refused_crawl(policies, tmp_path / "corpus", "--contact", CONTACT,
                         "-s", "USER_AGENT=Mozilla/5.0 (research corpus)")
    assert "USER_AGENT 'Mozilla/5.0 (research corpus)' does not carry the operator's " \
           f"contact {CONTACT}" in last
    assert server.hits == []
