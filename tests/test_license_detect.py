"""License detection, the license gate, the policy's license rules and the license sidecar.

Page vectors live in tests/vectors/licenses/ (HTML + index.yaml with the expected outcomes);
the rest builds its inputs here: CC names in text, badges, grant sentences, Link headers, image
XMP, conflicts and their policy resolution, purposes, sidecar records, and the time it takes.
"""

from __future__ import annotations

import dataclasses
import gc
import struct
import weakref
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from parsel import Selector

from crawler import sidecar
from crawler.gates import license as license_gate
from crawler.pathpattern import PathPattern
from crawler.policy.loader import PolicyError, load_policies
from crawler.policy.model import LicenseRules, Rate, SitePolicy, ToSReview, Verdict
from crawler.signals import license_detect as ld
from crawler.signals import license_text as lt
from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.spdx_ids import known_spdx_ids, lookup_spdx

VECTORS = Path(__file__).parent / "vectors" / "licenses"
INDEX: list[dict[str, Any]] = yaml.safe_load((VECTORS / "index.yaml").read_text())
PAGE = "https://site.example/notes/page.html"
CC = "https://creativecommons.org/licenses/"

_ALL = known_spdx_ids()
#: the test policy: every known license without ND for research; without NC and ND commercially
RESEARCH = frozenset(i for i in _ALL if lookup_spdx(i).allows_derivatives)  # type: ignore[union-attr]
COMMERCIAL = frozenset(i for i in RESEARCH
                       if lookup_spdx(i).allows_commercial)  # type: ignore[union-attr]


def make_policy(accept: dict[str, frozenset[str]] | None = None, **rules: Any) -> SitePolicy:
    return SitePolicy(
        name="test", source="/policies/test.yaml", sha256="0" * 64, version="1",
        hosts=("site.example",),
        tos=ToSReview("https://site.example/terms", date(2026, 11, 1), "Reviewer",
                      Verdict.ALLOWED, Verdict.ALLOWED),
        purposes=frozenset({"research", "commercial"}), start_urls=(), sitemaps=(),
        allow_paths=(PathPattern("/"),), deny_paths=(), rate=Rate(1.0, 1),
        licenses=LicenseRules(accept if accept is not None else
                              {"research": RESEARCH, "commercial": COMMERCIAL}, **rules),
        retention_days=30)


def sel(html: str) -> Selector:
    return Selector(text=html)


def spdx_of(e: ld.LicenseEvidence) -> str | None:
    lic = e.license
    if isinstance(lic, License):
        return lic.spdx
    if isinstance(lic, UnversionedCC):
        return f"family:{lic.family}"
    return None


def page_decision(html: str, url: str = PAGE, purpose: str = "research",
                  policy: SitePolicy | None = None, headers: dict[str, list[str]] | None = None,
                  ) -> tuple[Any, ld.LicenseEvidence | None, list[ld.LicenseEvidence]]:
    policy = policy or make_policy()
    found = ld.detect(url, headers or {}, sel(html))
    fallback = ld.from_policy(policy.licenses.default, policy.source)
    decision, chosen = license_gate.check(found, fallback, policy, purpose)
    return decision, chosen, found


# ----------------------------------------------------------------------------------------------
# Vectors
# ----------------------------------------------------------------------------------------------


def _vector_id(case: dict[str, Any]) -> str:
    extra = "-".join(f"{k}={v}" for k, v in sorted((case.get("policy") or {}).items()))
    purpose = case.get("purpose", "research")
    return case["file"].removesuffix(".html") + (f"[{extra}]" if extra else "") + (
        f"[{purpose}]" if purpose != "research" else "")


@pytest.mark.parametrize("case", INDEX, ids=[_vector_id(c) for c in INDEX])
def test_vector(case: dict[str, Any]) -> None:
    html = (VECTORS / case["file"]).read_text()
    url = case.get("url", PAGE)
    purpose = case.get("purpose", "research")
    policy = make_policy(**(case.get("policy") or {}))
    page = sel(html)
    found = ld.detect(url, {}, page)
    fallback = ld.from_policy(policy.licenses.default, policy.source)
    decision, chosen = license_gate.check(found, fallback, policy, purpose)

    expected = case["page"]
    assert decision.reason == expected["reason"], decision.sentence
    if "spdx" in expected:
        assert decision.evidence["spdx"] == expected["spdx"]
        assert chosen is not None and spdx_of(chosen) == expected["spdx"]
    if "scope" in expected:
        assert decision.evidence["scope"] == expected["scope"]
    if "channel" in expected:
        assert chosen is not None and chosen.channel == expected["channel"]
    if decision.allowed:
        assert chosen is not None
    else:
        assert decision.reason.startswith("license_")

    def kinds(role: str, scope: str | None = None) -> set[str | None]:
        return {spdx_of(e) for e in found if e.role == role and (scope is None or e.scope == scope)}

    assert kinds(ld.GRANT, ld.SCOPE_PAGE) == set(case.get("grants", []))
    if "assets" in case:
        assert kinds(ld.GRANT, ld.SCOPE_ASSET) == set(case["assets"])
    if "other" in case:
        assert kinds(ld.GRANT, ld.SCOPE_OTHER) == set(case["other"])
    if "mentions" in case:
        assert kinds(ld.MENTION) == set(case["mentions"])
    if "notices" in case:
        assert {e.note for e in found if e.role == ld.NOTICE} == set(case["notices"])
    # every statement the decision rests on is recorded with where it was and what it said
    for record in decision.evidence["statements"]:
        assert record["channel"] and record["location"] and "status" in record
    for src, want in (case.get("images") or {}).items():
        statements = ld.image_evidence(page, url, src)
        image, _ = license_gate.check(statements, [], policy, purpose, kind="image")
        assert image.reason == want["reason"], (src, image.sentence)
        if "spdx" in want:
            assert image.evidence["spdx"] == want["spdx"]


