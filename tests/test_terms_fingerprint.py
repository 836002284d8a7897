"""The terms fingerprint: a new date, a new menu or other whitespace leave it as it was; a
changed sentence changes it (crawler/signals/terms.py)."""

from __future__ import annotations

import pytest

from crawler.signals.terms import (
    MAX_TERMS_BYTES,
    fingerprint,
    main_text,
    normalise,
    read_terms,
)

URL = "https://docs.example.org/terms"
CLAUSES = (
    "These terms govern your use of the Example documentation site. By using the site you "
    "agree to them in full.",
    "You may copy and adapt the texts for research purposes, provided that you credit the "
    "authors and link to the original page.",
    "Automated access is permitted at a modest rate that does not impair the service for "
    "other visitors of the site.",
    "The site is provided as is, without any warranty of any kind, to the extent permitted "
    "by the applicable law.",
)


def terms_html(stamp: str = "Last updated: 1 December 2026", menu: tuple[str, ...] = (
        "Home", "Docs", "Blog"), clauses: tuple[str, ...] = CLAUSES, sep: str = "\n") -> bytes:
    """A terms page as sites write them: a menu, a date stamp, clauses, a footer."""
    items = "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in menu)
    body = sep.join(f"<h2>{i}. Clause</h2>{sep}<p>{c}</p>" for i, c in enumerate(clauses, 1))
    return (f"<html><head><title>Terms of Use</title></head><body>{sep}"
            f'<header><nav class="menu"><ul>{items}</ul></nav></header>{sep}'
            f"<main><article><h1>Terms of Use</h1>{sep}<p><em>{stamp}</em></p>{sep}{body}"
            f"</article></main>{sep}<footer><p>© 2019-2026 Example Ltd</p>"
            '<a href="/imprint">Imprint</a></footer></body></html>').encode()


def fp(page: bytes) -> str | None:
    return read_terms(page, URL).fingerprint


def test_the_fingerprint_is_sha256_of_the_normalised_main_text() -> None:
    found = fp(terms_html())
    assert found is not None and found.startswith("sha256:") and len(found) == 7 + 64
    assert found == fingerprint(main_text(terms_html(), URL) or "")


@pytest.mark.parametrize("stamp", [
    "Last updated: 2 January 2027",
    "Last updated: January 2, 2027",
    "Last updated: 2027-01-02",
    "Last updated: 2027-01-02T09:15:00Z",
    "Last updated: 02.01.2027",
    "Last updated: 01/02/2027",
    "Last revised on Saturday, January 2nd, 2027 at 9:15 am",
    "Effective as of 2 Jan. 2027",
    "Stand: 2. Januar 2027",
    "Zuletzt aktualisiert am 02.01.2027",
    "Dernière mise à jour : 2 janvier 2027",
    "Mis à jour le 1er février 2027",
    "Última actualización: 2 de enero de 2027",
    "Actualizado el 02/01/2027",
    "",
])
def test_a_new_date_is_no_change(stamp: str) -> None:
    assert fp(terms_html(stamp)) == fp(terms_html())


def test_a_new_menu_item_is_no_change() -> None:
    assert fp(terms_html(menu=("Home", "Docs", "Blog", "Shop", "Careers"))) == fp(terms_html())
    assert fp(terms_html(menu=())) == fp(terms_html())


def test_whitespace_and_case_are_no_change() -> None:
    spaced = terms_html(sep="\n\n   \t", clauses=tuple(c.replace(" ", "  ") for c in CLAUSES))
    assert fp(spaced) == fp(terms_html())
    assert normalise("Terms  OF\nUse") == normalise("terms of use")


@pytest.mark.parametrize("clauses", [
    (*CLAUSES[:2], CLAUSES[2].replace("is permitted", "is not permitted"), CLAUSES[3]),
    (*CLAUSES[:1], CLAUSES[1].replace("research purposes", "any purpose"), *CLAUSES[2:]),
    CLAUSES[:3],  # a clause removed
    (*CLAUSES, "Training machine-learning models on the texts of this site is prohibited."),
])
def test_a_changed_sentence_is_a_change(clauses: tuple[str, ...]) -> None:
    assert fp(terms_html(clauses=clauses)) != fp(terms_html())


def test_a_number_that_is_no_date_still_counts() -> None:
    """Clause numbers, amounts and a modal "may" before a number stay in the text."""
    assert normalise("see clause 4.2.10") != normalise("see clause 4.2.11")
    assert normalise("a fee of 1200 EUR") != normalise("a fee of 2400 EUR")
    assert normalise("we may 2000 times") != normalise("we may 3000 times")


@pytest.mark.parametrize(("text", "expected"), [
    ("Last updated: 1 December 2026", ""),
    ("These terms were last updated on December 1, 2026.", "these terms were ."),
    ("Stand: 01.12.2026 (gültig ab 1. Januar 2027)", ""),
    ("Version du 1er décembre 2026", ""),
    ("Fecha de entrada en vigor: 1 de diciembre de 2026", ""),
    ("Copyright © 2019\u20132026 Example", "copyright example"),  # an en dash
    ("Published in December 2026 and May 2026", "published in and may 2026"),
])
def test_dates_and_their_labels_are_removed(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_a_page_without_main_text_has_no_fingerprint() -> None:
    for body in (b"", b"<html><body></body></html>", b"\x00\xff\xfe binary"):
        reading = read_terms(body, URL)
        assert reading.fingerprint is None and reading.problem


def test_the_size_a_terms_page_is_read_to_is_the_control_file_limit() -> None:
    from crawler.scrapy_adapters.control import MAX_SIZE

    assert MAX_TERMS_BYTES == MAX_SIZE
