"""License statements written as text: names, grant sentences, copyright notices, badges.

Works on short strings (one block of a page, one metadata value), never on a whole document.
The pieces live in

* :mod:`crawler.signals.license_names`: :func:`find_names`, CC names in every language of the
  phrase table and the common non-CC open licenses;
* :mod:`crawler.signals.license_grammar`: :func:`split_clauses` and :func:`grant_clause`, the
  one grant matcher (does a clause grant a license, and for what: the page text, its images,
  an exception, something else);

and here: :func:`notice_kind` recognises "All rights reserved" (in every language of the
phrase table) and copyright lines (notices, never grants); :func:`badge_license` maps CC
badge image URLs (``licensebuttons.net/l/by-sa/4.0/88x31.png``) to their license.
"""

from __future__ import annotations

import re
from typing import Final

from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_grammar import (
    ASSET_ALL,
    ASSET_ONE,
    ASSET_SOME,
    OTHER,
    PAGE,
    Clause,
    Subject,
    excludes_media,
    grant_clause,
    split_clauses,
)
from crawler.signals.license_model import License
from crawler.signals.license_names import NameMatch, find_names
from crawler.signals.license_phrases import phrases
from crawler.signals.license_urls import canonicalize_url, unwrap_archive

__all__ = [
    "ASSET_ALL",
    "ASSET_ONE",
    "ASSET_SOME",
    "COPYRIGHT",
    "OTHER",
    "PAGE",
    "RIGHTS_RESERVED",
    "Clause",
    "NameMatch",
    "Subject",
    "badge_license",
    "excludes_media",
    "find_names",
    "grant_clause",
    "notice_kind",
    "split_clauses",
]

_CC: Final = "https://creativecommons.org/"

# ----------------------------------------------------------------------------------------------
# Notices
# ----------------------------------------------------------------------------------------------

RIGHTS_RESERVED: Final = "all rights reserved"
COPYRIGHT: Final = "copyright"
_COPYRIGHT_RE: Final = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\s*(?:©|\(c\)|\d{4})",
                                  re.IGNORECASE)


def notice_kind(text: str) -> str | None:
    """``all rights reserved`` (said in any language of the phrase table), ``copyright`` or
    None."""
    if phrases().reserved.search(text):
        return RIGHTS_RESERVED
    if _COPYRIGHT_RE.search(text):
        return COPYRIGHT
    return None


# ----------------------------------------------------------------------------------------------
# Badges
# ----------------------------------------------------------------------------------------------

_BADGE_RE: Final = re.compile(
    r"^(?:https?:)?//(?:i\.creativecommons\.org|(?:www\.)?licensebuttons\.net|"
    r"mirrors\.creativecommons\.org/presskit/buttons/(?:88x31|80x15)/(?:png|svg))"
    r"/(?:(?P<cat>[lp])/(?P<path>[a-z0-9+\-]+(?:/[0-9.]+)?(?:/[a-z]{2,8})?)/[^/]*"
    r"|(?P<press>[a-z0-9\-.]+)\.(?:png|svg))$",
    re.IGNORECASE,
)


def badge_license(src: str) -> License | UnversionedCC | None:
    """The license a CC badge image URL shows, None for anything else.

    ``https://licensebuttons.net/l/by-sa/4.0/88x31.png`` -> CC-BY-SA-4.0,
    ``https://i.creativecommons.org/l/by-sa/2.0/uk/80x15.png`` -> CC-BY-SA-2.0-UK,
    ``https://i.creativecommons.org/p/zero/1.0/88x31.png`` -> CC0-1.0; press-kit buttons carry
    no version (``…/buttons/88x31/png/by-nc.png`` -> an unversioned BY-NC). A badge wrapped by
    a web archive (``web.archive.org/web/2019im_/https://i.creativecommons.org/…``) is read
    through the archive.
    """
    m = _BADGE_RE.match(unwrap_archive(src.strip()))
    if m is None:
        return None
    if m.group("press"):
        unit = m.group("press").lower()
        if unit in ("cc-zero", "cc0", "zero"):
            return canonicalize_url(f"{_CC}publicdomain/zero/1.0/")
        if unit in ("publicdomain", "pd", "mark"):
            return canonicalize_url(f"{_CC}publicdomain/mark/1.0/")
        return canonicalize_url(f"{_CC}licenses/{unit}/")
    category = "licenses" if m.group("cat").lower() == "l" else "publicdomain"
    return canonicalize_url(f"{_CC}{category}/{m.group('path')}/")
