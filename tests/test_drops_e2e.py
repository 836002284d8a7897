"""Every drop leaves a ledger line with the URL and a reason code: download errors, size
limits, depth, URL length (real crawls against a real local server)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import crawl, page, write_policy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)

from crawler.demo.server import Route
from crawler.scrapy_adapters.drops import reason_for

SITE = "127.0.0.45"


def _slow() -> Route:
    time.sleep(2.5)
    return page("slow")


def _broken() -> Route:
    raise ConnectionResetError("the server hangs up")


def test_download_errors_size_depth_and_url_length_are_ledgered(serve, tmp_path: Path) -> None:
    long_path = "/long-" + "x" * 300
    server = serve({SITE: {
        "/": page("home", links=("/slow", "/big", "/broken", "/d1", long_path)),
        "/slow": _slow, "/broken": _broken,
        "/big": page("big " + "y" * 200_000),
        "/d1": page("d1", links=("/d2",)), "/d2": page("d2", links=("/d3",)),
        "/d3": page("d3"), long_path: page("long"),
    }})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, tmp_path / "corpus", "research", "DOWNLOAD_TIMEOUT=1",
                   "RETRY_ENABLED=False", "DOWNLOAD_MAXSIZE=100000", "DEPTH_LIMIT=2",
                   "URLLENGTH_LIMIT=200")
    url = lambda path: server.url(SITE, path)  # noqa: E731
    assert ("download", "timeout") in result.decisions(url("/slow"))
    assert ("download", "size_limit") in result.decisions(url("/big"))
    assert ("download", "connection_error") in result.decisions(url("/broken"))
    assert result.decisions(url("/d3")) == [("spider", "depth_limit")]
    assert result.decisions(url(long_path)) == [("spider", "url_too_long")]
    assert "/d3" not in {h.path for h in server.hits}
    assert result.stored_urls() == {url("/"), url("/d1"), url("/d2")}


@pytest.mark.parametrize(("exc", "reason"), [
    (CannotResolveHostError("x"), "dns_error"),
    (DownloadTimeoutError("x"), "timeout"),
    (DownloadConnectionRefusedError("x"), "connection_refused"),
    (DownloadFailedError("x"), "connection_error"),
    (DownloadCancelledError("Received 5 bytes which is larger than download max size (1)"),
     "size_limit"),
    (IgnoreRequest("Filtered offsite request to 'x'"), "offsite"),
    (IgnoreRequest("Ignored response <200 x> because its body (5 B compressed, 9 B "
                   "decompressed so far) exceeded DOWNLOAD_MAXSIZE (8 B) during decompression."),
     "size_limit"),
    (IgnoreRequest("x"), "ignored"),
    (ValueError("x"), "download_error"),
])
def test_reason_codes(exc: Exception, reason: str) -> None:
    assert reason_for(exc) == reason
