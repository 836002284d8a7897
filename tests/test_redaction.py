"""Secrets never reach the log, at any log level: the redaction of log text, and a real
DEBUG crawl into a real (moto) S3 server whose SigV4 traffic botocore logs in full."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import crawl, page, write_policy
from s3server import DUMMY_ENV, new_bucket

from crawler.demo.server import Route
from crawler.scrapy_adapters import redact
from crawler.storage.s3 import S3Store

SITE = "127.0.0.97"
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
TOKEN = "FwoGZXIvYXdzEBYaDHhVu0nW+sessiontokenXyZ/abc=="
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/s3/aws4_request, "
        f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={SIGNATURE}")


def test_botocore_request_repr() -> None:
    text = ("Sending http request: <AWSPreparedRequest stream_output=False, method=PUT, "
            "url=http://127.0.0.1:5000/bucket/key, headers={'User-Agent': b'Boto3/1.44.5', "
            f"'X-Amz-Date': b'20261201T101010Z', 'X-Amz-Security-Token': b'{TOKEN}', "
            f"'Authorization': b'{AUTH}', 'Content-Length': '12'}}>")
    out = redact.redact_text(text)
    assert out == text.replace(TOKEN, "***").replace(AUTH, "***")
    assert "'Authorization': b'***'" in out and "'X-Amz-Date': b'20261201T101010Z'" in out


def test_botocore_canonical_request_and_signature_lines() -> None:
    canonical = (f"CanonicalRequest:\nPUT\n/bucket/key\n\nhost:127.0.0.1:5000\n"
                 f"x-amz-date:20261201T101010Z\nx-amz-security-token:{TOKEN}\n\n"
                 "host;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD")
    assert redact.redact_text(canonical) == canonical.replace(TOKEN, "***")
    assert redact.redact_text(f"Signature:\n{SIGNATURE}") == "Signature:\n***"


def test_presigned_url() -> None:
    url = ("https://bucket.s3.amazonaws.com/key.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
           "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
           f"&X-Amz-Date=20261201T101010Z&X-Amz-Expires=3600&X-Amz-Security-Token={TOKEN}"
           f"&X-Amz-SignedHeaders=host&X-Amz-Signature={SIGNATURE}")
    assert redact.redact_text(f"GET <{url}>") == (
        "GET <https://bucket.s3.amazonaws.com/key.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=***&X-Amz-Date=20261201T101010Z&X-Amz-Expires=3600"
        "&X-Amz-Security-Token=***&X-Amz-SignedHeaders=host&X-Amz-Signature=***>")


@pytest.mark.parametrize(("text", "expected"), [
    # Scrapy Headers repr: bytes keys, lists of bytes values
    ("{b'Accept': [b'text/html'], b'Authorization': [b'Basic dXNlcjpodW50ZXIy'], "
     "b'Cookie': [b'session=abc123; csrftoken=xyz'], b'Proxy-Authorization': [b'Basic cDpx']}",
     "{b'Accept': [b'text/html'], b'Authorization': [b'***'], b'Cookie': [b'***'], "
     "b'Proxy-Authorization': [b'***']}"),
    ("{'authorization': 'Bearer eyJhbGciOi.eyJzdWIi.sig', 'accept': '*/*'}",
     "{'authorization': '***', 'accept': '*/*'}"),
    ('{"Authorization": "Bearer abc\\"def", "Host": "example.org"}',
     '{"Authorization": "***", "Host": "example.org"}'),
    ("Authorization: Basic dXNlcjpodW50ZXIy\r\nHost: example.org",
     "Authorization: ***\r\nHost: example.org"),
    ("Sending cookies to: <GET http://example.org/a>\nCookie: session=abc123",
     "Sending cookies to: <GET http://example.org/a>\nCookie: ***"),
    ("Received cookies from: <200 http://example.org/>\nSet-Cookie: session=abc123; Path=/",
     "Received cookies from: <200 http://example.org/>\nSet-Cookie: ***"),
    ("PROXY-AUTHORIZATION: Basic cDpx", "PROXY-AUTHORIZATION: ***"),
])
def test_http_auth_and_cookie_headers(text: str, expected: str) -> None:
    assert redact.redact_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Crawled (200) <GET https://user:hunter2@example.org/a?b=c> (referer: None)",
     "Crawled (200) <GET https://user:***@example.org/a?b=c> (referer: None)"),
    ("broker redis://:s3cr3t@cache.internal:6379/0 up",
     "broker redis://:***@cache.internal:6379/0 up"),
    ("store s3://AKIAEXAMPLE:wJalr%2FK7MDENG@bucket/prefix",
     "store s3://AKIAEXAMPLE:***@bucket/prefix"),
    ("{'HTTPPROXY_URL': 'http://proxyuser:p@ss:w0rd@proxy:3128'}",
     "{'HTTPPROXY_URL': 'http://proxyuser:***@proxy:3128'}"),
])
def test_passwords_in_urls(text: str, expected: str) -> None:
    assert redact.redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "Spider opened",
    "Crawled (200) <GET http://127.0.0.1:8080/a.html?x=1&y=2> (referer: None)",
    "mailto:someone@example.org and git@github.com:owner/repo.git",
    "https://user@example.org/path and http://example.org/a@b and http://h:80/x@y",
    "Authorization failed for this request; no cookie was set",
    "Found credentials in environment variables.",
    "SignedHeaders=host;x-amz-date StringToSign:\nAWS4-HMAC-SHA256\n20261201T101010Z",
    "{'X-Amz-Date': b'20261201T101010Z', 'Content-Type': b'text/html'}",
    "",
])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert redact.redact_text(text) == text


def test_secret_setting_values() -> None:
    out = redact.redact_text("{'AWS_SECRET_ACCESS_KEY': 'abcdefgh', 'X': 'abcdefghij'}",
                             ("abcdefghij", "abcdefgh"))
    assert out == "{'AWS_SECRET_ACCESS_KEY': '***', 'X': '***'}"
    assert redact.secret_values({"AWS_SECRET_ACCESS_KEY": "abcdefgh", "MY_PASSWORD": "abc",
                                 "LOG_LEVEL": "DEBUG", "API_TOKEN": 12345}) == {"abcdefgh"}


@pytest.fixture
def installed() -> Iterator[None]:
    """redact.install(), undone afterwards (the record factory is process-wide)."""
    factory, secrets = logging.getLogRecordFactory(), list(redact._secrets)
    redact.install({"AWS_SECRET_ACCESS_KEY": "settings-secret-value"})
    yield
    logging.setLogRecordFactory(factory)
    redact._secrets[:] = secrets


def test_installed_redaction_reaches_every_handler(installed: None, tmp_path: Path) -> None:
    redact.install({"OTHER_TOKEN": "second-secret"})  # a second install adds, not stacks
    # a logger that does not propagate, with a handler added after install()
    log = logging.getLogger("test_redaction.isolated")
    log.propagate, log.level = False, logging.DEBUG
    handler = logging.FileHandler(tmp_path / "log.txt")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        log.debug("headers %r", {"Authorization": f"Basic {TOKEN}"})
        log.info("secrets %s and %s", "settings-secret-value", "second-secret")
        try:
            raise RuntimeError("cannot reach https://u:hunter2-in-traceback@example.org/")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
        handler.close()
    text = (tmp_path / "log.txt").read_text()
    assert "DEBUG headers {'Authorization': '***'}" in text
    assert "INFO secrets *** and ***" in text
    assert "RuntimeError: cannot reach https://u:***@example.org/" in text
    assert TOKEN not in text and "hunter2" not in text
    assert "secret-value" not in text and "second-secret" not in text


def test_debug_crawl_into_s3_logs_no_credentials(serve, tmp_path: Path, s3_endpoint: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore logs every SigV4-signed request at DEBUG; Scrapy logs cookies with
    COOKIES_DEBUG. None of the credentials may reach the log."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)  # sent as X-Amz-Security-Token
    bucket = new_bucket(s3_endpoint)
    home = page("home " * 50, links=("/a.html",))
    server = serve({SITE: {
        "/": Route(home.body, headers={"Set-Cookie": "session=cookie-secret-42; Path=/"}),
        "/a.html": page("a " * 50)}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    uri = f"s3://{bucket}/corpus"
    result = crawl(policies, uri, "research", "LOG_LEVEL=DEBUG", "COOKIES_DEBUG=True")
    # the crawl stored its items, so the log really holds the S3 traffic
    assert len(S3Store.from_uri(uri).entries()) == 2
    log = result.stderr
    assert "Authorization" in log and "X-Amz-Security-Token" in log and "Cookie" in log
    assert not re.search(r"Signature[=:]\s*[0-9a-f]{8}", log), re.findall(r"Signature.{70}", log)
    assert "Credential=" + DUMMY_ENV["AWS_ACCESS_KEY_ID"] not in log
    for secret in (TOKEN, DUMMY_ENV["AWS_SECRET_ACCESS_KEY"], "cookie-secret-42"):
        assert secret not in log + result.stdout
