"""Purposes and what each one allows: the one home of these rules.

A crawl declares a purpose; a ToS review's verdicts, a license's terms and an export's
purpose are all judged against it here, by the policy model, the license gate, the
sidecar and the export alike.
"""

from __future__ import annotations

from crawler.signals.license_model import License

RESEARCH, COMMERCIAL = "research", "commercial"
#: purposes a crawl can declare
PURPOSES = (RESEARCH, COMMERCIAL)

#: export purpose → the crawl purposes whose items may serve it (what may be used
#: commercially may also be used for research, not the other way round)
COVERS: dict[str, frozenset[str]] = {
    RESEARCH: frozenset({RESEARCH, COMMERCIAL}),
    COMMERCIAL: frozenset({COMMERCIAL}),
}

#: ToS review verdicts
ALLOWED, RESEARCH_ONLY, PROHIBITED = "allowed", "research-only", "prohibited"


def verdict_permits(verdict: str | None, purpose: str) -> bool:
    """A ToS verdict admits ``purpose``: ``allowed`` all, ``research-only`` only research,
    ``prohibited`` (or no recorded verdict) nothing."""
    return verdict == ALLOWED or (verdict == RESEARCH_ONLY and purpose == RESEARCH)


def license_permits(lic: License | None, purpose: str) -> bool:
    """A license admits ``purpose``: research always; commercial use never under a
    NonCommercial license, nor under a license we cannot identify."""
    return purpose != COMMERCIAL or (lic is not None and lic.allows_commercial)
