"""The one shape every gate answers in: allowed or not, a reason code, a sentence, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Decision:
    gate: str
    allowed: bool
    reason: str
    sentence: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def allow(cls, gate: str, sentence: str, **evidence: Any) -> Decision:
        return cls(gate, True, "allowed", sentence, evidence)

    @classmethod
    def deny(cls, gate: str, reason: str, sentence: str, **evidence: Any) -> Decision:
        return cls(gate, False, reason, sentence, evidence)

    def summary(self) -> dict[str, Any]:
        """The decision without its evidence, for the chain of decisions in a sidecar."""
        return {"gate": self.gate, "decision": "allow" if self.allowed else "deny",
                "reason": self.reason, "sentence": self.sentence}

    def as_record(self) -> dict[str, Any]:
        return {**self.summary(), "evidence": self.evidence}
