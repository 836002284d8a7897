"""When a leased request is done: its answer handled by the spider, and every item that
came of it through the pipelines (stored, or dropped with its ledger line).

Pure bookkeeping: the Scrapy side tells it when a response's output starts and ends and
when each of its items is yielded and settled; ``finish`` is called once per lease, when
the output has ended and no item is still on its way.
"""

from __future__ import annotations

from collections.abc import Callable


class Completion:
    def __init__(self, finish: Callable[[str], None]):
        self._finish = finish
        self._items: dict[str, int] = {}  # lease -> items on their way
        self._open: set[str] = set()  # leases whose output is still being read

    def output_started(self, lease: str) -> None:
        self._open.add(lease)

    def item_yielded(self, lease: str) -> None:
        self._items[lease] = self._items.get(lease, 0) + 1

    def item_settled(self, lease: str) -> None:
        left = self._items.get(lease, 0) - 1
        if left > 0:
            self._items[lease] = left
            return
        self._items.pop(lease, None)
        self._maybe_finish(lease)

    def output_ended(self, lease: str) -> None:
        self._open.discard(lease)
        self._maybe_finish(lease)

    def _maybe_finish(self, lease: str) -> None:
        if lease not in self._open and lease not in self._items:
            self._finish(lease)

    def pending(self) -> int:
        """Leases with output or items still on their way."""
        return len(self._open | set(self._items))
