"""What may be exported: the license filter, and what an export for a purpose requires.

See :mod:`crawler.export` for the rules; the skip reasons returned here are the ones
:class:`~crawler.dataset.report.ExportReport` counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from crawler.purposes import COVERS, RESEARCH, license_permits, verdict_permits
from crawler.signals.licenses import NC, lookup_spdx


def license_selected(spdx: str, patterns: list[str]) -> bool:
    """Does ``spdx`` match one of ``patterns`` (upper-case fnmatch patterns; none: all)?"""
    return not patterns or any(fnmatchcase(spdx.upper(), p) for p in patterns)


def purpose_problem(card: Mapping[str, Any], spdx: str, obligations: list[str],
                    purpose: str) -> str | None:
    """Why an item may not serve ``purpose`` (a skip reason), or None when it may."""
    crawled = card.get("purpose")
    if crawled not in COVERS.get(purpose, frozenset({purpose})):
        return "purpose_not_covered"
    if not verdict_permits((card.get("policy") or {}).get("tos_ai_training"), purpose):
        return "tos_forbids_purpose"
    lic = lookup_spdx(spdx)
    if purpose != RESEARCH and lic is None:
        return "license_unknown"
    if not license_permits(lic, purpose) or (purpose != RESEARCH and NC in obligations):
        return "license_forbids_purpose"
    return None
