"""License statements in places a page's visible text does not show: CC's RDF block inside an
HTML comment, and ``title``, ``aria-label`` and ``data-*`` attributes.

CC's license chooser once gave pages an RDF block to paste, which many sites (Movable Type,
WordPress themes) wrapped in an HTML comment so browsers would not show it::

    <!-- <rdf:RDF …><Work rdf:about="http://example.org/blog/">
         <license rdf:resource="http://creativecommons.org/licenses/by-nd-nc/1.0/" /></Work>
         … </rdf:RDF> -->

Its ``Work``'s ``license`` is a statement about the work ``rdf:about`` names: the page when it
names the page, its site or a folder above it; an image when it names one; another work
otherwise. A ``license`` outside any ``Work`` speaks for the page. Only comments are read this
way: RDF in an inline SVG's metadata is that drawing's.

An attribute that names a license (``<span title="Licensed under CC BY 4.0">``,
``<i aria-label="Creative Commons BY-SA 4.0">``) is read like the element's text: a grant where
the attribute or the element's place says so, a mention otherwise. ``data-*`` attributes
holding JSON (a component's props) are read by :func:`crawler.signals.license_jsonld.
data_attribute`.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from lxml import etree

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    GRANT,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SNIPPET_MAX,
    LicenseEvidence,
    clean_text,
    norm_url,
)
from crawler.signals.license_jsonld import data_attribute
from crawler.signals.licenses import canonicalize_url

__all__ = ["attribute_statements", "comment_statements"]

_COMMENTS: Final = etree.XPath("descendant::comment()[contains(., 'creativecommons.org/')]")
_WORK: Final = re.compile(r"<(?:[\w-]+:)?Work\b([^>]*)>(.*?)</(?:[\w-]+:)?Work\s*>",
                          re.IGNORECASE | re.DOTALL)
_LICENSE: Final = re.compile(
    r"<(?:[\w-]+:)?license\s+[^>]*?rdf:resource\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_ABOUT: Final = re.compile(r"rdf:about\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_IMAGE_EXT: Final = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|tiff?)(?:$|[?#])", re.IGNORECASE)
_MARKED: Final = ("licen", "lizen", "commons", "cc by", "cc-by", "cc0", "иценз", "ライセンス",
                  "许可", "授權", "授权", "라이선스")
_SAYS = ("[contains(., 'icen') or contains(., 'ICEN') or contains(., 'izen') or "
         "contains(., 'ommons') or contains(., 'CC BY') or contains(., 'CC-BY') or "
         "contains(., 'иценз') or contains(., 'ライセンス') or contains(., '许可') or "
         "contains(., '授') or contains(., '라이선스')]")
_ATTR_STEPS: Final = {
    "title": etree.XPath("descendant::*/@title" + _SAYS),
    "aria-label": etree.XPath("descendant::*/@aria-label" + _SAYS),
    "data": etree.XPath(
        "descendant::*/@*[starts-with(name(), 'data-')][contains(name(), 'licen') or "
        "contains(., 'icen') or contains(., 'ICEN') or contains(., 'ommons') or "
        "contains(., 'CC BY') or contains(., 'CC-BY')]"),
}


def _work_scope(scan: Any, about: str) -> tuple[str, tuple[str, ...], str]:
    """(scope, assets, note) of a ``Work`` that ``rdf:about`` names."""
    about = about.strip()
    if not about or about == "#":
        return SCOPE_PAGE, (), "CC RDF in a comment, about this page"
    target = norm_url(scan.url(about))
    if _IMAGE_EXT.search(target):
        return SCOPE_ASSET, (target,), f"CC RDF in a comment, about the image {about}"
    page, work = urlsplit(scan.page), urlsplit(target)
    if work.netloc.lower().removeprefix("www.") == page.netloc.lower().removeprefix("www.") \
            and page.path.startswith(work.path or "/"):
        return SCOPE_PAGE, (), f"CC RDF in a comment, about {about} (this page's site)"
    return SCOPE_OTHER, (), f"CC RDF in a comment, about another work ({about})"


def comment_statements(scan: Any) -> None:
    """The licenses of CC's RDF blocks inside HTML comments."""
    for i, comment in enumerate(_COMMENTS(scan.root)):
        text = comment.text or ""
        works = list(_WORK.finditer(text))
        spans = [(m.start(), m.end()) for m in works]
        found: list[tuple[str, str, str]] = []  # (license url, about, snippet)
        for work in works:
            about = _ABOUT.search(work.group(1))
            for lic in _LICENSE.finditer(work.group(2)):
                found.append((lic.group(1), about.group(1) if about else "", work.group(0)))
        for lic in _LICENSE.finditer(text):
            if not any(a <= lic.start() < b for a, b in spans):
                found.append((lic.group(1), "", lic.group(0)))
        for url, about, snippet in found:
            absolute = scan.url(url)
            scope, assets, note = _work_scope(scan, about)
            scan.out.append(LicenseEvidence(
                "html:comment", f"comment()[{i + 1}]", clean_text(snippet)[:SNIPPET_MAX],
                absolute, canonicalize_url(absolute), scope, GRANT, assets, scan.base, note,
                part="comment"))


def _marked(value: str) -> bool:
    low = value.lower()
    return any(m in low for m in _MARKED)


def _data_attributes(scan: Any, located: list[Any] | None) -> list[tuple[Any, str, str]]:
    if located is None:
        return [(v.getparent(), v.attrname, str(v)) for v in _ATTR_STEPS["data"](scan.root)]
    return [(el, name, value) for el in located for name, value in el.attrib.items()
            if name.startswith("data-") and ("licen" in name or _marked(value))]


def attribute_statements(scan: Any, kinds: set[str] | None, seen: set[Any],
                         located: dict[str, list[Any]] | None = None) -> None:
    """Licenses named in ``title``, ``aria-label`` and ``data-*`` attributes of elements
    that are no statement already (a license link's ``title`` repeats its ``href``).
    ``located``: the elements to look at, per attribute, when the raw HTML found them."""
    for kind, step in _ATTR_STEPS.items():
        if kinds is not None and kind not in kinds:
            continue
        if kind == "data":
            for el, name, value in _data_attributes(
                    scan, None if located is None else located.get(kind, [])):
                if el not in seen and name != "data-props-hash":
                    data_attribute(scan, el, name, value)
            continue
        attributes = ([(a.getparent(), str(a)) for a in step(scan.root)] if located is None
                      else [(el, el.get(kind) or "") for el in located.get(kind, [])])
        for el, value in attributes:
            if el in seen or not _marked(value) or _is_statement(el, seen):
                continue
            names = lt.find_names(value)
            if not names:
                continue
            name = names[0]
            clause = lt.grant_clause(value, 0, len(value))
            subject = clause.grant_for(name.start, name.end, name.license)
            if subject is None and (clause.cues or scan.hedged(clause)):
                continue  # the attribute talks about licenses ("… are often licensed …")
            scan.emit("html:attr", el, "", name.license, explicit=False, cc=name.cc,
                      note=f"{kind} attribute: {clean_text(value)[:120]!r}", part="attribute",
                      said=subject)


def _is_statement(el: Any, seen: set[Any]) -> bool:
    """The element, or the link around it, is a statement the scan reads anyway."""
    for node in (el, *el.iterancestors("a")):
        if node in seen or canonicalize_url(node.get("href") or "") is not None:
            return True
    return False
