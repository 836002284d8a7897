"""What a JOBDIR says about the run that used it (:mod:`crawler.resume`): a directory its
run closed is resumed as it is; one a killed (or failed) run left open is cleared of
Scrapy's state."""

from __future__ import annotations

import json
from pathlib import Path

from crawler import resume


def _scrapy_state(jobdir: Path) -> None:
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "requests.queue" / "active.json").write_text("[]")
    (jobdir / "requests.seen").write_text("0123abcd\n")


def test_a_new_directory_holds_no_run(tmp_path: Path) -> None:
    assert resume.begin(str(tmp_path / "job"), "run1") == resume.Resumed(None, False)
    assert (tmp_path / "job").is_dir()


def test_a_closed_run_is_resumed_with_its_state(tmp_path: Path) -> None:
    _scrapy_state(tmp_path)
    resume.begin(str(tmp_path), "run1")
    resume.end(str(tmp_path), "run1")
    assert resume.begin(str(tmp_path), "run2") == resume.Resumed("run1", False)
    assert (tmp_path / "requests.seen").read_text() == "0123abcd\n"
    assert (tmp_path / "requests.queue" / "active.json").is_file()


def test_a_run_left_open_is_started_again_without_scrapys_state(tmp_path: Path) -> None:
    resume.begin(str(tmp_path), "run1")  # and then killed: no end()
    _scrapy_state(tmp_path)
    (tmp_path / "spider.state").write_bytes(b"kept")
    assert resume.begin(str(tmp_path), "run2") == resume.Resumed("run1", True)
    assert not (tmp_path / "requests.seen").exists()
    assert not (tmp_path / "requests.queue").exists()
    assert (tmp_path / "spider.state").read_bytes() == b"kept"
    # a run that fails before it closes the directory, for any reason, leaves it open
    assert resume.begin(str(tmp_path), "run3") == resume.Resumed("run2", True)


def test_a_file_of_an_earlier_version_or_a_broken_one(tmp_path: Path) -> None:
    _scrapy_state(tmp_path)
    (tmp_path / resume.RUN_FILE).write_text(json.dumps({"run_id": "old"}))
    assert resume.begin(str(tmp_path), "run1") == resume.Resumed("old", False)
    (tmp_path / resume.RUN_FILE).write_text("{not json")
    assert resume.begin(str(tmp_path), "run2") == resume.Resumed(None, False)
    assert (tmp_path / "requests.seen").exists()
