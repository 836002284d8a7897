"""Throughput benchmark: the full compliance framework against plain Scrapy, same site, same run.

What is measured
    Pages per second of a complete crawl of a generated local site (``--pages`` licensed HTML
    pages of 5-10 KB, five links each, spread over ``--sites`` hosts, each with a robots.txt
    that allows everything), crawled with the same concurrency by

    * **A, plain Scrapy**: a minimal ``scrapy.Spider`` (``ROBOTSTXT_OBEY=True``, the same
      ``LinkExtractor`` as ``CorpusSpider``, one ``{url, length}`` dict per page, no feed);
    * **B, the framework**: ``crawler.run.run_crawl``, the CLI's own code path, with one
      policy per site whose rate limits are lifted (``requests_per_second: 1000``, the most
      a policy may ask, ``concurrency`` as A), into a fresh local store: once with the
      default ``COMPLIANCE_STORE_FSYNC=True`` and once with ``False``, so the cost of
      durability shows separately.

    Many sites, as in a corpus crawl, so that no site's politeness floor paces the crawl:
    the crawler's own cost per page is what is measured. With ``--sites 1`` the one site's
    1 ms floor spaces every request start, and each then runs in a turn of the reactor of
    its own instead of in batches: that costs CPU per page (the figures are in
    ``docs/operations.md``), and plain Scrapy, which does not pace at all here, is no
    longer doing the same work.

    "Seconds" is Scrapy's ``elapsed_time_seconds`` (spider opened → spider closed), so
    interpreter start-up and imports are left out. Beside it: the CPU time of the crawl
    process over the same span (both crawlers are CPU-bound on one core, so CPU per page is
    the figure least disturbed by other load on the machine) and the process's wall time.
    Every run is checked before it counts: the server must have received exactly one
    request per page and one for each site's robots.txt (B may also fetch its other control
    files, such as ai.txt, once per site), Scrapy must have sent exactly those (nothing
    off-site) and scraped one item per page, and B must have stored every page (manifest
    and ledger agree). A broken crawl stops the benchmark instead of producing a
    flattering number.

Why it is set up this way
    Each crawl runs in its own process (Scrapy's reactor starts once per process) and the
    runs are interleaved (A, A+, B, B-no-fsync, then A+, B, B-no-fsync, A, ...: each round
    starts one crawl later, so none always follows the same other crawl) so drift of the
    machine affects all of them alike; ``--repeat K`` reports medians. The site is served by
    a small asyncio server in a separate process, so it does not compete for the crawler's
    GIL; it answers every request with one pre-rendered ``write``.
    (``crawler.demo.server.SiteServer`` is not used: it writes headers and body in two sends
    without ``TCP_NODELAY``, so a response on a keep-alive connection can wait ~40 ms for a
    delayed ACK: 23 requests/s on one connection.) Before crawling, a short load test shows
    the server's capacity, which must be far above either crawler's rate. The link graph is
    built so that no page's crawl depth exceeds its tree depth whatever order Scrapy takes
    (see :func:`page_links`; each site's first page is a start URL, at depth 0): the
    project's ``DEPTH_LIMIT`` must not cut the crawl short.

Optional analyses
    ``--ablate`` times B (fsync off) with parts of the compliance layer switched off through
    settings (store pipeline, item gate, gate middlewares, download handler), so each
    part's cost is measured rather than estimated; one more variant keeps every part but
    has the local store's group commit answer without writing anything (``put_many``
    replaced in that crawl's process only), which shows what the pack appends, their
    barrier, the sidecars' and manifest lines' encoding and the manifest append cost.
    ``--profile`` runs one A and one B crawl under py-spy (if beside the interpreter or on
    PATH; ``make bench`` installs it) or cProfile and prints where B spends time that A does
    not: self time per page by area, and the framework functions by inclusive time.

Everything binds to 127.0.0.50 and the addresses after it, one per site (one ephemeral
port), writes only to a temporary directory, and stops by itself; the server process also
exits when this process dies.

    .venv/bin/python bench/throughput.py [--pages 2000] [--sites 16] [--concurrency 16]
                                         [--repeat 3]
                                         [--licence-prose] [--ablate]
                                         [--profile [auto|cprofile|py-spy]] [--profile-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.50"
#: how many sites the benchmark's pages are spread over (``--sites``): a corpus crawl covers
#: many sites at once, and each site's politeness floor (1 ms at the 1000 requests/s a
#: policy may ask at most) then never paces the crawl
SITES = 16
BENCH_CONTACT = "mailto:bench@example.invalid"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
LINKS_PER_PAGE = 5
ROBOTS_PATH = "/robots.txt"
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
GOAL_RATIO = 0.9
GOAL_CPU = 1.2  # the framework's CPU per page, at most this times the fair anchor's
#: a crawl slower than this is a failure, not a data point
CRAWL_TIMEOUT = 600.0

# --------------------------------------------------------------------------- the site


def page_path(index: int) -> str:
    return "/" if index == 0 else f"/p/{index}.html"


def site_hosts(sites: int) -> list[str]:
    """The loopback address of each site: ``HOST`` and the ones after it."""
    first = HOST.rsplit(".", 1)
    return [f"{first[0]}.{int(first[1]) + n}" for n in range(sites)]


def host_of(index: int, hosts: Sequence[str]) -> str:
    """The site a page lives on: page i on site i mod the number of sites."""
    return hosts[index % len(hosts)]


def start_pages(hosts: Sequence[str]) -> list[int]:
    """Each site's first page, where a crawl of it starts (page 0 is ``/`` of the first)."""
    return list(range(len(hosts)))


