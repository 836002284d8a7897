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


#: the meta elements either field may come from
_META_SOURCES = {("property", "og:title"): "og:title", ("name", "author"): "author",
                 ("name", "dc.creator"): "dc", ("name", "DC.creator"): "dc",
                 ("name", "dcterms.creator"): "dc",
                 ("property", "article:author"): "article:author"}
#: in order of preference: a meta source's name, or the XPath that finds the value
_TITLE = ("og:title", *_compiled("//title", "//h1"))
_CREATOR = ("author", "dc", "article:author",
            *_compiled("//@rel[.='author']/..", "//@itemprop[.='author']/.."))


def _metas(root: etree._Element) -> dict[str, str]:
    """The content of the first meta element of each source (in document order), found in
    one C-level walk of the tree (an XPath with these predicates took twice as long)."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attribute in ("property", "name"):
            source = _META_SOURCES.get((attribute, meta.get(attribute)))
            if source is not None and source not in found:
                found[source] = content
    return found


def _first(root: etree._Element, metas: dict[str, str],
           sources: tuple[str | etree.XPath, ...]) -> str:
    for source in sources:
        found = metas.get(source, "") if isinstance(source, str) else source(root)
        value = " ".join(str(found).split())
        if value:
            return value
    return ""


def page_attribution(selector: Selector) -> tuple[str, str]:
    root = selector.root
    if not isinstance(root, etree._Element):
        return "", ""
    metas = _metas(root)
    return _first(root, metas, _TITLE), _first(root, metas, _CREATOR)