def test_every_vector_file_is_indexed() -> None:
    files = {p.name for p in VECTORS.glob("*.html")}
    assert files == {c["file"] for c in INDEX}


# ----------------------------------------------------------------------------------------------
# CC names in text, badges, grant sentences
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "spdx"), [
    ("Creative Commons Attribution-ShareAlike 4.0 International License", "CC-BY-SA-4.0"),
    ("Creative Commons Attribution-ShareAlike License 4.0", "CC-BY-SA-4.0"),
    ("Creative Commons Attribution-Share Alike 3.0 Unported", "CC-BY-SA-3.0"),
    ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International",
     "CC-BY-NC-ND-4.0"),
    ("Creative Commons Attribution-NonCommercial-NoDerivs 3.0 Germany License",
     "CC-BY-NC-ND-3.0-DE"),
    ("Creative Commons Attribution 2.0 Generic", "CC-BY-2.0"),
    ("Creative Commons Attribution 3.0 United States License", "CC-BY-3.0-US"),
    ("Creative Commons Attribution-NoDerivs-NonCommercial 1.0", "CC-BY-NC-ND-1.0"),
    ("Creative Commons Attribution-ShareAlike 2.0 UK: England & Wales", "CC-BY-SA-2.0-UK"),
    ("Creative Commons Attribution 2.0 UK: England & Wales", "LicenseRef-CC-BY-2.0-UK"),
    ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
    ("cc by 4.0", "CC-BY-4.0"),
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0"),
    ("CC BY-SA 2.0 UK", "CC-BY-SA-2.0-UK"),  # the Common Pile reads this as CC BY 2.0
    ("CC BY-NC-ND 3.0 IGO", "CC-BY-NC-ND-3.0-IGO"),
    ("CC BY-NC 2.0 AT", "LicenseRef-CC-BY-NC-2.0-AT"),
    ("CC BY 2.5", "CC-BY-2.5"),
    ("CC0", "CC0-1.0"),
    ("CC0 1.0 Universal", "CC0-1.0"),
    ("Creative Commons Zero", "CC0-1.0"),
    ("Public Domain Mark 1.0", "CC-PDM-1.0"),
    ("Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)", "CC-BY-SA-4.0"),
])
def test_cc_names_in_text(text: str, spdx: str) -> None:
    [name] = lt.find_names(text)
    assert isinstance(name.license, License) and name.license.spdx == spdx


@pytest.mark.parametrize(("text", "family"), [("CC BY-SA", "by-sa"), ("cc by-nc", "by-nc"),
                                              ("Creative Commons Attribution-NonCommercial",
                                               "by-nc")])
def test_cc_names_without_version_are_families(text: str, family: str) -> None:
    [name] = lt.find_names(text)
    assert isinstance(name.license, UnversionedCC) and name.license.family == family


@pytest.mark.parametrize("text", ["Creative Commons", "the commons", "CC: the editors",
                                  "CC BY-ND-SA 4.0", "Creative Commons licenses are great",
                                  "accbyte"])
def test_not_cc_names(text: str) -> None:
    assert lt.find_names(text) == []


@pytest.mark.parametrize(("url", "spdx"), [
    ("https://licensebuttons.net/l/by-sa/4.0/88x31.png", "CC-BY-SA-4.0"),
    ("https://i.creativecommons.org/l/by/3.0/88x31.png", "CC-BY-3.0"),
    ("//i.creativecommons.org/l/by-sa/2.0/uk/80x15.png", "CC-BY-SA-2.0-UK"),
    ("http://i.creativecommons.org/l/by-nc-nd/3.0/de/88x31.png", "CC-BY-NC-ND-3.0-DE"),
    ("https://i.creativecommons.org/p/zero/1.0/88x31.png", "CC0-1.0"),
    ("https://licensebuttons.net/p/mark/1.0/88x31.png", "CC-PDM-1.0"),
    ("https://mirrors.creativecommons.org/presskit/buttons/88x31/png/cc-zero.png", "CC0-1.0"),
])
def test_badges(url: str, spdx: str) -> None:
    lic = lt.badge_license(url)
    assert isinstance(lic, License) and lic.spdx == spdx


