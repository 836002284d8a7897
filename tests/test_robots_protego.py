"""Protego, Scrapy's robots.txt parser, as a second and independent opinion on allow/deny.

The crawler decides with its own parser (``crawler/signals/robots.py`` says why). On plain
RFC 9309 rules the two must agree: on google/robotstxt's 142 cases, on the demo sites'
robots.txt for our token and every AI-training token, and on generated files of the RFC core.
Every case where Protego 0.7 answers otherwise is listed with the reason and asserted to still
disagree, so neither list can go stale. (The three percent-encoding cases that
``test_robots_conformance.py`` decides against Google on purpose, Protego decides as we do.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protego import Protego

from crawler.signals.robots import DEFAULT_AI_TRAINING_TOKENS, RobotsTxt

ME = "compliance-crawler"
GOOGLE_CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parent / "data" / "google-robotstxt-cases.json").read_text("utf-8"))
DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"

_UNKNOWN_LINE = (
    "RFC 9309 §2.2.4: other records MUST NOT interfere with the parsing of the defined ones "
    "(a Sitemaps record MUST NOT terminate a group). Protego lets 'Invalid-Unknown-Line' end "
    "FooBot's group, so FooBot gets no rules instead of sharing the Disallow: / of '*'."
)
_PRODUCT_TOKEN = (
    "RFC 9309 §2.2.1: a user-agent value is a product token of letters, '_' and '-', matched "
    "case-insensitively, so 'User-Agent: Foo Bar' names Foo (as Google reads it, and we do). "
    "Protego compares the whole value 'foo bar' with the crawler's name."
)
_GOOGLE_ONLY = (
    "Google-only case: a crawler named 'Foo Bar' is no RFC 9309 product token, so the RFC does "
    "not decide. Google and we match no group and fall back to '*'; Protego finds 'foo bar'."
)

#: index in google-robotstxt-cases.json -> why Protego decides it otherwise.
PROTEGO_GOOGLE_DEVIATIONS: dict[int, str] = {
    19: _UNKNOWN_LINE,
    **dict.fromkeys((30, 31, 32, 36, 37, 38, 39), _PRODUCT_TOKEN),
    40: _GOOGLE_ONLY,
}

#: (robots.txt, URL, crawler token, our answer, why Protego answers the opposite).
PROTEGO_OTHER_DEVIATIONS = [
    pytest.param(
        "User-agent: Google\nDisallow: /\n", "/page", "Google-Extended", True,
        "RFC 9309 §2.2.1: groups match the product token exactly (case-insensitively); "
        "Protego applies a group to every crawler name containing its token.",
        id="google-group-for-google-extended"),
    pytest.param(
        "User-agent: *\nDisallow: /$\n", "/$", ME, True,
        "RFC 9309 §2.2.3: a final '$' anchors the pattern, and a literal '$' is written %24; "
        "Protego also reads the anchor as a literal dollar sign.",
        id="dollar-anchor-as-literal"),
    pytest.param(
        "User-agent: *\nDisallow: /private/\n", "/public/../private/x", ME, False,
        "RFC 9309 is silent on dot segments; RFC 3986 §6.2.2.3 makes '/public/../private/x' "
        "'/private/x', which a server serves. Protego compares the literal text.",
        id="dot-segments"),
    pytest.param(
        "User-agent: *\nDisallow: /a%3Fb\n", "/a?b", ME, True,
        "RFC 9309 §2.2.2 reads both ways (reserved octets are to be percent-encoded, but a "
        "percent-encoded reserved character stays encoded); we keep RFC 3986 §2.2, where "
        "'%3F' is data and '?' starts the query. Protego treats the two as one.",
        id="escaped-reserved-character"),
]


def _ours(robots: str, url: str, token: str) -> bool:
    return RobotsTxt.parse(robots.encode("utf-8")).allowed(url, token)


def _protego(robots: str, url: str, token: str) -> bool:
    return Protego.parse(robots).can_fetch(url, token)


def _demo_queries() -> list[tuple[str, str, str]]:
    """(robots.txt, path, token): every file of each demo site that has a robots.txt."""
    queries = []
    for robots_file in sorted(DEMO_SITES.glob("*/robots.txt")):
        site = robots_file.parent
        paths = ["/", *sorted("/" + p.relative_to(site).as_posix() for p in site.rglob("*")
                              if p.is_file() and not p.name.startswith("_"))]
        robots = robots_file.read_text("utf-8")
        queries += [(robots, path, token)
                    for path in paths for token in (ME, *DEFAULT_AI_TRAINING_TOKENS)]
    return queries


DEMO_QUERIES = _demo_queries()


def test_the_corpora_are_whole() -> None:
    assert len(GOOGLE_CASES) == 142
    assert all(0 <= i < len(GOOGLE_CASES) for i in PROTEGO_GOOGLE_DEVIATIONS)
    assert len({robots for robots, _, _ in DEMO_QUERIES}) >= 2


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    queries = [(c["robots"], c["url"], c["ua"]) for c in GOOGLE_CASES] + DEMO_QUERIES
    agree = sum(_ours(*q) is _protego(*q) for q in queries)
    with capsys.disabled():
        print(f"\nprotego differential: {len(queries)} cases, {agree} agree, "
              f"{len(PROTEGO_GOOGLE_DEVIATIONS)} listed Protego deviations")
    assert agree == len(queries) - len(PROTEGO_GOOGLE_DEVIATIONS)


@pytest.mark.parametrize("index", range(len(GOOGLE_CASES)))
def test_google_case(index: int) -> None:
    case = GOOGLE_CASES[index]
    ours = _ours(case["robots"], case["url"], case["ua"])
    if index in PROTEGO_GOOGLE_DEVIATIONS:
        assert _protego(case["robots"], case["url"], case["ua"]) is not ours, (
            case, PROTEGO_GOOGLE_DEVIATIONS[index])
        assert ours is case["expect"]  # and Google's answer is ours
    else:
        assert _protego(case["robots"], case["url"], case["ua"]) is ours, case


def test_demo_sites_for_our_token_and_every_ai_training_token() -> None:
    disagree = [q for q in DEMO_QUERIES if _ours(*q) is not _protego(*q)]
    assert disagree == []
    # The fixtures decide something: the GPTBot group and the '*' Disallow both bite.
    denied = {(path, token) for robots, path, token in DEMO_QUERIES if not _ours(robots, path,
                                                                                  token)}
    assert ("/gallery/members/meet.html", "GPTBot") in denied
    assert ("/gallery/members/meet.html", ME) not in denied
    assert ("/private/admin.html", ME) in denied


@pytest.mark.parametrize(("robots", "url", "token", "ours", "why"), PROTEGO_OTHER_DEVIATIONS)
def test_other_known_deviations(robots: str, url: str, token: str, ours: bool, why: str) -> None:
    assert _ours(robots, url, token) is ours
    assert _protego(robots, url, token) is not ours, why


# Generated files of the RFC core: product tokens that do not contain one another, Allow and
# Disallow with '*' and a final '$', unreserved, UTF-8 and %2F escapes, queries. Left out, as
# listed above: unknown lines and multi-word agents (Google cases 19, 30-40), dot segments,
# escaped reserved characters other than %2F, and '*' or '$' inside a URL.
_TOKENS = (ME, "GPTBot", "CCBot", "ClaudeBot", "FooBot")
_PIECES = ("/", "a", "b", "-", "_", "~", "%7E", "%41", ".html", "x/", "A", "%2F", "?q=1", "&",
           "ツ", "%E3%83%84")
_paths = st.lists(st.sampled_from(_PIECES), max_size=8).map(lambda p: "/" + "".join(p))
_patterns = st.tuples(st.lists(st.sampled_from((*_PIECES, "*")), max_size=6), st.booleans()).map(
    lambda t: "/" + "".join(t[0]) + ("$" if t[1] else ""))
_lines = st.one_of(
    st.tuples(st.sampled_from(("Allow", "Disallow", "disallow")), _patterns).map(": ".join),
    st.sampled_from((*_TOKENS, "*")).map("User-agent: {}".format),
    st.sampled_from(("", "# comment")),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_lines, max_size=10), path=_paths, token=st.sampled_from(_TOKENS))
def test_generated_rfc_core_files_agree(lines: list[str], path: str, token: str) -> None:
    robots = "\n".join(lines) + "\n"
    assert _ours(robots, path, token) is _protego(robots, path, token)
