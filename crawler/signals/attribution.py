"""Title and creator of a page for the TASL attribution (title, author, source, license)."""

from __future__ import annotations

from parsel import Selector

_TITLE = ("//meta[@property='og:title']/@content", "//title/text()", "//h1//text()")
_CREATOR = ("//meta[@name='author']/@content", "//meta[@name='dc.creator' or "
            "@name='DC.creator' or @name='dcterms.creator']/@content",
            "//meta[@property='article:author']/@content", "//*[@rel='author']//text()",
            "//*[@itemprop='author']//text()")


def _first(selector: Selector, xpaths: tuple[str, ...]) -> str:
    for xpath in xpaths:
        value = " ".join((selector.xpath(xpath).get() or "").split())
        if value:
            return value
    return ""


def page_attribution(selector: Selector) -> tuple[str, str]:
    return _first(selector, _TITLE), _first(selector, _CREATOR)
