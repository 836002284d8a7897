"""Where a body is read: on the calling (reactor) thread when small, in a worker thread
when large, so a huge page does not hold up other sites and an ordinary one costs no
hand-over between threads."""

from __future__ import annotations

import asyncio
import threading

from crawler.scrapy_adapters.offload import INLINE_BYTES, read_body


def _where(size: int) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        here = threading.get_ident()
        return here, await read_body(size, threading.get_ident)

    return asyncio.run(run())


def test_a_small_body_is_read_on_the_calling_thread() -> None:
    here, there = _where(INLINE_BYTES)
    assert there == here


def test_a_large_body_is_read_in_a_worker_thread() -> None:
    here, there = _where(INLINE_BYTES + 1)
    assert there != here
