"""One path normalisation for URLs and patterns (RFC 3986 §6.2.2 and §5.2.4)."""

from __future__ import annotations

import pytest

from crawler.pathpattern import PathPattern
from crawler.urlpath import canonical_path, canonical_pattern, remove_dot_segments


@pytest.mark.parametrize(("raw", "canonical"), [
    ("/~staff/a", "/~staff/a"),
    ("/%7Estaff/a", "/~staff/a"),
    ("/%7estaff/a", "/~staff/a"),
    ("/%7E%73taff/a", "/~staff/a"),
    ("/x/../~staff/a", "/~staff/a"),
    ("/x/%2e%2e/~staff/a", "/~staff/a"),
    ("/./a/./b", "/a/b"),
    ("/../../a", "/a"),
    ("/a/b/..", "/a/"),
    ("/a//b", "/a//b"),  # empty segments are kept: a server may treat them differently
    ("/a%2fb", "/a%2Fb"),  # reserved characters stay encoded, hex upper-cased
    ("/caf\u00e9", "/caf%C3%A9"),
    ("/a?q=../x&b=%7e", "/a?q=../x&b=~"),  # dot segments only in the path
    ("/a#frag", "/a"),
    ("a/b", "/a/b"),
])
def test_canonical_path(raw: str, canonical: str) -> None:
    assert canonical_path(raw) == canonical
    assert canonical_path(canonical) == canonical  # idempotent


@pytest.mark.parametrize(("path", "expected"), [
    ("/a/b/c/./../../g", "/a/g"), ("mid/content=5/../6", "mid/6"), ("/a/..", "/"),
    (".", ""), ("/.", "/"), ("/..foo/.bar", "/..foo/.bar"),
])
def test_remove_dot_segments_rfc_examples(path: str, expected: str) -> None:
    assert remove_dot_segments(path) == expected


def test_patterns_keep_wildcards_and_anchor() -> None:
    assert canonical_pattern("/%7Estaff/*.PDF$") == "/~staff/*.PDF$"
    assert canonical_pattern("/a%2A") == "/a%2A"  # an escaped star is a literal star


@pytest.mark.parametrize("variant", [
    "/~staff/a", "/%7Estaff/a", "/%7estaff/a", "/%7E%73taff/a", "/x/../~staff/a",
    "/x/./../~staff/a", "/%2e%2e/~staff/a",
])
def test_policy_pattern_matches_every_spelling(variant: str) -> None:
    for pattern in ("/~staff/", "/%7Estaff/", "/%7estaff/"):
        assert PathPattern(pattern).matches(canonical_path(variant))
