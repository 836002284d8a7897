"""Pack files: locators, roll-over to a new pack, and erasing a range."""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import pytest

from crawler.storage import packs
from crawler.storage.packs import Locations, PackWriter, erase, locator, split_locator


@pytest.mark.parametrize(("path", "split"), [
    ("packs/ab-0.pack#12:34", ("packs/ab-0.pack", 12, 34)),
    ("items/h/u/s/content.html", ("items/h/u/s/content.html", 0, None)),
    ("packs/ab-0.pack#12", ("packs/ab-0.pack#12", 0, None)),  # not a locator: a name
    ("packs/ab-0.pack#-1:3", ("packs/ab-0.pack#-1:3", 0, None)),
])
def test_locators_split_into_file_offset_and_length(path: str, split: tuple) -> None:
    assert split_locator(path) == split
    if split[2] is not None:
        assert locator(Path(split[0]).name, split[1], split[2]) == path


def test_appends_follow_each_other_and_roll_over_past_the_limit(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path / "packs", "w", fsync=True)
    first = writer.append([b"aaaa", b"bb"])
    assert [split_locator(p) for p in first] == [("packs/w-0.pack", 0, 4),
                                                 ("packs/w-0.pack", 4, 2)]
    with mock.patch.object(packs, "PACK_LIMIT", 10):
        second = writer.append([b"cccccc"])  # 6 + 6 > 10: a new pack
        big = writer.append([b"d" * 50])  # larger than the limit: alone in a new pack
    writer.close()
    assert split_locator(second[0]) == ("packs/w-1.pack", 0, 6)
    assert split_locator(big[0]) == ("packs/w-2.pack", 0, 50)
    assert (tmp_path / "packs/w-0.pack").read_bytes() == b"aaaabb"


@pytest.mark.parametrize("punch", [True, False])
def test_erase_leaves_zeros_and_the_neighbours(tmp_path: Path, punch: bool) -> None:
    path = tmp_path / "p.pack"
    path.write_bytes(b"keep" + b"x" * 5000 + b"tail")
    with contextlib.nullcontext() if punch else \
            mock.patch.object(packs, "punch_hole", return_value=False):
        erase(path, 4, 5000, fsync=True)
    assert path.read_bytes() == b"keep" + bytes(5000) + b"tail"


@pytest.mark.parametrize(("content", "sidecar"), [
    ("packs/ab-0.pack#0:14", "packs/ab-0.pack#14:300"),  # kept as one integer
    ("packs/ab-3.pack#1073741000:900", "packs/ab-3.pack#1073741900:4000"),
    ("packs/ab-0.pack#0:14", "packs/cd-0.pack#14:300"),  # apart: kept as written
    ("packs/ab-0.pack#0:14", "packs/ab-0.pack#20:300"),
    ("items/h/u/s/content.html", "items/h/u/s/content.html.license.json"),  # format 2
])
def test_locations_give_back_what_was_noted(content: str, sidecar: str) -> None:
    where = Locations()
    where.add(7, content, sidecar)
    where.add(7, "packs/other-0.pack#0:1", "packs/other-0.pack#1:1")  # the first stays
    assert 7 in where and where.get(7) == (content, sidecar)
    where.pop(7)
    assert 7 not in where and where.get(7) is None