def test_badges_without_version_and_non_badges() -> None:
    lic = lt.badge_license("https://mirrors.creativecommons.org/presskit/buttons/88x31/png/by-nc.png")
    assert isinstance(lic, UnversionedCC) and lic.family == "by-nc"
    for url in ("https://mirrors.creativecommons.org/presskit/icons/by.svg",
                "https://licensebuttons.net/l/by/9.0/88x31.png", "https://example.org/88x31.png"):
        assert lt.badge_license(url) is None


@pytest.mark.parametrize(("clause", "subject"), [
    ("Text is available under the Creative Commons Attribution-ShareAlike License 4.0", lt.PAGE),
    ("user contributions licensed under CC BY-SA", lt.PAGE),
    ("This work is licensed under a Creative Commons Attribution 4.0 International License",
     lt.PAGE),
    ("Except where otherwise noted, content on this site is licensed under CC BY 4.0", lt.PAGE),
    ("the content of this page is licensed under the CC BY 4.0 License", lt.PAGE),
    ("Licensed under CC BY 4.0", lt.PAGE),
    ("License: CC BY 4.0", lt.PAGE),
    ("Photos on this blog are licensed under CC BY-NC 4.0", lt.ASSET_ALL),
    ("All images are available under CC BY 4.0", lt.ASSET_ALL),
    ("This photo is licensed under CC BY 2.0", lt.ASSET_ONE),
    ("Photo license: CC BY 2.0", lt.ASSET_ONE),
    ("code samples are licensed under the Apache 2.0 License", lt.OTHER),
    ("Theme Seaside by Tom, licensed under CC BY 3.0", lt.OTHER),
    ("Wikipedia's text is licensed under CC BY-SA", None),
    ("Flickr photos are often licensed under CC BY", None),
    ("The CC BY 4.0 license requires attribution", None),
    ("I recommend releasing your photos under CC BY", None),
])
def test_grant_sentences(clause: str, subject: str | None) -> None:
    assert lt.grant_clause(clause, 0, len(clause)).subject == subject


def test_notices() -> None:
    assert lt.notice_kind("© 2026 Jane Doe. All rights reserved.") == lt.RIGHTS_RESERVED
    assert lt.notice_kind("Copyright 2026 Jane Doe") == lt.COPYRIGHT
    assert lt.notice_kind("Some rights reserved") is None
    assert lt.notice_kind("copyright law is complicated") is None


# ----------------------------------------------------------------------------------------------
# Page detection details
# ----------------------------------------------------------------------------------------------


def test_link_header_licenses_the_response() -> None:
    headers = {"link": ['<https://creativecommons.org/licenses/by/4.0/>; rel="license", '
                        '</next>; rel="next"']}
    decision, chosen, _ = page_decision("<html><body><p>x</p></body></html>", headers=headers)
    assert decision.reason == "allowed" and decision.evidence["spdx"] == "CC-BY-4.0"
    assert chosen is not None and chosen.channel == "http:link" and chosen.location == "Link"


def test_url_as_found_and_canonical_url_are_both_kept() -> None:
    html = '<a rel="license" href="//www.creativecommons.org/licenses/by-sa/3.0/de/deed.en">x</a>'
    [e] = ld.detect("https://site.example/a", {}, sel(html))
    record = e.as_record()
    assert record["url"] == "https://www.creativecommons.org/licenses/by-sa/3.0/de/deed.en"
    assert record["canonical_url"] == "https://creativecommons.org/licenses/by-sa/3.0/de/"
    assert record["spdx"] == "CC-BY-SA-3.0-DE"


def test_base_href_resolves_relative_statements() -> None:
    html = ('<html><head><base href="https://creativecommons.org/licenses/"></head><body>'
            '<footer><a rel="license" href="by/4.0/">CC BY</a></footer></body></html>')
    [e] = ld.detect(PAGE, {}, sel(html))
    assert spdx_of(e) == "CC-BY-4.0"


def test_evidence_records_location_and_snippet() -> None:
    html = ('<html><body><footer id="f"><p>Licensed under <a rel="license" '
            'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p></footer>'
            '</body></html>')
    [e] = ld.detect(PAGE, {}, sel(html))
    assert e.location == "html/body/footer#f/p/a"
    assert e.snippet.startswith('<a rel="license" href="https://creativecommons.org/')
    assert e.document == PAGE


def test_image_next_to_license_link_is_asset_scoped() -> None:
    html = ('<html><body><p>Long article text.</p>'
            '<p><img src="/img/gull.jpg" alt="gull"><br><small>Gull, <a rel="license" '
            'href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></small></p>'
            '</body></html>')
    decision, _, found = page_decision(html)
    assert decision.reason == "license_missing"
    [e] = found
    assert e.scope == ld.SCOPE_ASSET and e.assets == ("https://site.example/img/gull.jpg",)
    assert [spdx_of(x) for x in ld.image_evidence(sel(html), PAGE, "/img/gull.jpg")] == [
        "CC-BY-2.0"]


