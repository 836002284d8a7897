"""License detection end to end: what the sidecars of stored items say, per channel."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import crawl, image, write_policy

from crawler.demo.server import Route

SITE = "127.0.0.71"
BY = "https://creativecommons.org/licenses/by/4.0/"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


def test_channels_scopes_and_evidence_in_sidecars(serve, tmp_path: Path) -> None:
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "Article",
                         "headline": "Moss", "author": {"name": "Ada"}, "license": BY})
    article = (f'<html><head><title>Moss</title><script type="application/ld+json">{jsonld}'
               '</script></head><body><p>On moss.</p>'
               '<figure><img src="/fig.png" alt="Moss close-up"><figcaption>Photo: Bo, '
               f'<a href="{BY_SA}">CC BY-SA 4.0</a></figcaption></figure>'
               '<img src="/logo.png" alt="logo"></body></html>')
    photos = ('<html><head><title>Photos</title></head><body><img src="/p.png" alt="p">'
              f'<p>The photos on this blog are licensed under <a href="{BY}">CC BY 4.0</a>.'
              '</p></body></html>')
    conflict = (f'<html><head><link rel="license" href="{BY}"></head><body><p>x</p>'
                f'<footer><a rel="license" href="{BY_SA}">CC BY-SA</a></footer></body></html>')
    server = serve({SITE: {
        "/": Route(article.encode()), "/photos.html": Route(photos.encode()),
        "/conflict.html": Route(conflict.encode()),
        "/fig.png": image(), "/logo.png": image(), "/p.png": image()}})
    policies = tmp_path / "policies"
    starts = [server.url(SITE, p) for p in ("/", "/photos.html", "/conflict.html")]
    write_policy(policies, "site", SITE, starts,
                 licenses={"accept": {"research": ["CC-BY-4.0", "CC-BY-SA-4.0"]}})
    result = crawl(policies, tmp_path / "corpus")
    url = lambda path: server.url(SITE, path)  # noqa: E731
    # the article: JSON-LD licenses the page; the figure's credit licenses only its image;
    # the logo has no license of its own and does not inherit the page's
    assert result.stored_urls() == {url("/"), url("/fig.png"), url("/p.png")}
    page = result.sidecar(url("/"))
    assert page["license"]["spdx"] == "CC-BY-4.0"
    assert page["evidence"]["chosen"]["channel"] == "jsonld"
    assert page["attribution"]["title"] == "Moss"
    fig = result.sidecar(url("/fig.png"))
    assert fig["license"]["spdx"] == "CC-BY-SA-4.0" and fig["license"]["scope"] == "asset"
    assert "figcaption" in fig["evidence"]["chosen"]["location"]
    assert BY_SA in fig["evidence"]["chosen"]["snippet"]
    assert ("license", "license_missing") in result.decisions(url("/logo.png"))
    # "the photos on this blog are ..." licenses the photos, not the page text
    assert ("license", "license_missing") in result.decisions(url("/photos.html"))
    assert result.sidecar(url("/p.png"))["license"]["spdx"] == "CC-BY-4.0"
    # two page-level licenses: excluded (the policy names no winner)
    assert ("license", "license_conflict") in result.decisions(url("/conflict.html"))
