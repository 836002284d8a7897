"""The registry of built-in site-level file signals, read for every origin in this order.

A crawl may add its own with the ``COMPLIANCE_SITE_FILES`` setting (import paths of
:class:`~crawler.signals.site_file.SiteFile` objects); see ``docs/extending.md``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from crawler.signals.aitxt import AI_TXT_FILE
from crawler.signals.site_file import SiteFile
from crawler.signals.tdmrep import TDMREP_FILE

SITE_FILES: tuple[SiteFile, ...] = (
    TDMREP_FILE,
    AI_TXT_FILE,
)


class SiteFileError(ValueError):
    """A ``COMPLIANCE_SITE_FILES`` entry that is not a usable site file."""


def configured(extra: Iterable[str] = ()) -> tuple[SiteFile, ...]:
    """The built-in site files followed by the crawl's own, named by import path
    (``package.module.NAME``); names and paths must be unique."""
    files = list(SITE_FILES)
    for dotted in extra:
        module_name, _, attr = dotted.strip().rpartition(".")
        try:
            found = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise SiteFileError(f"COMPLIANCE_SITE_FILES: cannot load {dotted!r}: {exc}") from None
        if not isinstance(found, SiteFile):
            raise SiteFileError(f"COMPLIANCE_SITE_FILES: {dotted!r} is not a SiteFile")
        if not found.per_origin:
            raise SiteFileError(f"COMPLIANCE_SITE_FILES: {dotted!r} has no path on the origin "
                                f"(starting with /): {found.path!r}")
        clash = [f for f in files if f.name == found.name or f.path == found.path]
        if clash:
            raise SiteFileError(f"COMPLIANCE_SITE_FILES: {dotted!r} reuses the name or path of "
                                f"site file {clash[0].name!r}")
        files.append(found)
    return tuple(files)
