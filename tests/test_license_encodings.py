"""Other encodings of a license: web-archive URLs, CC's RDF inside an HTML comment, ``data-*``,
``title`` and ``aria-label`` attributes, JSON-LD variants, a version only in a license link's
text, unusual grant wording; and the fast path (the raw HTML's lines) finds what a walk of the
tree finds."""

from __future__ import annotations

import html
import json

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.signals import license_detect as ld
from crawler.signals import license_text as lt
from crawler.signals.license_markup import LINES_FROM
from crawler.signals.license_model import License
from crawler.signals.licenses import canonicalize_url

PAGE = "http://www.peiratikos.net/blog/archives/2003_06.html"
BY = "https://creativecommons.org/licenses/by/4.0/"


def found(html: str, url: str = PAGE) -> list[ld.LicenseEvidence]:
    return ld.detect(url, {}, Selector(text=html))


def grants(html: str, scope: str = ld.SCOPE_PAGE, url: str = PAGE) -> list[str | None]:
    return [e.license.spdx if isinstance(e.license, License) else None
            for e in found(html, url) if e.role == ld.GRANT and e.scope == scope]


@pytest.mark.parametrize(("url", "spdx"), [
    ("https://web.archive.org/web/20190101000000/https://creativecommons.org/licenses/by/4.0/",
     "CC-BY-4.0"),
    ("http://web.archive.org/web/2019id_/http:/creativecommons.org/licenses/by-sa/3.0/",
     "CC-BY-SA-3.0"),
    ("//web.archive.org/web/20080101000000*/http://creativecommons.org/licenses/by-nc/2.5/",
     "CC-BY-NC-2.5"),
    ("https://wayback.archive-it.org/123/20190101/https://creativecommons.org/publicdomain/"
     "zero/1.0/", "CC0-1.0"),
])
def test_archive_wrapped_license_urls(url: str, spdx: str) -> None:
    lic = canonicalize_url(url)
    assert isinstance(lic, License) and lic.spdx == spdx


def test_only_archives_are_unwrapped() -> None:
    assert canonicalize_url("https://example.com/web/2019/https://creativecommons.org/"
                            "licenses/by/4.0/") is None
    badge = ("https://web.archive.org/web/20190101000000im_/https://i.creativecommons.org/l/"
             "by-sa/4.0/88x31.png")
    assert lt.badge_license(badge).spdx == "CC-BY-SA-4.0"  # type: ignore[union-attr]


def test_an_archived_page_links_its_license_through_the_archive() -> None:
    html = ('<html><body><footer>Licensed under <a rel="license" href="/web/2019/https://'
            'creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a></footer></body></html>')
    url = "https://web.archive.org/web/2019/https://blog.example/post"
    assert grants(html, url=url) == ["CC-BY-NC-4.0"]


RDF = ('<!--\n<rdf:RDF xmlns="http://web.resource.org/cc/" '
       'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
       '<Work rdf:about="{about}"><dc:title>Peiratikos</dc:title>\n'
       '<license rdf:resource="http://creativecommons.org/licenses/by-nd-nc/1.0/" /></Work>\n'
       '<License rdf:about="http://creativecommons.org/licenses/by-nd-nc/1.0/">\n'
       '<requires rdf:resource="http://web.resource.org/cc/Attribution" /></License>\n'
       "</rdf:RDF>\n-->")


@pytest.mark.parametrize(("about", "scope"), [
    ("http://www.peiratikos.net/blog/", ld.SCOPE_PAGE),
    ("", ld.SCOPE_PAGE),
    (PAGE, ld.SCOPE_PAGE),
    ("http://other.example/book/", ld.SCOPE_OTHER),
    ("http://www.peiratikos.net/images/cover.jpg", ld.SCOPE_ASSET),
])
def test_cc_rdf_inside_an_html_comment(about: str, scope: str) -> None:
    html = (f"<html><head><title>Peiratikos</title>{RDF.format(about=about)}</head>"
            "<body><p>June 2003</p></body></html>")
    statements = [e for e in found(html) if e.role == ld.GRANT]
    assert [(e.channel, e.scope, e.part) for e in statements] \
        == [("html:comment", scope, "comment")]
    assert statements[0].license.spdx == "CC-BY-NC-ND-1.0"  # type: ignore[union-attr]


