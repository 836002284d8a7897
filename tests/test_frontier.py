"""The frontier's queue: requests in memory up to a budget shared by every queue of the
crawl, then on disk behind them, first in first out across the two; what is in memory
goes to disk when the queue closes, so a resumed run finds it there."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.scrapy_adapters.frontier import MemoryHeadQueue


def _crawler(memory: int) -> object:
    return get_crawler(settings_dict={"COMPLIANCE_FRONTIER_MEMORY": memory})


def _urls(queue: MemoryHeadQueue) -> list[str]:
    out = []
    while (request := queue.pop()) is not None:
        out.append(request.url)
    return out


def _chunks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_queue_within_the_budget_never_touches_the_disk(tmp_path: Path) -> None:
    queue = MemoryHeadQueue.from_crawler(_crawler(10), str(tmp_path / "q"))
    for n in range(5):
        queue.push(Request(f"http://a.test/{n}"))
    assert len(queue) == 5 and queue.peek().url == "http://a.test/0"
    assert not (tmp_path / "q").exists()
    assert _urls(queue) == [f"http://a.test/{n}" for n in range(5)]
    queue.close()
    assert not (tmp_path / "q").exists()


def test_past_the_budget_requests_queue_on_disk_behind_the_ones_in_memory(
        tmp_path: Path) -> None:
    crawler = _crawler(3)
    first = MemoryHeadQueue.from_crawler(crawler, str(tmp_path / "a"))
    second = MemoryHeadQueue.from_crawler(crawler, str(tmp_path / "b"))  # shares the budget
    first.push(Request("http://a.test/0"))
    first.push(Request("http://a.test/1"))
    for n in range(4):
        second.push(Request(f"http://b.test/{n}"))
    assert _chunks(tmp_path / "b") and not (tmp_path / "a").exists()
    # b/0 took the last place in memory; the rest waits on disk
    assert second.pop().url == "http://b.test/0"
    second.push(Request("http://b.test/4"))  # older ones wait on disk: it goes behind them
    assert _urls(second) == [f"http://b.test/{n}" for n in range(1, 5)]
    assert _urls(first) == ["http://a.test/0", "http://a.test/1"]
    # memory given back: the next requests stay in memory again
    first.push(Request("http://a.test/2"))
    assert len(first) == 1 and not (tmp_path / "a").exists()


def test_closing_puts_memory_on_disk_for_a_resumed_run(tmp_path: Path) -> None:
    key = str(tmp_path / "q")
    queue = MemoryHeadQueue.from_crawler(_crawler(2), key)
    for n in range(4):
        queue.push(Request(f"http://a.test/{n}", meta={"depth": n}))
    queue.close()
    resumed = MemoryHeadQueue.from_crawler(_crawler(2), key)  # a new run, same JOBDIR
    assert len(resumed) == 4
    urls = _urls(resumed)
    assert sorted(urls) == [f"http://a.test/{n}" for n in range(4)]
    resumed.close()


def test_meta_that_is_not_plain_data_is_refused_where_it_would_go_to_disk(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    queue = MemoryHeadQueue.from_crawler(_crawler(1), str(tmp_path / "q"))
    queue.push(Request("http://a.test/0", meta={"object": object()}))  # in memory
    with pytest.raises(ValueError):
        queue.push(Request("http://a.test/1", meta={"object": object()}))
    assert len(queue) == 1
    queue.close()  # the one in memory cannot be kept: logged, not raised
    assert "1 waiting request(s) not kept for a resumed run" in caplog.text
