"""Throughput benchmark: the full compliance framework against plain Scrapy, same site, same run.

What is measured
    Pages per second of a complete crawl of a generated local site (``--pages`` licensed HTML
    pages of 5-10 KB, five links each, a robots.txt that allows everything), crawled with the
    same concurrency by

    * **A, plain Scrapy**: a minimal ``scrapy.Spider`` (``ROBOTSTXT_OBEY=True``, the same
      ``LinkExtractor`` as ``CorpusSpider``, one ``{url, length}`` dict per page, no feed);
    * **B, the framework**: ``crawler.cli.run_crawl``, the CLI's own code path, with a
      policy whose rate limits are lifted (``requests_per_second: 100000``, ``concurrency``
      as A), into a fresh local store: once with the default ``COMPLIANCE_STORE_FSYNC=True``
      and once with ``False``, so the cost of durability shows separately.

    "Seconds" is Scrapy's ``elapsed_time_seconds`` (spider opened → spider closed), so
    interpreter start-up and imports are left out; the wall time of each process is shown
    beside it. Every run is checked before it counts: the site's server must have answered
    exactly one request per page plus the robots.txt, A must have scraped one item per page,
    and B must have stored every page (manifest, ledger and Scrapy stats agree). A broken
    crawl stops the benchmark instead of producing a flattering number.

Why it is set up this way
    Each crawl runs in its own process (Scrapy's reactor starts once per process) and the
    runs are interleaved (A, B, B-no-fsync, A, ...) so drift of the machine affects all three
    alike; ``--repeat K`` reports medians. The site is served by a small asyncio server in a
    separate process, so it does not compete for the crawler's GIL; it answers every request
    with one pre-rendered ``write``. (``crawler.demo.server.SiteServer`` is not used: it
    writes headers and body in two sends without ``TCP_NODELAY``, so each response on a
    keep-alive connection can wait for a delayed ACK, about 40 ms.) Before crawling, a
    short load test confirms that the server is much faster than either crawler.

    ``--profile`` then runs A and B once more under ``cProfile`` and prints where B spends
    time that A does not: self time per page by area (project file, Scrapy file, library),
    and the framework functions with the largest inclusive time.

Everything binds to 127.0.0.50 (ephemeral port), writes only to a temporary directory, and
stops by itself; the server process also exits if this process dies.

    .venv/bin/python bench/throughput.py [--pages 2000] [--concurrency 16] [--repeat 3]
                                         [--profile] [--profile-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.50"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
LINKS_PER_PAGE = 5
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
GOAL_RATIO = 0.9
#: a crawl slower than this is a failure, not a data point
CRAWL_TIMEOUT = 600.0

# --------------------------------------------------------------------------- the site


def page_path(index: int) -> str:
    return "/" if index == 0 else f"/p/{index}.html"


def page_links(index: int, pages: int) -> list[int]:
    """Five links per page: its children in a 5-ary tree (5i+1 … 5i+5), then its ancestors up
    to the root, then its siblings. Every page is reachable from ``/``, and whatever order
    the crawl takes, a page is first met through its parent, so its crawl depth is its tree
    depth (log5 of the page count: well under the project's DEPTH_LIMIT of 10). Links that
    point back up keep the dupe filter busy, as on a real site."""
    links = [c for c in range(LINKS_PER_PAGE * index + 1, LINKS_PER_PAGE * index + 6)
             if c < pages]
    node = index
    while node and len(links) < LINKS_PER_PAGE:
        node = (node - 1) // LINKS_PER_PAGE
        links.append(node)
    if index:
        first = (index - 1) // LINKS_PER_PAGE * LINKS_PER_PAGE + 1
        links += [s for s in range(first, min(first + LINKS_PER_PAGE, pages)) if s != index]
    return links[:LINKS_PER_PAGE]


_WORDS = ("licence", "corpus", "crawler", "robots", "policy", "sidecar", "ledger", "attribution",
          "commons", "archive", "library", "museum", "garden", "river", "mountain", "history",
          "science", "music", "theatre", "language", "village", "harbour", "bridge", "market",
          "winter", "summer", "letter", "journal", "survey", "record", "atlas", "orchard",
          "meadow", "lantern", "compass", "signal", "harvest", "granite", "willow", "falcon")


def _paragraphs(rng: random.Random, count: int = 64) -> list[str]:
    out = []
    for n in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(60, 110))]
        out.append(f"<p id=\"para-{n}\">{' '.join(words).capitalize()}.</p>")
    return out


def render_page(index: int, pages: int, paragraphs: Sequence[str], rng: random.Random) -> bytes:
    """One licensed page: 5-10 KB of text, links to five other pages, a rel=license link."""
    body: list[str] = []
    size = 0
    target = rng.randint(5_000, 9_500)
    while size < target:
        para = rng.choice(paragraphs)
        body.append(para)
        size += len(para)
    links = "".join(f'<li><a href="{page_path(j)}">Page {j}</a></li>'
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


def build_site(pages: int, seed: int = 2026) -> dict[bytes, bytes]:
    """Request target → complete pre-rendered HTTP response."""
    rng = random.Random(seed)
    paragraphs = _paragraphs(rng)
    site = {page_path(i).encode(): _http_response(render_page(i, pages, paragraphs, rng),
                                                  "text/html; charset=utf-8")
            for i in range(pages)}
    site[b"/robots.txt"] = _http_response(ROBOTS_TXT, "text/plain; charset=utf-8")
    return site


# --------------------------------------------------------------------------- the server

_NOT_FOUND = _http_response(b"<html><body>not found</body></html>", "text/html",
                            "404 Not Found")


class _SiteProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive (and pipelining) for GET requests without bodies: enough for
    Scrapy and cheap, so the server is never what the benchmark measures."""

    def __init__(self, site: dict[bytes, bytes], hits: list[int]):
        self.site, self.hits = site, hits
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
            self.hits[0] += 1
        self.buffer = buffer
        if out and self.transport is not None:
            self.transport.write(b"".join(out))


def _serve(conn: Connection, address: str, pages: int) -> None:
    """Server process: serve until told to stop or until the parent goes away."""
    site = build_site(pages)
    hits = [0]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _SiteProtocol(site, hits), address, 0,
                                          backlog=512)
        stop = asyncio.Event()

        def control() -> None:  # "hits" → request count; "stop" or EOF → shut down
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    break
                if message != "hits":
                    break
                conn.send(hits[0])
            loop.call_soon_threadsafe(stop.set)

        conn.send(server.sockets[0].getsockname()[1])
        threading.Thread(target=control, daemon=True).start()
        async with server:
            await stop.wait()

    asyncio.run(main())