def page_links(index: int, pages: int) -> list[int]:
    """Five links per page: its children in a 5-ary tree (5i+1 … 5i+5), then its ancestors up
    to the root, then its siblings. Every page is reachable from ``/``, and whatever order
    the crawl takes, a page is first met through its parent, so its crawl depth is its tree
    depth (log5 of the page count: well under the project's DEPTH_LIMIT of 10). Links that
    point back up keep the dupe filter busy, as on a real site."""
    first_child = LINKS_PER_PAGE * index + 1
    links = [c for c in range(first_child, first_child + LINKS_PER_PAGE) if c < pages]
    node = index
    while node and len(links) < LINKS_PER_PAGE:
        node = (node - 1) // LINKS_PER_PAGE
        links.append(node)
    if index:
        first = (index - 1) // LINKS_PER_PAGE * LINKS_PER_PAGE + 1
        links += [s for s in range(first, min(first + LINKS_PER_PAGE, pages)) if s != index]
    return links[:LINKS_PER_PAGE]


#: ordinary prose: no word that reads as a license statement (see --licence-prose)
_WORDS = ("window", "corpus", "crawler", "robots", "policy", "sidecar", "ledger", "tower",
          "commons", "archive", "library", "museum", "garden", "river", "mountain", "history",
          "science", "music", "theatre", "language", "village", "harbour", "bridge", "market",
          "winter", "summer", "letter", "journal", "survey", "record", "atlas", "orchard",
          "meadow", "lantern", "compass", "signal", "harvest", "granite", "willow", "falcon")


def _paragraphs(rng: random.Random, licence_prose: bool, count: int = 64) -> list[str]:
    vocabulary = (*_WORDS, "licence") if licence_prose else _WORDS
    out = []
    for n in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(60, 110))]
        out.append(f"<p id=\"para-{n}\">{' '.join(words).capitalize()}.</p>")
    return out


def render_page(index: int, pages: int, paragraphs: Sequence[str], rng: random.Random,
                href: Callable[[int], str] = page_path) -> bytes:
    """One licensed page: 5-10 KB of text, links to five other pages (``href``: where page
    j is, as the link names it), a rel=license link."""
    body: list[str] = []
    size = 0
    target = rng.randint(4_500, 8_500)
    while size < target:
        para = rng.choice(paragraphs)
        body.append(para)
        size += len(para)
    links = "".join(f'<li><a href="{href(j)}">Page {j}</a></li>'
                    for j in page_links(index, pages))
    html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Bench page {index}</title><meta name=\"author\" content=\"Bench Author\">"
            f"</head><body><h1>Bench page {index}</h1><article>{''.join(body)}</article>"
            f"<nav><ul>{links}</ul></nav><footer><a rel=\"license\" href=\"{CC_BY}\">"
            f"CC BY 4.0</a></footer></body></html>")
    return html.encode()


def _http_response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: max-age=3600\r\n\r\n")
    return head.encode() + body


def build_site(pages: int, licence_prose: bool = False, seed: int = 2026,
               hosts: Sequence[str] = (HOST,), port: int = 0) -> dict[str, dict[bytes, bytes]]:
    """Host → request target → complete pre-rendered HTTP response. Every host serves the
    same robots.txt; a link to a page on another host is absolute (``port``: the server's)."""
    rng = random.Random(seed)
    paragraphs = _paragraphs(rng, licence_prose)
    site: dict[str, dict[bytes, bytes]] = {
        host: {ROBOTS_PATH.encode(): _http_response(ROBOTS_TXT, "text/plain; charset=utf-8")}
        for host in hosts}
    for i in range(pages):
        host = host_of(i, hosts)

        def href(j: int, host: str = host) -> str:
            there = host_of(j, hosts)
            return page_path(j) if there == host else f"http://{there}:{port}{page_path(j)}"

        site[host][page_path(i).encode()] = _http_response(
            render_page(i, pages, paragraphs, rng, href), "text/html; charset=utf-8")
    return site


# --------------------------------------------------------------------------- the server

_NOT_FOUND = _http_response(b"<html><body>not found</body></html>", "text/html",
                            "404 Not Found")


