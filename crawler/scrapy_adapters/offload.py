"""Where the reading of a body (parse, license scan, link extraction) runs: on the reactor
thread when the body is small, in a worker thread when it is large.

lxml lets go of the GIL while it parses and runs XPath, so a huge page read in a thread
does not hold up the other sites. An ordinary page is read in about a millisecond, and
then the thread costs more than it saves: each hand-over waits for the GIL, and while a
page waits for its turn in the pool its response, and the tasks Scrapy keeps for its
output, stay alive, so under load hundreds of pages pile up and the garbage collector
walks them all, again and again (measured with ``bench/throughput.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from scrapy.utils.asyncio import run_in_thread

#: bodies up to this many bytes are read on the reactor thread (a few milliseconds at most)
INLINE_BYTES = 128 * 1024

P = ParamSpec("P")
T = TypeVar("T")


async def read_body(size: int, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``read(*args, **kwargs)`` for a body of ``size`` bytes: at once when it is small,
    in a worker thread when it is large."""
    if size <= INLINE_BYTES:
        return read(*args, **kwargs)
    return await run_in_thread(read, *args, **kwargs)
