"""Who is crawling: the operator's contact, and the User-Agent that carries it.

A site owner who sees the crawler in a log must be able to reach the people running it,
so the contact (a URL or an e-mail address) is required configuration, and the
User-Agent is ``<robots token>/<version> (+<contact>)``: the product token robots.txt
groups are matched against (RFC 9309 §2.2.1), the version, and the contact. It names no
purpose: one crawler runs for several, and a claim such as "research" may be false.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[a-z0-9-]+(\.[a-z0-9-]+)+", re.IGNORECASE)


class ContactError(ValueError):
    pass


def crawler_version() -> str:
    try:
        return version("compliance-crawler")
    except PackageNotFoundError:  # a source checkout that was never installed
        return "0+unknown"


def normalize_contact(raw: str | None) -> str:
    """The contact as the User-Agent shows it: an http(s) URL, or ``mailto:`` and an
    e-mail address. Raises :class:`ContactError` for anything else."""
    text = (raw or "").strip()
    if not text:
        raise ContactError("the operator's contact is required (COMPLIANCE_CONTACT or "
                           "--contact): a URL or an e-mail address site owners can reach")
    address = text.removeprefix("mailto:")
    if _EMAIL.fullmatch(address):
        return f"mailto:{address}"
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname and not any(
            c in text for c in " ()<>\"\\"):
        return text
    raise ContactError(f"COMPLIANCE_CONTACT {text!r} is neither an http(s) URL nor an "
                       "e-mail address")


def user_agent(token: str, contact: str) -> str:
    return f"{token}/{crawler_version()} (+{normalize_contact(contact)})"