class _SiteProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive (and pipelining) for GET requests without bodies: enough for
    Scrapy and cheap, so the server is never what the benchmark measures."""

    def __init__(self, host: str, site: dict[bytes, bytes], hits: Counter[str]):
        self.host, self.site, self.hits = host, site, hits
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        out = []
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            request_line = buffer[:buffer.find(b"\r\n")]
            buffer = buffer[end + 4:]
            parts = request_line.split(b" ")
            target = parts[1].split(b"#")[0] if len(parts) == 3 else b""
            out.append(self.site.get(target, _NOT_FOUND))
            self.hits[self.host + target.decode("latin-1")] += 1
        self.buffer = buffer
        if out and self.transport is not None:
            self.transport.write(b"".join(out))


async def _listen(hosts: Sequence[str], factory: Callable[[str], Callable[[], asyncio.Protocol]]
                  ) -> list[asyncio.Server]:
    """One listening socket per host, all on one (ephemeral) port."""
    loop = asyncio.get_running_loop()
    while True:
        servers = [await loop.create_server(factory(hosts[0]), hosts[0], 0, backlog=512)]
        port = servers[0].sockets[0].getsockname()[1]
        try:
            for host in hosts[1:]:
                servers.append(await loop.create_server(factory(host), host, port, backlog=512))
            return servers
        except OSError:  # the port is taken on one of the other addresses: another one
            for server in servers:
                server.close()


def _serve(conn: Connection, hosts: Sequence[str], pages: int, licence_prose: bool) -> None:
    """Server process: serve until told to stop or until the parent goes away. The pages
    are rendered once the port is known (links to other hosts name it), before the port
    is reported, so before any request can come."""
    hits: Counter[str] = Counter()
    site: dict[str, dict[bytes, bytes]] = {}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = await _listen(hosts, lambda host: lambda: _SiteProtocol(host, site[host],
                                                                          hits))
        port = servers[0].sockets[0].getsockname()[1]
        site.update(build_site(pages, licence_prose, hosts=hosts, port=port))
        stop = asyncio.Event()

        def control() -> None:  # "hits" → requests per target; "stop" or EOF → shut down
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    break
                if message != "hits":
                    break
                conn.send(dict(hits))
            loop.call_soon_threadsafe(stop.set)

        conn.send(port)
        threading.Thread(target=control, daemon=True).start()
        await stop.wait()
        for server in servers:
            server.close()

    asyncio.run(main())


class BenchServer:
    """The site, served from a child process on ``sites`` loopback addresses from ``HOST``
    on (one host per site)."""

    def __init__(self, pages: int, licence_prose: bool = False, sites: int = 1):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.hosts = site_hosts(sites)
        self._process = ctx.Process(target=_serve,
                                    args=(child, self.hosts, pages, licence_prose),
                                    daemon=True, name="bench-site")
        self._process.start()
        child.close()
        if not self._conn.poll(60):
            self.close()
            raise RuntimeError("bench server did not start")
        self.port: int = self._conn.recv()
        self.pages = pages

    def url(self, path: str = "/", host: str = HOST) -> str:
        return f"http://{host}:{self.port}{path}"

    def start_urls(self) -> list[str]:
        """Where a crawl starts: the first page of each site."""
        return [self.url(page_path(i), host_of(i, self.hosts))
                for i in start_pages(self.hosts)]

    def hits(self) -> Counter[str]:
        """Requests received so far, per host and request target (``127.0.0.50/p/1.html``)."""
        self._conn.send("hits")
        return Counter(self._conn.recv())

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._conn.close()
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _load(port: int, paths: Sequence[str], connections: int, seconds: float) -> float:
    """Requests per second a keep-alive client with ``connections`` connections gets."""
    done = 0

    async def worker(offset: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(HOST, port)
        deadline = time.monotonic() + seconds
        i = offset
        while time.monotonic() < deadline:
            writer.write(f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
                         .encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            done += 1
            i += 7
        writer.close()
        await writer.wait_closed()

    start = time.monotonic()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    return done / (time.monotonic() - start)


def server_capacity(server: BenchServer, connections: int, seconds: float = 1.5) -> float:
    """A lower bound: the client is Python too and shares the two cores with the server.
    (The pages of the first site: every site is served by the same process.)"""
    paths = [page_path(i) for i in range(server.pages) if host_of(i, server.hosts) == HOST]
    return asyncio.run(_load(server.port, paths, connections, seconds))


# --------------------------------------------------------------------------- child processes


class StatsDump:
    """Scrapy extension: write the crawl's stats to ``BENCH_STATS_FILE`` when it ends, with
    ``bench/cpu_seconds``, the CPU time of the crawl process from spider open to close
    (less sensitive than elapsed time to other load on the machine), and
    ``bench/reactor_cpu_seconds``, the reactor thread's share: the thread that sets the
    crawl's pace (the framework's group commits run in another)."""

    def __init__(self, crawler: Any, path: str):
        self.crawler, self.path = crawler, path
        self.cpu = self.reactor_cpu = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsDump:
        from scrapy import signals

        ext = cls(crawler, crawler.settings["BENCH_STATS_FILE"])
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.dump, signal=signals.engine_stopped)
        return ext

    def opened(self) -> None:  # Scrapy's signals are sent on the reactor thread
        self.cpu, self.reactor_cpu = time.process_time(), time.thread_time()

    def closed(self) -> None:
        self.cpu = time.process_time() - self.cpu
        self.reactor_cpu = time.thread_time() - self.reactor_cpu

    def dump(self) -> None:
        stats = {**self.crawler.stats.get_stats(), "bench/cpu_seconds": self.cpu,
                 "bench/reactor_cpu_seconds": self.reactor_cpu}
        Path(self.path).write_text(json.dumps(stats, default=str, sort_keys=True))


STATS_EXTENSION = {f"{__name__}.{StatsDump.__qualname__}": 1000}


@contextlib.contextmanager
def cprofile_reactor(out: str | None) -> Iterator[None]:
    """Profile only while Scrapy's reactor runs (``CrawlerProcess.start``), so A and B are
    profiled over the same span: no imports, no policy loading, no run summary."""
    if not out:
        yield
        return
    import cProfile

    from scrapy.crawler import CrawlerProcess

    profiler = cProfile.Profile()
    original = CrawlerProcess.start

    def start(self: CrawlerProcess, *args: Any, **kwargs: Any) -> None:
        profiler.enable()
        try:
            original(self, *args, **kwargs)
        finally:
            profiler.disable()

    CrawlerProcess.start = start  # type: ignore[method-assign]
    try:
        yield
    finally:
        CrawlerProcess.start = original  # type: ignore[method-assign]
        profiler.dump_stats(out)


def wait_measured(proc: subprocess.Popen[Any], timeout: float) -> Any:
    """Wait for a child and return its resource usage (``os.wait4``: peak RSS, CPU time),
    its exit code in ``proc.returncode``; None, the child killed, past ``timeout`` s."""
    started = time.monotonic()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage
        if time.monotonic() - started > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None
        time.sleep(0.05)


def child_plain(spec: dict[str, Any]) -> None:
    """Run A: plain Scrapy, the same link discovery as CorpusSpider, no compliance layer."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response
    from scrapy.linkextractors import LinkExtractor

    urls, concurrency, feed = spec["urls"], spec["concurrency"], spec.get("feed")

    class PlainSpider(scrapy.Spider):
        name = "plain"
        link_extractor = LinkExtractor(tags=("a", "area"), attrs=("href",))

        async def start(self) -> AsyncIterator[Any]:
            # like CorpusSpider: the start URLs go through the dupe filter (start_urls
            # would be dont_filter=True, so "/" would be fetched again via a link)
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Response) -> Any:
            yield ({"url": response.url, "body": response.text} if feed
                   else {"url": response.url, "length": len(response.body)})
            for link in self.link_extractor.extract_links(response):
                yield scrapy.Request(link.url, callback=self.parse)

    with cprofile_reactor(spec["cprofile_out"]):
        process = CrawlerProcess({
            "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0,
            "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
            "EXTENSIONS": STATS_EXTENSION, "BENCH_STATS_FILE": spec["stats_file"],
            **({"FEEDS": {feed: {"format": "jsonlines"}}} if feed else {}),
        })
        # allowed_domains keeps the creativecommons.org license link off the network
        process.crawl(PlainSpider, allowed_domains=spec["hosts"])
        process.start()


