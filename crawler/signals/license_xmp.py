"""License statements in an image's XMP packet: ``cc:license``, ``xmpRights:WebStatement``,
``xmpRights:UsageTerms``, with the packet's creator and title."""

from __future__ import annotations

from typing import Protocol

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    GRANT,
    NOTICE,
    SCOPE_ASSET,
    SNIPPET_MAX,
    LicenseEvidence,
    norm_url,
    resolve_value,
)
from crawler.signals.licenses import License, UnversionedCC, parse_license_ref


class XmpLike(Protocol):
    """The fields :func:`from_xmp` reads (:class:`crawler.signals.xmp.XmpFields` has them)."""

    cc_license: tuple[str, ...]
    web_statement: tuple[str, ...]
    usage_terms: tuple[str, ...]
    creator: tuple[str, ...]
    title: tuple[str, ...]
    malformed: bool


def from_xmp(fields: XmpLike, image_url: str) -> list[LicenseEvidence]:
    """License statements of an image's XMP packet: ``cc:license`` (URL), ``xmpRights:
    WebStatement`` (URL: a CC URL is a license, any other page is a rights statement whose
    terms are unknown), ``xmpRights:UsageTerms`` (text: CC names; "All rights reserved" is a
    notice; other terms are unknown). A malformed packet is an unknown statement."""
    assets = (norm_url(image_url),)
    creator = ", ".join(getattr(fields, "creator", ()) or ())[:200]
    title = ((getattr(fields, "title", ()) or ("",))[0] or "")[:200]
    out: list[LicenseEvidence] = []

    def add(channel: str, snippet: str, url: str, lic: License | UnversionedCC | None,
            role: str = GRANT, note: str = "") -> None:
        out.append(LicenseEvidence(channel, "XMP", snippet[:SNIPPET_MAX], url, lic,
                                   SCOPE_ASSET, role, assets, image_url, note, creator, title,
                                   part="image"))

    for value in fields.cc_license:
        url, lic = resolve_value(image_url, value)
        add("xmp:cc:license", value, url or value, lic)
    for value in fields.web_statement:
        url, lic = resolve_value(image_url, value)
        add("xmp:xmpRights:WebStatement", value, url or value, lic,
            note="" if lic else "rights statement page with unknown terms")
    for value in fields.usage_terms:
        names = lt.find_names(value)
        if names:
            for lic in dict.fromkeys(n.license for n in names):
                add("xmp:xmpRights:UsageTerms", value, "", lic)
            continue
        lic = parse_license_ref(value) if len(value) <= 80 else None
        kind = lt.notice_kind(value)
        if lic is None and kind is not None:
            add("xmp:xmpRights:UsageTerms", value, "", None, NOTICE, kind)
        elif value.strip():
            add("xmp:xmpRights:UsageTerms", value, "", lic,
                note="" if lic else "usage terms name no known license")
    if getattr(fields, "malformed", False):
        add("xmp", "malformed XMP packet", "", None, note="the XMP packet could not be read")
    return out
