"""Scoping by structure: class/id tokens (not substrings) mark footers, license boxes,
widgets and credits; each statement records the part of the page it stands in; a sidebar
widget's license beside a banner image is the page's; footer exceptions ("some images are …")
narrow the page license for images instead of conflicting with it; code samples, menu links,
credits for other works and software licenses named for no page content grant nothing to the
page."""

from __future__ import annotations

from typing import Any

import pytest
from parsel import Selector
from test_license_detect import make_policy

from crawler.gates import license as license_gate
from crawler.signals import license_detect as ld
from crawler.signals.license_model import License
from crawler.signals.license_regions import region_of_tokens

PAGE = "https://site.example/notes/page.html"
BY = "https://creativecommons.org/licenses/by/4.0/"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
RUNNING = "Moss grows on the north side of trees, they say, but it is not true. " * 6


def found(html: str, url: str = PAGE) -> list[ld.LicenseEvidence]:
    return ld.detect(url, {}, Selector(text=html))


def grants(html: str, scope: str = ld.SCOPE_PAGE) -> list[ld.LicenseEvidence]:
    return [e for e in found(html) if e.role == ld.GRANT and e.scope == scope]


def spdx(e: ld.LicenseEvidence) -> str | None:
    return e.license.spdx if isinstance(e.license, License) else None


def page_decision(html: str, **rules: Any) -> Any:
    decision, _ = license_gate.check(found(html), [], make_policy(**rules), "research")
    return decision


@pytest.mark.parametrize(("value", "region"), [
    ("site-footer", "footer"), ("footer-widgets", "footer"), ("entry-footer", "footer"),
    ("post-copyright", "license-box"), ("footer__copyright", "license-box"),
    ("footerCopyright", "license-box"), ("cc-license animated", "license-box"),
    ("legal", "license-box"), ("sidebar-widget", "widget"), ("widget_text", "widget"),
    ("wp-caption-text", "caption"), ("image-credit", "credit"), ("photo-credits", "credit"),
    ("has-footer-widgets", None), ("x-image-license-y", None), ("is-footer-visible", None),
    ("licensed-fonts-loaded", None), ("col-md-6 text-secondary", None), ("footnote", None),
])
def test_class_and_id_tokens_mark_regions(value: str, region: str | None) -> None:
    assert region_of_tokens(value) == region


def test_a_body_class_never_makes_the_page_a_footer_or_a_credit() -> None:
    html = (f'<html><body class="has-footer-widgets x-image-license-y page-footer">'
            f'<main class="image-credit"><p>{RUNNING} See <a href="{BY}">CC BY 4.0</a> for '
            f'what the licence says.</p><img src="/a.jpg" alt="a"></main></body></html>')
    assert grants(html) == [] and grants(html, ld.SCOPE_ASSET) == []
    assert [e.role for e in found(html)] == [ld.MENTION]


def test_a_sidebar_widget_license_beside_a_banner_image_is_the_page_license() -> None:
    html = (f'<html><body><main><p>{RUNNING}</p></main><div class="sidebar">'
            f'<div class="widget widget_text"><img src="/banner.jpg" alt="banner" width="300">'
            f'<a href="{BY_SA}">CC BY-SA 4.0</a></div></div></body></html>')
    [grant] = grants(html)
    assert spdx(grant) == "CC-BY-SA-4.0" and grant.part == "widget"
    assert grants(html, ld.SCOPE_ASSET) == []


@pytest.mark.parametrize(("snippet", "part"), [
    (f'<footer><p>Licensed under <a href="{BY}">CC BY 4.0</a>.</p></footer>', "footer"),
    (f'<div id="copyright"><a href="{BY}">CC BY 4.0</a></div>', "license-box"),
    (f'<aside><a href="{BY}">CC BY 4.0</a></aside>', "sidebar"),
    (f'<p>{RUNNING}</p><p>This work is licensed under <a href="{BY}">CC BY 4.0</a>.</p>',
     "body"),
])
def test_each_statement_records_the_part_it_stands_in(snippet: str, part: str) -> None:
    [grant] = grants(f"<html><body>{snippet}</body></html>")
    assert grant.part == part and grant.as_record()["part"] == part