def plain_in_child(script: str, url: str, host: str, concurrency: int,
                   stats_file: Path) -> dict[str, Any]:
    """Run A in a child process of ``script`` (a benchmark that hands ``--child-plain
    SPEC`` to :func:`child_plain`); its Scrapy stats."""
    spec = {"urls": [url], "hosts": [host], "concurrency": concurrency, "cprofile_out": None,
            "stats_file": str(stats_file)}
    subprocess.run([sys.executable, script, "--child-plain", json.dumps(spec)], check=True,
                   timeout=CRAWL_TIMEOUT)
    return json.loads(stats_file.read_text())


def child_framework(spec: dict[str, Any]) -> None:
    """Run B: the CLI's crawl path (policies → addon → gates → store), as ``crawler crawl``.
    ``settings`` (ablations only) are set at the command line's priority, above the addon,
    and the settings guard, which would refuse them, is switched off in this process."""
    from crawler.run import run_crawl
    from crawler.scrapy_adapters import settings_guard

    if spec.get("settings"):  # an ablation takes compliance components out on purpose
        settings_guard.check = lambda *_args: None  # type: ignore[assignment]
    if spec.get("no_file_work"):
        _commit_without_files()
    extra: list[tuple[str, Any]] = [
        ("LOG_LEVEL", "WARNING"), ("CONCURRENT_REQUESTS", spec["concurrency"]),
        ("COMPLIANCE_STORE_FSYNC", spec["fsync"]), ("EXTENSIONS", STATS_EXTENSION),
        ("BENCH_STATS_FILE", spec["stats_file"]), ("COMPLIANCE_CONTACT", BENCH_CONTACT),
        *spec.get("settings", {}).items()]
    with cprofile_reactor(spec["cprofile_out"]):
        summary = run_crawl(spec["policies"], spec["store"], "research", extra=extra,
                            allow_private=True)  # the site is on loopback
    if summary.store_errors:
        raise SystemExit(f"{summary.store_errors} store error(s)")


def _commit_without_files() -> None:
    """The ablation of the store's file work: in this process, a group commit answers as
    the local store would for new items, and writes nothing."""
    from crawler.storage.base import Committed, StoreItem
    from crawler.storage.local import LocalStore
    from crawler.storage.packs import locator

    def put_many(_store: LocalStore, items: Sequence[StoreItem]) -> list[Committed]:
        return [Committed(locator("none", 0, len(item.content)), locator("none", 0, 0),
                          new=True) for item in items]

    LocalStore.put_many = put_many  # type: ignore[method-assign]


# --------------------------------------------------------------------------- orchestration


def policy_name(site: int, sites: int) -> str:
    return "bench" if sites == 1 else f"bench-{site:02d}"