def test_rdf_in_an_inline_svg_is_the_drawings() -> None:
    html = ('<html><body><svg><metadata><rdf:RDF><cc:Work rdf:about=""><cc:license '
            'rdf:resource="http://creativecommons.org/licenses/by-sa/3.0/"/></cc:Work>'
            "</rdf:RDF></metadata></svg><p>x</p></body></html>")
    assert grants(html) == []


def props(title: str) -> str:
    data = {"title": title, "authors": [{"name": "Ann"}], "content": "<p>…</p>",
            "licence": {"name": "Creative Commons Attribution-No Derivatives",
                        "short": "CC BY-ND", "url": "http://creativecommons.org/licenses/by-nd/4.0/"}}
    value = html.escape(json.dumps(data))
    return ('<html><head><title>If work dominated your every moment | Aeon</title></head><body>'
            f'<div class="js-react-component" data-props="{value}"></div></body></html>')


def test_a_components_json_props_license_the_page_it_names() -> None:
    html = props("If work dominated your every moment")
    assert grants(html) == ["CC-BY-ND-4.0"]
    [e] = [e for e in found(html) if e.role == ld.GRANT]
    assert e.channel == "html:attr" and e.part == "attribute"


def test_a_components_json_props_for_another_work() -> None:
    assert grants(props("Related: ten essays on leisure")) == []
    assert grants(props("Related: ten essays on leisure"), ld.SCOPE_OTHER) == ["CC-BY-ND-4.0"]


def test_a_data_license_attribute_reads_like_the_elements_text() -> None:
    footer = ('<html><body><footer><span data-license="CC BY-SA 4.0">©</span></footer>'
              "</body></html>")
    assert grants(footer) == ["CC-BY-SA-4.0"]
    share = ('<html><body><p><a href="/q/1" data-share-license-url="https%3a%2f%2f'
             'creativecommons.org%2flicenses%2fby-sa%2f4.0%2f">Share</a></p></body></html>')
    assert grants(share) == []


@pytest.mark.parametrize(("element", "want"), [
    ('<span title="Licensed under CC BY 4.0">cc</span>', ["CC-BY-4.0"]),
    ('<i class="fa fa-creative-commons" aria-label="Creative Commons BY-SA 4.0"></i>',
     ["CC-BY-SA-4.0"]),
    ('<a href="/wiki/BSD_licenses" title="BSD licenses">BSD</a>', []),
    ('<span title="Flickr photos are often licensed under CC BY 2.0">?</span>', []),
])
def test_title_and_aria_label_attributes(element: str, want: list[str]) -> None:
    assert grants(f"<html><body><footer>{element}</footer></body></html>") == want


@pytest.mark.parametrize("script", [
    '<!--\n{"@type": "Article", "license": "%s"}\n-->',
    '//<![CDATA[\n{"@type": "Article", "license": "%s"}\n//]]>',
    '{"@type": "WebSite", "name": "x"}\n{"@type": "Article", "license": "%s"}',
    '{"@type": "Article", "licence": "%s"}',
    '{"@context": {"schema": "http://schema.org/"}, "schema:license": {"@id": "%s"}}',
    '{"@type": "Article", "license": {"@value": "%s"}}',
    '{"@type": "Article", "license": {"@type": "CreativeWork", "name": "CC BY 4.0"}}',
])
def test_json_ld_variants(script: str) -> None:
    body = script % BY if "%s" in script else script
    html = (f'<html><head><script type="application/ld+json">{body}</script></head>'
            "<body><p>x</p></body></html>")
    assert grants(html) == ["CC-BY-4.0"]