def test_head_figure_and_caption_parts() -> None:
    html = (f'<html><head><link rel="license" href="{BY}"></head><body>'
            f'<figure><img src="/a.jpg" alt="a"><figcaption>Photo: Ann, '
            f'<a href="{BY_SA}">CC BY-SA 4.0</a></figcaption></figure>'
            f'<p><img src="/b.jpg" alt="b"></p><p class="photo-credit">Photo: Bo, '
            f'<a href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a></p>'
            f"</body></html>")
    parts = {(e.scope, e.part) for e in found(html) if e.role == ld.GRANT}
    assert parts == {(ld.SCOPE_PAGE, "head"), (ld.SCOPE_ASSET, "figure"),
                     (ld.SCOPE_ASSET, "caption")}


FOOTER_EXCEPTION = (
    '<html><body><article><p>On moss.</p><img src="/img/a.jpg" alt="a" width="600"></article>'
    f'<footer><p>Text is licensed under <a rel="license" href="{BY}">CC BY 4.0</a>; some images '
    f'are licensed under <a href="{BY_SA}">CC BY-SA 4.0</a>.</p></footer></body></html>')


def test_a_footer_exception_does_not_conflict_with_the_page_license() -> None:
    decision = page_decision(FOOTER_EXCEPTION)
    assert decision.reason == "allowed" and decision.evidence["spdx"] == "CC-BY-4.0"
    [exception] = grants(FOOTER_EXCEPTION, ld.SCOPE_ASSET)
    assert exception.assets == (ld.SOME_IMAGES,) and exception.part == "exception"
    assert spdx(exception) == "CC-BY-SA-4.0" and "exception" in exception.note


def _image(html: str, fallback: list[ld.LicenseEvidence], **rules: Any) -> Any:
    stated = ld.image_evidence(Selector(text=html), PAGE, "/img/a.jpg")
    decision, _ = license_gate.check(stated, fallback, make_policy(**rules), "research",
                                     kind="image")
    return decision


def test_a_footer_exception_narrows_the_page_license_for_images() -> None:
    page_license = [e for e in found(FOOTER_EXCEPTION) if e.channel == "html:a"]
    # the image is under the page's license or the exception's: they differ
    assert _image(FOOTER_EXCEPTION, page_license).reason == "license_conflict"
    resolved = _image(FOOTER_EXCEPTION, page_license, on_conflict="most_restrictive")
    assert resolved.reason == "allowed" and resolved.evidence["spdx"] == "CC-BY-SA-4.0"
    assert _image(FOOTER_EXCEPTION, []).reason == "license_missing"
    same = FOOTER_EXCEPTION.replace(BY_SA, BY)
    page_same = [e for e in found(same) if e.channel == "html:a"]
    assert _image(same, page_same).evidence["spdx"] == "CC-BY-4.0"


DISTILL_REUSE = (
    '<html><body><article><p>On moss.</p><figure><img src="/img/a.jpg" alt="a" width="600">'
    "<figcaption>Art © Scott Example.</figcaption></figure></article><dt-appendix><p>Diagrams "
    f'and text are licensed under Creative Commons Attribution <a href="{BY}">CC-BY 4.0</a> '
    "with the source available on GitHub, unless noted otherwise. The figures that have been "
    "reused from other sources don\u2019t fall under this license and can be recognized by the "
    "citations in their caption.</p></dt-appendix></body></html>")


def test_a_name_and_a_link_of_one_license_are_one_grant() -> None:
    decision = page_decision(DISTILL_REUSE)
    assert decision.reason == "allowed" and decision.evidence["spdx"] == "CC-BY-4.0"
    [link] = [e for e in found(DISTILL_REUSE) if e.channel == "html:cc-link"]
    assert link.role == ld.GRANT and link.scope == ld.SCOPE_PAGE


