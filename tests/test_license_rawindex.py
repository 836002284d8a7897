"""The raw-HTML index and the line locator that keep the license scan off whole-tree walks:
what a marker hit is (text, which attribute, a script), CC URLs in comments, and the elements
found at a raw position through lxml's line numbers."""

from __future__ import annotations

from typing import Any

from scrapy.http import HtmlResponse

from crawler.signals import license_text as lt
from crawler.signals.license_locate import Lines
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


def test_a_script_without_its_end_runs_to_the_pages_end() -> None:
    raw = index("<html><body><p>Licence one</p><script>var x = 'licence';"
                "<script>'licence'</body></html>")
    assert raw.text_markers["licen"] == 1


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


def test_a_script_is_read_past_and_body_jsonld_needs_a_license_key() -> None:
    state = "".join(f'"k{i}": {{"licenseKey": "{i}"}}, ' for i in range(3000))
    raw = index(f"<html><body><script>window.S = {{{state}}};</script><p>Licence</p></body>"
                "</html>")
    assert raw.text_markers["licen"] == 1 and not raw.saturated
    plain = index('<html><body><p>x</p><script type="application/ld+json">{"@type": '
                  '"WebPage"}</script></body></html>')
    assert not plain.body_jsonld  # no license key in a script of the body: not read
    keyed = index('<html><body><p>x</p><script type="application/ld+json">{"license": '
                  '"https://creativecommons.org/licenses/by/4.0/"}</script></body></html>')
    assert keyed.body_jsonld and keyed.cc_urls == 1 and "cc" not in keyed.tags


def test_cc_urls_count_as_links_only_in_links_and_images() -> None:
    raw = index('<html xmlns:cc="http://creativecommons.org/ns#"><body>'
                '<svg xmlns:cc="http://creativecommons.org/ns#"><path d="M0"/></svg>'
                "<script>map.attribution = '<a href=\"https://creativecommons.org/licenses/"
                "by-sa/2.0/\">CC BY-SA</a>';</script>"
                '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY</a></body></html>')
    assert raw.cc_urls == 4 and len(raw.tags["cc"]) == 1


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


def parsed(body: bytes) -> tuple[Any, bytes]:
    """The tree lxml parses ``body`` into, and the body lower-cased (as the scan has them)."""
    response = HtmlResponse("https://x.example/", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    return response.selector.root, body.lower()


def test_line_numbers_and_lxmls_offset() -> None:
    body = PAGE.encode()
    response = HtmlResponse("https://x.example/", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    low = body.lower()
    lines = Lines(response.selector.root, low)
    assert lines.offset == 2  # libxml2 does not count the blank lines before the doctype
    pos = low.find(b"licence here")
    end = low.find(b"</footer>")
    # a later position first: the earlier one is counted from a position known before it
    assert lines.numbers([end])[end][0] == response.selector.root.find(".//footer").sourceline
    assert lines.numbers([pos])[pos][0] == response.selector.root.find(".//p").sourceline


def test_elements_and_text_holders_at_raw_positions() -> None:
    article = "".join(f"<p>Paragraph {i} of the article.</p>\n" for i in range(20))
    body = PAGE.replace("<footer>", f"{article}<footer>").encode()
    root, low = parsed(body)
    rel = low.rfind(b"<", 0, low.find(b"license'"))
    lines = Lines(root, low)
    [a] = lines.elements_at([rel], lambda e: "license" in (e.get("rel") or ""))
    assert a.tag == "a" and a.get("href") == "x"
    holders = lines.holders_at(root, [low.find(b"licence here"), low.find(b"licensed under")],
                               ("licen",))
    assert [h.tag for h in holders or []] == ["p", "footer"]


def test_a_text_holder_whose_text_goes_on_past_a_childs_line() -> None:
    body = (b"<!DOCTYPE html>\n<html>\n<body>\n<div>\n<p>The weights come with <a href='x'>"
            b"the model</a> too.\nThey are free under the Apache 2.0 licence, and small.</p>\n"
            b"</div>\n</body>\n</html>\n")
    root, low = parsed(body)
    holders = Lines(root, low).holders_at(root, [low.find(b"licence")], ("licen",))
    assert [h.tag for h in holders or []] == ["p"]  # the <a>'s tail is the <p>'s text


def test_a_start_tag_over_several_lines_and_a_tall_body_tag() -> None:
    body = (b'<!DOCTYPE html>\n<html>\n<body\n  class="post"\n>\n<p>x</p>\n<a\n  class="cc"\n'
            b'  href="https://creativecommons.org/licenses/by/4.0/"\n  rel="license"\n>CC BY</a>\n'
            b"</body>\n</html>\n")
    root, low = parsed(body)
    lines = Lines(root, low)
    assert lines.offset == 0  # lxml numbers an element by the line its start tag ends on
    [a] = lines.elements_at([low.find(b"<a")], lambda e: e.get("rel") == "license")
    assert a.text == "CC BY"


def test_the_locator_gives_up_on_minified_pages() -> None:
    body = PAGE.replace("\n", "").encode() + b" " * 40_000
    one_line = b"<html><body>" + b"<p>x</p>" * 5000 + b"<p>licence</p></body></html>"
    response = HtmlResponse("https://x.example/", body=one_line,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    root, low = response.selector.root, one_line.lower()
    assert Lines(root, low).holders_at(root, [low.find(b"licence")], ("licen",)) is None
    small = b"<html><body><p>x</p><p><a rel='license' href='x'>l</a></p></body></html>"
    root = HtmlResponse("https://x.example/", body=small,
                        headers={"Content-Type": "text/html"}).selector.root
    lines = Lines(root, small)  # most of the page on the line: an attribute step is cheaper
    assert lines.elements_at([small.find(b"<a ")], lambda e: e.tag == "a") is None
    assert [h.tag for h in lines.holders_at(root, [small.find(b"x</p>")], ("x",)) or []] \
        == ["p"]  # text is still found through its line
    long = HtmlResponse("https://x.example/", body=body,
                        headers={"Content-Type": "text/html; charset=utf-8"})
    assert Lines(long.selector.root, body.lower()).numbers([10])[10][1] > 32_000