def test_site_logo_in_footer_does_not_capture_the_license() -> None:
    html = ('<html><body><footer><p><img src="/logo.png" alt="logo"> © 2026 Example · '
            'Licensed under <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
            'CC BY 4.0</a></p></footer></body></html>')
    decision, _, _ = page_decision(html)
    assert decision.reason == "allowed" and decision.evidence["scope"] == "page"


def test_text_license_differing_from_link_is_a_conflict() -> None:
    html = ('<html><body><footer><p>This work is licensed under CC BY-NC 4.0: <a rel="license" '
            'href="https://creativecommons.org/licenses/by/4.0/">license</a></p></footer>'
            '</body></html>')
    decision, _, _ = page_decision(html)
    assert decision.reason == "license_conflict"
    assert decision.evidence["conflict"]["licenses"] == ["CC-BY-4.0", "CC-BY-NC-4.0"]


def test_versionless_text_refined_by_a_link_is_not_a_conflict() -> None:
    html = ('<html><body><footer><p>Content licensed under CC BY-SA: <a rel="license" '
            'href="https://creativecommons.org/licenses/by-sa/4.0/">details</a></p></footer>'
            '</body></html>')
    decision, _, found = page_decision(html)
    assert decision.reason == "allowed" and decision.evidence["spdx"] == "CC-BY-SA-4.0"
    statuses = {r["spdx"] or r["canonical_url"]: r["status"]
                for r in decision.evidence["statements"]}
    assert statuses == {"CC-BY-SA-4.0": "chosen",
                        "https://creativecommons.org/licenses/by-sa/": "consistent"}
    assert len(found) == 1 or any(isinstance(e.license, UnversionedCC) for e in found)


def test_versionless_family_of_another_license_is_a_conflict() -> None:
    html = ('<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
            '</head><body><a rel="license" href="https://creativecommons.org/licenses/by-nc/">'
            'NC</a></body></html>')
    decision, _, _ = page_decision(html)
    assert decision.reason == "license_conflict"


def test_mentions_and_notices_are_capped() -> None:
    body = "".join(f"<p>Compare the CC BY {v}.0 license with others.</p>" for v in (1, 2, 3, 4))
    body += "".join(f"<p>Also the CC BY-SA {v}.0 license.</p>" for v in (1, 2, 3, 4))
    footer = "<p>© 2026 X</p>" * 9
    html = f"<html><body><article>{body}</article><footer>{footer}</footer></body></html>"
    found = ld.detect(PAGE, {}, sel(html))
    # mentions need a license word in the text to be found at all; capped when they are
    assert sum(e.role == ld.MENTION for e in found) <= 5
    assert sum(e.role == ld.NOTICE for e in found) <= 4


def test_detection_without_raw_html_is_the_same() -> None:
    """A selector built from a tree (no raw text) takes the slow path to the same result."""
    for case in INDEX:
        html = (VECTORS / case["file"]).read_text()
        with_raw = ld.detect(PAGE, {}, sel(html))
        tree_only = ld.detect(PAGE, {}, Selector(root=sel(html).root, type="html"))
        assert [(e.channel, spdx_of(e), e.scope, e.role) for e in with_raw if e.role != ld.NOTICE] \
            == [(e.channel, spdx_of(e), e.scope, e.role) for e in tree_only
                if e.role != ld.NOTICE], case["file"]


def test_page_scan_is_shared_and_not_kept_alive() -> None:
    page = sel((VECTORS / "figure_scope.html").read_text())
    first = ld.detect(PAGE, {}, page)
    assert ld.detect(PAGE, {}, page) == first
    root = weakref.ref(page.root)
    assert ld.image_evidence(page, PAGE, "/img/knots.jpg")
    del page
    gc.collect()
    assert root() is None


def test_evidence_can_be_rescoped_by_the_adapter() -> None:
    [e] = ld.detect(PAGE, {}, sel('<a rel="license" href="https://creativecommons.org/licenses/by/'
                                  '4.0/">x</a>'))
    inherited = dataclasses.replace(e, channel="page", location=f"{PAGE} {e.channel}")
    assert inherited.as_record()["channel"] == "page"


# ----------------------------------------------------------------------------------------------
# Images: Link header and XMP
# ----------------------------------------------------------------------------------------------

PNG_HEAD = b"\x89PNG\r\n\x1a\n"
IHDR = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_xmp(description: str) -> bytes:
    packet = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}" '
              'xmlns:cc="http://creativecommons.org/ns#" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
              f'{description}</rdf:RDF></x:xmpmeta>').encode()
    itxt = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + packet
    return (PNG_HEAD + png_chunk(b"IHDR", IHDR) + png_chunk(b"iTXt", itxt)
            + png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
            + png_chunk(b"IEND", b""))


IMG = "https://site.example/img/seal.png"


def image_decision(found: list[ld.LicenseEvidence], fallback: list[ld.LicenseEvidence] = (),
                   purpose: str = "research", policy: SitePolicy | None = None) -> Any:
    decision, _ = license_gate.check(found, list(fallback), policy or make_policy(), purpose,
                                     kind="image")
    return decision


