"""The license sidecar: why one stored item was allowed in, and what its license asks."""

from __future__ import annotations

from typing import Any

from crawler.policy.model import SitePolicy
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.licenses import License

SIDECAR_VERSION = 1


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
          run_id: str, page_url: str | None = None) -> dict[str, Any]:
    lic = chosen.license
    assert isinstance(lic, License)
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
        "license": {
            "spdx": lic.spdx, "name": lic.name, "url": lic.url, "url_found": chosen.url,
            "obligations": sorted(lic.obligations),
        },
        "evidence": {"chosen": chosen.as_record(), "statements": statements},
        "attribution": attribution(title, creator, url, lic),
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