def test_json_ld_in_the_body() -> None:
    html = ('<html><head><title>x</title></head><body><p>x</p><script type="application/ld+json">'
            f'{{"@type": "Article", "license": "{BY}"}}</script></body></html>')
    response = HtmlResponse("https://site.example/a", body=html.encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert [e.license.spdx for e in ld.detect(response.url, {}, response.selector)  # type: ignore[union-attr]
            if e.role == ld.GRANT] == ["CC-BY-4.0"]


def test_acquire_license_page_is_no_license() -> None:
    html = ('<html><head><script type="application/ld+json">{"@type": "ImageObject", '
            '"acquireLicensePage": "https://creativecommons.org/licenses/by/4.0/"}</script>'
            "</head><body></body></html>")
    assert [e for e in found(html) if e.role == ld.GRANT] == []


def test_the_version_in_a_license_links_text() -> None:
    html = ('<html><body><footer><ul><li><a href="http://www.gnu.org/copyleft/fdl.html" '
            'rel="license">GFDL 1.2</a></li></ul></footer></body></html>')
    assert grants(html) == ["GFDL-1.2-only"]
    family = ('<html><body><footer><a rel="license" href="https://creativecommons.org/licenses'
              '/by-sa/">CC BY-SA 4.0</a></footer></body></html>')
    assert grants(family) == ["CC-BY-SA-4.0"]
    other = ('<html><body><footer><a rel="license" href="https://creativecommons.org/licenses'
             '/by-sa/">CC BY-NC 4.0</a></footer></body></html>')
    assert grants(other) == [None]  # the family of the link, not another license


def test_an_empty_license_container_gives_the_link_inside() -> None:
    html = ('<html><body><aside><div class="cc-license" itemprop="license"><a href="https://'
            'creativecommons.org/licenses/by-nc-sa/4.0/"><img src="/cc.svg" alt="cc"></a>'
            "</div></aside></body></html>")
    assert set(grants(html)) == {"CC-BY-NC-SA-4.0"}


@pytest.mark.parametrize("sentence", [
    "This story is available to republish under CC BY-ND 4.0.",
    "This article may be republished under CC BY-ND 4.0.",
    "Republish our articles for free under CC BY-ND 4.0.",
])
def test_unusual_grant_wording(sentence: str) -> None:
    html = f"<html><body><footer><p>{sentence}</p></footer></body></html>"
    assert grants(html) == ["CC-BY-ND-4.0"]


def _page(sep: str, rows: int) -> bytes:
    rows = sep.join(f'<p>Row {i} <a href="/r/{i}" title="row {i}">link</a></p>'
                    for i in range(rows))
    return (f'<!DOCTYPE html>{sep}<html lang="en">{sep}<head><title>Rows</title></head>{sep}'
            f"<body>{sep}<article>{sep}{rows}{sep}<p>The Creative Commons Attribution-"
            f"NonCommercial 4.0 International License is popular, e.g. CC BY-NC 4.0.</p>"
            f'{sep}<figure><img src="/a.jpg"><figcaption>Photo: Ann, <a href="https://'
            f'creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>{sep}'
            f'</article>{sep}<div id="copyright"><span title="Licensed under CC BY 4.0">cc'
            f'</span></div>{sep}<footer>{sep}<p>Text is available under the <a rel="license" '
            f'href="{BY}">CC BY 4.0</a> license; some images are licensed under CC BY-SA 4.0.'
            f"</p>{sep}</footer>{sep}</body>{sep}</html>").encode()


@pytest.mark.parametrize("sep", ["\n", "", "\r\n"])
@pytest.mark.parametrize("rows", [300, 3000])  # elements found by XPath, through their lines
def test_the_raw_html_fast_path_finds_what_the_tree_walk_finds(sep: str, rows: int) -> None:
    body = b"\n\n" + _page(sep, rows)
    assert (len(body) >= LINES_FROM) == (rows == 3000)
    response = HtmlResponse("https://site.example/rows", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    fast = ld.detect(response.url, {}, response.selector)
    slow = ld.detect(response.url, {}, Selector(root=response.selector.root, type="html"))

    def key(found: list[ld.LicenseEvidence]) -> list[tuple[object, ...]]:
        return sorted((e.channel, str(e.license), e.scope, e.role, e.assets) for e in found
                      if e.role != ld.NOTICE)

    assert key(fast) == key(slow)
    assert {(e.scope, e.license.spdx) for e in fast  # type: ignore[union-attr]
            if e.role == ld.GRANT} == {(ld.SCOPE_PAGE, "CC-BY-4.0"),
                                       (ld.SCOPE_ASSET, "CC-BY-2.0"),
                                       (ld.SCOPE_ASSET, "CC-BY-SA-4.0")}
