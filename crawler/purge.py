"""Remove stored versions, or move them to quarantine, and record each removal."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.storage.base import Store, StoreError, StoreItem

logger = logging.getLogger(__name__)
GATE = "retention"
PURGE, QUARANTINE = "purge", "quarantine"


class Purger:
    def __init__(self, store: Store, ledger: Ledger, mode: str = PURGE,
                 quarantine: Store | None = None):
        if mode not in (PURGE, QUARANTINE):
            raise ValueError(f"withdrawal mode must be {PURGE!r} or {QUARANTINE!r}, not {mode!r}")
        if mode == QUARANTINE and quarantine is None:
            raise ValueError("quarantine mode needs a quarantine store")
        self.store, self.ledger, self.mode, self.quarantine = store, ledger, mode, quarantine
        self.removed = 0
        self.failed = 0

    def remove(self, entry: dict[str, Any], reason: str, sentence: str,
               purpose: str | None = None) -> bool:
        """Remove one version, for ``purpose`` only (its content stays while another purpose
        holds it) or for all; a store failure is recorded and reported, never raised."""
        evidence = {"sha256": entry["sha256"], "content": entry["content"],
                    "sidecar": entry["sidecar"], "action": self.mode,
                    "purpose": purpose or "all"}
        try:
            if self.quarantine is not None and self.mode == QUARANTINE:
                self._copy_to_quarantine(entry, reason, purpose)
            self.store.delete(entry, reason, purpose)
        except StoreError as exc:
            self.failed += 1
            logger.error("could not remove %s: %s", entry["url"], exc)
            self.ledger.record(entry["url"], Decision.deny(GATE, "purge_failed", str(exc),
                                                           **evidence), kind=entry["kind"])
            return False
        self.removed += 1
        done = "Quarantined" if self.mode == QUARANTINE else "Deleted"
        self.ledger.record(entry["url"], Decision.deny(GATE, reason, f"{done}: {sentence}",
                                                       **evidence), kind=entry["kind"])
        return True

    def remove_all(self, selected: Iterable[tuple[dict[str, Any], str]], reason: str,
                   purpose: str | None = None) -> int:
        return sum(self.remove(entry, reason, sentence, purpose) for entry, sentence in selected)

    def _copy_to_quarantine(self, entry: dict[str, Any], reason: str,
                            purpose: str | None) -> None:
        assert self.quarantine is not None
        sidecar = json.loads(self.store.read(entry["sidecar"]))
        sidecar["quarantine"] = {"reason": reason}
        self.quarantine.put(StoreItem(
            url=entry["url"], host=entry["host"], kind=entry["kind"],
            content=self.store.read(entry["content"]),
            content_type=sidecar.get("content_type", "application/octet-stream"),
            sha256=entry["sha256"], sidecar=sidecar, manifest_extra={"reason": reason},
            purpose=purpose or ",".join(entry.get("purposes", ()))))
