"""Memory and CPU under attack: hostile local sites crawled by plain Scrapy and by this crawler.

What is measured
    The same hostile sites on loopback (127.0.0.52-54, one ``SiteServer`` in this process, so
    every request's arrival time is recorded) are crawled in one invocation by

    * **plain Scrapy**: a minimal spider that follows every link (``LinkExtractor``) and
      downloads every page, Scrapy's default settings (``ROBOTSTXT_OBEY`` is off by
      default, ``DOWNLOAD_MAXSIZE`` 1 GiB), ``allowed_domains`` = the bench hosts so the
      pages' license link stays off the network; and
    * **this crawler**: ``python -m crawler.cli crawl --policies DIR --store DIR --purpose
      research --allow-private-networks -s COMPLIANCE_CONTACT=...``, default settings
      except where a scenario says,

    each in its own child process. Per scenario and crawler it prints the child's peak RSS
    (``ru_maxrss`` from ``os.wait4``), its CPU seconds (user + sys) and wall seconds, both
    for the whole process, start-up included, and the ratios ours/plain.

Scenarios
    **bombs**: a start page links to ``--bombs`` gzip responses (~1 MB on the wire each)
    that expand to ``--bomb-mib`` MiB each (default 1 GiB, exactly: plain Scrapy's
    ``DOWNLOAD_MAXSIZE`` accepts it). Plain Scrapy decompresses and parses all of them;
    this crawler must stop each at its 32 MiB decompressed limit with one ``size_limit``
    ledger line (counted and checked).

    **flood**: a page with ``--links`` links (``/pN.html``, answered 404 at once) and, in
    the same run, a quiet site: a chain of 18 pages, each linking the next, at 5 requests/s.
    The server holds the flood page's answer back until the quiet site's third page has been
    requested, so in both runs the flood page is parsed while the quiet site is crawled.
    The figure of merit beside memory and CPU is the quiet site's longest stall: the
    longest gap between consecutive requests the server received for its pages (0.2 s when
    smooth). This crawler: flood policy at 500 requests/s, concurrency 8,
    ``-s COMPLIANCE_MAX_PAGES_PER_SITE=--max-pages`` so the run ends quickly and
    ``-s DEPTH_LIMIT=100`` (its default of 10 would end the quiet chain at its 11th page;
    plain Scrapy has none); it takes the default ``COMPLIANCE_MAX_LINKS_PER_PAGE`` of 2000
    links from the page. Plain Scrapy gets the quiet site's rate as a ``DOWNLOAD_SLOTS``
    entry (delay 0.2 s, concurrency 1, no jitter), follows every link without a cap, and is
    stopped by ``CloseSpider`` when the quiet site's last page arrives, or by
    ``CLOSESPIDER_TIMEOUT`` (``--plain-timeout``) if that never happens; the output says
    which, and how many requests it queued.

Run (about 2 minutes; the plain Scrapy bomb run needs several GiB of memory)::

    .venv/bin/python bench/hostile.py [--bombs 4] [--bomb-mib 1024] [--links 200000]
                                      [--max-pages 200] [--plain-timeout 60]
                                      [--only bombs|flood] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput as tp  # StatsDump (plain Scrapy's stats), the repository's root

from crawler.demo.server import Handler, Hit, Route, SiteServer

REPO = tp.REPO
BOMB_HOST = "127.0.0.52"
FLOOD_HOST = "127.0.0.53"
QUIET_HOST = "127.0.0.54"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
#: the operator contact the crawler requires (as bench/throughput.py)
BENCH_CONTACT = "mailto:bench@example.invalid"
MiB = 1024 * 1024
QUIET_PAGES = 18
QUIET_RPS = 5
OUR_RATE = {"requests_per_second": 500, "concurrency": 8}
#: the default DEPTH_LIMIT of 10 would stop the quiet chain at its 11th page
OUR_DEPTH_LIMIT = 100
#: this crawler's peak in the bomb scenario above this is reported as odd
GOAL_BOMB_RSS_MIB = 500
#: a child running longer than this is killed and the benchmark stops
CHILD_TIMEOUT = 600.0

# --------------------------------------------------------------------------- the sites


def page(body: str, links: Sequence[str] = ()) -> Route:
    """A licensed HTML page (CC BY 4.0, rel=license) with links."""
    anchors = "".join(f'<a href="{href}">link</a>' for href in links)
    return Route(f"<html><head><title>{body}</title></head><body><p>{body}</p>{anchors}"
                 f'<a rel="license" href="{CC_BY}">license</a></body></html>'.encode())


def gzip_bomb(size: int) -> bytes:
    """A gzip body that expands to exactly ``size`` bytes of HTML (a tag, then spaces),
    compressed in 1 MiB chunks: ~1 MB on the wire per GiB, never 1 GiB in memory."""
    head = b"<html><body>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(head)]
    chunk = b" " * MiB
    left = size - len(head)
    while left > 0:
        n = min(left, MiB)
        parts.append(compressor.compress(chunk if n == MiB else chunk[:n]))
        left -= n
    parts.append(compressor.flush())
    return b"".join(parts)


def bomb_site(bomb: bytes, count: int) -> dict[str, Handler]:
    paths = [f"/bomb{i}" for i in range(1, count + 1)]
    route = Route(bomb, headers={"Content-Encoding": "gzip"})
    return {"/": page("bombs", paths), **dict.fromkeys(paths, route)}


QUIET_CHAIN = [f"/q{i}.html" for i in range(QUIET_PAGES)]
#: the flood page is held back until this quiet page was requested
QUIET_CUE = 2
CUE_TIMEOUT = 15.0


class FloodCue:
    """Holds the flood page back until the quiet site's crawl is under way (its page
    ``QUIET_CUE`` requested; at most ``CUE_TIMEOUT`` s), so that in both runs the flood page
    arrives and is parsed while the quiet site is being crawled. The server is threaded:
    the wait holds only the flood page's own answer. :meth:`reset` before each run."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.served = float("nan")  # when the flood page was answered (time.monotonic)

    def reset(self) -> None:
        self.event.clear()
        self.served = float("nan")

    def cue(self, route: Route) -> Handler:
        def handler() -> Route:
            self.event.set()
            return route
        return handler

    def held(self, route: Route) -> Handler:
        def handler() -> Route:
            self.event.wait(CUE_TIMEOUT)
            self.served = time.monotonic()
            return route
        return handler


