"""What the spider yields: one fetched page or image, before and after the item gates.

Scrapy's feed exports (``scrapy crawl corpus -O items.jsonl``) take it as it is: a text
body is exported as a string, a binary one (an image) as nothing, with ``stored`` saying
where the store keeps it; the license as the sidecar's ``evidence.chosen`` record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.signals.license_detect import LicenseEvidence


def exported_body(body: bytes) -> str | None:
    """A body as feed exports write it: UTF-8 text as a string, anything else not at all."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass
class CorpusItem:
    kind: str  # page | image
    url: str
    status: int
    content_type: str
    body: bytes = field(metadata={"serializer": exported_body})
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
    license: LicenseEvidence | None = field(
        default=None, metadata={"serializer": lambda lic: lic.as_record() if lic else None})
    statements: list[dict[str, Any]] = field(default_factory=list)
    #: what the license gate adds to the sidecar's evidence: how a statement without a
    #: version was taken (``unversioned``), the site license page read (``site_license``)
    license_notes: dict[str, Any] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    #: where the store keeps it (``store``, ``content``, ``sidecar``), once stored
    stored: dict[str, str] | None = None
