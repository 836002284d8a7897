"""Find a site's terms-of-service and license pages by the text of the links to them.

``crawler policy new`` reads the home page and looks for the links a person would follow to
review a site: "Terms of use", "Nutzungsbedingungen", "Mentions légales", "Licencia", ...
Pure: a parsed page (parsel ``Selector``) in, ranked :class:`LinkCandidate` values out.

Text is compared case-insensitively, without diacritics (``Condições`` is ``condicoes``)
and with typographic apostrophes folded, as whole words (``terms`` in "Terms of Service",
not in "determs"); scripts without spaces between words (Japanese, Chinese) as substrings.
A link text longer than :data:`MAX_LINK_TEXT` characters is running text, not a navigation
link, and is skipped. A specific phrase ("terms of use") outranks a generic one ("terms"),
which outranks a legal notice ("imprint"); an exact match and a link in the footer rank
higher. A crawl looks for a site's license page in the footer of each page that states no
license of its own (:func:`find_footer_links`: a bounded number of footer links, so a page
with a flood of links costs no more than any other).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from crawler.signals.license_regions import FOOTER, marked_region, tag_region

__all__ = ["KEYWORDS", "LICENSE", "MAX_FOOTER_LINKS", "MAX_LINK_TEXT", "NAMES_THE_PAGE", "TERMS",
           "LinkCandidate", "find_footer_links", "find_links", "normalize_text"]

TERMS: Final = "terms"
LICENSE: Final = "license"
MAX_LINK_TEXT = 80
#: the weight of a phrase that names the page itself ("license", "Lizenz", "terms of use"),
#: not a generic word for it ("copyright") or a legal notice ("imprint")
NAMES_THE_PAGE: Final = 3
#: the most footer links :func:`find_footer_links` reads
MAX_FOOTER_LINKS: Final = 200

# (language, kind, phrase, weight): 3 (NAMES_THE_PAGE) a page of terms or of the license
# itself, 2 a generic word for them, 1 a legal notice that often holds or links them
KEYWORDS: Final[tuple[tuple[str, str, str, int], ...]] = (
    ("English", TERMS, "terms of use", 3), ("English", TERMS, "terms of service", 3),
    ("English", TERMS, "terms and conditions", 3), ("English", TERMS, "terms & conditions", 3),
    ("English", TERMS, "conditions of use", 3), ("English", TERMS, "terms", 2),
    ("English", TERMS, "legal", 1), ("English", TERMS, "legal notice", 1),
    ("English", TERMS, "imprint", 1),
    ("English", LICENSE, "license", 3), ("English", LICENSE, "licensing", 3),
    ("English, French", LICENSE, "licence", 3), ("English", LICENSE, "copyright", 2),
    ("German", TERMS, "nutzungsbedingungen", 3), ("German", TERMS, "agb", 3),
    ("German", TERMS, "allgemeine geschäftsbedingungen", 3),
    ("German", TERMS, "bedingungen", 2), ("German", TERMS, "impressum", 1),
    ("German", TERMS, "rechtliches", 1), ("German", TERMS, "rechtliche hinweise", 1),
    ("German", LICENSE, "lizenz", 3), ("German", LICENSE, "lizenzen", 3),
    ("German", LICENSE, "urheberrecht", 2),
    ("French", TERMS, "conditions d'utilisation", 3), ("French", TERMS, "cgu", 3),
    ("French", TERMS, "conditions générales", 3), ("French", TERMS, "conditions", 2),
    ("French", TERMS, "mentions légales", 1),
    ("French", LICENSE, "droits d'auteur", 2),
    ("Spanish", TERMS, "términos y condiciones", 3), ("Spanish", TERMS, "términos de uso", 3),
    ("Spanish", TERMS, "condiciones de uso", 3), ("Spanish", TERMS, "términos", 2),
    ("Spanish", TERMS, "condiciones", 2), ("Spanish", TERMS, "aviso legal", 1),
    ("Spanish", LICENSE, "licencia", 3), ("Spanish", LICENSE, "derechos de autor", 2),
    ("Italian", TERMS, "termini di utilizzo", 3), ("Italian", TERMS, "termini e condizioni", 3),
    ("Italian", TERMS, "condizioni d'uso", 3), ("Italian", TERMS, "termini", 2),
    ("Italian", TERMS, "condizioni", 2), ("Italian", TERMS, "note legali", 1),
    ("Italian", LICENSE, "licenza", 3), ("Italian", LICENSE, "diritto d'autore", 2),
    ("Portuguese", TERMS, "termos de uso", 3), ("Portuguese", TERMS, "termos e condições", 3),
    ("Portuguese", TERMS, "termos de serviço", 3), ("Portuguese", TERMS, "termos", 2),
    ("Portuguese", TERMS, "condições", 2),
    ("Portuguese", LICENSE, "licença", 3), ("Portuguese", LICENSE, "direitos autorais", 2),
    ("Dutch", TERMS, "gebruiksvoorwaarden", 3), ("Dutch", TERMS, "algemene voorwaarden", 3),
    ("Dutch", TERMS, "voorwaarden", 2),
    ("Dutch", LICENSE, "licentie", 3), ("Dutch", LICENSE, "auteursrecht", 2),
    ("Polish", TERMS, "regulamin", 3), ("Polish", TERMS, "warunki korzystania", 3),
    ("Polish", LICENSE, "licencja", 3),
    ("Swedish", TERMS, "användarvillkor", 3), ("Swedish", TERMS, "villkor", 2),
    ("Swedish", LICENSE, "licens", 3),
    ("Danish", TERMS, "brugsvilkår", 3), ("Danish", TERMS, "vilkår", 2),
    ("Czech", TERMS, "podmínky užití", 3), ("Czech", TERMS, "podmínky", 2),
    ("Russian", TERMS, "условия использования", 3),
    ("Russian", TERMS, "пользовательское соглашение", 3),
    ("Russian", LICENSE, "лицензия", 3),
    ("Japanese", TERMS, "利用規約", 3), ("Japanese", LICENSE, "ライセンス", 3),
    ("Chinese", TERMS, "使用条款", 3), ("Chinese", TERMS, "服务条款", 3),
    ("Chinese", LICENSE, "许可协议", 3), ("Chinese", LICENSE, "版权", 2),
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
                              "\u00b4": "'"})
_SPACE = re.compile(r"\s+")
_WIDE_SCRIPT = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def normalize_text(text: str) -> str:
    """Case-folded, without diacritics, apostrophes folded, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", bare).casefold()).strip()


