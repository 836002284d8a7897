"""Group commit for the store pipeline: items that passed the gates wait a moment (at
most :data:`GROUP_WAIT` seconds, or until :data:`GROUP_SIZE` have gathered) and are then
committed together, in a worker thread, with one set of barriers for all of them
(:meth:`crawler.storage.local.LocalStore.put_many`), instead of several fsyncs each.

An item counts as stored only when its group is durable: its ``store`` ledger line is
written, and its pipeline call returns, after the group's commit returned. One group is
committed at a time (a store object is not shared between threads at once); items that
arrive meanwhile form the next group, committed as soon as the one before is durable.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from scrapy.utils.asyncio import CallLaterResult, call_later
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawler.items import CorpusItem
from crawler.policy.model import SitePolicy
from crawler.scrapy_adapters.effects import Effects
from crawler.storage.base import Committed, Store, StoreError, StoreItem

#: a group is committed once this many items wait, or ...
GROUP_SIZE = 64
#: ... this many seconds after its first item arrived
GROUP_WAIT = 0.05
#: the GIL switch interval while a group is committed (Python's default is 0.005 s)
COMMIT_SWITCH_INTERVAL = 0.0002


class _ShortSwitchInterval:
    """The short interval while any group commit runs: two crawls in one process may
    commit at once, so the first commit to start keeps the interval it found and the last
    to end puts it back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved = sys.getswitchinterval()

    def __enter__(self) -> None:
        with self._lock:
            if not self._running:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, COMMIT_SWITCH_INTERVAL))
            self._running += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._running -= 1
            if not self._running:
                sys.setswitchinterval(self._saved)


_short_switch_interval = _ShortSwitchInterval()


def commit_group(store: Store, items: Sequence[StoreItem]) -> list[Committed | StoreError]:
    """``store.put_many(items)``, run in the commit thread with a short GIL switch interval.

    The commit makes a dozen system calls per item and takes the GIL back after each; with
    Python's 5 ms interval each of those waits behind the busy reactor thread, and the
    store, not the downloads, set the pace of a crawl (``bench/throughput.py``)."""
    with _short_switch_interval:
        return store.put_many(items)


@dataclass
class _Waiting:
    item: CorpusItem
    policy: SitePolicy
    stored: StoreItem
    done: Deferred[Committed]


class GroupCommitter:
    def __init__(self, effects: Effects, size: int = GROUP_SIZE, wait: float = GROUP_WAIT):
        self.effects, self.size, self.wait = effects, size, wait
        self._waiting: list[_Waiting] = []
        self._busy = False
        self._call: CallLaterResult | None = None

    def commit(self, item: CorpusItem, policy: SitePolicy) -> Deferred[Committed]:
        """The item's commit, fired when its group is durable (errback: StoreError)."""
        done: Deferred[Committed] = Deferred()
        self._waiting.append(_Waiting(item, policy, self.effects.to_store(item, policy), done))
        if self._busy:
            return done  # the commit under way takes it on when it ends
        if len(self._waiting) >= self.size:
            self._schedule(0)  # a full group goes at once, whatever wait was scheduled
        elif self._call is None:
            self._schedule(self.wait)
        return done

    def _schedule(self, delay: float) -> None:
        if self._call is not None:
            self._call.cancel()
        self._call = call_later(delay, self._flush)

    def _flush(self) -> None:
        self._call = None
        if self._busy or not self._waiting:
            return
        group, self._waiting = self._waiting[:self.size], self._waiting[self.size:]
        self._busy = True
        committing = deferToThread(commit_group, self.effects.store, [w.stored for w in group])
        committing.addBoth(self._committed, group)

    def _committed(self, results: list[Committed | StoreError] | Failure,
                   group: list[_Waiting]) -> None:
        self._busy = False
        if isinstance(results, Failure):  # the store raised instead of answering per item
            results = [StoreError(f"group commit failed: {results.value!r}")] * len(group)
        for waiting, result in zip(group, results, strict=True):
            try:
                committed = self.effects.stored_as(waiting.item, waiting.policy,
                                                   waiting.stored, result)
            except StoreError as exc:
                waiting.done.errback(Failure(exc))
            else:
                waiting.done.callback(committed)
        if self._waiting:  # they waited during that commit: the next group goes at once
            self._schedule(0)