def write_policy(directory: Path, server: BenchServer, concurrency: int) -> None:
    """One policy per site, each at the highest rate a policy may ask (1000 requests/s)."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    for n, (host, start) in enumerate(zip(server.hosts, server.start_urls(), strict=True)):
        name = policy_name(n, len(server.hosts))
        policy = {
            "name": name, "hosts": [host],
            "tos": {"url": server.url("/terms", host), "reviewed": "2026-11-01",
                    "reviewer": "Bench", "crawling": "allowed", "ai_training": "allowed"},
            "purposes": ["research", "commercial"], "start_urls": [start],
            "ports": [server.port],  # an ephemeral port, which policies list
            "rate": {"requests_per_second": 1000, "concurrency": concurrency},
            "licenses": {"accept": {"research": ["CC-BY-4.0"], "commercial": ["CC-BY-4.0"]}},
            "retention_days": 30,
        }
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))


@dataclass
class Run:
    label: str
    pages: int
    seconds: float  # Scrapy's elapsed_time_seconds
    cpu: float  # CPU seconds of the crawl process over the same span
    reactor_cpu: float  # ... of its reactor thread
    wall: float  # the whole process, start-up included

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


@dataclass(frozen=True)
class Profiler:
    """How a child is profiled: ``cprofile`` in-process, or ``py-spy`` from outside."""

    kind: str
    out: str
    py_spy: str | None = None
    rate: int = 250


LABEL_A = "A  plain Scrapy"
#: the fair anchor: plain Scrapy writing every page's body, as the framework writes content
LABEL_A_FEED = "A+ plain Scrapy + JSONL feed"
LABEL_B = "B  framework, fsync on"
LABEL_B_NOFSYNC = "B  framework, fsync off"
#: the ablation whose store writes nothing (:func:`_commit_without_files`)
NO_FILE_WORK = "- the store's writes"


@dataclass
class Bench:
    server: BenchServer
    workdir: Path
    concurrency: int
    runs: dict[str, list[Run]] = field(default_factory=lambda: defaultdict(list))
    _n: int = 0
    _seen: set[str] = field(default_factory=set)

    def _child(self, spec: dict[str, Any], profiler: Profiler | None) -> tuple[dict[str, Any],
                                                                            float]:
        self._n += 1
        stats_file = self.workdir / f"stats-{self._n}.json"
        spec = {**spec, "stats_file": str(stats_file), "concurrency": self.concurrency,
                "cprofile_out": profiler.out if profiler and profiler.kind == "cprofile"
                else None}
        command = [sys.executable, __file__, "--child", json.dumps(spec)]
        if profiler and profiler.kind == "py-spy":
            assert profiler.py_spy
            command = [profiler.py_spy, "record", "--idle", "--nonblocking", "--rate",
                       str(profiler.rate), "--format", "raw", "--output", profiler.out, "--",
                       *command]
        started = time.monotonic()
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                              timeout=CRAWL_TIMEOUT)
        wall = time.monotonic() - started
        if proc.returncode != 0 or not stats_file.exists():
            raise SystemExit(f"{spec['mode']} crawl failed (exit {proc.returncode}):\n"
                             f"{proc.stderr[-4000:]}")
        message = "\n".join(line for line in proc.stderr.strip().splitlines()
                            if not line.startswith("py-spy>"))
        if message and message not in self._seen:  # WARNING or worse: it may explain a number
            self._seen.add(message)
            print(f"  [{spec['mode']}] stderr (shown once): {message[-1500:]}")
        return json.loads(stats_file.read_text()), wall

    def _check_requests(self, label: str, before: Counter[str], stats: dict[str, Any],
                        robots: bool = True, strict: bool = True) -> None:
        """Every page fetched exactly once and robots.txt once; besides those, plain Scrapy
        fetches nothing, and the framework only files it fetches once per origin (its other
        control files). Scrapy's own request count must agree: nothing went off-site."""
        got = self.server.hits()
        got.subtract(before)
        hosts = self.server.hosts
        pages = {host_of(i, hosts) + page_path(i) for i in range(self.server.pages)}
        wrong = sorted(p for p in pages if got[p] != 1)
        _expect(label, "pages not fetched exactly once", wrong[:5], [])
        extra = {t: n for t, n in got.items() if t not in pages and n}
        robots_fetches = {host + ROBOTS_PATH: 1 for host in hosts} if robots else {}
        _expect(label, "robots.txt fetches",
                {t: n for t, n in extra.items() if t.endswith(ROBOTS_PATH)}, robots_fetches)
        files = {t.split("/", 1)[1] for t in extra if not t.endswith(ROBOTS_PATH)}
        if strict:
            _expect(label, "other requests", sorted(files), [])
        _expect(label, "files fetched more than once", [t for t, n in extra.items() if n > 1],
                [])
        _expect(label, "downloader/request_count", stats.get("downloader/request_count"),
                sum(got.values()))
        _expect(label, "HTTP 200 responses", stats.get("downloader/response_status_count/200"),
                len(pages) + len(robots_fetches))
        _expect(label, "item_scraped_count", stats.get("item_scraped_count"), len(pages))
        others = ", ".join(f"/{f}" for f in sorted(files))
        if others and others not in self._seen:
            self._seen.add(others)
            print(f"  [{label.strip()}] also fetched, once per site: {others}")

    def plain(self, profiler: Profiler | None = None, feed: bool = False) -> Run:
        """Plain Scrapy; ``feed``: writing each page's body to a JSONL feed (A+)."""
        label = LABEL_A_FEED if feed else LABEL_A
        before = self.server.hits()
        spec = {"mode": "plain", "urls": self.server.start_urls(), "hosts": self.server.hosts,
                "feed": str(Path(tempfile.mkdtemp(dir=self.workdir)) / "feed.jsonl")
                if feed else None}
        stats, wall = self._child(spec, profiler)
        self._check_requests(label, before, stats)
        return self._record(label, stats, wall, profiler is None)

    def framework(self, fsync: bool, profiler: Profiler | None = None,
                  ablation: tuple[str, dict[str, Any], bool] | None = None,
                  no_file_work: bool = False) -> Run:
        """``ablation``: (label, settings, whether robots.txt is still fetched);
        ``no_file_work``: the store writes nothing (:func:`_commit_without_files`)."""
        label = LABEL_B if fsync else LABEL_B_NOFSYNC
        settings: dict[str, Any] = {}
        robots = True
        if ablation is not None:
            label, settings, robots = ablation
        root = Path(tempfile.mkdtemp(prefix="b-", dir=self.workdir))
        policies, store = root / "policies", root / "store"
        write_policy(policies, self.server, self.concurrency)
        before = self.server.hits()
        stats, wall = self._child({"mode": "framework", "policies": str(policies),
                                   "store": str(store), "fsync": fsync, "settings": settings,
                                   "no_file_work": no_file_work}, profiler)
        self._check_requests(label, before, stats, robots, strict=False)
        if ablation is None:
            self._check_store(label, store)
        return self._record(label, stats, wall, profiler is None)

    def _check_store(self, label: str, store: Path) -> None:
        pages = self.server.pages
        manifest = _read_jsonl(store / "manifest.jsonl")
        ledger = store_ledger(store)
        stored = [r for r in ledger if r["gate"] == "store" and r["decision"] == "allow"
                  and r["evidence"].get("new")]
        denied = [r for r in ledger if r["decision"] == "deny" and r["url"] != CC_BY]
        _expect(label, "pages in the manifest",
                len({e["url"] for e in manifest if e["kind"] == "page"}), pages)
        _expect(label, "ledger store/allow (new)", len(stored), pages)
        _expect(label, "ledger denials other than the off-site license link", len(denied), 0)

    def _record(self, label: str, stats: dict[str, Any], wall: float, keep: bool) -> Run:
        run = Run(label, self.server.pages, float(stats["elapsed_time_seconds"]),
                  float(stats["bench/cpu_seconds"]), float(stats["bench/reactor_cpu_seconds"]),
                  wall)
        if keep:
            self.runs[label].append(run)
        return run

    def median(self, label: str) -> float:
        return statistics.median(r.seconds for r in self.runs[label])


def _expect(label: str, what: str, got: object, want: object) -> None:
    if got != want:
        raise SystemExit(f"{label}: {what} = {got}, expected {want}: the crawl is broken, "
                         "not measured")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def store_ledger(store: Path) -> list[dict[str, Any]]:
    """Every ledger line of a local store (``ledger/<run-id>/<writer>.jsonl``)."""
    return [r for path in sorted(store.glob("ledger/*/*.jsonl")) for r in _read_jsonl(path)]


