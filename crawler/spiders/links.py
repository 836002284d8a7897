"""The links and images a page offers the spider, at most a fixed number per page.

Scrapy's ``LinkExtractor`` has no limit: it builds a ``Link`` (text, canonical key) for
every anchor of a page before returning any, about 70 µs each, so a page of 200,000
links holds the reactor, and every other site with it, for 15 s before its requests are
even made. Here the anchors and images are walked in document order on the page's lxml
tree (the one the gates use), resolved as ``LinkExtractor`` resolves them (HTML5
whitespace stripped, joined to the ``<base>``, made safe with w3lib), and taking stops
at the limit; the rest are only counted, by one XPath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urldefrag, urljoin

from lxml import etree
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string


@dataclass
class PageLinks:
    #: page URLs (``<a>``, ``<area>`` hrefs), each once, without fragment
    links: list[str] = field(default_factory=list)
    #: image URLs with their alt text (``<img src>``), each once
    images: list[tuple[str, str]] = field(default_factory=list)
    #: links and images past the limit, not taken
    excess: int = 0


@lru_cache(maxsize=4096)  # about 2 MB at most
def _safe(url: str, encoding: str) -> str:
    """``safe_url_string``, remembered: a site's menus and footers give every page the same
    links, and making one safe costs more than joining it (a ``ValueError`` is not kept)."""
    return safe_url_string(url, encoding)


_COUNT_LINKS = etree.XPath("count(//*[(local-name()='a' or local-name()='area') and "
                           "string(@href)] | //*[local-name()='img' and string(@src)])")


def page_links(response: TextResponse, limit: int) -> PageLinks:
    """The first ``limit`` distinct http(s) links and images of ``response``."""
    found = PageLinks()
    base = get_base_url(response)
    seen: set[tuple[bool, str]] = set()
    root = response.selector.root
    walked = 0  # elements with a link looked at
    for element in root.iter("{*}a", "{*}area", "{*}img"):  # XHTML too
        tag = element.tag.rpartition("}")[2]
        raw = element.get("src" if tag == "img" else "href")
        if not raw:
            continue
        if len(seen) >= limit:  # the rest are only counted, in C
            found.excess = int(_COUNT_LINKS(root)) - walked
            break
        walked += 1
        try:
            url = _safe(urljoin(base, strip_html5_whitespace(raw)), response.encoding)
        except ValueError:
            continue  # a bogus link, as LinkExtractor skips it
        is_image = tag == "img"
        if not is_image:
            url = urldefrag(url)[0]
        if not url.startswith(("http://", "https://")) or (is_image, url) in seen:
            continue
        seen.add((is_image, url))
        if is_image:
            found.images.append((url, " ".join(element.get("alt", "").split())))
        else:
            found.links.append(url)
    return found
