"""What may be exported: the license filter, and what an export for a purpose requires.

See :mod:`crawler.export` for the rules; the skip reasons returned here are the ones
:class:`~crawler.dataset.report.ExportReport` counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crawler.purposes import COVERS, RESEARCH, license_permits, verdict_permits
from crawler.signals.license_patterns import LicenseSelector, compile_patterns
from crawler.signals.licenses import NC
from crawler.signals.unversioned import lookup, selects


def license_filter(texts: Iterable[str]) -> LicenseSelector:
    """Compile an export's license filter (the grammar of policy accept lists, see
    :mod:`crawler.signals.license_patterns`; blank entries are ignored).

    Raises:
        LicensePatternError: a ValueError naming every unknown id or family.
    """
    return compile_patterns(t for t in texts if t.strip())


def license_selected(spdx: str, selector: LicenseSelector) -> bool:
    """Does ``spdx`` match the filter? An empty filter selects every license; an item
    stored under a whole family (``CC-BY-*``) is selected by a filter taking all of it."""
    return not selector.patterns or selects(selector, spdx)


def purpose_problem(card: Mapping[str, Any], spdx: str, obligations: list[str],
                    purpose: str) -> str | None:
    """Why an item may not serve ``purpose`` (a skip reason), or None when it may."""
    crawled = card.get("purpose")
    if crawled not in COVERS.get(purpose, frozenset({purpose})):
        return "purpose_not_covered"
    if not verdict_permits((card.get("policy") or {}).get("tos_ai_training"), purpose):
        return "tos_forbids_purpose"
    lic = lookup(spdx)
    if purpose != RESEARCH and lic is None:
        return "license_unknown"
    if not license_permits(lic, purpose) or (purpose != RESEARCH and NC in obligations):
        return "license_forbids_purpose"
    return None
