"""Which region of a page an element stands in, read from tags and class/id *tokens*.

A region says what a statement inside it speaks for: a ``footer``, an ``aside``/sidebar, a
widget, a license or copyright box → the page (a line there is the site's license line); a
``figure``, ``figcaption`` or a credit/caption element → the images in it; a ``pre`` → that code
sample. Class and id values are split into tokens (``class="site-footer widget"``) and each
token into words (``site-footer`` → site, footer; ``footerCopyright`` → footer, copyright);
a token marks a region when its last word, after generic words (``-text``, ``-wrapper``,
``-area`` …), is a region word. So ``site-footer``, ``footer-widgets``, ``post-copyright``,
``wp-caption-text`` and ``image-credit`` mark regions, while ``has-footer-widgets`` (a state
of the element, usually on ``<body>``), ``x-image-license-y`` or ``licensed-fonts-loaded``
do not; ``<html>``, ``<body>`` and ``<main>`` are never a region, whatever their classes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "ADDRESS",
    "CAPTION",
    "CODE",
    "CODE_TAGS",
    "CREDIT",
    "FIGURE",
    "FOOTER",
    "LICENSE_BOX",
    "NAV",
    "PAGE_REGIONS",
    "SIDEBAR",
    "SKIP_TAGS",
    "STRUCTURAL",
    "WIDGET",
    "Ctx",
    "box_with_image",
    "own_ctx",
    "region_of_tokens",
]

FOOTER: Final = "footer"
SIDEBAR: Final = "sidebar"
WIDGET: Final = "widget"
LICENSE_BOX: Final = "license-box"
ADDRESS: Final = "address"
NAV: Final = "nav"
FIGURE: Final = "figure"
CAPTION: Final = "caption"
CREDIT: Final = "credit"
CODE: Final = "code"
#: regions whose short lines state the page's (the site's) license
PAGE_REGIONS: Final = frozenset({FOOTER, SIDEBAR, WIDGET, LICENSE_BOX, ADDRESS})

STRUCTURAL: Final = frozenset({"body", "html", "main", "article", "section", "footer",
                               "header", "nav", "aside"})
SKIP_TAGS: Final = frozenset({"script", "style", "noscript", "template", "select", "textarea",
                              "option", "svg", "math", "iframe", "object"})
#: code samples: a license said inside one is that code's
CODE_TAGS: Final = frozenset({"pre", "xmp", "listing", "textarea"})
_NO_TOKENS: Final = frozenset({"html", "body", "main"})
_TAG_REGIONS: Final = {"footer": FOOTER, "aside": SIDEBAR, "address": ADDRESS, "nav": NAV}
_WORDS: Final = {
    "footer": FOOTER, "foot": FOOTER, "colophon": FOOTER, "pagefooter": FOOTER,
    "sitefooter": FOOTER,
    "license": LICENSE_BOX, "licence": LICENSE_BOX, "licensing": LICENSE_BOX,
    "licenses": LICENSE_BOX, "lizenz": LICENSE_BOX, "licencia": LICENSE_BOX,
    "licenza": LICENSE_BOX, "licentie": LICENSE_BOX, "copyright": LICENSE_BOX,
    "copyrights": LICENSE_BOX, "rights": LICENSE_BOX, "legal": LICENSE_BOX,
    "imprint": LICENSE_BOX, "impressum": LICENSE_BOX,
    "sidebar": SIDEBAR, "aside": SIDEBAR, "widget": WIDGET,
    "credit": CREDIT, "credits": CREDIT, "attribution": CREDIT, "caption": CAPTION,
    "figcaption": CAPTION,
}
_GENERIC: Final = frozenset({
    "text", "txt", "wrap", "wrapper", "inner", "outer", "container", "holder", "area", "block",
    "box", "section", "row", "col", "column", "top", "bottom", "bar", "line", "info", "notice",
    "links", "link", "item", "items", "list", "menu", "main", "content", "meta", "region",
    "zone", "panel", "part", "body", "note", "notes", "statement", "label", "small", "mini",
    "widgets", "inside", "copy", "wrp", "cnt", "ct", "el", "elem", "element"})
_STATES: Final = frozenset({"has", "is", "no", "with", "without", "show", "hide", "js",
                            "enable", "enabled", "disable", "disabled", "not", "can", "use"})
_SPLIT: Final = re.compile(r"[-_\s.:]+|(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=4096)
def region_of_tokens(value: str) -> str | None:
    """The region a class or id value marks (the last marking token wins), else None.
    (Cached: a page repeats its class names on many elements.)"""
    found = None
    for token in value.split():
        words = [w.lower() for w in _SPLIT.split(token) if w and not w.isdigit()]
        if not words or words[0] in _STATES:
            continue
        while words and words[-1] in _GENERIC:
            words.pop()
        if words:
            found = _WORDS.get(words[-1], found)
    return found


def marked_region(node: Any) -> str | None:
    """The region ``node``'s own class and id tokens mark (never on ``<html>``, ``<body>``
    or ``<main>``, whose classes describe the whole page), else None."""
    tag, cls, ident = node.tag, node.get("class"), node.get("id")
    if not (cls or ident) or not isinstance(tag, str) or tag in _NO_TOKENS:
        return None
    return region_of_tokens(f"{cls or ''} {ident or ''}")


def tag_region(node: Any) -> str | None:
    """The region ``node``'s tag is (``<footer>``, ``<aside>``, ...), else None."""
    return _TAG_REGIONS.get(node.tag) if isinstance(node.tag, str) else None


