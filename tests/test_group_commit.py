"""When a group commit starts (a real asyncio reactor and a real local store, in a
subprocess so the reactor is this test's own): a full group at once, whatever wait was
scheduled for its first item, and the items that arrived during a commit as soon as it
is durable, not a whole wait later."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.jsonl import read_jsonl

SCRIPT = r'''
import hashlib, json, sys, time
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import defer, reactor
from crawler.scrapy_adapters.group_commit import GroupCommitter
from crawler.storage.base import StoreItem
from crawler.storage.local import LocalStore

WAIT = 30.0  # far longer than the test may take: nothing may wait for it


class Effects:
    """What the committer asks of the crawl's effects: the store, the stored form of an
    item (here the item is one already) and what its result means."""
    def __init__(self, store):
        self.store = store
    def to_store(self, item, policy):
        return item
    def stored_as(self, item, policy, stored, result):
        if isinstance(result, Exception):
            raise result
        return result


def item(n):
    body = f"<html>{n}</html>".encode()
    digest = hashlib.sha256(body).hexdigest()
    url = f"http://a.example/{n}"
    return StoreItem(url=url, host="a.example", kind="page", content=body,
                     content_type="text/html", sha256=digest,
                     sidecar={"url": url, "sha256": digest})


async def main():
    store = LocalStore(sys.argv[1])
    committer = GroupCommitter(Effects(store), size=2, wait=WAIT)
    start = time.monotonic()
    first = [committer.commit(item(n), None) for n in range(2)]  # full: goes at once
    third = committer.commit(item(2), None)  # arrives during that commit
    done = {}
    for n, d in enumerate([*first, third]):
        await d
        done[n] = round(time.monotonic() - start, 3)
    store.close()
    print(json.dumps(done))


def run():
    d = defer.ensureDeferred(main())
    d.addErrback(lambda f: (print(f.getTraceback(), file=sys.stderr), sys.exit(1)))
    d.addBoth(lambda _: reactor.stop())


reactor.callWhenRunning(run)
reactor.run()
'''


def test_full_groups_and_the_next_group_do_not_wait(tmp_path: Path) -> None:
    store = tmp_path / "corpus"
    try:
        proc = subprocess.run([sys.executable, "-c", SCRIPT, str(store)], capture_output=True,
                              text=True, timeout=25)  # less than the 30 s wait
    except subprocess.TimeoutExpired:
        pytest.fail("the items waited for the group wait instead of being committed")
    assert proc.returncode == 0, proc.stderr[-3000:]
    done = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(done) == ["0", "1", "2"] and max(done.values()) < 5, done
    assert sorted(e["url"] for e in read_jsonl(store / "manifest.jsonl")) == [
        f"http://a.example/{n}" for n in range(3)]
