# ruff: noqa: RUF001
"""The license phrase table: the data file loads, every required language is in it, a broken
file fails naming the language and the key, and the lexicons find phrases the way the grammar
relies on (whole words, leftmost-longest, CJK anywhere, spaced Korean)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crawler.signals import license_phrases as lp

REQUIRED = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "ja", "zh", "ko")


def test_the_data_file_is_package_data_next_to_the_module() -> None:
    assert lp.DATA_FILE.is_file()
    assert lp.DATA_FILE.parent.name == "data"
    assert lp.DATA_FILE.parent.parent == Path(lp.__file__).resolve().parent


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_required_language_has_names_grants_and_scope_words(lang: str) -> None:
    data = yaml.safe_load(lp.DATA_FILE.read_text(encoding="utf-8"))["languages"][lang]
    assert set(data["elements"]) == {"by", "nc", "nd", "sa"}
    assert data["cc"] and data["license"] and data["except_noted"]
    assert data.get("before") or data.get("after")
    assert {"page", "images", "video", "code", "other"} <= set(data["scope"])


def test_the_table_is_loaded_once() -> None:
    assert lp.phrases() is lp.phrases()
    assert set(REQUIRED) <= set(lp.phrases().languages)


def _write(tmp_path: Path, languages: object) -> Path:
    path = tmp_path / "phrases.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "languages": languages}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("entry", "message"), [
    ({"script": "klingon"}, "'script'"),
    ({"script": "latin", "before": "licensed under"}, "'before': expected a list"),
    ({"script": "latin", "hedges": [False]}, "quote yes/no"),
    ({"script": "latin", "verbs": ["x"]}, "'verbs': unknown key"),
    ({"script": "latin", "scope": {"pictures": ["x"]}}, "unknown entry 'pictures'"),
    ({"script": "latin", "elements": {"xx": ["x"]}}, "unknown entry 'xx'"),
    ({"script": "latin", "ports": {"zz": ["Zedland"]}}, "not a CC jurisdiction"),
    ({"script": "latin", "head": "middle"}, "'head'"),
    ({"script": "latin", "fillers": ["x" * 200]}, "longer than"),
])
def test_a_broken_file_names_the_language_and_the_key(tmp_path: Path, entry: dict[str, object],
                                                      message: str) -> None:
    with pytest.raises(lp.PhraseDataError, match="language 'xx'") as err:
        lp.load(_write(tmp_path, {"xx": entry}))
    assert message in str(err.value)


def test_a_broken_file_structure_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("version: 2\nlanguages: {}\n")
    with pytest.raises(lp.PhraseDataError, match="version: 1"):
        lp.load(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text("version: 1\nlanguages: [a, b]\n")
    with pytest.raises(lp.PhraseDataError, match="non-empty mapping"):
        lp.load(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text("version: 1\nlanguages: {x: [\n")
    with pytest.raises(lp.PhraseDataError, match="not valid YAML"):
        lp.load(tmp_path / "bad.yaml")
    with pytest.raises(lp.PhraseDataError, match="not a language code"):
        lp.load(_write(tmp_path, {"English": {"script": "latin"}}))


def test_a_minimal_language_loads(tmp_path: Path) -> None:
    table = lp.load(_write(tmp_path, {"eo": {
        "script": "latin", "cc": ["Creative Commons"], "before": ["permesilo de"],
        "scope": {"page": ["enhavo"], "images": ["bildoj"]}}}))
    assert table.languages == ("eo",)
    assert [(h.start, h.end) for h in table.before.finditer("ĉi tiu permesilo de CC")] \
        == [(7, 19)]
    assert table.scope.value("Bildoj") == "images"


def test_phrases_match_whole_words_only_and_longest_first() -> None:
    p = lp.phrases()
    text = "Texts are released under the terms; unreleased under-the-hood"
    assert [text[h.start:h.end] for h in p.before.finditer(text)] == ["released under"]
    hits = p.except_noted.finditer("Unless otherwise noted, all is fine")
    assert [h.key for h in hits] == ["unless otherwise noted"]
    assert p.scope.value("source code") == "code"


def test_a_lexicons_grouped_alternation_matches_as_the_plain_one() -> None:
    """The grouped alternation (by first letter) finds what the phrases' plain alternation,
    longest first, finds: in every phrase of every lexicon, alone, after another phrase and
    in running text with other letters' phrases before it."""
    p = lp.phrases()
    for name in ("elements", "license", "version", "where", "cc", "zero", "mark", "credit"):
        lex = getattr(p, name)
        plain = re.compile("|".join(f"{left}{''.join(pieces)}{right}"
                                    for left, pieces, right in lex._parts), re.IGNORECASE)
        grouped = lex.regex
        assert grouped.pattern != plain.pattern and "(?=" in grouped.pattern
        keys = list(lex.values)
        texts = [*keys, *(k.upper() for k in keys), " ".join(keys),
                 *(f"{a} {b}." for a, b in zip(keys, reversed(keys), strict=True))]
        for text in texts:
            assert [m.span() for m in grouped.finditer(text)] == \
                [m.span() for m in plain.finditer(text)], (name, text)


def test_cjk_phrases_match_anywhere_and_korean_spacing_is_flexible() -> None:
    p = lp.phrases()
    text = "本博客所有文章除特别声明外，均采用"
    assert [text[h.start:h.end] for h in p.except_noted.finditer(text)] == ["除特别声明外"]
    korean = "라이선스에   따라 이용할 수 있습니다"
    assert [h.key for h in p.after.finditer(korean)] == ["에 따라 이용할 수 있습니다"]


def test_norm_is_the_lookup_key() -> None:
    assert lp.norm("  Pas d’Utilisation  Commerciale ") == "pas d'utilisation commerciale"
    assert lp.norm("Namensnennung – Nicht kommerziell") == "namensnennung-nicht kommerziell"


def test_markers_in_every_page_and_per_language() -> None:
    p = lp.phrases()
    assert "licen" in p.markers and "cc0" in p.markers
    assert "иценз" in p.lang_markers["ru"] and "lizen" in p.lang_markers["de"]