def flood_site(links: int, cue: FloodCue) -> dict[str, Handler]:
    """One page of ``links`` links (as tests/test_hostile_pages_e2e.py); every /pN.html is
    absent, so the server answers 404 at once."""
    anchors = "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(links))
    return {"/": cue.held(Route(f"<html><body>{anchors}<a rel=\"license\" href=\"{CC_BY}\">"
                                "license</a></body></html>".encode()))}


def quiet_site(cue: FloodCue) -> dict[str, Handler]:
    site: dict[str, Handler] = {path: page(path, [nxt])
                                for path, nxt in itertools.pairwise(QUIET_CHAIN)}
    site[QUIET_CHAIN[-1]] = page("end")
    cued = site[QUIET_CHAIN[QUIET_CUE]]
    assert isinstance(cued, Route)
    site[QUIET_CHAIN[QUIET_CUE]] = cue.cue(cued)
    return site


# --------------------------------------------------------------------------- plain Scrapy child


def child_plain(spec: dict[str, Any]) -> None:
    """Plain Scrapy: follow every link, download every page, default settings."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import CloseSpider
    from scrapy.http import Response, TextResponse
    from scrapy.linkextractors import LinkExtractor

    start_urls: list[str] = spec["start_urls"]
    stop_url: str | None = spec.get("stop_url")

    class PlainSpider(scrapy.Spider):
        name = "plain"
        link_extractor = LinkExtractor()

        async def start(self) -> AsyncIterator[Any]:
            for url in start_urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Response) -> Any:
            yield {"url": response.url, "length": len(response.body)}
            if isinstance(response, TextResponse):
                for link in self.link_extractor.extract_links(response):
                    yield scrapy.Request(link.url, callback=self.parse)
            if response.url == stop_url:
                raise CloseSpider("quiet_site_done")

    settings: dict[str, Any] = {
        "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False,
        "EXTENSIONS": tp.STATS_EXTENSION, "BENCH_STATS_FILE": spec["stats_file"],
        **spec.get("settings", {})}
    process = CrawlerProcess(settings)
    process.crawl(PlainSpider, allowed_domains=spec["hosts"])
    process.start()


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    """One child process: peak RSS (MiB), CPU (user + sys, s), wall (s), and when it ran."""

    label: str
    rss: float
    cpu: float
    wall: float
    started: float
    ended: float
    returncode: int
    log: Path
    stats: dict[str, Any] = field(default_factory=dict)


def run_child(label: str, command: list[str], log: Path) -> Run:
    started = time.monotonic()
    with log.open("w") as out:  # a file, not a pipe: wait4 reaps the child itself
        proc = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        usage = tp.wait_measured(proc, CHILD_TIMEOUT)
    if usage is None:
        raise SystemExit(f"{label} ran longer than {CHILD_TIMEOUT:.0f} s:\n"
                         f"{log.read_text()[-3000:]}")
    ended = time.monotonic()
    return Run(label, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,  # KiB on Linux
               ended - started, started, ended, proc.returncode, log)


def run_plain(workdir: Path, name: str, spec: dict[str, Any]) -> Run:
    stats_file = workdir / f"plain-{name}.json"
    spec = {**spec, "stats_file": str(stats_file)}
    run = run_child("plain Scrapy", [sys.executable, __file__, "--child", json.dumps(spec)],
                    workdir / f"plain-{name}.log")
    if run.returncode != 0 or not stats_file.exists():
        raise SystemExit(f"plain Scrapy ({name}) failed (exit {run.returncode}):\n"
                         f"{run.log.read_text()[-3000:]}")
    run.stats = json.loads(stats_file.read_text())
    return run


def write_policy(directory: Path, name: str, host: str, start_urls: list[str], port: int,
                 rate: dict[str, int]) -> None:
    import yaml

    policy = {
        "name": name, "hosts": [host], "ports": [port],
        "tos": {"url": f"http://{host}:{port}/terms", "reviewed": "2026-11-01",
                "reviewer": "Bench", "crawling": "allowed", "ai_training": "allowed"},
        "purposes": ["research"], "start_urls": start_urls, "rate": rate,
        "licenses": {"accept": {"research": ["CC-BY-4.0"]}}, "retention_days": 30,
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))


def run_ours(workdir: Path, name: str, policies: Path, *settings: str) -> Run:
    store = workdir / f"store-{name}"
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--policies", str(policies),
               "--store", str(store), "--purpose", "research", "--allow-private-networks"]
    for setting in (f"COMPLIANCE_CONTACT={BENCH_CONTACT}", *settings):
        command += ["-s", setting]
    run = run_child("this crawler", command, workdir / f"ours-{name}.log")
    if not list(store.glob("ledger/*/*.jsonl")):
        raise SystemExit(f"this crawler ({name}) wrote no ledger (exit {run.returncode}):\n"
                         f"{run.log.read_text()[-3000:]}")
    return run


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def hits_during(server: SiteServer, host: str, run: Run) -> list[Hit]:
    return [h for h in server.hits_for(host) if run.started <= h.time <= run.ended]


# --------------------------------------------------------------------------- report


def table(title: str, rows: Sequence[tuple[Run, str]], extra: str = "") -> None:
    print(f"\n{title}")
    print(f"  {'crawler':<14} {'peak RSS MiB':>12} {'CPU s':>7} {'wall s':>7}"
          f"{'  ' + extra if extra else ''}")
    for run, note in rows:
        print(f"  {run.label:<14} {run.rss:>12.1f} {run.cpu:>7.2f} {run.wall:>7.2f}"
              f"{'  ' + note if note else ''}")


def ratios(plain: Run, ours: Run, more: str = "") -> None:
    print(f"  ours/plain: RSS {ours.rss / plain.rss:.3f}, CPU {ours.cpu / plain.cpu:.3f}, "
          f"wall {ours.wall / plain.wall:.3f}{more}")


def odd(message: str) -> None:
    print(f"  ODD: {message}")


# --------------------------------------------------------------------------- scenarios


def bombs(server: SiteServer, workdir: Path, count: int, mib: int, wire: int) -> None:
    start = server.url(BOMB_HOST, "/")
    bomb_paths = {f"/bomb{i}" for i in range(1, count + 1)}
    plain = run_plain(workdir, "bombs", {"start_urls": [start], "hosts": [BOMB_HOST]})
    plain_hits = [h.path for h in hits_during(server, BOMB_HOST, plain)]
    parsed = plain.stats.get("item_scraped_count", 0) - 1  # minus the start page

    policies = workdir / "policies-bombs"
    write_policy(policies, "bombs", BOMB_HOST, [start], server.port, OUR_RATE)
    ours = run_ours(workdir, "bombs", policies)
    ledger = tp.store_ledger(workdir / "store-bombs")
    limits = [r for r in ledger if r.get("reason") == "size_limit"]
    ours_hits = [h.path for h in hits_during(server, BOMB_HOST, ours)]

    table(f"BOMBS: {count} gzip responses of {wire / 1e6:.2f} MB, each {mib} MiB decompressed, "
          "linked from one page", [
              (plain, f"{sum(p in bomb_paths for p in plain_hits)} bombs fetched, {parsed} "
                      f"decompressed and parsed (DOWNLOAD_MAXSIZE 1 GiB, Scrapy's default)"),
              (ours, f"{sum(p in bomb_paths for p in ours_hits)} bombs fetched, "
                     f"{len(limits)} size_limit ledger line(s) (DOWNLOAD_MAXSIZE 32 MiB, "
                     "the addon's default)")])
    ratios(plain, ours)
    if ours.returncode:
        odd(f"this crawler exited {ours.returncode}")
    bomb_urls = {server.url(BOMB_HOST, p) for p in bomb_paths}
    limited = {r.get("url") for r in limits}
    if limited != bomb_urls or len(limits) != count:
        odd(f"size_limit lines for {sorted(limited)} ({len(limits)} lines), expected one for "
            f"each of {sorted(bomb_urls)}")
    if mib * MiB > 32 * MiB and any("during decompression" not in r.get("sentence", "")
                                    for r in limits):
        odd("a size_limit line does not say 'during decompression'")
    if ours.rss > GOAL_BOMB_RSS_MIB:
        odd(f"this crawler peaked at {ours.rss:.0f} MiB (tests/test_size_limits_e2e.py: "
            f"< {GOAL_BOMB_RSS_MIB} MiB for one 50 MiB bomb)")
    if parsed != count:
        odd(f"plain Scrapy parsed {parsed} of {count} bombs")


@dataclass
class FloodView:
    """What the server saw of one flood run, in seconds since the child was spawned."""

    stall: float  # the quiet site's longest gap between page requests
    finished: bool  # every quiet page requested (else ``stall`` counts the wait to the end)
    quiet_pages: int
    quiet_first: float
    quiet_last: float
    flood_page: float  # the flood page answered (requested earlier: see FloodCue)
    first_link: float  # the first of its links requested: its parse is done by then
    links_requested: int

    @property
    def stall_label(self) -> str:
        return f"{'' if self.finished else '>'}{self.stall:.2f}"

    def overlapped(self) -> bool:
        """The flood page was parsed while the quiet site was being crawled."""
        return self.quiet_first < self.first_link and self.flood_page < self.quiet_last


def flood_view(server: SiteServer, run: Run, served: float) -> FloodView:
    nan = float("nan")
    chain = set(QUIET_CHAIN)
    quiet = [h.time for h in hits_during(server, QUIET_HOST, run) if h.path in chain]
    flood = hits_during(server, FLOOD_HOST, run)
    links = [h.time for h in flood if h.path.startswith("/p")]
    stall = max((b - a for a, b in itertools.pairwise(quiet)), default=0.0)
    finished = len(quiet) == len(chain)
    if not finished:
        stall = max(stall, run.ended - (quiet[-1] if quiet else run.started))
    return FloodView(stall, finished, len(quiet),
                     quiet[0] - run.started if quiet else nan,
                     quiet[-1] - run.started if quiet else nan, served - run.started,
                     (links[0] if links else run.ended) - run.started, len(links))


def flood(server: SiteServer, cue: FloodCue, workdir: Path, links: int, max_pages: int,
          plain_timeout: int) -> None:
    flood_start = server.url(FLOOD_HOST, "/")
    quiet_start = server.url(QUIET_HOST, QUIET_CHAIN[0])
    delay = 1 / QUIET_RPS
    cue.reset()
    plain = run_plain(workdir, "flood", {
        "start_urls": [flood_start, quiet_start], "hosts": [FLOOD_HOST, QUIET_HOST],
        "stop_url": server.url(QUIET_HOST, QUIET_CHAIN[-1]),
        "settings": {"CLOSESPIDER_TIMEOUT": plain_timeout,
                     "DOWNLOAD_SLOTS": {QUIET_HOST: {"delay": delay, "concurrency": 1,
                                                     "jitter": 0}}}})
    served = {plain.label: cue.served}

    policies = workdir / "policies-flood"
    write_policy(policies, "flood", FLOOD_HOST, [flood_start], server.port, OUR_RATE)
    write_policy(policies, "quiet", QUIET_HOST, [quiet_start], server.port,
                 {"requests_per_second": QUIET_RPS, "concurrency": 1})
    cue.reset()
    ours = run_ours(workdir, "flood", policies, f"COMPLIANCE_MAX_PAGES_PER_SITE={max_pages}",
                    f"DEPTH_LIMIT={OUR_DEPTH_LIMIT}")
    served[ours.label] = cue.served
    ledger = tp.store_ledger(workdir / "store-flood")
    manifest = read_jsonl(workdir / "store-flood" / "manifest.jsonl")

    views = {run.label: flood_view(server, run, served[run.label]) for run in (plain, ours)}
    rows = [(run, f"{v.stall_label:>7} {v.quiet_pages:>3}/{QUIET_PAGES:<3} "
                  f"{v.quiet_first:>5.1f}-{v.quiet_last:<5.1f} "
                  f"{v.flood_page:>5.1f}-{v.first_link:<5.1f} {v.links_requested:>7}")
            for run, v in ((plain, views[plain.label]), (ours, views[ours.label]))]
    table(f"FLOOD: one page of {links} links (/pN.html, all 404) + a quiet site of "
          f"{QUIET_PAGES} chained pages at {QUIET_RPS}/s, same run", rows,
          f"{'stall s':>7} {'quiet':>7} {'quiet at s':>11} {'flood at s':>11} {'/pN req':>7}")
    print("  stall = the quiet site's longest gap between page requests (smooth: "
          f"{delay:.1f} s; '>': it never finished); quiet at = its first and last page request; "
          f"flood at = the flood page's answer (held back until quiet page {QUIET_CUE} was "
          "requested) and its first link's request (the parse lies between)")
    reason = plain.stats.get("finish_reason")
    print(f"  plain Scrapy: no cap on links or pages; quiet site slot delay {delay:.1f} s, "
          f"concurrency 1, no jitter (DOWNLOAD_SLOTS); ended by finish_reason={reason} "
          f"(CloseSpider at the quiet site's last page, else CLOSESPIDER_TIMEOUT="
          f"{plain_timeout}); queued {plain.stats.get('scheduler/enqueued', 0)} requests, "
          f"sent {plain.stats.get('downloader/request_count', 0)}")
    if reason == "closespider_timeout":
        print(f"  plain Scrapy was cut off after {plain_timeout} s (--plain-timeout): its CPU, "
              "wall and stall are lower bounds, set by that cap")
    link_limit = [r for r in ledger if r.get("reason") == "link_limit"]
    page_limit = [r for r in ledger if r.get("reason") == "site_page_limit"]
    quiet_stored = {e["url"] for e in manifest if QUIET_HOST in e.get("url", "")}
    print(f"  this crawler: flood policy {OUR_RATE['requests_per_second']}/s, concurrency "
          f"{OUR_RATE['concurrency']}; -s COMPLIANCE_MAX_PAGES_PER_SITE={max_pages} (to end "
          f"the run quickly) -s DEPTH_LIMIT={OUR_DEPTH_LIMIT} (the default 10 would stop the "
          "quiet chain at its 11th page), COMPLIANCE_MAX_LINKS_PER_PAGE default; ledger: "
          f"{len(link_limit)} link_limit line(s) {[r.get('evidence') for r in link_limit]}, "
          f"{len(page_limit)} site_page_limit; quiet pages stored "
          f"{len(quiet_stored)}/{QUIET_PAGES}")
    vp, vo = views[plain.label], views[ours.label]
    more = f", quiet stall {vo.stall / vp.stall:.3f}" if vp.finished and vo.finished else ""
    ratios(plain, ours, more)
    if ours.returncode:
        odd(f"this crawler exited {ours.returncode}")
    if len(link_limit) != 1:
        odd(f"{len(link_limit)} link_limit lines, expected 1 on the flood page")
    if not vo.finished or vo.stall > 3 * delay:
        odd(f"the quiet site stalled {vo.stall_label} s under this crawler "
            f"(smooth: {delay:.1f} s)")
    if len(quiet_stored) != QUIET_PAGES:
        odd(f"this crawler stored {len(quiet_stored)} of the quiet site's {QUIET_PAGES} pages")
    for run, view in ((plain, vp), (ours, vo)):
        if not view.overlapped():
            odd(f"{run.label}: the flood page was not parsed while the quiet site was "
                "crawled: its stall says little")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bombs", type=int, default=4, help="gzip bombs on the page (4)")
    parser.add_argument("--bomb-mib", type=int, default=1024,
                        help="decompressed size of each bomb in MiB (1024; at most 1024, "
                             "plain Scrapy's DOWNLOAD_MAXSIZE)")
    parser.add_argument("--links", type=int, default=200_000,
                        help="links on the flood page (200000)")
    parser.add_argument("--max-pages", type=int, default=200,
                        help="this crawler's COMPLIANCE_MAX_PAGES_PER_SITE in the flood (200)")
    parser.add_argument("--plain-timeout", type=int, default=60,
                        help="plain Scrapy's CLOSESPIDER_TIMEOUT in the flood (60 s)")
    parser.add_argument("--only", choices=("bombs", "flood"), help="run one scenario")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep the children's logs, stores and ledgers here (default: a "
                             "temporary directory, deleted)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_plain(json.loads(args.child))
        return 0
    if not 1 <= args.bomb_mib <= 1024 or args.bombs < 1 or args.links < 1:
        parser.error("1 <= --bomb-mib <= 1024, --bombs >= 1, --links >= 1")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    began = time.monotonic()
    bomb = gzip_bomb(args.bomb_mib * MiB)
    print(f"gzip bomb: {len(bomb) / 1e6:.2f} MB -> {args.bomb_mib} MiB, built in "
          f"{time.monotonic() - began:.1f} s; machine: {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")
    print("figures per child process, start-up included: peak RSS (ru_maxrss), CPU = user + "
          "sys, wall = spawn to exit")
    cue = FloodCue()
    sites = {BOMB_HOST: bomb_site(bomb, args.bombs), FLOOD_HOST: flood_site(args.links, cue),
             QUIET_HOST: quiet_site(cue)}
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp, \
            SiteServer(sites) as server:
        workdir = Path(args.keep or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.keep and any(workdir.iterdir()):
            parser.error(f"--keep {workdir}: not empty")
        if args.only in (None, "bombs"):
            bombs(server, workdir, args.bombs, args.bomb_mib, len(bomb))
        if args.only in (None, "flood"):
            flood(server, cue, workdir, args.links, args.max_pages, args.plain_timeout)
        if args.keep:  # every request the sites received, seconds since the bench began
            with (workdir / "hits.jsonl").open("w") as fh:
                for hit in server:
                    fh.write(json.dumps({"t": round(hit.time - began, 4), "host": hit.address,
                                         "path": hit.path}) + "\n")
    print(f"\ntotal {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