class BenchServer:
    """The site, served from a child process on ``HOST``."""

    def __init__(self, pages: int):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, HOST, pages), daemon=True,
                                    name="bench-site")
        self._process.start()
        child.close()
        if not self._conn.poll(60):
            self.close()
            raise RuntimeError("bench server did not start")
        self.port: int = self._conn.recv()
        self.pages = pages

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def hits(self) -> int:
        self._conn.send("hits")
        count: int = self._conn.recv()
        return count

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
    """A lower bound: the client is Python too and shares the two cores with the server."""
    paths = [page_path(i) for i in range(server.pages)]
    return asyncio.run(_load(server.port, paths, connections, seconds))


# --------------------------------------------------------------------------- child processes


class StatsDump:
    """Scrapy extension: write the crawl's stats to ``BENCH_STATS_FILE`` when it ends."""

    def __init__(self, crawler: Any, path: str):
        self.crawler, self.path = crawler, path

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsDump:
        from scrapy import signals

        ext = cls(crawler, crawler.settings["BENCH_STATS_FILE"])
        crawler.signals.connect(ext.dump, signal=signals.engine_stopped)
        return ext

    def dump(self) -> None:
        stats = self.crawler.stats.get_stats()
        Path(self.path).write_text(json.dumps(stats, default=str, sort_keys=True))


STATS_EXTENSION = {f"{__name__}.{StatsDump.__qualname__}": 1000}


def _profiled(run: Callable[[], object], profile_out: str | None) -> None:
    if not profile_out:
        run()
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
        profiler.dump_stats(profile_out)