def _compile(phrase: str) -> re.Pattern[str]:
    words = normalize_text(phrase)
    if _WIDE_SCRIPT.search(words):
        return re.compile(re.escape(words))
    return re.compile(r"(?<![^\W_])" + re.escape(words) + r"(?![^\W_])")


_COMPILED: Final = tuple((language, kind, phrase, weight, _compile(phrase))
                         for language, kind, phrase, weight in KEYWORDS)


@dataclass(frozen=True)
class LinkCandidate:
    """A link that looks like it leads to the terms or to a license page."""

    url: str
    #: the link's text as shown (whitespace collapsed, cut to :data:`MAX_LINK_TEXT`)
    text: str
    kind: str  # TERMS | LICENSE
    language: str
    #: the phrase it matched, as listed in :data:`KEYWORDS`
    phrase: str
    #: the phrase's weight in :data:`KEYWORDS` (:data:`NAMES_THE_PAGE`: it names the page)
    weight: int
    score: int
    in_footer: bool
    #: position among the page's links
    position: int


#: elements that may be footers (their tag, or "foot"/"colophon" in an id or class, in
#: lower or upper case), each confirmed by :func:`_is_footer`; run by lxml, in C, over a
#: page of any size, with name and attribute steps only (a predicate with translate() on
#: every element cost 4-5 ms on a 100 KB page, these steps 1.3 ms)
_MARKS_FOOTER = ("contains(., 'oot') or contains(., 'OOT') or contains(., 'olophon') or "
                 "contains(., 'OLOPHON')")