def print_table(bench: Bench, labels: Sequence[str], title: str) -> None:
    base = bench.median(LABEL_A)
    base_cpu = statistics.median(r.cpu for r in bench.runs[LABEL_A])
    k = len(bench.runs[labels[0]])
    print(f"\n{title}: median of {k} run(s) each, concurrency {bench.concurrency}\n"
          "  seconds = Scrapy elapsed_time_seconds (spider open → close); CPU = CPU time of "
          "the crawl process over that span (reactor: its reactor thread's share); wall = the "
          "whole process; vs A: pages/s as a share of A's, CPU per page as a multiple of A's")
    print(f"{'run':<42} {'pages':>5} {'seconds':>7} {'pages/s':>7} {'vs A':>5} "
          f"{'CPU µs/page':>11} {'vs A':>5} {'reactor':>7} {'wall s':>6}  pages/s of each run")
    for label in labels:
        runs = bench.runs[label]
        pages = runs[0].pages
        median = bench.median(label)
        cpu = statistics.median(r.cpu for r in runs)
        reactor = statistics.median(r.reactor_cpu for r in runs)
        wall = statistics.median(r.wall for r in runs)
        each = " ".join(f"{r.rate:.0f}" for r in runs)
        print(f"{label[:42]:<42} {pages:>5} {median:>7.2f} {pages / median:>7.1f} "
              f"{base / median:>5.2f} {1e6 * cpu / pages:>11.0f} {cpu / base_cpu:>5.2f} "
              f"{1e6 * reactor / pages:>7.0f} {wall:>6.1f}  {each}")


# --------------------------------------------------------------------------- ablations


#: downloader middlewares no ablation removes: the allow-list keeps the off-site license link
#: off the network, and without the site signals (ai.txt, TDMRep) the opt-out gate refuses
#: every item, so the crawl would no longer do the same work
KEEP_MIDDLEWARES = ("AllowListMiddleware", "SiteSignalsMiddleware")


def ablations(concurrency: int) -> list[tuple[str, dict[str, Any], bool]]:
    """B with parts of the compliance layer switched off through settings at command-line
    priority (which the addon's own settings cannot override), except KEEP_MIDDLEWARES."""
    from scrapy.settings.default_settings import DOWNLOAD_HANDLERS_BASE

    from crawler.scrapy_adapters import components

    pipelines = {path: None for path in components.ITEM_PIPELINES}
    spider_mws = {path: None for path in components.SPIDER_MIDDLEWARES}
    download_mws = {path: None for path, order in components.DOWNLOADER_MIDDLEWARES.items()
                    if order is not None and path.rsplit(".", 1)[-1] not in KEEP_MIDDLEWARES}
    handlers = {scheme: DOWNLOAD_HANDLERS_BASE[scheme] for scheme in components.DOWNLOAD_HANDLERS}

    def names(*groups: Iterable[str]) -> str:
        return "- " + ", ".join(dict.fromkeys(p.rsplit(".", 1)[-1] for g in groups for p in g))

    variants = [
        (names(pipelines), {"ITEM_PIPELINES": pipelines}, True),
        (names(pipelines, spider_mws),
         {"ITEM_PIPELINES": pipelines, "SPIDER_MIDDLEWARES": spider_mws}, True),
        (names(download_mws), {"DOWNLOADER_MIDDLEWARES": download_mws}, False),
    ]
    variants.append((names(components.DOWNLOAD_HANDLERS.values()),
                     {"DOWNLOAD_HANDLERS": handlers}, True))
    everything: dict[str, Any] = {}
    for _label, settings, _robots in variants:
        everything.update(settings)
    variants.append(("- all of the above", everything, False))
    return variants


def run_ablations(bench: Bench, repeat: int) -> None:
    variants = ablations(bench.concurrency)
    reference = f"{LABEL_B_NOFSYNC} (reference)"
    for i in range(repeat):
        bench.framework(fsync=False, ablation=(reference, {}, True))
        for variant in [*variants, (NO_FILE_WORK, {}, True)]:
            run = bench.framework(fsync=False, ablation=variant,
                                  no_file_work=variant[0] == NO_FILE_WORK)
            print(f"  #{i + 1} {run.label[:42]:<42} {run.seconds:6.2f} s  {run.rate:7.1f} "
                  "pages/s")
    labels = [reference, *(label for label, _settings, _robots in variants), NO_FILE_WORK]
    print_table(bench, [LABEL_A, *labels], "ABLATIONS of B (fsync off)")
    pages = bench.server.pages
    ref, base = bench.median(reference), bench.median(LABEL_A)
    ref_cpu = statistics.median(r.cpu for r in bench.runs[reference])
    print(f"\n{'B (fsync off) without …':<42} {'saves µs/page':>13} {'of B-A':>7} "
          f"{'CPU µs/page saved':>17}")
    for label in labels[1:]:
        saved = ref - bench.median(label)
        cpu = ref_cpu - statistics.median(r.cpu for r in bench.runs[label])
        share = f"{100 * saved / (ref - base):6.0f}%" if ref > base else "    n/a"
        print(f"{label[:42]:<42} {1e6 * saved / pages:>13.0f} {share} {1e6 * cpu / pages:>17.0f}")


# --------------------------------------------------------------------------- profile report

_IDLE = ("<method 'poll' of 'select.epoll' objects>",
         "<method 'select' of 'select.epoll' objects>")
_STDLIB = Path(sysconfig.get_paths()["stdlib"])
#: reactor work outside the timed span (Scrapy's start_time to finish_time): the addon's
#: first spider_opened handler and its engine_stopped one (the run summary and report)
_OUTSIDE_SPAN = {("crawler/scrapy_adapters/addon.py", "_freeze_startup_objects"),
                 ("crawler/scrapy_adapters/addon.py", "_close")}
