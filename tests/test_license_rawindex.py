"""The raw-HTML index and the line locator that keep the license scan off whole-tree walks:
what a marker hit is (text, which attribute, a script), CC URLs in comments, and the elements
found at a raw position through lxml's line numbers."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.signals import license_text as lt
from crawler.signals.license_locate import elements_at, holders_at, line_numbers, line_offset
from crawler.signals.license_prose import page_markers
from crawler.signals.license_rawindex import RawIndex, ascii_compatible

MARKERS = ("licen", "creative commons", "cc by", "cc-by", "cc0")


def index(html: str, markers: tuple[str, ...] = MARKERS) -> RawIndex:
    return RawIndex(html.encode(), markers, "utf-8", lt.find_names)


def test_hits_in_text_attributes_and_scripts() -> None:
    raw = index('<html><head><link rel="license" href="x"></head><body>'
                '<a rel="license" href="y">CC BY 4.0</a><p>Licensed under CC0.</p>'
                '<script>var licenseKey = "cc by"; var x = "<b>licence</b>";</script>'
                '<div class="license-box">Licence</div></body></html>')
    assert raw.kinds == {"rel", "class"}  # the head's <link> is read directly
    assert raw.text_markers["licen"] == 2  # "Licensed", "Licence": not the script's
    assert raw.text_markers["cc by"] == 1 and raw.text_markers["cc0"] == 1
    assert raw.variants["licen"] == {"Licen"}
    assert len(raw.tags["rel"]) == 1


def test_a_title_counts_only_with_a_license_name_close_by() -> None:
    wiki = index('<html><body><a href="/wiki/BSD" title="BSD licenses">BSD</a></body></html>')
    assert "title" not in wiki.kinds
    named = index('<html><body><span title="Licensed under CC BY 4.0">cc</span></body></html>')
    assert named.kinds == {"title"}
    link = index('<html><body><a href="https://creativecommons.org/licenses/by/4.0/" '
                 'title="Creative Commons licence">cc</a></body></html>')
    assert "title" not in link.kinds  # the link itself is the statement


def test_a_long_data_attribute_with_a_license_key() -> None:
    props = "&quot;x&quot;:1," * 200 + "&quot;licence&quot;:{&quot;url&quot;:1}"
    raw = index(f'<html><body><div data-props="{{{props}}}"></div></body></html>')
    assert raw.kinds == {"data"}


def test_cc_urls_badges_and_comments() -> None:
    raw = index('<html><body><!-- <rdf:RDF><Work rdf:about=""><license rdf:resource="http://'
                'creativecommons.org/licenses/by/1.0/"/></Work></rdf:RDF> --><img src="https'
                '://licensebuttons.net/l/by/4.0/88x31.png"><a href="https://creativecommons.org'
                '/licenses/by/4.0/">x</a></body></html>')
    assert raw.cc_urls == 2 and raw.comment_rdf and raw.badges
    assert len(raw.tags["cc"]) == 2  # the badge and the link (not the comment)


def test_a_page_full_of_the_word_saturates() -> None:
    raw = index("<html><body>" + "<p>licence</p>" * 500 + "</body></html>")
    assert raw.saturated and raw.text_markers["licen"] > 400


def test_names_near_text_hits() -> None:
    html = ("<html><body><p>The fishing licence costs more.</p>" + "<p>Tides.</p>" * 40
            + "<footer>Licensed under CC BY 4.0</footer></body></html>")
    raw = index(html)
    near = raw.names_near(["licen"], lt.find_names)
    assert near == [html.encode().lower().find(b"licensed")]
    assert raw.names_near(["licen"], lt.find_names, "licensed under cc by 4.0") == []


def test_the_markers_follow_the_pages_language() -> None:
    html = '<html lang="ru"><body><p>Лицензия</p></body></html>'
    response = HtmlResponse("https://x.example/", body=html.encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    markers = page_markers(response.selector.root)
    assert "иценз" in markers and "licen" in markers
    assert RawIndex(response.body, markers, "utf-8").text_markers["иценз"] == 1


def test_ascii_compatible_encodings() -> None:
    assert ascii_compatible("utf-8") and ascii_compatible("cp1252")
    assert ascii_compatible("shift_jis") and ascii_compatible("gb18030")
    assert not ascii_compatible("utf-16") and not ascii_compatible(None)


PAGE = ("\n\n<!DOCTYPE html>\n<html>\n<body>\n<div>\n<p>one <b>two</b> licence here</p>\n"
        "<ul><li>a</li><li><a rel='license' href='x'>l</a></li></ul>\n</div>\n"
        "<footer>Licensed under <a href='https://creativecommons.org/licenses/by/4.0/'>CC BY"
        "</a></footer>\n</body>\n</html>\n")


def test_line_numbers_and_lxmls_offset() -> None:
    body = PAGE.encode()
    response = HtmlResponse("https://x.example/", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    low = body.lower()
    offset = line_offset(response.selector.root, low)
    assert offset == 2  # libxml2 does not count the blank lines before the doctype
    pos = low.find(b"licence here")
    assert line_numbers(low, [pos], offset)[pos][0] \
        == response.selector.root.find(".//p").sourceline


def test_elements_and_text_holders_at_raw_positions() -> None:
    body = PAGE.encode()
    response = HtmlResponse("https://x.example/", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    root, low = response.selector.root, body.lower()
    rel = low.rfind(b"<", 0, low.find(b"license'"))
    [a] = elements_at(root, low, [rel], lambda e: "license" in (e.get("rel") or ""))
    assert a.tag == "a" and a.get("href") == "x"
    holders = holders_at(root, low, [low.find(b"licence here"), low.find(b"licensed under")],
                         ("licen",))
    assert [h.tag for h in holders or []] == ["p", "footer"]


def test_the_locator_gives_up_on_minified_pages() -> None:
    body = PAGE.replace("\n", "").encode() + b" " * 40_000
    one_line = b"<html><body>" + b"<p>x</p>" * 5000 + b"<p>licence</p></body></html>"
    response = HtmlResponse("https://x.example/", body=one_line,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    root, low = response.selector.root, one_line.lower()
    assert holders_at(root, low, [low.find(b"licence")], ("licen",)) is None
    assert line_numbers(body.lower(), [10])[10][1] > 32_000
