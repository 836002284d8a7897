"""What the spider yields: one fetched page or image, before and after the item gates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.signals.license_detect import LicenseEvidence


@dataclass
class CorpusItem:
    kind: str  # page | image
    url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, list[str]]
    fetched_at: str
    title: str = ""
    creator: str = ""
    page_url: str | None = None  # for images: the page that referenced them
    robots: dict[str, Any] | None = None  # the robots.txt snapshot the fetch ran under
    revalidated: bool = False  # a 304 answered: the body is the stored copy's
    headers_updated: bool = False  # ... and its headers changed the stored ones
    # set by the item gates
    policy: str | None = None
    license: LicenseEvidence | None = None
    statements: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