def child_plain(url: str, host: str, concurrency: int, stats_file: str,
                profile_out: str | None) -> None:
    """Run A: plain Scrapy, the same link discovery as CorpusSpider, no compliance layer."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response
    from scrapy.linkextractors import LinkExtractor

    class PlainSpider(scrapy.Spider):
        name = "plain"
        link_extractor = LinkExtractor(tags=("a", "area"), attrs=("href",))

        async def start(self) -> AsyncIterator[Any]:
            # like CorpusSpider: the start URL goes through the dupe filter (start_urls
            # would be dont_filter=True, so "/" would be fetched again via a link)
            yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Response) -> Any:
            yield {"url": response.url, "length": len(response.body)}
            for link in self.link_extractor.extract_links(response):
                yield scrapy.Request(link.url, callback=self.parse)

    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0,
        "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "EXTENSIONS": STATS_EXTENSION, "BENCH_STATS_FILE": stats_file,
    })
    process.crawl(PlainSpider, allowed_domains=[host])
    _profiled(process.start, profile_out)


def child_framework(policies: str, store: str, concurrency: int, fsync: bool, stats_file: str,
                    profile_out: str | None) -> None:
    """Run B: the CLI's crawl path (policies → addon → gates → store), as ``crawler crawl``."""
    from crawler.cli import run_crawl

    extra: list[tuple[str, Any]] = [
        ("LOG_LEVEL", "WARNING"), ("CONCURRENT_REQUESTS", concurrency),
        ("COMPLIANCE_STORE_FSYNC", fsync), ("EXTENSIONS", STATS_EXTENSION),
        ("BENCH_STATS_FILE", stats_file)]
    result: dict[str, Any] = {}

    def run() -> None:
        result["summary"] = run_crawl(policies, store, "research", extra=extra)

    _profiled(run, profile_out)
    summary = result["summary"]
    if summary.store_errors:
        raise SystemExit(f"{summary.store_errors} store error(s)")


# --------------------------------------------------------------------------- orchestration


def write_policy(directory: Path, server: BenchServer, concurrency: int) -> None:
    import yaml

    policy = {
        "name": "bench", "hosts": [HOST],
        "tos": {"url": server.url("/terms"), "reviewed": "2026-11-01", "reviewer": "Bench",
                "crawling": "allowed", "ai_training": "allowed"},
        "purposes": ["research", "commercial"], "start_urls": [server.url("/")],
        "rate": {"requests_per_second": 100000, "concurrency": concurrency},
        "licenses": {"accept": {"research": ["CC-BY-4.0"], "commercial": ["CC-BY-4.0"]}},
        "retention_days": 30,
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))


@dataclass
class Run:
    label: str
    pages: int
    seconds: float  # Scrapy's elapsed_time_seconds
    wall: float  # the whole process, start-up included

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


@dataclass
class Bench:
    server: BenchServer
    workdir: Path
    concurrency: int
    runs: dict[str, list[Run]] = field(default_factory=lambda: defaultdict(list))
    _n: int = 0
    _seen: set[str] = field(default_factory=set)

    def _child(self, mode: str, stats: dict[str, Any], profile_out: str | None,
               **kwargs: Any) -> tuple[dict[str, Any], float]:
        self._n += 1
        stats_file = self.workdir / f"stats-{self._n}.json"
        spec = {"mode": mode, "stats_file": str(stats_file), "profile_out": profile_out,
                "concurrency": self.concurrency, **kwargs}
        started = time.monotonic()
        proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], cwd=REPO,
                              capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
        wall = time.monotonic() - started
        if proc.returncode != 0 or not stats_file.exists():
            raise SystemExit(f"{mode} crawl failed (exit {proc.returncode}):\n"
                             f"{proc.stderr[-4000:]}")
        message = proc.stderr.strip()
        if message and message not in self._seen:  # WARNING or worse: it may explain a number
            self._seen.add(message)
            print(f"  [{mode}] stderr (shown once): {message[-1500:]}")
        stats.update(json.loads(stats_file.read_text()))
        return stats, wall

    def _check_hits(self, label: str, before: int) -> None:
        got = self.server.hits() - before
        want = self.server.pages + 1  # every page once, robots.txt once
        if got != want:
            raise SystemExit(f"{label}: the server answered {got} requests, expected {want}")

    def plain(self, profile_out: str | None = None) -> Run:
        label = "A  plain Scrapy"
        before = self.server.hits()
        stats, wall = self._child("plain", {}, profile_out, url=self.server.url("/"),
                                  host=HOST)
        self._check_hits(label, before)
        pages = self.server.pages
        _expect(label, "item_scraped_count", stats.get("item_scraped_count"), pages)
        _expect(label, "HTTP 200 responses",
                stats.get("downloader/response_status_count/200"), pages + 1)
        run = Run(label, pages, float(stats["elapsed_time_seconds"]), wall)
        if profile_out is None:
            self.runs[label].append(run)
        return run

    def framework(self, fsync: bool, profile_out: str | None = None) -> Run:
        label = f"B  framework, fsync={'on' if fsync else 'off'}"
        root = Path(tempfile.mkdtemp(prefix="b-", dir=self.workdir))
        policies, store = root / "policies", root / "store"
        write_policy(policies, self.server, self.concurrency)
        before = self.server.hits()
        stats, wall = self._child("framework", {}, profile_out, policies=str(policies),
                                  store=str(store), fsync=fsync)
        self._check_hits(label, before)
        pages = self.server.pages
        manifest = _read_jsonl(store / "manifest.jsonl")
        ledger = _read_jsonl(store / "ledger.jsonl")
        stored = [r for r in ledger if r["gate"] == "store" and r["decision"] == "allow"
                  and r["evidence"].get("new")]
        denied = [r for r in ledger if r["decision"] == "deny" and r["url"] != CC_BY]
        _expect(label, "manifest pages", len({e["url"] for e in manifest
                                              if e["kind"] == "page"}), pages)
        _expect(label, "ledger store/allow (new)", len(stored), pages)
        _expect(label, "ledger denials (other than the CC link)", len(denied), 0)
        _expect(label, "item_scraped_count", stats.get("item_scraped_count"), pages)
        run = Run(label, pages, float(stats["elapsed_time_seconds"]), wall)
        if profile_out is None:
            self.runs[label].append(run)
        return run


