"""``crawler explain URL``: the ledger lines about one URL, and a verdict in one line.

The verdict is what the store says now (a URL is stored when a live version of it is
listed), explained by the ledger: for a stored URL, its license, the policy version and
the license evidence from the current version's sidecar; for one that is not, the last
refusal the ledger holds for it (a removal is one: ``retention/...``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def line(record: Mapping[str, Any]) -> str:
    return (f"{record['time']}  run {record['run_id']}  {record['gate']:<10} "
            f"{record['decision']:<5} {record['reason']:<26} {record['sentence']}")


def verdict(records: Sequence[Mapping[str, Any]], entry: Mapping[str, Any] | None,
            card: Mapping[str, Any] | None) -> str:
    """``entry``: the URL's current version in the manifest view (None: not stored);
    ``card``: its sidecar, when it could be read."""
    if entry is not None:
        purposes = ", ".join(entry.get("purposes", ()))
        if card is None:
            return (f"stored (for {purposes}), license {entry.get('spdx')}, policy "
                    f"{entry.get('policy')}, run {entry.get('run_id')}")
        lic, policy = card.get("license", {}), card.get("policy", {})
        chosen = card.get("evidence", {}).get("chosen", {})
        found = chosen.get("url") or chosen.get("snippet") or "?"
        return (f"stored (for {purposes}), because its license {lic.get('spdx')} "
                f"({chosen.get('channel', '?')}: {found}) is accepted by policy "
                f"{policy.get('name')} version {policy.get('version')}, run {card.get('run_id')}")
    refusals = [r for r in records if r.get("decision") == "deny"]
    if not refusals:
        return "not stored, though the ledger holds no refusal for it (a run still going?)"
    last = refusals[-1]
    policy = f", policy {last['policy']}" if last.get("policy") else ""
    return (f"not stored, because {last['gate']}/{last['reason']}: {last['sentence']} "
            f"(run {last['run_id']}{policy})")