_PYSPY_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def _area(file: str) -> str:
    """Project and Scrapy code by file, other libraries and stdlib by package/module.
    ``file`` as py-spy shows it (relative to its sys.path entry) or absolute (cProfile)."""
    path = Path(file)
    if path.is_absolute():
        if "site-packages" in path.parts:
            path = Path(*path.parts[path.parts.index("site-packages") + 1:])
        elif path.is_relative_to(REPO):
            path = path.relative_to(REPO)
        elif path.is_relative_to(_STDLIB):
            path = path.relative_to(_STDLIB)
    parts = path.parts
    if not parts:
        return file
    if parts[0] in ("crawler", "scrapy", "bench"):
        return path.as_posix()
    return parts[0].removesuffix(".py")


@dataclass
class Profile:
    """Where one crawl's reactor time went: idle (waiting in epoll) or busy, busy time by
    area (self time), and the inclusive time of the framework's functions (``crawler/…``).
    Units are the profiler's own; :meth:`scaled` converts them to the unprofiled crawl."""

    busy: float
    idle: float
    by_area: dict[str, float]
    framework: dict[str, float]
    calls: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_cprofile(cls, path: str) -> Profile:
        raw: dict[Any, Any] = pstats.Stats(path).stats  # type: ignore[attr-defined]
        by_area: dict[str, float] = defaultdict(float)
        framework: dict[str, float] = defaultdict(float)
        calls: dict[str, int] = defaultdict(int)
        busy = idle = 0.0
        for (file, _line, func), (_cc, nc, tt, ct, _callers) in raw.items():
            if func in _IDLE:
                idle += tt
                continue
            busy += tt
            area = _area(file) if file != "~" else func.strip("<>").removeprefix(
                "built-in method ").removeprefix("method ")
            by_area[area] += tt
            if area.startswith("crawler/"):
                framework[f"{area}:{func}"] += ct
                calls[f"{area}:{func}"] += nc
        return cls(busy, idle, dict(by_area), dict(framework), dict(calls))

    @classmethod
    def from_py_spy(cls, path: str) -> Profile:
        """py-spy ``raw`` output (collapsed stacks, recorded with ``--idle``): the main
        thread's samples while the reactor runs, less :data:`_OUTSIDE_SPAN`; a sample in
        the selector is idle."""
        by_area: dict[str, float] = defaultdict(float)
        framework: dict[str, float] = defaultdict(float)
        busy = idle = 0.0
        # a frame read --nonblocking, while the process runs on, may be torn bytes
        for line in Path(path).read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [(m["func"], m["file"]) if (m := _PYSPY_FRAME.match(f)) else (f, "?")
                      for f in stack.split(";")]
            starts = [i for i, (func, file) in enumerate(frames)  # py-spy names it
                      if file == "scrapy/crawler.py"                 # start or
                      and func.rpartition(".")[2] == "start"]         # CrawlerProcess.start
            if not starts or any((file, func.rpartition(".")[2]) in _OUTSIDE_SPAN
                                 for func, file in frames):
                continue  # start-up, policy loading, run summary, other threads
            samples = int(count)
            leaf_func, leaf_file = frames[-1]
            if leaf_file == "selectors.py" and leaf_func.endswith(".select"):
                idle += samples
                continue
            busy += samples
            by_area[_area(leaf_file)] += samples
            seen = set()
            for func, file in frames[starts[0] + 1:]:
                key = f"{file}:{func}"
                if file.startswith("crawler/") and key not in seen:
                    seen.add(key)
                    framework[key] += samples
        return cls(busy, idle, dict(by_area), dict(framework))

    def scaled(self, seconds: float) -> Profile:
        """Rescale so that busy + idle = ``seconds`` (the unprofiled crawl's elapsed time)."""
        k = seconds / ((self.busy + self.idle) or 1.0)
        return Profile(self.busy * k, self.idle * k,
                       {n: v * k for n, v in self.by_area.items()},
                       {n: v * k for n, v in self.framework.items()}, self.calls)


def print_profile(kind: str, a: Profile, b: Profile, pages: int, top: int = 20) -> None:
    us = 1e6 / pages
    note = ("cProfile: its per-call overhead inflates Python-heavy code more than C calls "
            "and syscalls, so shares are approximate" if kind == "cprofile" else
            "py-spy sampling, Python frames only: C calls (fsync, write, lxml) count as self "
            "time of the Python line that made them")
    print(f"\nPROFILE of one A and one B (fsync on) crawl, main thread while the reactor "
          f"runs.\n  {note}.\n  Times are rescaled so that busy + idle = the median elapsed "
          "time per page of the unprofiled runs above.")
    for name, prof in (("A", a), ("B", b)):
        print(f"  {name}: {prof.busy * us:6.0f} µs busy + {prof.idle * us:5.0f} µs idle "
              "(in epoll) per page")
    print(f"  B - A: {(b.busy - a.busy) * us:.0f} µs busy per page")
    areas = set(a.by_area) | set(b.by_area)
    delta = sorted(areas, key=lambda n: b.by_area.get(n, 0) - a.by_area.get(n, 0), reverse=True)
    print(f"\nSelf time per page by area, largest B - A first (% B = share of B's busy time)"
          f"\n{'area':<58} {'A µs':>6} {'B µs':>6} {'B-A µs':>6} {'% B':>6}")
    for name in delta[:top]:
        ta, tb = a.by_area.get(name, 0.0), b.by_area.get(name, 0.0)
        print(f"{name[:58]:<58} {ta * us:>6.0f} {tb * us:>6.0f} {(tb - ta) * us:>6.0f} "
              f"{100 * tb / b.busy:>5.1f}%")
    ours = sorted(b.framework.items(), key=lambda kv: kv[1], reverse=True)
    print(f"\nFramework functions in B by inclusive time (callees included, so nested entries "
          f"overlap)\n{'function':<64} {'calls':>6} {'µs/page':>7} {'% B':>6}")
    for name, seconds in ours[:top]:
        calls = str(b.calls[name]) if name in b.calls else "-"
        print(f"{name[:64]:<64} {calls:>6} {seconds * us:>7.0f} {100 * seconds / b.busy:>5.1f}%")


