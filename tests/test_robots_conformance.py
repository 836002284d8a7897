"""google/robotstxt conformance: the 142 literal ``IsUserAgentAllowed`` cases of robots_test.cc.

The test reads the in-repo copy ``tests/data/google-robotstxt-cases.json`` (a clean clone has no
``../shared``); when the shared original sits beside the repo, the copy must be identical to it.
Every case decided otherwise on purpose is listed in ``DELIBERATE_DIFFERENCES`` and asserted to
come out the *opposite* way, so the list cannot go stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.signals.robots import RobotsTxt

CASES_PATH = Path(__file__).resolve().parent / "data" / "google-robotstxt-cases.json"
SHARED_PATH = (Path(__file__).resolve().parents[2] / "shared" / "conformance"
               / "google-robotstxt-cases.json")

CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))

_RFC_ENCODE = (
    "RFC 9309 §2.2.2: octets of the URI outside US-ASCII MUST be percent-encoded before "
    "comparison. Google expects callers to pre-encode the URL and compares a raw 'ツ' against "
    "the encoded pattern; we encode both sides, so the Allow rule matches. (Scrapy URLs are "
    "already encoded, so the crawler sees no difference; for a raw URL, google's reading would "
    "let it slip past a 'Disallow: /ツ'.)"
)

#: (test name, index of the case in the JSON file) -> why we decide the opposite of google.
DELIBERATE_DIFFERENCES: dict[tuple[str, int], str] = {
    ("ID_Encoding", 63): _RFC_ENCODE + " Pattern 'ツ', URL 'ツ'.",
    ("ID_Encoding", 65): _RFC_ENCODE + " Pattern '%E3%83%84', URL 'ツ'.",
    ("ID_Encoding", 66): (
        "RFC 9309 §2.2.2 (and its example table: '/foo/bar/%62%61%7A' -> '/foo/bar/baz') and "
        "RFC 3986 §6.2.2.2: percent-encoded unreserved characters are decoded before "
        "comparison, so '%62%61%7A' and 'baz' are the same path. Google compares the escapes "
        "literally; that would let '/%7Euser/' slip past 'Disallow: /~user/'."
    ),
}


def _case_id(index: int) -> str:
    return f"{index:03d}-{CASES[index]['test']}"


def _decide(case: dict[str, Any]) -> bool:
    return RobotsTxt.parse(case["robots"].encode("utf-8")).allowed(case["url"], case["ua"])


def test_case_file_is_complete() -> None:
    assert len(CASES) == 142
    assert all(set(c) == {"test", "robots", "ua", "url", "expect"} for c in CASES)


def test_in_repo_copy_matches_shared_original() -> None:
    # In a clean CI clone ../shared may be absent; then the in-repo copy is the only source.
    if SHARED_PATH.is_file():
        assert CASES_PATH.read_bytes() == SHARED_PATH.read_bytes()
    assert CASES_PATH.is_file()


def test_deliberate_differences_name_real_cases() -> None:
    for (name, index), reason in DELIBERATE_DIFFERENCES.items():
        assert 0 <= index < len(CASES)
        assert CASES[index]["test"] == name
        assert reason


@pytest.mark.parametrize("index", range(len(CASES)), ids=_case_id)
def test_google_case(index: int) -> None:
    case = CASES[index]
    expected = case["expect"]
    key = (case["test"], index)
    if key in DELIBERATE_DIFFERENCES:
        expected = not expected
    assert _decide(case) is expected, (case, DELIBERATE_DIFFERENCES.get(key))


def test_conformance_summary(capsys: pytest.CaptureFixture[str]) -> None:
    agree = sum(_decide(c) is c["expect"] for c in CASES)
    with capsys.disabled():
        print(f"\ngoogle/robotstxt conformance: {agree}/{len(CASES)} agree with google, "
              f"{len(DELIBERATE_DIFFERENCES)} deliberate differences")
    assert agree == len(CASES) - len(DELIBERATE_DIFFERENCES)
