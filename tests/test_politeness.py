"""Politeness: pure bookkeeping with a fake clock, then the limits as a real server sees them."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CONTACT, crawl, page, write_policy

from crawler.demo.server import Route
from crawler.politeness import Politeness, parse_retry_after, site_key

SITE = "127.0.0.31"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_gap_is_a_floor_and_only_rises() -> None:
    clock = Clock()
    p = Politeness(clock=clock)
    p.raise_gap("h", 0.5)
    assert p.wait_time("h") == 0
    assert p.wait_time("h") == 0.5
    p.raise_gap("h", 2.0)  # Crawl-delay learned after the first request
    assert p.wait_time("h") == 2.0
    p.raise_gap("h", 1.0)  # a lower floor changes nothing
    clock.now += 2.0
    assert p.wait_time("h") == 0 and p.wait_time("h") == 2.0
    assert p.wait_time("other") == 0  # hosts are independent


def test_a_gap_learned_from_an_answer_counts_from_its_end() -> None:
    """robots.txt's Crawl-delay arrives with the answer: the next request waits the full
    delay from when that answer came, not from when its request started (the server saw
    it some time in between)."""
    clock = Clock()
    p = Politeness(clock=clock)
    p.raise_gap("h", 0.01)
    assert p.wait_time("h") == 0  # robots.txt starts at 100.0
    clock.now += 0.3
    p.finished("h")  # answered at 100.3
    p.raise_gap("h", 1.0)  # Crawl-delay: 1
    clock.now += 0.9
    assert p.wait_time("h") == pytest.approx(0.1)  # not before 101.3


def test_retry_after_backoff_and_parking() -> None:
    clock = Clock()
    p = Politeness(backoff_base=1.0, backoff_cap=10.0, park_after=3, clock=clock)
    assert p.wait_time("h") == 0
    pause = p.throttled("h", 429, 3.0)
    assert (pause.reason, pause.seconds) == ("retry_after", 3.0)
    assert p.wait_time("h") == 3.0
    clock.now += 3.0
    assert p.throttled("h", 503, None).seconds == 2.0  # second failure: base * 2
    assert p.throttled("h", 503, None).reason == "host_parked"
    assert p.state("h").parked == "3 consecutive 503 answers"
    p2 = Politeness(backoff_cap=10.0, clock=clock)
    assert p2.throttled("h", 429, 3600.0).reason == "host_parked"
    p2.succeeded("h")
    assert p2.state("h").failures == 0


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("settings", [(), ("AUTOTHROTTLE_ENABLED=True",
                                           "AUTOTHROTTLE_TARGET_CONCURRENCY=8",
                                           "AUTOTHROTTLE_START_DELAY=0.01")])
def test_crawl_delay_holds_between_every_request(serve, tmp_path: Path,
                                                 settings: tuple[str, ...]) -> None:
    """With AutoThrottle on too: it may slow a host down, never below the floor."""
    links = tuple(f"/p{i}.html" for i in range(4))
    routes = {"/robots.txt": Route(b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"),
              "/": page("home", links=links)}
    routes.update({link: page(link) for link in links})
    server = serve({SITE: routes})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 100, "concurrency": 4})
    result = crawl(policies, tmp_path / "corpus", "research", *settings)
    times = [h.time for h in server.hits]
    # robots.txt, tdmrep.json, ai.txt and five pages, each a second apart
    assert len(times) == 8 and len(result.manifest) == 5
    assert min(gaps(times)) >= 0.99, gaps(times)


def test_retry_after_pauses_the_whole_host(serve, tmp_path: Path) -> None:
    answers = iter([Route(b"slow down", 429, {"Retry-After": "3"})])

    def limited() -> Route:
        return next(answers, page("finally"))

    links = ("/limited", "/a.html", "/b.html")
    server = serve({SITE: {"/": page("home", links=links), "/limited": limited,
                           "/a.html": page("a"), "/b.html": page("b")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 100, "concurrency": 1})
    result = crawl(policies, tmp_path / "corpus")
    hits = list(server.hits)
    [throttled] = [i for i, h in enumerate(hits) if h.path == "/limited"][:1]
    after = hits[throttled + 1:]
    assert after, "the crawl stopped after the 429"
    assert after[0].time - hits[throttled].time >= 2.99
    assert server.url(SITE, "/limited") in result.stored_urls()  # retried, then stored
    assert ("politeness", "retry_after") in result.decisions(server.url(SITE, "/limited"))


def test_host_that_keeps_failing_is_parked(serve, tmp_path: Path) -> None:
    links = tuple(f"/busy{i}" for i in range(6))
    routes = {"/": page("home", links=links)}
    routes.update({link: Route(b"busy", 503) for link in links})
    server = serve({SITE: routes})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 100, "concurrency": 1})
    result = crawl(policies, tmp_path / "corpus", "research", "COMPLIANCE_BACKOFF_BASE=0.1",
                   "COMPLIANCE_PARK_AFTER=3", "RETRY_TIMES=0")
    busy_hits = [h for h in server.hits if h.path.startswith("/busy")]
    assert len(busy_hits) == 3  # parked after three 503s: the rest never sent
    reasons = {r["reason"] for r in result.ledger if r["gate"] == "politeness"}
    assert reasons == {"backoff", "host_parked"}


def test_scrapy_knobs_do_not_bypass_gates_or_politeness(serve, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO

    other = "127.0.0.39"
    server = serve({
        SITE: {"/robots.txt": Route(b"User-agent: *\nCrawl-delay: 1\nDisallow: /no\n",
                                    content_type="text/plain"),
               "/a": page("a"), "/b": page("b"), "/no": page("no")},
        other: {"/": page("other")},
    })
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/a")],
                 rate={"requests_per_second": 100, "concurrency": 4})
    urls = [server.url(SITE, p) for p in ("/a", "/b", "/no")] + [server.url(other, "/")]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(REPO / "tests/spiders/bypass_spider.py"),
         "-s", "COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True",
         "-a", f"urls={','.join(urls)}", "-s", f"COMPLIANCE_POLICIES={policies}",
         "-s", "COMPLIANCE_PURPOSE=research",
         "-s", f"COMPLIANCE_CONTACT={CONTACT}", "-s", f"COMPLIANCE_STORE={tmp_path / 'corpus'}"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert server.hits_for(other) == []  # dont_filter and meta opened no door
    site_hits = server.hits_for(SITE)
    assert "/no" not in {h.path for h in site_hits}  # dont_obey_robotstxt is ignored
    assert sorted(h.path for h in site_hits) == ["/.well-known/tdmrep.json", "/a", "/a", "/ai.txt",
                                                 "/b", "/b", "/robots.txt"]
    # one download slot per request, yet the host saw one request per second
    assert min(gaps([h.time for h in site_hits])) >= 0.99


@pytest.mark.parametrize("concurrency", [1, 3])
def test_per_host_concurrency_is_a_hard_limit(serve, tmp_path: Path, concurrency: int) -> None:
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow() -> Route:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        return page("slow")

    links = tuple(f"/s{i}" for i in range(8))
    routes = {"/": page("home", links=links)}
    routes.update(dict.fromkeys(links, slow))
    server = serve({SITE: routes})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 1000, "concurrency": concurrency})
    result = crawl(policies, tmp_path / "corpus", "research", "CONCURRENT_REQUESTS=16",
                   "CONCURRENT_REQUESTS_PER_DOMAIN=16")
    assert len(result.manifest) == 9
    assert state["max"] == concurrency


def test_requests_held_back_by_the_rate_wait_in_line(serve, tmp_path: Path) -> None:
    """Twelve links found at once, six requests allowed in flight, 20 requests/s: the
    requests queue for their turn and only the first in line watches the clock, so each
    waits once or twice (again when an answer moves the next start), not once for every
    request that goes ahead of it; the floor holds between all of them."""
    links = tuple(f"/q{i}" for i in range(12))
    server = serve({SITE: {"/": page("home", links=links), **{link: page(link) for link in links}}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")],
                 rate={"requests_per_second": 20, "concurrency": 6})
    result = crawl(policies, store, "research")
    assert len(result.manifest) == 13
    [report] = (store / "runs").glob("*.json")
    stats = json.loads(report.read_text())["scrapy_stats"]
    requests = stats["compliance/sites/site/requests"]
    waits = stats["compliance/sites/site/politeness_waits"]
    assert requests == len(server.hits_for(SITE)) == 16  # robots.txt, site files, pages
    assert len(links) <= waits <= 2 * requests, (waits, requests)
    assert min(gaps([h.time for h in server.hits_for(SITE)])) >= 0.049


def test_next_start_waits_a_full_gap_after_the_last_answer() -> None:
    """The server sees a request somewhere between its start and its answer: counting the
    gap from the answer keeps it whole at the server, whatever the latency."""
    from crawler.politeness import Politeness

    now = {"t": 100.0}
    politeness = Politeness(clock=lambda: now["t"])
    politeness.raise_gap("h.test", 1.0)
    assert politeness.wait_time("h.test") == 0.0  # starts at 100.0
    now["t"] = 100.3  # the answer comes 0.3 s later
    politeness.finished("h.test")
    assert politeness.wait_time("h.test") == pytest.approx(1.0)  # not 0.7


def test_a_wildcard_policys_rate_is_the_budget_of_the_whole_site(serve, tmp_path: Path) -> None:
    """``*.wild.example`` at 5 requests/s, crawled over four subdomains (names pinned to
    four loopback addresses): the server side sees 5 requests/s for the site in all, not
    5 per subdomain; a robots.txt Crawl-delay of one host holds inside the budget."""
    addresses = {f"{name}.wild.example": f"127.0.0.{93 + i}"
                 for i, name in enumerate(("a", "b", "c", "d"))}
    links = tuple(f"/p{i}.html" for i in range(4))
    sites = {}
    for address in addresses.values():
        sites[address] = {"/": page("home", links=links), **{link: page(link) for link in links}}
    slow = addresses["d.wild.example"]
    sites[slow]["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 0.6\n",
                                       content_type="text/plain")
    server = serve(sites)
    policies = tmp_path / "policies"
    write_policy(policies, "wild", "*.wild.example",
                 [f"http://{name}:{server.port}/" for name in addresses],
                 rate={"requests_per_second": 5, "concurrency": 4})
    result = crawl(policies, tmp_path / "corpus", "research",
                   f"COMPLIANCE_RESOLVE={json.dumps({n: [a] for n, a in addresses.items()})}")
    assert len(result.manifest) == 20
    times = sorted(h.time for h in server.hits)
    assert len(times) == 32  # robots.txt, tdmrep.json, ai.txt and five pages per subdomain
    assert min(gaps(times)) >= 0.19, gaps(times)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate <= 5.2, rate
    slow_times = [h.time for h in server.hits_for(slow)]
    assert min(gaps(slow_times)) >= 0.59, gaps(slow_times)


def test_a_request_books_its_site_and_its_host_together() -> None:
    now = [100.0]
    p = Politeness(clock=lambda: now[0])
    site = site_key("wild")
    p.raise_gap(site, 0.5)  # the policy: 2 requests/s for the whole site
    p.raise_gap("slow.wild.example", 2.0)  # its robots.txt: Crawl-delay 2
    assert p.wait_time(site, "a.wild.example") == 0
    assert p.wait_time(site, "b.wild.example") == 0.5  # another host, same site budget
    now[0] = 100.5
    assert p.wait_time(site, "slow.wild.example") == 0
    now[0] = 101.0
    assert p.wait_time(site, "slow.wild.example") == pytest.approx(1.5)  # its own floor
    assert p.wait_time(site, "b.wild.example") == 0  # the site's budget was not booked
    p.finished(site, "b.wild.example")
    assert p.wait_time(site, "a.wild.example") == pytest.approx(0.5)