def test_image_xmp_cc_license() -> None:
    body = png_with_xmp('<rdf:Description rdf:about=""><cc:license rdf:resource='
                        f'"{CC}by-nc/4.0/"/><dc:creator><rdf:Seq><rdf:li>Sam Seal</rdf:li>'
                        '</rdf:Seq></dc:creator></rdf:Description>')
    found = ld.detect_image(IMG, {}, body)
    [e] = found
    assert (e.channel, spdx_of(e), e.scope, e.assets, e.creator) == (
        "xmp:cc:license", "CC-BY-NC-4.0", "asset", (IMG,), "Sam Seal")
    assert image_decision(found).evidence["spdx"] == "CC-BY-NC-4.0"
    assert image_decision(found, purpose="commercial").reason == "license_not_accepted"


def test_image_xmp_web_statement_and_usage_terms() -> None:
    body = png_with_xmp(
        '<rdf:Description rdf:about="" xmpRights:WebStatement='
        f'"{CC}by/4.0/"><xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">This work '
        'is licensed under a Creative Commons Attribution 4.0 International License.</rdf:li>'
        '</rdf:Alt></xmpRights:UsageTerms></rdf:Description>')
    found = ld.detect_image(IMG, {}, body)
    assert {(e.channel, spdx_of(e)) for e in found} == {
        ("xmp:xmpRights:WebStatement", "CC-BY-4.0"), ("xmp:xmpRights:UsageTerms", "CC-BY-4.0")}
    decision = image_decision(found)
    assert decision.reason == "allowed"
    assert decision.evidence["statements"][0]["status"] in ("chosen", "consistent")


def test_image_rights_page_and_reserved_terms() -> None:
    body = png_with_xmp('<rdf:Description rdf:about="" xmpRights:WebStatement='
                        '"https://photographer.example/terms"/>')
    assert image_decision(ld.detect_image(IMG, {}, body)).reason == "license_unknown"
    body = png_with_xmp('<rdf:Description rdf:about=""><xmpRights:UsageTerms><rdf:Alt><rdf:li>'
                        '© Sam Seal, all rights reserved</rdf:li></rdf:Alt></xmpRights:UsageTerms>'
                        '</rdf:Description>')
    found = ld.detect_image(IMG, {}, body)
    assert [e.role for e in found] == [ld.NOTICE]
    fallback = ld.from_policy("CC-BY-4.0", "/policies/test.yaml")
    assert image_decision(found, fallback).reason == "license_reserved"
    assert image_decision(found).reason == "license_missing"


def test_image_link_header_and_malformed_xmp() -> None:
    headers = {"Link": [f'<{CC}by-sa/4.0/>; rel="license"']}
    found = ld.detect_image(IMG, headers, PNG_HEAD + b"garbage")
    assert [(e.channel, e.scope, spdx_of(e)) for e in found] == [
        ("http:link", "asset", "CC-BY-SA-4.0")]
    broken = png_with_xmp('<rdf:Description rdf:about=""><cc:license>unclosed')
    found = ld.detect_image(IMG, {}, broken)
    assert image_decision(found).reason == "license_unknown"


def test_from_xmp_with_a_stand_in() -> None:
    @dataclasses.dataclass
    class Fields:
        cc_license: tuple[str, ...] = ()
        web_statement: tuple[str, ...] = ()
        usage_terms: tuple[str, ...] = ()
        creator: tuple[str, ...] = ()
        title: tuple[str, ...] = ()
        malformed: bool = False

    found = ld.from_xmp(Fields(cc_license=("http://creativecommons.org/licenses/by-sa/2.0/uk/",),
                               title=("Seal",)), IMG)
    assert [(spdx_of(e), e.title) for e in found] == [("CC-BY-SA-2.0-UK", "Seal")]
    found = ld.from_xmp(Fields(usage_terms=("CC BY-NC-ND 3.0 IGO",)), IMG)
    assert [spdx_of(e) for e in found] == ["CC-BY-NC-ND-3.0-IGO"]


def test_image_does_not_inherit_the_page_license_unless_the_policy_says_so() -> None:
    html = (VECTORS / "wordpress_cc_widget.html").read_text()
    url = "https://fieldnotes.example/2026/05/walking-the-estuary/"
    page = sel(html)
    _, chosen, _ = page_decision(html, url=url)
    src = "https://fieldnotes.example/wp-content/uploads/2026/05/estuary-1024x683.jpg"
    own = ld.detect_image(src, {}, None) + ld.image_evidence(page, url, src)
    assert image_decision(own).reason == "license_missing"
    assert chosen is not None
    inherited = [dataclasses.replace(chosen, channel="page", location=f"{url} html:a")]
    shared = image_decision(own, inherited)
    assert shared.reason == "allowed" and shared.evidence["spdx"] == "CC-BY-NC-SA-4.0"


def test_image_own_license_beats_the_fallback_and_badges_are_not_images() -> None:
    html = (VECTORS / "photos_only_blog.html").read_text()
    page = sel(html)
    url = PAGE
    own = ld.image_evidence(page, url, "/photos/crab.jpg")
    fallback = ld.from_policy("CC-BY-4.0", "/policies/test.yaml")
    decision = image_decision(own, fallback)
    assert decision.evidence["spdx"] == "CC-BY-NC-4.0"
    assert [r["status"] for r in decision.evidence["statements"]] == ["chosen", "unused"]
    assert ld.image_evidence(page, url, "https://licensebuttons.net/l/by-nc/4.0/80x15.png") == []


