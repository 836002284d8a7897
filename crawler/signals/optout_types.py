"""The value every opt-out reader returns: :class:`OptOutSignal`, its states and scopes.

A signal is ``optout``, ``allowed`` or ``unknown`` (present but unreadable: fails closed);
absence of a statement is no signal. Kept apart from the readers so that each of them
(:mod:`crawler.signals.optout` and the modules it gathers, :mod:`crawler.signals.aitxt`) and the
opt-out gate can import it without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALLOWED",
    "OPTOUT",
    "SCOPE_ALL",
    "SCOPE_IMAGES",
    "SNIPPET_MAX",
    "UNKNOWN",
    "OptOutSignal",
    "snip",
]

OPTOUT, ALLOWED, UNKNOWN = "optout", "allowed", "unknown"
SCOPE_ALL, SCOPE_IMAGES = "all", "images"

#: Longest ``snippet`` a signal keeps of the text it was read from.
SNIPPET_MAX = 300


@dataclass(frozen=True)
class OptOutSignal:
    """One statement about AI use found in or about an item."""

    signal: str  # x-robots-tag, meta-robots, meta-bot, tdm-reservation-header, ...
    state: str  # optout | allowed | unknown
    scope: str  # all (the item and, for a page, its media) | images (images only)
    snippet: str  # the exact text found (truncated)
    location: str  # where: header name, element, file and line/rule, XMP, manifest
    detail: dict[str, str] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        return {"signal": self.signal, "state": self.state, "scope": self.scope,
                "snippet": self.snippet, "location": self.location, "detail": dict(self.detail)}


def snip(text: str) -> str:
    """``text`` truncated to :data:`SNIPPET_MAX` characters."""
    return text[:SNIPPET_MAX]
