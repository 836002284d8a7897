"""Canonicalise license URLs: whatever form a page, header or XMP packet links a license in
(``http://www.creativecommons.org/licenses/by-sa/3.0/de/deed.en``) becomes one
:class:`~crawler.signals.license_model.License` (or, for a CC link without a version, an
:class:`~crawler.signals.cc_licenses.UnversionedCC`).

Pure (standard library only). :func:`canonicalize_url` runs on every link of every page, so it
does a regular-expression match and dict lookups over tables precomputed at import.
"""

from __future__ import annotations

import re
from typing import Final

from crawler.signals.cc_licenses import CC_BY_KEY, CC_CATEGORIES, CC_UNVERSIONED, UnversionedCC
from crawler.signals.license_model import CC_HOST, License
from crawler.signals.other_licenses import OTHER_BY_URL_KEY, OTHER_HOSTS
from crawler.signals.spdx_ids import lookup_spdx

__all__ = ["canonicalize_url", "unwrap_archive"]

# Dropped from a non-CC license path before its url key is looked up (other_licenses).
_PATH_SUFFIXES: Final = (".en.html", ".html", ".txt", ".php", ".json")
_SPDX_HOST: Final = "spdx.org"  # https://spdx.org/licenses/<id>.html names a license by id

# Applied to the stripped, lower-cased input: optional scheme or "//", optional "www.", host,
# optional port, path; query and fragment are dropped.
_URL_RE: Final = re.compile(
    r"(?:(?:https?:)?//)?(?:www\.)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?::\d+)?"
    r"(?P<path>/[^?#\s]*)?(?:[?#]\S*)?"
)
# License URLs are short; this skips lower-casing huge data: URIs on every link of a page.
_MAX_URL_LEN: Final = 2048
# A web archive's copy of a URL: web.archive.org/web/<timestamp>[<mode>_]/<url> (the Wayback
# Machine; <mode> is id_, im_, if_ …) and wayback.archive-it.org/<collection>/<timestamp>/<url>.
_ARCHIVED: Final = re.compile(
    r"\s*(?:https?:)?//(?:(?:web|wayback)\.)?archive\.org/web/\d{0,14}\*?(?:[a-z]{2}_)?/"
    r"(?P<url>.+)"
    r"|\s*(?:https?:)?//wayback\.archive-it\.org/\d+/\d{1,14}(?:[a-z]{2}_)?/(?P<url2>.+)",
    re.IGNORECASE)
_SCHEME_SLASHES: Final = re.compile(r"^(https?:)/+", re.IGNORECASE)


def unwrap_archive(url: str) -> str:
    """The URL a web-archive URL is a copy of (``https://web.archive.org/web/2019…/https://
    creativecommons.org/licenses/by/4.0/`` -> ``https://creativecommons.org/licenses/by/4.0/``),
    else ``url`` itself."""
    for _ in range(3):  # an archived copy of an archived copy
        if "archive" not in url:
            return url
        m = _ARCHIVED.fullmatch(url)
        if m is None:
            return url
        url = _SCHEME_SLASHES.sub(r"\1//", m.group("url") or m.group("url2"))
    return url


def _strip_cc_tail(segments: list[str]) -> list[str]:
    """Drop a trailing ``deed``/``deed.xx``/``legalcode``/``legalcode.xx`` (any case of suffix)."""
    if segments and segments[-1].startswith(("deed", "legalcode")):
        last = segments[-1]
        rest = last[4:] if last.startswith("deed") else last[9:]
        if not rest or rest.startswith("."):
            return segments[:-1]
    return segments


def _canonicalize_cc_path(path: str) -> License | UnversionedCC | None:
    if "%" in path:
        path = path.replace("%2b", "+")
    segments = _strip_cc_tail([s for s in path.split("/") if s])
    if len(segments) < 2 or segments[0] not in CC_CATEGORIES:
        return None
    category, unit = segments[0], segments[1]
    if len(segments) == 2:
        return CC_UNVERSIONED.get((category, unit))
    if len(segments) > 4:
        return None
    port = segments[3] if len(segments) == 4 else ""
    return CC_BY_KEY.get((category, unit, segments[2], port))


def _strip_suffix(path: str) -> str:
    for suffix in _PATH_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _canonicalize_other(host: str, path: str) -> License | None:
    return OTHER_BY_URL_KEY.get(host + _strip_suffix(path.rstrip("/")))


def canonicalize_url(url: str) -> License | UnversionedCC | None:
    """Map a license URL to its canonical :class:`License`.

    Tolerates http/https, ``//`` (protocol-relative) or no scheme, ``www.``, any case, a missing
    trailing slash, surrounding whitespace, ``?query``/``#fragment`` and, for CC, a trailing
    ``deed``, ``deed.xx``, ``legalcode`` or ``legalcode.xx``, and a web archive's copy of the URL
    (:func:`unwrap_archive`). A CC link without a version gives an
    :class:`UnversionedCC`. Anything else, including CC URLs whose unit, version or jurisdiction
    does not exist (``/licenses/by/9.0/``, ``/licenses/by/4.0/de/``), gives None.
    """
    if len(url) > _MAX_URL_LEN:
        return None
    url = unwrap_archive(url)
    match = _URL_RE.fullmatch(url.strip().lower())
    if match is None:
        return None
    host = match["host"]
    path = match["path"] or ""
    if host == CC_HOST:
        return _canonicalize_cc_path(path)
    if host in OTHER_HOSTS:
        return _canonicalize_other(host, path)
    if host == _SPDX_HOST and path.startswith("/licenses/"):
        return lookup_spdx(_strip_suffix(path[10:].rstrip("/")))
    return None