def test_credit_reserving_rights_blocks_the_fallback() -> None:
    html = (VECTORS / "figure_scope.html").read_text()
    own = ld.image_evidence(sel(html), PAGE, "/img/getty.jpg")
    fallback = ld.from_policy("CC-BY-SA-4.0", "/policies/test.yaml")
    assert image_decision(own, fallback).reason == "license_reserved"
    other = ld.image_evidence(sel(html), PAGE, "/img/knots.jpg")
    assert image_decision(other, fallback).evidence["spdx"] == "CC-BY-NC-2.0"


# ----------------------------------------------------------------------------------------------
# Gate: purposes, fallbacks, conflicts
# ----------------------------------------------------------------------------------------------


def evidence(spdx_or_url: str, channel: str = "html:a", scope: str = ld.SCOPE_PAGE,
             role: str = ld.GRANT) -> ld.LicenseEvidence:
    lic = lookup_spdx(spdx_or_url) if "/" not in spdx_or_url else None
    if lic is None and "/" in spdx_or_url:
        from crawler.signals.license_urls import canonicalize_url
        found = canonicalize_url(spdx_or_url)
        return ld.LicenseEvidence(channel, "x", "x", spdx_or_url, found, scope, role)
    return ld.LicenseEvidence(channel, "x", "x", lic.url if lic else "", lic, scope, role)


def test_nc_only_for_research_and_nd_not_by_default() -> None:
    policy = make_policy()
    for spdx, research, commercial in (("CC-BY-NC-4.0", "allowed", "license_not_accepted"),
                                       ("CC-BY-ND-4.0", "license_not_accepted",
                                        "license_not_accepted"),
                                       ("CC-BY-SA-4.0", "allowed", "allowed")):
        found = [evidence(spdx)]
        assert license_gate.check(found, [], policy, "research")[0].reason == research
        assert license_gate.check(found, [], policy, "commercial")[0].reason == commercial


def test_nc_listed_for_commercial_is_still_refused() -> None:
    policy = make_policy({"commercial": frozenset({"CC-BY-NC-4.0"})})
    assert not policy.licenses.accepted("CC-BY-NC-4.0", "commercial")
    decision, _ = license_gate.check([evidence("CC-BY-NC-4.0")], [], policy, "commercial")
    assert decision.reason == "license_not_accepted" and "NonCommercial" in decision.sentence


def test_policy_default_counts_only_without_a_statement() -> None:
    policy = make_policy(default="CC-BY-SA-4.0")
    fallback = ld.from_policy(policy.licenses.default, policy.source)
    decision, chosen = license_gate.check([], fallback, policy, "research")
    assert decision.evidence["spdx"] == "CC-BY-SA-4.0" and chosen is not None
    assert chosen.scope == ld.SCOPE_SITE and chosen.channel == "policy:default"
    decision, chosen = license_gate.check([evidence("CC-BY-4.0")], fallback, policy, "research")
    assert decision.evidence["spdx"] == "CC-BY-4.0"
    # an unknown statement is not overruled by the default
    decision, _ = license_gate.check([evidence("https://site.example/terms")], fallback, policy,
                                     "research")
    assert decision.reason == "license_unknown"
    # nor is a version-less family the default does not belong to
    decision, _ = license_gate.check([evidence(f"{CC}by-nc/")], fallback, policy, "research")
    assert decision.reason == "license_unknown"


def test_page_notices_do_not_block_the_site_default() -> None:
    notice = ld.LicenseEvidence("text", "x", "© X. All rights reserved.", "", None,
                                ld.SCOPE_PAGE, ld.NOTICE, note=ld.RIGHTS_RESERVED)
    policy = make_policy(default="CC-BY-4.0")
    fallback = ld.from_policy(policy.licenses.default, policy.source)
    decision, _ = license_gate.check([notice], fallback, policy, "research")
    assert decision.reason == "allowed"


def test_asset_and_other_scoped_grants_do_not_license_the_page() -> None:
    found = [evidence("CC-BY-4.0", scope=ld.SCOPE_ASSET), evidence("CC-BY-4.0",
                                                                   scope=ld.SCOPE_OTHER)]
    decision, _ = license_gate.check(found, [], make_policy(), "research")
    assert decision.reason == "license_missing"
    assert {r["status"] for r in decision.evidence["statements"]} == {"out_of_scope"}


def test_most_restrictive_without_a_maximum_is_a_conflict() -> None:
    policy = make_policy(on_conflict="most_restrictive")
    found = [evidence("CC-BY-SA-4.0"), evidence("CC-BY-NC-4.0")]
    decision, _ = license_gate.check(found, [], policy, "research")
    assert decision.reason == "license_conflict" and "most restrictive" in decision.sentence


