"""SPDX ids of every license :mod:`crawler.signals.cc_licenses` and
:mod:`crawler.signals.other_licenses` know, for policy files, sidecars and ``spdx.org`` URLs.

Pure (standard library only).
"""

from __future__ import annotations

from typing import Final

from crawler.signals.cc_licenses import CC_BY_SPDX
from crawler.signals.license_model import License
from crawler.signals.other_licenses import OTHER_BY_SPDX

__all__ = ["known_spdx_ids", "lookup_spdx"]

_BY_SPDX: Final[dict[str, License]] = {**CC_BY_SPDX, **OTHER_BY_SPDX}  # upper-cased id -> License
_KNOWN_SPDX_IDS: Final = frozenset(lic.spdx for lic in _BY_SPDX.values())


def lookup_spdx(spdx_id: str) -> License | None:
    """The :class:`License` for an SPDX id (case-insensitive), including the ``LicenseRef-CC-…``
    ids :mod:`crawler.signals.cc_licenses` assigns to CC licenses SPDX does not list."""
    return _BY_SPDX.get(spdx_id.strip().upper())


def known_spdx_ids() -> frozenset[str]:
    """Every SPDX id (canonical spelling) that the license tables can return."""
    return _KNOWN_SPDX_IDS