_FOOTER_CANDIDATES: Final = etree.XPath(
    f"//footer | //@id[{_MARKS_FOOTER}]/.. | //@class[{_MARKS_FOOTER}]/..")


def _is_footer(element: Any) -> bool:
    """A footer: the ``<footer>`` tag, or an id or class whose tokens mark one, as the
    license detector reads regions (``site-footer`` is one; ``has-footer-widgets`` is not,
    nor any class of ``<body>``)."""
    return FOOTER in (tag_region(element), marked_region(element))


def _in_footer(element: Any) -> bool:
    return any(_is_footer(ancestor) for ancestor in element.iterancestors())


def _footer_links(root: Any) -> list[Any]:
    """The links inside the page's footers, in document order, each once (a footer
    inside a footer adds none)."""
    links: dict[int, Any] = {}
    for box in _FOOTER_CANDIDATES(root):
        if _is_footer(box):
            for link in box.iter("a", "area"):
                links.setdefault(id(link), link)  # held in the dict: ids stay unique
    return list(links.values())


def _label(element: Any) -> str:
    """What a reader sees as the link: its text, else its title/aria-label/image alt."""
    text = " ".join(element.itertext())
    if not text.strip():
        alts = [img.get("alt") or "" for img in element.iter("img")]
        text = " ".join([element.get("aria-label") or "", element.get("title") or "", *alts])
    return _SPACE.sub(" ", text).strip()


def _match(label: str) -> list[tuple[str, str, str, int, bool]]:
    """(language, kind, phrase, weight, exact) of the best phrase per kind."""
    norm = normalize_text(label)
    best: dict[str, tuple[str, str, str, int, bool]] = {}
    for language, kind, phrase, weight, pattern in _COMPILED:
        if pattern.search(norm) is None:
            continue
        exact = norm == normalize_text(phrase)
        found = (language, kind, phrase, weight, exact)
        if kind not in best or (weight, exact) > (best[kind][3], best[kind][4]):
            best[kind] = found
    return list(best.values())


def find_links(selector: Any, page_url: str) -> list[LinkCandidate]:
    """Every link of the page whose text names terms or a license, best first (one per URL
    and kind, with its best score)."""
    root = getattr(selector, "root", None)
    if root is None or not hasattr(root, "iter"):
        return []
    return _ranked(root, page_url, root.iter("a", "area"))


def find_footer_links(selector: Any, page_url: str,
                      limit: int = MAX_FOOTER_LINKS) -> list[LinkCandidate]:
    """:func:`find_links` among the first ``limit`` links of the page's footers only: cheap
    on any page, however many links it has (a crawl asks it of every page that states no
    license of its own)."""
    root = getattr(selector, "root", None)
    if root is None or not hasattr(root, "iter"):
        return []
    return _ranked(root, page_url, _footer_links(root)[:limit])


def _ranked(root: Any, page_url: str, elements: Iterable[Any]) -> list[LinkCandidate]:
    base = page_url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(page_url, element.get("href").strip())
            break
    found: dict[tuple[str, str], LinkCandidate] = {}
    for position, element in enumerate(elements):
        href = (element.get("href") or "").strip()
        label = _label(element)
        if not href or not label or len(label) > MAX_LINK_TEXT:
            continue
        try:
            url = urldefrag(urljoin(base, href))[0]
            scheme = urlsplit(url).scheme
        except ValueError:
            continue
        if scheme not in ("http", "https"):
            continue
        for language, kind, phrase, weight, exact in _match(label):
            footer = _in_footer(element)
            score = weight * 10 + (5 if exact else 0) + (2 if footer else 0)
            candidate = LinkCandidate(url, label, kind, language, phrase, weight, score,
                                      footer, position)
            key = (url, kind)
            if key not in found or found[key].score < score:
                found[key] = candidate
    return sorted(found.values(), key=lambda c: (-c.score, c.position))