def test_resolved_conflict_marks_the_overridden_statements() -> None:
    policy = make_policy(on_conflict="CC-BY-4.0")
    found = [evidence("CC-BY-NC-ND-4.0", "html:link"), evidence("CC-BY-4.0")]
    decision, chosen = license_gate.check(found, [], policy, "research")
    assert decision.allowed and chosen is found[1]
    assert [r["status"] for r in decision.evidence["statements"]] == ["overridden", "chosen"]
    assert decision.evidence["conflict"] == {"licenses": ["CC-BY-4.0", "CC-BY-NC-ND-4.0"],
                                             "on_conflict": "CC-BY-4.0", "chosen": "CC-BY-4.0"}


# ----------------------------------------------------------------------------------------------
# Policy: licenses.on_conflict
# ----------------------------------------------------------------------------------------------

POLICY = """\
name: site
hosts: [docs.example.org]
tos:
  url: https://docs.example.org/terms
  reviewed: 2026-11-01
  reviewer: R. Eviewer
  crawling: allowed
  ai_training: allowed
purposes: [research]
licenses:
  accept:
    research: [CC-BY-4.0]
  on_conflict: {value}
retention_days: 30
"""


@pytest.mark.parametrize(("value", "loaded"), [("exclude", "exclude"),
                                               ("most_restrictive", "most_restrictive"),
                                               ("cc-by-sa-4.0", "CC-BY-SA-4.0")])
def test_on_conflict_loads(tmp_path: Path, value: str, loaded: str) -> None:
    (tmp_path / "site.yaml").write_text(POLICY.format(value=value))
    [policy] = load_policies(tmp_path)
    assert policy.licenses.on_conflict == loaded


def test_on_conflict_defaults_to_exclude(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(POLICY.replace("  on_conflict: {value}\n", ""))
    [policy] = load_policies(tmp_path)
    assert policy.licenses.on_conflict == "exclude"


@pytest.mark.parametrize(("value", "message"), [
    ("strictest", "licenses.on_conflict: 'strictest' is neither 'exclude' nor "
                  "'most_restrictive' nor a known license id"),
    ("CC-BY-9.0", "licenses.on_conflict: 'CC-BY-9.0' is neither"),
    ("[CC-BY-4.0]", "licenses.on_conflict: ['CC-BY-4.0'] is not of type 'string'"),
])
def test_on_conflict_errors_name_file_and_line(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path / "site.yaml").write_text(POLICY.format(value=value))
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path)
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith(f"{tmp_path}/site.yaml:13: {message}"), problem


# ----------------------------------------------------------------------------------------------
# Sidecar
# ----------------------------------------------------------------------------------------------


def card_for(decision: Any, chosen: ld.LicenseEvidence, policy: SitePolicy,
             purpose: str = "research", kind: str = "page") -> dict[str, Any]:
    return sidecar.build(
        url=PAGE, kind=kind, content_type="text/html", sha256="0" * 64, size=1,
        fetched_at="2026-11-01T00:00:00Z", status=200, chosen=chosen,
        statements=decision.evidence["statements"], title="", creator="", policy=policy,
        purpose=purpose, robots=None, decisions=[decision.summary()], run_id="r")


def test_sidecar_records_scope_evidence_obligations_and_purposes() -> None:
    policy = make_policy()
    html = (VECTORS / "rights_reserved_with_cc.html").read_text()
    decision, chosen, _ = page_decision(html, policy=policy)
    assert chosen is not None
    card = card_for(decision, chosen, policy)
    lic = card["license"]
    assert (lic["spdx"], lic["scope"], lic["inherited_from_page"]) == ("CC-BY-4.0", "page", False)
    assert lic["obligations"] == ["BY"] and lic["conditions"] == ["attribution"]
    assert lic["permits"] == {
        "research": {"license_allows_use": True, "license_allows_adaptations": True,
                     "policy_accepts_license": True, "policy_allows_purpose": True},
        "commercial": {"license_allows_use": True, "license_allows_adaptations": True,
                       "policy_accepts_license": True, "policy_allows_purpose": True}}
    ev = card["evidence"]
    assert ev["detector_version"] == ld.DETECTOR_VERSION
    assert ev["chosen"]["channel"] == "html:a" and ev["chosen"]["snippet"].startswith("<a rel")
    assert ev["conflicts"] is None
    assert {n["note"] for n in ev["notices"]} == {"copyright", "all rights reserved"}
    assert all({"channel", "location", "snippet", "status"} <= set(s) for s in ev["statements"])


def test_sidecar_for_nc_and_nd_licenses() -> None:
    policy = make_policy()
    decision, chosen = license_gate.check([evidence("CC-BY-NC-SA-4.0")], [], policy, "research")
    assert chosen is not None
    permits = card_for(decision, chosen, policy)["license"]["permits"]
    assert permits["research"]["license_allows_use"] is True
    assert permits["commercial"] == {"license_allows_use": False,
                                     "license_allows_adaptations": False,
                                     "policy_accepts_license": False,
                                     "policy_allows_purpose": True}
    nd = lookup_spdx("CC-BY-ND-4.0")
    assert nd is not None
    assert sidecar.permits(nd, policy)["research"]["license_allows_adaptations"] is False