def run_profile(bench: Bench, kind: str, directory: Path, keep: bool) -> None:
    # the virtualenv's own py-spy too: `make` runs this without activating it
    py_spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}"
                          f"{os.environ.get('PATH', '')}") if kind in ("auto", "py-spy") else None
    if kind == "py-spy" and py_spy is None:
        raise SystemExit("py-spy is not on PATH (pip install py-spy), or use --profile cprofile")
    kind = "py-spy" if py_spy else "cprofile"
    suffix = "txt" if py_spy else "prof"
    prof_a = Profiler(kind, str(directory / f"plain.{suffix}"), py_spy)
    prof_b = Profiler(kind, str(directory / f"framework.{suffix}"), py_spy)
    bench.plain(profiler=prof_a)
    bench.framework(fsync=True, profiler=prof_b)
    load = Profile.from_py_spy if py_spy else Profile.from_cprofile
    a = load(prof_a.out).scaled(bench.median(LABEL_A))
    b = load(prof_b.out).scaled(bench.median(LABEL_B))
    print_profile(kind, a, b, bench.server.pages)
    if keep:
        print(f"\nprofiles: {prof_a.out} {prof_b.out}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages on the site (2000)")
    parser.add_argument("--sites", type=int, default=SITES,
                        help=f"sites (hosts, one policy each) the pages are spread over "
                             f"({SITES}); 1: a single site, whose 1 ms politeness floor then "
                             "paces every request")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="concurrent requests, both runs (16)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each, interleaved A/B/B; medians are reported (3)")
    parser.add_argument("--profile", nargs="?", const="auto",
                        choices=("auto", "cprofile", "py-spy"),
                        help="then profile one A and one B crawl: py-spy if on PATH, else "
                             "cProfile")
    parser.add_argument("--profile-dir", help="keep the profiles here (default: deleted)")
    parser.add_argument("--ablate", action="store_true",
                        help="then time B with parts of the compliance layer switched off")
    parser.add_argument("--licence-prose", action="store_true",
                        help="the word 'licence' in most paragraphs of the pages' text: the "
                             "worst case for license detection in text")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        (child_plain if spec["mode"] == "plain" else child_framework)(spec)
        return 0
    if args.pages < 2 or args.concurrency < 1 or args.repeat < 1 \
            or not 1 <= args.sites <= min(args.pages, 100):
        parser.error("--pages >= 2, --concurrency >= 1, --repeat >= 1, "
                     "1 <= --sites <= min(--pages, 100)")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawler-bench-") as tmp, \
            BenchServer(args.pages, args.licence_prose, args.sites) as server:
        print(f"site: {args.pages} pages on {args.sites} site(s) at {server.hosts[0]}"
              + (f"-{server.hosts[-1].rsplit('.', 1)[1]}" if args.sites > 1 else "")
              + f":{server.port}, served by a separate process"
              + (", prose full of 'licence'" if args.licence_prose else ""))
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} before the runs"
              + ("  (WARNING: other work is running; expect noise, use --repeat)"
                 if load > 0.5 else ""))
        capacity = server_capacity(server, args.concurrency)
        print(f"server capacity: >= {capacity:.0f} requests/s over {args.concurrency} "
              "keep-alive connections (a Python client, so a lower bound)")
        bench = Bench(server, Path(tmp), args.concurrency)
        crawls: list[Callable[[], Run]] = [bench.plain, partial(bench.plain, feed=True),
                                           partial(bench.framework, fsync=True),
                                           partial(bench.framework, fsync=False)]
        for i in range(args.repeat):
            turn = i % len(crawls)  # each round starts one later: no crawl keeps a place
            for crawl in crawls[turn:] + crawls[:turn]:
                run = crawl()
                print(f"  #{i + 1} {run.label:<28} {run.seconds:6.2f} s  {run.rate:7.1f} "
                      "pages/s")
        print_table(bench, [LABEL_A, LABEL_A_FEED, LABEL_B, LABEL_B_NOFSYNC], "THROUGHPUT")
        for anchor in (LABEL_A_FEED, LABEL_A):
            cpu_anchor = statistics.median(r.cpu for r in bench.runs[anchor])
            for label in (LABEL_B, LABEL_B_NOFSYNC):
                ratio = bench.median(anchor) / bench.median(label)
                cpu_ratio = statistics.median(r.cpu for r in bench.runs[label]) / cpu_anchor
                goal = anchor == LABEL_A_FEED
                print(f"{label.split(',')[1].strip():<10} B/{anchor.split()[0]} = {ratio:.2f}"
                      + (f" ({'meets' if ratio >= GOAL_RATIO else 'MISSES'} the goal of "
                         f"{GOAL_RATIO})" if goal else "")
                      + f"; CPU per page {cpu_ratio:.2f}x"
                      + (f" (goal <= {GOAL_CPU})" if goal else ""))
        fastest = max(r.rate for runs in bench.runs.values() for r in runs)
        if capacity < 3 * fastest:
            print(f"WARNING: the server ({capacity:.0f}/s) is not clearly faster than the "
                  f"fastest crawl ({fastest:.0f}/s): it may be what is measured")
        if args.ablate:
            run_ablations(bench, args.repeat)
        if args.profile:
            directory = Path(args.profile_dir or tmp)
            directory.mkdir(parents=True, exist_ok=True)
            run_profile(bench, args.profile, directory, keep=bool(args.profile_dir))
    print(f"\ntotal {time.monotonic() - started:.0f} s, load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
