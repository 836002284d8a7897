"""The crawl frontier's queue (Scrapy's ``SCHEDULER_DISK_QUEUE``): a head in memory, the
rest on disk.

Breadth-first order keeps a large frontier, so waiting requests go to disk
(``COMPLIANCE_DISK_FRONTIER``, or a ``JOBDIR`` of the operator's). Most of the time,
though, the queue of one site at one depth holds a few requests, and Scrapy's priority
queues open a disk queue (a directory, a chunk file, an info file) whenever one gets its
first request and remove it whenever it runs dry: file-system work every few requests, on
top of serializing every one (``bench/throughput.py``). This queue keeps requests in memory
up to a budget shared by all the crawl's queues (``COMPLIANCE_FRONTIER_MEMORY``
requests), and only past it queues them on disk in Scrapy's marshal queue, behind the
ones in memory (first in, first out as before); memory stays bounded however large the
frontier grows.

When the scheduler closes a queue (it ran dry, or the run ends or is stopped), what is
still in memory goes to disk, so a resumable run (``--resume``) loses no request; their
order within one depth may change. A request whose meta is not plain data is refused
where it would go to disk, and the scheduler keeps it in its memory queue instead
(``scheduler/unserializable``), as before.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections import deque

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import MarshalFifoDiskQueue

logger = logging.getLogger(__name__)


class _Budget:
    """How many more requests the crawl's queues may keep in memory."""

    def __init__(self, size: int):
        self.free = size


_BUDGETS: weakref.WeakKeyDictionary[Crawler, _Budget] = weakref.WeakKeyDictionary()


class MemoryHeadQueue:
    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str) -> MemoryHeadQueue:
        budget = _BUDGETS.get(crawler)
        if budget is None:
            budget = _BUDGETS[crawler] = _Budget(
                crawler.settings.getint("COMPLIANCE_FRONTIER_MEMORY"))
        return cls(crawler, key, budget)

    def __init__(self, crawler: Crawler, key: str, budget: _Budget):
        self._crawler, self._key, self._budget = crawler, key, budget
        self._head: deque[Request] = deque()
        #: the part on disk: opened when the head is full, or left by the run resumed
        self._disk: MarshalFifoDiskQueue | None = (
            self._open_disk() if os.path.exists(key) else None)

    def _open_disk(self) -> MarshalFifoDiskQueue:
        return MarshalFifoDiskQueue.from_crawler(self._crawler, self._key)

    def push(self, request: Request) -> None:
        if self._budget.free > 0 and not self._disk:  # nothing older waits on disk
            self._head.append(request)
            self._budget.free -= 1
            return
        if self._disk is None:
            self._disk = self._open_disk()
        self._disk.push(request)  # ValueError for meta that is not plain data

    def pop(self) -> Request | None:
        if self._head:
            self._budget.free += 1
            return self._head.popleft()
        return self._disk.pop() if self._disk is not None else None

    def peek(self) -> Request | None:
        if self._head:
            return self._head[0]
        return self._disk.peek() if self._disk is not None else None

    def __len__(self) -> int:
        return len(self._head) + (len(self._disk) if self._disk is not None else 0)

    def close(self) -> None:
        """Put what is still in memory on disk (for a resumed run), and close the disk part."""
        if self._head:
            disk = self._disk = self._disk if self._disk is not None else self._open_disk()
            lost = 0
            while self._head:
                self._budget.free += 1
                try:
                    disk.push(self._head.popleft())
                except ValueError:
                    lost += 1
            if lost:
                logger.warning("%d waiting request(s) not kept for a resumed run: their meta "
                               "is not plain data", lost)
        if self._disk is not None:
            self._disk.close()
