"""The fingerprint of a terms-of-service page: what a reviewer read, without what changes
on its own.

A policy records ``tos.fingerprint`` for the terms page it was reviewed against, and a crawl
stops the site when the page's fingerprint is no longer the same. So the fingerprint must
change when a sentence of the terms changes, and only then:

* navigation, menus, headers and footers are dropped by trafilatura's main-text extraction
  (the one extractor of the project; :mod:`crawler.dataset.text` uses it for exports);
* dates are removed: ISO (``2026-12-01``, with a time), numeric (``01.12.2026``,
  ``12/01/2026``), written out in English, German, French, Spanish, Italian, Portuguese and
  Dutch (``1 December 2026``, ``December 1, 2026``, ``1. Dezember 2026``, ``1er décembre
  2026``, ``1 de diciembre de 2026``, ``Dec 2026``), with a weekday or a time, a copyright
  year (``© 2019-2026``), and the label that introduces a date stamp ("Last updated:",
  "Stand:", "Dernière mise à jour :", "Última actualización:", ...);
* case and whitespace do not count (NFKC, case-folded, whitespace collapsed).

The fingerprint is ``sha256:<hex>`` of that normalised text. Pure: bytes in, text out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import trafilatura

__all__ = ["FINGERPRINT_PREFIX", "MAX_TERMS_BYTES", "TERMS", "TermsReading", "fingerprint",
           "main_text", "normalise", "read_terms"]

FINGERPRINT_PREFIX: Final = "sha256:"
#: the name of the terms page among a site's files (ledger, site-signal readings)
TERMS: Final = "terms"
#: the most of a terms page read: a crawl reads it as a control file, and
#: ``crawler.scrapy_adapters.control.MAX_SIZE`` cancels a larger one (a test keeps them equal)
MAX_TERMS_BYTES: Final = 1024 * 1024


def _words(*lines: str) -> list[str]:
    return [word for line in lines for word in line.split()]


# Month and weekday names, case-folded; a short form may end with a dot.
_MONTHS = _words(
    # English
    "january february march april may june july august september october november december",
    "jan feb mar apr jun jul aug sep sept oct nov dec",
    # German
    "januar jänner februar märz mai juni juli oktober dezember jän mär mrz okt dez",
    # French
    "janvier février fevrier mars avril juin juillet août aout septembre octobre novembre",
    "décembre decembre janv févr fevr avr juil déc",
    # Spanish
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre",
    "noviembre diciembre ene abr ago dic",
    # Italian, Portuguese, Dutch
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre",
    "janeiro fevereiro março marco maio junho julho setembro outubro novembro dezembro",
    "januari februari maart mei augustus",
)
_WEEKDAYS = _words(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur",
    "thurs fri sat sun montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag",
    "lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles miercoles",
    "jueves viernes sábado sabado domingo",
)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_MONTH = rf"(?:{_alternation(_MONTHS)})\.?"
#: a month without a day: not "may" ("we may 2000 ..." is no date)
_MONTH_ALONE = rf"(?:{_alternation([m for m in _MONTHS if m != 'may'])})\.?"
_WEEKDAY = rf"(?:(?:{_alternation(_WEEKDAYS)})\.?,?\s+)?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_NUM_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]\d\d|2\d\d\d)"
_ORDINAL = r"(?:st|nd|rd|th|er|re|e|º|°|ª|o|\.)?"
_TIME = (r"(?:,?\s*(?:at|um|à|a\s+las|a\s+la|alle|às|om)?\s*"
         r"\d{1,2}(?::\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?|uhr|h)?|\.\d{2}\s*uhr|h\d{2})"
         r"(?:\s*(?:utc|gmt|cet|cest|[+-]\d{2}:?\d{2}))?)?")

_DATE_PATTERNS = (
    # ISO 8601: 2026-12-01, 2026-12-01t10:30:00z
    rf"{_YEAR}-{_NUM_MONTH}-{_DAY}(?:t\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?"
    r"(?:z|[+-]\d{2}:?\d{2})?)?",
    # 2026/12/01, 2026.12.01
    rf"{_YEAR}[/.]{_NUM_MONTH}[/.]{_DAY}",
    # 01.12.2026, 1/12/2026, 12/01/2026, 01-12-2026, 12/01/26 (a two-digit year only with "/":
    # "4.2.10" is a clause number)
    rf"{_DAY}[./-]{_DAY}[./-]{_YEAR}|{_DAY}/{_DAY}/\d{{2}}",
    # 1 December 2026, 1st of December, 2026, 1. Dezember 2026, 1er décembre 2026,
    # 1 de diciembre de 2026, 1º de dezembro de 2026
    rf"{_WEEKDAY}{_DAY}{_ORDINAL}\s*(?:of\s+|de\s+)?{_MONTH}\s*,?\s*(?:de\s+|del\s+)?{_YEAR}",
    # December 1, 2026, Dec. 1st 2026
    rf"{_WEEKDAY}{_MONTH}\s+{_DAY}{_ORDINAL}\s*,?\s*{_YEAR}",
    # December 2026, diciembre de 2026
    rf"{_MONTH_ALONE}\s+(?:de\s+|del\s+)?{_YEAR}",
)
_DATE = re.compile(r"(?<![\w/-])(?<!\d[.:])(?:"
                   + "|".join(f"(?:{p}){_TIME}" for p in _DATE_PATTERNS)
                   + r")(?![\w/-]|\.\d)")
#: en dash, em dash
_DASHES = "\u2013\u2014"
_COPYRIGHT = re.compile(rf"(?:©|\(c\)|copyright)\s*{_YEAR}(?:\s*[-{_DASHES}]\s*{_YEAR})?")
#: what stands in for a removed date until the labels around it are removed too
_MARK = "\ue000"
# Labels of a date stamp, case-folded: removed only right before a date.
_LABELS = (
    "last updated", "last update", "last modified", "last revised", "last changed",
    "last amended", "updated", "updated on", "revised", "modified", "effective date",
    "effective as of", "effective from", "effective", "date of last revision", "version date",
    "as of", "dated",
    "zuletzt aktualisiert", "zuletzt geändert", "letzte aktualisierung", "letzte änderung",
    "aktualisiert am", "geändert am", "stand", "gültig ab", "in kraft seit", "datum",
    "dernière mise à jour", "derniere mise a jour", "mis à jour le", "mise à jour",
    "modifié le", "en vigueur le", "en vigueur à compter du", "date d'entrée en vigueur",
    "date de mise à jour", "version du",
    "última actualización", "ultima actualizacion", "actualizado el", "actualizado",
    "última modificación", "fecha de actualización", "fecha de entrada en vigor",
    "vigente desde", "en vigor desde", "fecha",
)
_LABEL = re.compile(
    rf"(?:[(\[]\s*)?(?:(?:{_alternation(list(_LABELS))})\s*(?:[:.\-{_DASHES}]\s*)?"
    r"(?:on|le|du|el|del|am|vom|a|à|em|op)?\s*)?"
    rf"(?:[(\[]\s*)?{_MARK}(?:\s*[)\]])?")


def main_text(body: bytes, url: str) -> str | None:
    """The page's main text (trafilatura, navigation and boilerplate dropped), or None when
    it has none. Never raises for a page's content."""
    try:
        text = trafilatura.extract(body, url=url, include_comments=False, favor_precision=True,
                                   include_tables=True, include_images=False,
                                   include_links=False, with_metadata=False, deduplicate=False,
                                   output_format="txt")
    except Exception:  # a page trafilatura cannot parse has no main text we can compare
        return None
    text = (text or "").strip()
    return text or None


def normalise(text: str) -> str:
    """``text`` without dates, date-stamp labels, case and whitespace differences."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _COPYRIGHT.sub(_MARK, text)
    text = _DATE.sub(_MARK, text)
    text = _LABEL.sub(" ", text)
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    """``sha256:<hex>`` of the normalised ``text``."""
    return FINGERPRINT_PREFIX + hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TermsReading:
    """A terms page as read: its fingerprint, or why there is none."""

    url: str
    fingerprint: str | None
    #: characters of normalised main text (0: none found)
    chars: int = 0
    problem: str | None = None


def read_terms(body: bytes, url: str) -> TermsReading:
    """The fingerprint of a fetched terms page (the ``parse`` of its site file: never
    raises). A page without main text has no fingerprint: it is not the reviewed terms."""
    text = main_text(body, url)
    if text is None:
        return TermsReading(url, None, 0, "no main text found on the page")
    return TermsReading(url, fingerprint(text), len(normalise(text)))