def test_sidecar_records_a_resolved_conflict() -> None:
    policy = make_policy(on_conflict="most_restrictive")
    html = (VECTORS / "conflict.html").read_text()
    decision, chosen, _ = page_decision(html, policy=make_policy(
        {"research": frozenset({"CC-BY-NC-ND-4.0"})}, on_conflict="most_restrictive"))
    assert decision.allowed and chosen is not None
    conflicts = card_for(decision, chosen, policy)["evidence"]["conflicts"]
    assert conflicts["licenses"] == ["CC-BY-4.0", "CC-BY-NC-ND-4.0"]
    assert conflicts["on_conflict"] == "most_restrictive"
    assert [o["spdx"] for o in conflicts["overridden"]] == ["CC-BY-4.0"]


def test_sidecar_attribution_uses_the_stated_creator() -> None:
    policy = make_policy()
    html = (VECTORS / "cc_chooser.html").read_text()
    decision, chosen, _ = page_decision(html, policy=policy)
    assert chosen is not None and chosen.creator == "Ada Lovelace"
    assert chosen.title == "Tide tables, explained"
    card = card_for(decision, chosen, policy)
    assert card["attribution"]["creator"] == "Ada Lovelace"
    assert "by Ada Lovelace" in card["attribution"]["text"]


def test_sidecar_for_an_inherited_image_license() -> None:
    policy = make_policy(images_share_page_license=True)
    _, page_chosen, _ = page_decision((VECTORS / "rel_tokens.html").read_text(), policy=policy)
    assert page_chosen is not None
    inherited = dataclasses.replace(page_chosen, channel="page", location=f"{PAGE} html:a")
    decision, chosen = license_gate.check([], [inherited], policy, "research", kind="image")
    assert chosen is not None
    lic = card_for(decision, chosen, policy, kind="image")["license"]
    assert lic["inherited_from_page"] is True and lic["spdx"] == "CC-BY-SA-4.0"


# ----------------------------------------------------------------------------------------------
# Speed
# ----------------------------------------------------------------------------------------------


def big_page(size: int = 50_000) -> str:
    """A 50 KB article: navigation, paragraphs full of links, figures, references, a footer
    with the license (a Wikipedia-like shape)."""
    words = ["moss", "lichen", "tide", "pool", "rock", "shore", "kelp", "forest", "seal",
             "harbour", "bird", "wing", "nest", "egg", "river", "delta", "estuary", "mud",
             "flat", "salt", "marsh", "reed", "grass", "dune", "wind", "wave", "current"]

    def sentence(i: int, n: int) -> str:
        return " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(n)).capitalize() + "."

    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tidal pools'
             '</title><link rel="stylesheet" href="/s.css"><link rel="license" '
             'href="https://creativecommons.org/licenses/by-sa/4.0/"><script type="application/'
             'ld+json">{"@context":"https://schema.org","@type":"Article","headline":"Tidal pools",'
             '"license":"https://creativecommons.org/licenses/by-sa/4.0/"}</script></head><body>'
             '<header><nav><ul>']
    parts += [f'<li><a href="/wiki/{w}{i}" rel="nofollow">{w}</a></li>'
              for i, w in enumerate(words * 3)]
    parts.append("</ul></nav></header><main><article><h1>Tidal pools — a guide</h1>")
    i = 0
    while sum(map(len, parts)) < size - 3000:
        i += 1
        if i % 12 == 0:
            parts.append(f'<figure><img src="/img/p{i}.jpg" alt="pool {i}" width="220">'
                         f"<figcaption>{sentence(i, 8)}</figcaption></figure>")
        links = " ".join(f'<a href="/wiki/{words[(i + k) % len(words)]}">{words[k]}</a> '
                         f"{sentence(i + k, 6)}" for k in range(3))
        parts.append(f'<p>{sentence(i, 12)} {links} {sentence(i, 10)}<sup><a href="#c{i}">'
                     f"[{i}]</a></sup></p>")
    parts.append('</article></main><footer id="footer"><ul><li>Text is available under the '
                 '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">'
                 "Creative Commons Attribution-ShareAlike 4.0 International License</a>; "
                 "additional terms may apply.</li><li>© 2026 Example Wiki contributors</li>"
                 "</ul></footer></body></html>")
    return "".join(parts)


def test_license_checks_on_a_wiki_sized_page() -> None:
    """The 50 KB page of bench/decisions.py's kind decides right (its cost is measured there,
    not here: timings belong in benchmarks)."""
    from crawler.signals import optout

    html = big_page()
    assert 45_000 <= len(html.encode()) <= 55_000
    page = Selector(text=html)
    assert optout.item_signals("page", PAGE, {}, token="corpusbot", selector=page) == []
    found = ld.detect(PAGE, {"Content-Type": ["text/html"]}, page)
    decision, chosen = license_gate.check(found, [], make_policy(), "research")
    assert decision.reason == "allowed" and chosen is not None
    assert chosen.license.spdx == "CC-BY-SA-4.0"
