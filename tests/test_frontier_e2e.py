"""The crawl frontier can live on disk, and what the gates put in request meta is plain data.

Requests that carry gate meta when they are queued (an image with its page's license, a
redirect and a retry with their decisions so far, the site files' reading and the robots
snapshot) go through Scrapy's marshal disk queue, which refuses anything but plain data:
a Python object in meta would be counted as ``scheduler/unserializable`` and kept in
memory instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import crawl, image, page, write_policy

from crawler.demo.server import Route

SITE = "127.0.0.81"


def test_requests_wait_on_disk_with_plain_meta(serve, tmp_path: Path) -> None:
    flaky_answers = iter([Route(b"busy", 503)])

    def flaky() -> Route:  # busy once, then the page
        return next(flaky_answers, page("flaky"))

    server = serve({SITE: {
        "/": page("home", links=("/a.html", "/moved", "/flaky"), images=("/cat.png",)),
        "/a.html": page("a", images=("/dog.png",)),
        "/b.html": page("b"),
        "/flaky": flaky,
        "/cat.png": image(), "/dog.png": image(),
    }})
    server.routes(SITE)["/moved"] = Route(b"", 302, {"Location": server.url(SITE, "/b.html")})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 licenses={"images_share_page_license": True})

    result = crawl(policies, tmp_path / "corpus", "research",  # every request on disk
                   "COMPLIANCE_BACKOFF_BASE=0.2", "RETRY_TIMES=2", "COMPLIANCE_FRONTIER_MEMORY=0")

    url = lambda path: server.url(SITE, path)  # noqa: E731
    assert result.stored_urls() == {url(p) for p in ("/", "/a.html", "/b.html", "/flaky",
                                                     "/cat.png", "/dog.png")}
    # the images' license came through the disk queue from their pages
    sidecar = result.sidecar(url("/dog.png"))["license"]
    assert (sidecar["spdx"], sidecar["inherited_from_page"]) == ("CC-BY-4.0", True)
    stats = result.stderr[result.stderr.index("Dumping Scrapy stats"):]
    assert int(re.search(r"'scheduler/enqueued/disk': (\d+)", stats)[1]) >= 7  # type: ignore[index]
    assert "scheduler/enqueued/memory" not in stats
    assert "scheduler/unserializable" not in stats
    # the temporary frontier is gone with the run
    frontier = re.search(r"frontier (\S+)", result.stderr)
    assert frontier is not None and not Path(frontier[1]).exists()
