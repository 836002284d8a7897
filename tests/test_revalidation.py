"""Stored headers, validators and the RFC 9111 §4.3.4 update (pure functions), and the
manifest's fold of ``check`` events."""

from __future__ import annotations

from crawler.revalidation import (
    conditional_headers,
    differ,
    stored_headers,
    updated_headers,
    validators,
)
from crawler.storage.base import check_event, manifest_view


def test_stored_headers_drop_transfer_fields_and_cookies() -> None:
    headers = {"Content-Type": ["text/html"], "Content-Length": ["10"],
               "Content-Encoding": ["gzip"], "Set-Cookie": ["a=1"], "Connection": ["X-Hop"],
               "X-Hop": ["1"], "ETag": ['"a"'], "X-Robots-Tag": ["noai"]}
    assert stored_headers(headers) == {"Content-Type": ["text/html"], "ETag": ['"a"'],
                                       "X-Robots-Tag": ["noai"]}


def test_validators_and_conditional_headers() -> None:
    got = validators({"etag": ['"v1"'], "Last-Modified": ["Tue, 01 Dec 2026 10:00:00 GMT"]})
    assert got == {"etag": '"v1"', "last_modified": "Tue, 01 Dec 2026 10:00:00 GMT"}
    assert conditional_headers(got) == {"If-None-Match": '"v1"',
                                        "If-Modified-Since": "Tue, 01 Dec 2026 10:00:00 GMT"}
    assert validators({"Content-Type": ["text/html"]}) == {} == conditional_headers({})


def test_a_304_updates_the_stored_headers() -> None:
    stored = {"Content-Type": ["text/html"], "ETag": ['"v1"'], "Date": ["old"]}
    fresh = {"ETag": ['"v1"'], "X-Robots-Tag": ["noai"], "Date": ["new"],
             "Content-Length": ["0"]}
    updated = updated_headers(stored, fresh)
    assert updated == {"Content-Type": ["text/html"], "ETag": ['"v1"'],
                       "X-Robots-Tag": ["noai"], "Date": ["new"]}
    assert differ(stored, updated)
    assert not differ(stored, updated_headers(stored, {"date": ["newer"]}))


def test_check_events_fold_into_headers_and_missing_runs() -> None:
    commit = {"event": "commit", "url": "http://a.test/", "sha256": "s", "content": "c",
              "sidecar": "c.license.json", "committed_at": "t", "purpose": "research"}
    entry = {"url": "http://a.test/", "sha256": "s"}
    events = [commit, check_event(entry, 404, "r1"), check_event(entry, 404, "r1")]
    [view] = manifest_view(events)
    assert view["missing"] == ["r1"]
    [view] = manifest_view([*events, check_event(entry, 200, "r2", {"ETag": ['"v2"']})])
    assert view["missing"] == [] and view["headers"] == {"ETag": ['"v2"']}
    [view] = manifest_view([*events, check_event(entry, 404, "r2")])
    assert view["missing"] == ["r1", "r2"] and view["purposes"] == ["research"]
    # a check of a version that is not live lists nothing
    assert manifest_view([check_event(entry, 200, "r1")]) == []
