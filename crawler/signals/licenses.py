"""Canonicalise license URLs and ids to SPDX.

Pure (standard library only): turns whatever a page, header, XMP packet or site policy says
(``http://www.creativecommons.org/licenses/by-sa/3.0/de/deed.en``, ``CC BY-SA 4.0``,
``Apache-2.0``) into one :class:`License` with an SPDX id, a canonical URL, a human name and the
obligations that matter for a training corpus (BY, SA, NC, ND). The pieces live in:

* :mod:`crawler.signals.license_model`: :class:`License` and the obligations;
* :mod:`crawler.signals.cc_licenses`: the complete Creative Commons legal-tool table and
  :class:`UnversionedCC` (a CC link without a version);
* :mod:`crawler.signals.other_licenses`: a short list of common non-CC open licenses;
* :mod:`crawler.signals.spdx_ids`: :func:`lookup_spdx` and :func:`known_spdx_ids`;
* :mod:`crawler.signals.license_urls`: :func:`canonicalize_url`.

This module resolves a license named either way (:func:`parse_license_ref`) and re-exports the
names above, so ``crawler.signals.licenses`` stays one import for all of them.
"""

from __future__ import annotations

import re
from typing import Final

from crawler.signals.cc_licenses import CC_ALIASES, UnversionedCC
from crawler.signals.license_model import BY, NC, ND, SA, License
from crawler.signals.license_urls import canonicalize_url
from crawler.signals.other_licenses import OTHER_ALIASES
from crawler.signals.spdx_ids import known_spdx_ids, lookup_spdx

__all__ = [
    "BY",
    "NC",
    "ND",
    "SA",
    "License",
    "UnversionedCC",
    "canonicalize_url",
    "known_spdx_ids",
    "lookup_spdx",
    "parse_license_ref",
]

_ALIASES: Final[dict[str, License | UnversionedCC]] = {**CC_ALIASES, **OTHER_ALIASES}
_NON_ID_CHARS: Final = re.compile(r"[\s_]+")


def parse_license_ref(value: str) -> License | UnversionedCC | None:
    """Resolve a license named by URL or by id, as policy files do.

    Accepts a URL (see :func:`canonicalize_url`), an SPDX id (see :func:`lookup_spdx`), a
    deprecated GNU id (``GPL-3.0``, ``GPL-3.0+``) or CC's own short identifier with spaces or
    dashes (``CC BY-SA 3.0 DE``, ``CC0 1.0``); a version-less CC name (``CC BY-NC``, ``CC0``)
    gives an :class:`UnversionedCC`.
    """
    text = value.strip()
    if not text:
        return None
    if "/" in text:
        return canonicalize_url(text)
    found = lookup_spdx(text)
    if found is not None:
        return found
    key = _NON_ID_CHARS.sub("-", text.upper())
    return _ALIASES.get(key)