def _expect(label: str, what: str, got: object, want: object) -> None:
    if got != want:
        raise SystemExit(f"{label}: {what} = {got}, expected {want}: the crawl is broken, "
                         "not measured")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def print_table(bench: Bench) -> None:
    labels = list(bench.runs)
    medians = {label: statistics.median(r.seconds for r in runs)
               for label, runs in bench.runs.items()}
    walls = {label: statistics.median(r.wall for r in runs) for label, runs in bench.runs.items()}
    base = medians[labels[0]]
    k = len(bench.runs[labels[0]])
    print(f"\nMedian of {k} run(s) each, concurrency {bench.concurrency}; seconds = Scrapy "
          "elapsed_time_seconds (spider open → close)")
    print(f"{'run':<26} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs A':>6} "
          f"{'wall s':>7}   per run (pages/s)")
    for label in labels:
        runs = bench.runs[label]
        pages = runs[0].pages
        ratio = base / medians[label]
        each = " ".join(f"{r.rate:.0f}" for r in runs)
        print(f"{label:<26} {pages:>6} {medians[label]:>8.2f} {pages / medians[label]:>8.1f} "
              f"{ratio:>6.2f} {walls[label]:>7.2f}   {each}")
    for label in labels[1:]:
        ratio = base / medians[label]
        verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
        print(f"ratio {label.split(',', 1)[-1].strip():<10} B/A = {ratio:.2f}  "
              f"({verdict} the goal of {GOAL_RATIO})")


# --------------------------------------------------------------------------- profile report

_IDLE = ("<method 'poll' of 'select.epoll' objects>",
         "<method 'select' of 'select.epoll' objects>")


def _area(filename: str, func: str) -> str:
    """Group profile entries: project and Scrapy by file, other libraries by package,
    C functions by name."""
    if filename == "~":
        return func.removeprefix("<built-in method ").removeprefix("<method ").rstrip(">")
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1:]
        return "/".join(rest) if rest[0] == "scrapy" else rest[0]
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return f"stdlib {path.stem}" if path.suffix == ".py" else filename


@dataclass
class Profile:
    total: float
    idle: float
    by_area: dict[str, float]
    functions: dict[tuple[str, int, str], tuple[int, float, float]]  # calls, tottime, cumtime

    @classmethod
    def load(cls, path: str) -> Profile:
        raw: dict[Any, Any] = pstats.Stats(path).stats  # type: ignore[attr-defined]
        by_area: dict[str, float] = defaultdict(float)
        functions = {}
        total = idle = 0.0
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
            total += tt
            if func in _IDLE:
                idle += tt
                continue
            by_area[_area(filename, func)] += tt
            functions[(filename, line, func)] = (nc, tt, ct)
        return cls(total, idle, dict(by_area), functions)

    @property
    def busy(self) -> float:
        return self.total - self.idle


