"""What an AIPREF vocabulary value (``Content-Usage``) says about ``train-ai``.

The value is an RFC 9651 Dictionary, read with http-sf; the robots.txt line and the HTTP header
both come here. Only the Tokens ``y`` and ``n`` count, keys are case-sensitive and a duplicate
key keeps its last value (RFC 9651 §4.2.2). A value that is not a Dictionary is unreadable as a
whole, never half-read: a preference read in part is unknown, not a permission.
"""

from __future__ import annotations

import http_sf

__all__ = ["UnreadablePreference", "train_ai_optout"]


class UnreadablePreference(ValueError):
    """The value is not an RFC 9651 Dictionary, or its ``train-ai`` is not the Token y or n."""


def train_ai_optout(value: str) -> bool | None:
    """True for ``train-ai=n``, False for ``train-ai=y``, None when there is no ``train-ai``.

    Raises :class:`UnreadablePreference` for anything else (the caller's "unknown").
    """
    try:
        # RFC 9651 §4.2 step 1: a value that is not ASCII fails parsing.
        members = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    except UnicodeEncodeError as exc:
        raise UnreadablePreference(f"non-ASCII character at offset {exc.start}") from exc
    except http_sf.StructuredFieldError as exc:
        raise UnreadablePreference(str(exc)) from exc
    member = members.get("train-ai")
    if member is None:
        return None
    item = member[0]  # (value, parameters); the parameters say nothing about the preference
    if isinstance(item, http_sf.Token) and str(item) in ("y", "n"):
        return str(item) == "n"
    raise UnreadablePreference("train-ai is neither the token y nor n")