@pytest.mark.parametrize("name", ["Creative Commons Attribution-NonCommercial", "CC BY-SA 4.0"])
def test_a_name_of_another_license_beside_a_link_is_a_conflict(name: str) -> None:
    html = DISTILL_REUSE.replace("Creative Commons Attribution <a", f"{name} <a")
    [link] = [e for e in found(html) if e.channel == "html:cc-link"]
    assert link.role == ld.GRANT  # never dropped for the name beside it
    assert page_decision(html).reason == "license_conflict"


def test_images_taken_out_of_the_page_license_do_not_inherit_it() -> None:
    page_license = [e for e in found(DISTILL_REUSE) if e.channel == "html:cc-link"]
    decision = _image(DISTILL_REUSE, page_license)
    assert decision.reason == "license_missing" and "out of its license" in decision.sentence
    without = DISTILL_REUSE.replace(" The figures that have been reused from other sources "
                                    "don\u2019t fall under this license and can be recognized by "
                                    "the citations in their caption.", "")
    assert _image(without, page_license).evidence["spdx"] == "CC-BY-4.0"


@pytest.mark.parametrize("sentence", [
    "This license does not apply to images reused from other sources.",
    "Photos on this site are not licensed under CC BY 4.0.",
    "Von dieser Lizenz ausgenommen sind Abbildungen aus anderen Quellen.",
    "Le foto di altre fonti non sono coperte dalla licenza.",
    "As fotos de outras fontes não estão cobertas pela licença.",
])
def test_media_taken_out_in_another_paragraph_or_wording(sentence: str) -> None:
    html = (f'<html><body><article><p>{RUNNING}</p><img src="/img/a.jpg" alt="a" '
            f'width="600"></article><footer><p>Text is licensed under <a rel="license" '
            f'href="{BY}">CC BY 4.0</a>.</p><p>{sentence}</p></footer></body></html>')
    assert page_decision(html).evidence["spdx"] == "CC-BY-4.0"
    page_license = [e for e in found(html) if e.channel == "html:a"]
    assert _image(html, page_license).reason == "license_missing"


def test_media_taken_out_of_it_refer_to_the_license_named_before() -> None:
    html = (f'<html><body><article><p>{RUNNING}</p><img src="/img/a.jpg" alt="a" '
            f'width="600"></article><footer><p>Text is licensed under <a rel="license" '
            f'href="{BY}">CC BY 4.0</a>. Photos from other sources do not fall under it.</p>'
            "</footer></body></html>")
    page_license = [e for e in found(html) if e.channel == "html:a"]
    assert _image(html, page_license).reason == "license_missing"
    alone = html.replace(f'Text is licensed under <a rel="license" href="{BY}">CC BY 4.0</a>. ',
                         "Our licence page lists our sources. ")  # no license named before "it"
    assert not [e for e in found(alone) if e.part == "exception"]


def test_a_license_for_every_photo_does_not_reach_the_photos_taken_out_of_it() -> None:
    html = (f'<html><body><article><p>{RUNNING}</p><img src="/img/a.jpg" alt="a" '
            f'width="600"></article><footer><p>Photos on this blog are licensed under '
            f'<a href="{BY}">CC BY 4.0</a>. Photos reused from other sources are not covered '
            f"by this license.</p></footer></body></html>")
    assert _image(html, []).reason == "license_missing"
    kept = html.replace(" Photos reused from other sources are not covered by this license.",
                        "")
    assert _image(kept, []).evidence["spdx"] == "CC-BY-4.0"


def test_a_license_in_a_code_sample_is_that_codes() -> None:
    html = (f'<html><body><pre>% License: CC-BY-SA 4.0 {BY_SA}\n\\starttext</pre>'
            f'<footer><a rel="license" href="{BY}">CC BY 4.0</a></footer></body></html>')
    assert page_decision(html).evidence["spdx"] == "CC-BY-4.0"
    assert not [e for e in found(html) if e.scope == ld.SCOPE_PAGE and spdx(e) == "CC-BY-SA-4.0"
                and e.role == ld.GRANT]


