"""The Content-Usage header (IETF AIPREF, signals.md §B): ``train-ai`` as an opt-out signal.

All field lines are joined with ``,`` and parsed as one RFC 9651 Dictionary (how HTTP combines
repeated fields), so the last ``train-ai`` wins; ``n`` → opt-out, ``y`` → allowed, any other
value or a parse failure → unknown, no ``train-ai`` → no signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawler.signals.aipref_vocab import UnreadablePreference, train_ai_optout
from crawler.signals.optout_types import ALLOWED, OPTOUT, SCOPE_ALL, UNKNOWN, OptOutSignal, snip
from crawler.signals.response_fields import header_values

__all__ = ["content_usage_header"]


def content_usage_header(headers: Mapping[str, Sequence[str]] | None) -> list[OptOutSignal]:
    """``train-ai`` of the Content-Usage header(s): opt-out, allowed or unknown."""
    values = [v for v in header_values(headers, "Content-Usage") if v.strip(" \t")]
    if not values:
        return []
    combined = ", ".join(v.strip(" \t") for v in values)
    location = "header Content-Usage"
    try:
        optout = train_ai_optout(combined)
    except UnreadablePreference as exc:
        return [OptOutSignal("content-usage-header", UNKNOWN, SCOPE_ALL, snip(combined),
                             location, {"error": str(exc)})]
    if optout is None:
        return []
    return [OptOutSignal("content-usage-header", OPTOUT if optout else ALLOWED, SCOPE_ALL,
                         snip(combined), location, {"train-ai": "n" if optout else "y"})]