class Ctx:
    """What an element's ancestors say about the scope of a statement inside it."""

    __slots__ = ("about", "asset_box", "code", "itemscope", "path", "region", "region_el")

    def __init__(self, asset_box: Any = None, region: str | None = None, region_el: Any = None,
                 about: str | None = None, itemscope: Any = None, path: str = "",
                 code: bool = False):
        self.asset_box = asset_box  # the figure / caption / credit element around it
        self.region = region  # FOOTER, SIDEBAR, WIDGET, LICENSE_BOX, ADDRESS, NAV or None
        self.region_el = region_el  # that element
        self.about = about  # nearest RDFa @about
        self.itemscope = itemscope  # nearest microdata item
        self.path = path
        self.code = code  # inside a code sample

    @property
    def license_box(self) -> bool:
        """Inside a region whose lines speak for the page: footer, sidebar, license box."""
        return self.region in PAGE_REGIONS

    @property
    def license_el(self) -> Any:
        return self.region_el if self.region in PAGE_REGIONS else None


ROOT_CTX: Final = Ctx()


def own_ctx(node: Any, up: Ctx) -> Ctx:
    """``up`` (the parent's context) updated with what ``node`` itself says; nearest wins."""
    tag = node.tag
    if not isinstance(tag, str):
        return up
    ident = node.get("id")
    asset_box, region, region_el = up.asset_box, up.region, up.region_el
    marked = marked_region(node)
    if tag == "figure":
        asset_box = node
    elif tag == "figcaption":
        parent = node.getparent()
        asset_box = parent if parent is not None else node
    elif marked in (CREDIT, CAPTION) and tag not in STRUCTURAL:
        asset_box = box_with_image(node)
    in_region = tag_region(node) or (marked if marked not in (CREDIT, CAPTION) else None)
    if in_region is not None:
        region, region_el = in_region, node
    about = node.get("about")
    itemscope = node if node.get("itemscope") is not None else up.itemscope
    label = f"{tag}#{ident}" if ident else tag
    return Ctx(asset_box, region, region_el, up.about if about is None else about, itemscope,
               f"{up.path}/{label}" if up.path else label, up.code or tag in CODE_TAGS)


def box_with_image(node: Any) -> Any:
    """The images a credit/caption element speaks for: its own, else those of the element
    just before it, else those of its nearest two parents."""
    if next(node.iter("img"), None) is not None:
        return node
    before = node.getprevious()
    if before is not None and isinstance(before.tag, str) and (
            before.tag == "img" or next(before.iter("img"), None) is not None):
        return before
    candidate = node.getparent()
    for _ in range(2):
        if candidate is None or candidate.tag in STRUCTURAL:
            break
        if next(candidate.iter("img"), None) is not None:
            return candidate
        candidate = candidate.getparent()
    return node
