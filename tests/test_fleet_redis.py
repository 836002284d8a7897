"""The fleet's Redis parts against a real redis-server: the leased queue, the shared
politeness budgets, the run membership; and the pure pieces beside them."""

from __future__ import annotations

import itertools
import json
import re
import time

import pytest
from redisserver import RedisServer
from scrapy import Request
from scrapy.utils.request import request_from_dict

from crawler.fleet import serializer
from crawler.fleet.completion import Completion
from crawler.fleet.connect import FleetUnavailable, connect
from crawler.fleet.keys import RunKeys
from crawler.fleet.limiter import RedisLimiter
from crawler.fleet.membership import Membership
from crawler.fleet.merge import merge_stats
from crawler.fleet.queue import LeasedQueue, SeenHere
from crawler.fleet.shared_files import RawAnswer, SharedFiles
from crawler.politeness import site_key


def alive(server: RedisServer, keys: RunKeys, *workers: str) -> None:
    for worker in workers:
        server.client().set(keys.alive(worker), "1", px=60_000)


def test_taking_leases_and_a_dead_workers_leases_go_back(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    a = LeasedQueue(redis_server.client(), keys, "a")
    b = LeasedQueue(redis_server.client(), keys, "b")
    alive(redis_server, keys, "a", "b")
    assert a.push_new("fp1", "one", priority=0)
    assert a.push_new("fp2", "two", priority=5)
    assert not b.push_new("fp1", "one again", priority=0)  # seen in this run
    lease, data = a.take()
    assert data == b"two"  # highest priority first
    assert (len(a), a.in_flight()) == (1, 1)
    assert b.reclaim() == 0  # a is alive: its lease stays
    redis_server.client().delete(keys.alive("a"))  # a's heartbeat expired
    assert b.reclaim() == 1
    assert (len(b), b.in_flight()) == (2, 0)
    a.finish(lease)  # too late: nothing happens, the request is queued again
    taken = sorted(b.take()[1] for _ in range(2))
    assert taken == [b"one", b"two"]
    assert b.take() is None


def test_a_redirect_takes_its_requests_place_in_one_step(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    queue = LeasedQueue(redis_server.client(), keys, "a")
    queue.push_new("fp1", "first", priority=0)
    lease, _ = queue.take()
    assert queue.push_new("fp2", "redirected", priority=0, done=lease)
    assert (len(queue), queue.in_flight()) == (1, 0)
    lease, _ = queue.take()
    # a redirect to a URL seen already still finishes the lease
    assert not queue.push_new("fp1", "back to first", priority=0, done=lease)
    assert (len(queue), queue.in_flight()) == (0, 0)
    # not filtered (dont_filter): queued although seen
    assert queue.push_new("fp1", "again", priority=0, new=False)


def test_a_stopping_worker_gives_back_only_its_own_leases(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    a, b = (LeasedQueue(redis_server.client(), keys, w) for w in "ab")
    alive(redis_server, keys, "a", "b")
    for i in range(3):
        a.push_new(f"fp{i}", f"r{i}", priority=0)
    a.take()
    b.take()
    assert a.own_leases() == ["a|1"]
    assert a.reclaim("a") == 1
    assert (len(a), a.in_flight(), b.own_leases()) == (2, 1, ["b|1"])


def test_a_workers_memory_of_seen_links_is_bounded_and_redis_still_dedupes(
        redis_server: RedisServer) -> None:
    keys = RunKeys("r-seen")
    queue = LeasedQueue(redis_server.client(), keys, "a")
    seen = SeenHere(limit=3)
    queued = []
    for fp in ["f1", "f2", "f3", "f4", "f1", "f5", "f2"]:  # f4 starts the memory again
        if fp in seen:
            continue
        queued.append(queue.push_new(fp, fp, priority=0))
        seen.add(fp)
    assert len(seen) <= 3
    assert queued == [True, True, True, True, False, True, False]  # Redis said no twice
    assert len(queue) == 5


def test_politeness_budget_is_shared_by_workers(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    limiters = [RedisLimiter(redis_server.client(), keys, w) for w in "abc"]
    site = site_key("example")
    limiters[0].raise_gap(site, 0.2)
    starts: list[float] = []  # the booked start times, on the Redis server's clock
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        for limiter in limiters:  # three workers asking in turn, as fast as they can
            if limiter.wait_time(site, "a.example") == 0:
                state = json.loads(redis_server.client().get(keys.budget(site)))
                starts.append(state["last_start"])
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert 3 <= len(starts) <= 9, starts
    assert min(gaps) >= 0.2, gaps


def test_a_sites_gap_holds_when_its_stored_state_expired(redis_server: RedisServer) -> None:
    keys = RunKeys("r-expired")
    limiter = RedisLimiter(redis_server.client(), keys, "a")
    site = site_key("idle")
    limiter.raise_gap(site, 5.0)
    assert limiter.wait_time(site) == 0
    redis_server.client().delete(keys.budget(site))  # expired after a day idle, or evicted
    assert limiter.wait_time(site) == 0  # nothing booked any more: this one may go ...
    assert limiter.wait_time(site) > 4.5  # ... and the next waits the policy's full gap


def test_a_pause_and_a_parked_host_hold_for_every_worker(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    a, b = (RedisLimiter(redis_server.client(), keys, w, park_after=2) for w in "ab")
    pause = a.throttled("h.example", 429, retry_after=30)
    assert pause.reason == "retry_after"
    assert b.wait_time("h.example") > 29  # b sees a's pause
    assert b.parked("h.example") is None
    b.throttled("h.example", 503, retry_after=None)  # second in a row: parked
    assert "2 consecutive 503" in (a.parked("H.Example.") or "")


def test_site_concurrency_holds_across_workers(redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    alive(redis_server, keys, "a", "b")
    a, b = (RedisLimiter(redis_server.client(), keys, w) for w in "ab")
    site = site_key("example")
    first, second = a.take_slot(site, 2), b.take_slot(site, 2)
    assert first and second
    assert a.take_slot(site, 2) is None
    b.give_slot(site, second)
    assert a.take_slot(site, 2)
    assert b.take_slot(site, 2) is None
    redis_server.client().delete(keys.alive("a"))  # a died holding two places
    assert b.take_slot(site, 2) and b.take_slot(site, 2)


def test_workers_join_one_run_per_purpose_and_the_last_one_out_knows(
        redis_server: RedisServer) -> None:
    client = redis_server.client()
    a = Membership(client, "research", "a", "run-1")
    b = Membership(client, "research", "b", "run-2")
    c = Membership(client, "commercial", "c", "run-3")
    assert (a.run_id, b.run_id, c.run_id) == ("run-1", "run-1", "run-3")
    LeasedQueue(client, a.keys, "a").push_new("fp", "left over", priority=0)
    first = a.leave(ok=True)
    assert (first.last, first.others_alive) == (False, 1)
    last = b.leave(ok=True)
    assert last.last and last.work_left == 1  # the run is not over: it stays active
    assert Membership(client, "research", "d", "run-4").run_id == "run-1"
    LeasedQueue(client, a.keys, "d").take()
    client.delete(a.keys.leases)
    done = Membership(client, "research", "d", "run-4").leave(ok=True)
    assert done.last and done.work_left == 0
    assert a.workers() == (["a", "b", "d"], {"a", "b", "d"})
    a.forget_run()
    assert not list(client.scan_iter(match=a.keys.pattern))
    # the next run for the purpose is a new one
    assert Membership(client, "research", "e", "run-5").run_id == "run-5"


def test_an_unreachable_redis_is_one_clear_error() -> None:
    with pytest.raises(FleetUnavailable, match=re.escape("cannot reach Redis at redis://127.0.0.1:1/0")):
        connect("redis://127.0.0.1:1/0")
    with pytest.raises(FleetUnavailable, match="bad Redis URL"):
        connect("http://example.org/")


def test_requests_travel_as_json_not_pickle() -> None:
    request = Request("https://example.org/a?b=1", method="POST", body=b"\x00\xffdata",
                      headers={"X-Token": "v"}, meta={"compliance_kind": "image", "n": [1, 2]},
                      priority=3)
    text = serializer.dumps(request.to_dict())
    json.loads(text)  # plain JSON
    again = request_from_dict(serializer.loads(text))
    assert (again.url, again.method, again.body, again.priority) == (
        request.url, "POST", b"\x00\xffdata", 3)
    assert again.headers.getlist("X-Token") == [b"v"]
    assert again.meta == {"compliance_kind": "image", "n": [1, 2]}
    with pytest.raises(TypeError):
        serializer.dumps({"meta": {"callback": object()}})


def test_a_lease_is_finished_once_its_output_and_items_are_done() -> None:
    finished: list[str] = []
    completion = Completion(finished.append)
    completion.output_started("L")
    completion.item_yielded("L")
    completion.item_yielded("L")
    completion.item_settled("L")
    completion.output_ended("L")
    assert finished == [] and completion.pending() == 1  # one item still being stored
    completion.item_settled("L")
    assert finished == ["L"] and completion.pending() == 0
    completion.output_started("M")
    completion.output_ended("M")  # a response with no items
    assert finished == ["L", "M"]


def test_worker_stats_merge_into_the_runs() -> None:
    merged = merge_stats([
        {"start_time": "2026-12-01T10:00:05", "finish_time": "2026-12-01T10:01:00",
         "compliance/sites/s/first_request": 5.0, "compliance/sites/s/last_request": 50.0,
         "compliance/sites/s/requests": 10, "finish_reason": "finished"},
        {"start_time": "2026-12-01T10:00:01", "finish_time": "2026-12-01T10:02:00",
         "compliance/sites/s/first_request": 2.0, "compliance/sites/s/last_request": 40.0,
         "compliance/sites/s/requests": 7, "finish_reason": "shutdown"}])
    assert merged["start_time"] == "2026-12-01T10:00:01"
    assert merged["finish_time"] == "2026-12-01T10:02:00"
    assert merged["compliance/sites/s/first_request"] == 2.0
    assert merged["compliance/sites/s/last_request"] == 50.0
    assert merged["compliance/sites/s/requests"] == 17
    assert merged["finish_reason"] == ["finished", "shutdown"]


def test_a_control_file_is_fetched_by_one_worker_and_read_by_all(
        redis_server: RedisServer) -> None:
    keys = RunKeys("r1")
    a, b = (SharedFiles(redis_server.client(), keys, w, ttl=60, error_ttl=0.2) for w in "ab")
    url = "https://example.org/robots.txt"
    assert a.get(url) is None and a.claim(url)
    assert not b.claim(url) and b.claimed(url)  # b waits for a's reading
    a.put(url, RawAnswer(url, 200, [(b"Content-Type", b"text/plain")], b"User-agent: *\n", 1.0))
    assert not b.claimed(url)
    assert b.get(url) == RawAnswer(url, 200, [(b"Content-Type", b"text/plain")],
                                   b"User-agent: *\n", 1.0)
    # a 5xx is shared for the error TTL only
    a.claim("https://down.example/robots.txt")
    a.put("https://down.example/robots.txt",
          RawAnswer("https://down.example/robots.txt", 503, [], b"", 1.0))
    time.sleep(0.3)
    assert b.get("https://down.example/robots.txt") is None
    # a failed fetch is not shared: the claim is released for the next worker
    a.claim("https://gone.example/ai.txt")
    a.release("https://gone.example/ai.txt")
    assert b.claim("https://gone.example/ai.txt")
