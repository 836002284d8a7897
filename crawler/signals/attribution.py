"""Title and creator of a page for the TASL attribution (title, author, source, license)."""

from __future__ import annotations

from lxml import etree
from parsel import Selector


def _compiled(*xpaths: str) -> tuple[etree.XPath, ...]:
    # compiled once and run on the lxml tree: parsel would re-parse each expression and
    # wrap every result in a Selector, several times per page. Name and attribute steps
    # only ("//@rel[.='author']/..", not "//*[@rel='author']"): libxml2 tests a name
    # cheaply, a predicate on every element is several times dearer
    return tuple(etree.XPath(f"string(({xpath})[1])") for xpath in xpaths)


_TITLE = _compiled("//meta[@property='og:title']/@content", "//title", "//h1")
_CREATOR = _compiled(
    "//meta[@name='author']/@content",
    "//meta[@name='dc.creator' or @name='DC.creator' or @name='dcterms.creator']/@content",
    "//meta[@property='article:author']/@content", "//@rel[.='author']/..",
    "//@itemprop[.='author']/..")


def _first(root: etree._Element, xpaths: tuple[etree.XPath, ...]) -> str:
    for xpath in xpaths:
        value = " ".join(str(xpath(root)).split())
        if value:
            return value
    return ""


def page_attribution(selector: Selector) -> tuple[str, str]:
    root = selector.root
    if not isinstance(root, etree._Element):
        return "", ""
    return _first(root, _TITLE), _first(root, _CREATOR)
