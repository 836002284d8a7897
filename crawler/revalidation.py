"""Validators and stored response headers, for conditional recrawls (RFC 9110 §13,
RFC 9111 §4.3).

A stored version keeps its response headers (in its sidecar; later updates in the
manifest's ``check`` events) without the ones that describe one transfer (hop-by-hop
fields, ``Content-Length``, ``Content-Encoding``: the body is stored decoded) or carry
secrets (``Set-Cookie``). A recrawl sends ``If-None-Match``/``If-Modified-Since`` from
them; on a 304 the stored headers are updated with the 304's as RFC 9111 §4.3.4 says and
the gates judge the stored body again under them.
"""

from __future__ import annotations

from collections.abc import Mapping

Headers = Mapping[str, list[str]]

#: never stored: one transfer's framing and connection (RFC 9110 §7.6.1), the decoded
#: body's former encoding and length, and cookies
NOT_STORED = frozenset({
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
    "upgrade", "proxy-authenticate", "proxy-authorization", "content-length",
    "content-encoding", "set-cookie", "set-cookie2",
})


def stored_headers(headers: Headers) -> dict[str, list[str]]:
    """The response headers a stored version keeps."""
    listed = {name.strip().lower() for values in headers.get("Connection", [])
              for name in values.split(",")}
    return {name: list(values) for name, values in headers.items()
            if name.lower() not in NOT_STORED and name.lower() not in listed}


def _first(headers: Headers, name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return None


def validators(headers: Headers) -> dict[str, str]:
    """The ``etag`` and ``last_modified`` of a response, those it has."""
    found = {"etag": _first(headers, "etag"), "last_modified": _first(headers, "last-modified")}
    return {key: value for key, value in found.items() if value}


def conditional_headers(stored: Mapping[str, str]) -> dict[str, str]:
    """The request headers that ask the server for the stored version's successor only."""
    asked = {}
    if "etag" in stored:
        asked["If-None-Match"] = stored["etag"]
    if "last_modified" in stored:
        asked["If-Modified-Since"] = stored["last_modified"]
    return asked


#: fields that change with every answer: an update of these alone is not recorded
PER_ANSWER = frozenset({"date", "age"})


def differ(stored: Headers, updated: Headers) -> bool:
    """Did an update change more than the fields every answer changes?"""
    def lasting(headers: Headers) -> dict[str, list[str]]:
        return {k.lower(): list(v) for k, v in headers.items() if k.lower() not in PER_ANSWER}
    return lasting(stored) != lasting(updated)


def updated_headers(stored: Headers, not_modified: Headers) -> dict[str, list[str]]:
    """The stored headers after a 304 (RFC 9111 §4.3.4, §3.2): each field the 304 carries
    replaces the stored one, except those never stored and Content-Length."""
    fresh = stored_headers(not_modified)
    names = {name.lower() for name in fresh}
    kept = {name: values for name, values in stored.items() if name.lower() not in names}
    return {**kept, **fresh}
