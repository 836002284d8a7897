"""The parts of a response the item opt-out readers look at: header values and ``<meta>``
elements.

Pure: works on a header mapping (name → list of values, as Scrapy gives them) and the parsel
``Selector`` Scrapy already built for a page. The meta elements are read once per page
(:func:`page_metas`) and the result handed to every reader that needs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from parsel import Selector

from crawler.signals.optout_types import snip

__all__ = ["Meta", "header_values", "meta_snippet", "page_metas"]


def _str(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else str(value)


def header_values(headers: Mapping[str, Sequence[str]] | None, name: str) -> list[str]:
    """All values of header ``name`` (case-insensitive), from a name → values mapping; str or
    bytes names and values (Scrapy's own ``Headers``) both work, a bare str value too."""
    if not headers:
        return []
    lname = name.lower()
    out: list[str] = []
    for key, values in headers.items():
        if _str(key).lower() != lname:
            continue
        if isinstance(values, (str, bytes)):
            out.append(_str(values))
        else:
            out.extend(_str(v) for v in values)
    return out


_XHTML_META = "{http://www.w3.org/1999/xhtml}meta"
#: (name lower-cased, http-equiv lower-cased, content, name as written) of every <meta>
Meta = tuple[str, str, str, str]


def page_metas(selector: Selector | None) -> list[Meta]:
    """Every ``<meta>`` element of the page, read in one C-level walk of the lxml tree."""
    if selector is None:
        return []
    root = getattr(selector, "root", None)
    iterate = getattr(root, "iter", None)
    if iterate is None:
        return []
    out: list[Meta] = []
    for el in iterate("meta", _XHTML_META):
        attrib = el.attrib
        content = attrib.get("content")
        if content is None:
            continue
        raw = (attrib.get("name") or "").strip()
        out.append((raw.lower(), (attrib.get("http-equiv") or "").strip().lower(), content,
                    raw))
    return out


def meta_snippet(name: str, content: str, http_equiv: bool = False) -> str:
    """How a meta element is quoted in a signal's snippet."""
    attr = "http-equiv" if http_equiv else "name"
    return snip(f'<meta {attr}="{name}" content="{content}">')
