"""The license sidecar: why one stored item was allowed in, and what its license asks."""

from __future__ import annotations

from typing import Any

from crawler.policy.model import SitePolicy
from crawler.purposes import PURPOSES, license_permits
from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_detect import DETECTOR_VERSION, NOTICE, LicenseEvidence
from crawler.signals.license_model import License
from crawler.signals.unversioned import as_family

SIDECAR_VERSION = 2

_OBLIGATION_WORDS = {"BY": "attribution", "SA": "share-alike", "NC": "non-commercial",
                     "ND": "no-derivatives"}


def permits(lic: License, policy: SitePolicy) -> dict[str, dict[str, bool]]:
    """Per purpose: what the license itself allows, and whether the policy accepts it."""
    out = {}
    for purpose in PURPOSES:
        use = license_permits(lic, purpose)
        out[purpose] = {
            "license_allows_use": use,
            "license_allows_adaptations": use and lic.allows_derivatives,
            "policy_accepts_license": policy.licenses.accepted(lic.spdx, purpose),
            "policy_allows_purpose": policy.purpose_allowed(purpose),
        }
    return out


def conflicts_of(statements: list[dict[str, Any]], policy: SitePolicy) -> dict[str, Any] | None:
    """The conflict the gate resolved by policy (statements marked ``overridden``), if any."""
    lost = [s for s in statements if s.get("status") == "overridden"]
    if not lost:
        return None
    involved = [s for s in statements if s.get("status") in ("chosen", "overridden")
                and not s.get("fallback")]
    labels = sorted({str(s.get("spdx") or s.get("canonical_url")) for s in involved})
    return {"licenses": labels, "on_conflict": policy.licenses.on_conflict,
            "overridden": lost}


def attribution(title: str, creator: str, source_url: str, lic: License) -> dict[str, str]:
    """TASL: title, author, source, license, plus a ready-to-use credit line."""
    credit = f'"{title or source_url}"'
    if creator:
        credit += f" by {creator}"
    credit += f" ({source_url}) is licensed under {lic.name} ({lic.url})."
    return {"title": title, "creator": creator, "source_url": source_url,
            "license_url": lic.url, "text": credit}


def build(*, url: str, kind: str, content_type: str, sha256: str, size: int,
          fetched_at: str, status: int, chosen: LicenseEvidence,
          statements: list[dict[str, Any]], title: str, creator: str, policy: SitePolicy,
          purpose: str, robots: dict[str, Any] | None, decisions: list[dict[str, Any]],
          run_id: str, page_url: str | None = None,
          conflicts: dict[str, Any] | None = None,
          headers: dict[str, list[str]] | None = None,
          license_notes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar of one stored item. ``statements`` are the license gate's records (with
    their ``status``); ``conflicts`` defaults to the conflict they show was resolved;
    ``license_notes`` (how a version-less statement was taken, the site license page the
    license came from) join the evidence. A chosen family without a version is the license
    the gate took it as: the family (``licenses.unversioned: family``)."""
    lic = as_family(chosen.license) if isinstance(chosen.license, UnversionedCC) \
        else chosen.license
    assert isinstance(lic, License)
    if conflicts is None:
        conflicts = conflicts_of(statements, policy)
    notices = [s for s in statements if s.get("role") == NOTICE]
    return {
        "sidecar_version": SIDECAR_VERSION,
        "url": url,
        "kind": kind,
        "page_url": page_url,
        "content_type": content_type,
        "sha256": sha256,
        "size": size,
        "status": status,
        "fetched_at": fetched_at,
        "headers": headers or {},
        "license": {
            "spdx": lic.spdx, "name": lic.name, "url": lic.url, "url_found": chosen.url,
            "obligations": sorted(lic.obligations),
            "conditions": [_OBLIGATION_WORDS[o] for o in sorted(lic.obligations)
                           if o in _OBLIGATION_WORDS],
            "scope": chosen.scope,
            "inherited_from_page": chosen.channel == "page",
            "permits": permits(lic, policy),
        },
        "evidence": {
            "detector_version": DETECTOR_VERSION,
            "chosen": chosen.as_record(),
            "statements": statements,
            "conflicts": conflicts,
            "notices": notices,
            **(license_notes or {}),
        },
        "attribution": attribution(title or chosen.title, creator or chosen.creator, url, lic),
        "policy": {
            "name": policy.name, "file": policy.source, "version": policy.version,
            "sha256": policy.sha256, "tos_url": policy.tos.url,
            "tos_reviewed": policy.tos.reviewed.isoformat(),
            "tos_ai_training": str(policy.tos.ai_training),
        },
        "purpose": purpose,
        "robots": robots,
        "decisions": decisions,
        "run_id": run_id,
    }
