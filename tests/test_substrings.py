"""Fixed strings found in one pass: the same places repeated ``find`` calls give."""

from __future__ import annotations

from crawler.signals.substrings import Needles, occurrences


def finds(text: str, needle: str) -> list[int]:
    found, pos = [], text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + len(needle))
    return found


def test_occurrences_are_those_repeated_finds_give() -> None:
    text = "licence, Licence; licenlicen <script>licen</script> lizenz licen"
    for low, needle in ((text.lower().encode(), b"licen"), (text.lower(), "licen")):
        expected = finds(low, needle)  # type: ignore[arg-type]
        assert occurrences(low, needle) == expected and len(expected) == 6
        assert occurrences(low, needle, 10) == [p for p in expected if p >= 10]
    assert occurrences(b"aaaa", b"aa") == [0, 2]  # each past the one before
    assert occurrences(b"abc", b"x") == [] and occurrences(b"", b"x") == []


def test_needles_start_where_each_ones_finds_do() -> None:
    needles = Needles(["cc", "creative commons", "cc by", "表示", "ライセンス"])
    text = "ccc-sa, creative commons; CC BY 表示 4.0 ライセンス accc"
    low = text.lower()
    expected = sorted({p for w in needles.words for p in finds(low, w)})
    assert needles.starts(low) == expected
    assert 1 not in needles.starts(low)  # "cc" again inside the "cc" before it: not a start
    assert needles.starts(low).count(26) == 1  # "cc" and "cc by" start there: one place
    assert needles.found_in("a 表示 b") and not needles.found_in("nothing here")


def test_no_needles_find_nothing() -> None:
    empty = Needles(["", ""])
    assert empty.words == () and not empty.found_in("cc") and empty.starts("cc") == []