def print_profile(a: Profile, b: Profile, pages: int, top: int = 18) -> None:
    us = 1e6 / pages
    print(f"\nPROFILE (cProfile, one run each; its overhead inflates Python-heavy code, so "
          f"read shares, not absolute speed)\n"
          f"  A: {a.busy * us:8.0f} µs busy per page + {a.idle * us:6.0f} µs idle in epoll\n"
          f"  B: {b.busy * us:8.0f} µs busy per page + {b.idle * us:6.0f} µs idle in epoll\n"
          f"  B - A: {(b.busy - a.busy) * us:.0f} µs of CPU per page")
    areas = set(a.by_area) | set(b.by_area)
    delta = sorted(areas, key=lambda n: b.by_area.get(n, 0) - a.by_area.get(n, 0), reverse=True)
    print(f"\nSelf time per page, by area, largest B - A first (% = share of B's busy time)\n"
          f"{'area':<58} {'A µs':>7} {'B µs':>7} {'B-A µs':>7} {'% B':>6}")
    for name in delta[:top]:
        ta, tb = a.by_area.get(name, 0.0), b.by_area.get(name, 0.0)
        print(f"{name[:58]:<58} {ta * us:>7.0f} {tb * us:>7.0f} {(tb - ta) * us:>7.0f} "
              f"{100 * tb / b.busy:>5.1f}%")
    project = str(REPO / "crawler")
    ours = sorted(((k, v) for k, v in b.functions.items() if k[0].startswith(project)),
                  key=lambda kv: kv[1][2], reverse=True)
    print(f"\nFramework functions in B by inclusive time (% of B's busy time; nested "
          f"entries overlap)\n{'function':<66} {'calls':>7} {'µs/page':>8} {'%':>6}")
    for (filename, line, func), (calls, _tt, ct) in ours[:top]:
        name = f"{Path(filename).relative_to(REPO)}:{line}:{func}"
        print(f"{name[:66]:<66} {calls:>7} {ct * us:>8.0f} {100 * ct / b.busy:>5.1f}%")


# --------------------------------------------------------------------------- main


def run_child(spec_json: str) -> None:
    spec = json.loads(spec_json)
    if spec["mode"] == "plain":
        child_plain(spec["url"], spec["host"], spec["concurrency"], spec["stats_file"],
                    spec["profile_out"])
    else:
        child_framework(spec["policies"], spec["store"], spec["concurrency"], spec["fsync"],
                        spec["stats_file"], spec["profile_out"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages on the site (2000)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="concurrent requests, both runs (16)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each, interleaved; medians are reported (3)")
    parser.add_argument("--profile", action="store_true",
                        help="then profile A and B(fsync) once each and compare")
    parser.add_argument("--profile-dir", help="keep the .prof files here (for snakeviz etc.)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0
    if args.pages < 2 or args.concurrency < 1 or args.repeat < 1:
        parser.error("--pages >= 2, --concurrency >= 1, --repeat >= 1")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawler-bench-") as tmp, \
            BenchServer(args.pages) as server:
        print(f"site: {args.pages} pages at {server.url('/')} (server pid in its own process)")
        capacity = server_capacity(server, args.concurrency)
        print(f"server capacity: >= {capacity:.0f} requests/s with {args.concurrency} "
              "keep-alive connections (a Python client: a lower bound)")
        bench = Bench(server, Path(tmp), args.concurrency)
        for i in range(args.repeat):
            for run in (bench.plain(), bench.framework(fsync=True),
                        bench.framework(fsync=False)):
                print(f"  #{i + 1} {run.label:<26} {run.seconds:6.2f} s  {run.rate:7.1f} "
                      "pages/s")
        print_table(bench)
        fastest = max(r.rate for runs in bench.runs.values() for r in runs)
        if capacity < 3 * fastest:
            print(f"WARNING: the server ({capacity:.0f}/s) is not clearly faster than the "
                  f"fastest crawl ({fastest:.0f}/s): it may be what is measured")
        if args.profile:
            out = Path(args.profile_dir) if args.profile_dir else Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            prof_a, prof_b = str(out / "plain.prof"), str(out / "framework.prof")
            bench.plain(profile_out=prof_a)
            bench.framework(fsync=True, profile_out=prof_b)
            print_profile(Profile.load(prof_a), Profile.load(prof_b), args.pages)
            if args.profile_dir:
                print(f"\nprofiles: {prof_a} {prof_b}")
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