def test_a_menu_link_whose_text_names_no_license_is_no_statement() -> None:
    links = "".join(f'<li class="link-item"><a class="link" href="/{w}">{w}</a></li>'
                    for w in ("about", "team", "privacy"))
    html = (f'<html><body><footer><ul>{links}<li class="link-item"><a class="link" '
            f'href="https://creativecommons.org/licenses/by-nc/4.0/deed.es">Creative Commons'
            f"</a></li></ul></footer></body></html>")
    assert grants(html) == []
    assert page_decision(html).reason == "license_missing"


def test_a_credit_for_another_work_is_not_the_page_license() -> None:
    html = ('<html><head><title>Warzone 2100</title></head><body><footer><p>"Twemoji" by '
            'Twitter is licensed under CC-BY 4.0. “FAQ” icon by Gilbert Bages is licensed '
            "under CC BY 3.0.</p></footer></body></html>")
    assert grants(html) == []
    assert {spdx(e) for e in grants(html, ld.SCOPE_OTHER)} == {"CC-BY-4.0", "CC-BY-3.0"}


def test_a_credit_naming_the_page_title_is_the_page() -> None:
    html = ('<html><head><title>Mosses of the North</title></head><body><footer><p>Mosses of '
            f'the North by Ann Example is licensed under <a href="{BY}">CC BY 4.0</a>.</p>'
            "</footer></body></html>")
    assert [spdx(e) for e in grants(html)] == ["CC-BY-4.0"]


def test_running_text_about_another_site_is_a_mention() -> None:
    html = (f"<html><head><title>Notes</title></head><body><p>{RUNNING} Wikipedia is licensed "
            f'under <a href="{BY_SA}">CC BY-SA 4.0</a>, as everyone knows.</p></body></html>')
    assert grants(html) == []


def test_running_text_naming_the_site_itself_is_a_grant() -> None:
    html = ('<html><head><title>BITS | Training</title></head><body><article><p>BITS wird '
            "herausgegeben von der Agentur und vielen Helfern, die seit Jahren daran "
            "arbeiten und es pflegen, erweitern und verbessern, damit Behörden es nutzen "
            "können, ohne dafür zu bezahlen oder Lizenzen zu kaufen, und damit alle davon "
            "profitieren. BITS ist kostenlos und steht unter der Lizenz "
            f'<a href="{BY_SA}">Creative Commons BY-SA 4.0</a>.</p></article></body></html>')
    assert [spdx(e) for e in grants(html)] == ["CC-BY-SA-4.0"]


def test_a_software_license_needs_a_sentence_about_the_page_content() -> None:
    html = ("<html><body><footer><p>Warzone ist lizenziert unter der GPLv2+ Lizenz.</p>"
            "<p>All website content is published under MIT (Expat) open-source license.</p>"
            "</footer></body></html>")
    assert [spdx(e) for e in grants(html)] == ["MIT"]
    assert {spdx(e) for e in found(html) if e.role == ld.MENTION} == {"GPL-2.0-or-later"}


def test_a_bare_footer_line_repeating_a_dataset_license_is_a_mention() -> None:
    html = ('<html lang="pl"><body><main><p>Zestaw danych demosceny jest udostępniany na '
            'licencji <a href="http://creativecommons.org/licenses/by-nc-sa/4.0/">Creative '
            "Commons (CC BY-NC-SA 4.0)</a>.</p></main><footer><span>CC BY-NC-SA 4.0; 2019-2024 "
            "Kronika</span></footer></body></html>")
    assert grants(html) == []
    assert [spdx(e) for e in grants(html, ld.SCOPE_OTHER)] == ["CC-BY-NC-SA-4.0"]


def test_a_grant_sentence_broken_by_a_line_break() -> None:
    html = ('<html><body><footer><div>Alle Texte stehen unter<br><a href="http://'
            'creativecommons.org/licenses/by-nc-sa/3.0/de/">CC BY-NC-SA 3.0 DE</a> '
            "(nicht-kommerziell)</div></footer></body></html>")
    assert [spdx(e) for e in grants(html)] == ["CC-BY-NC-SA-3.0-DE"]
