"""License detection on the real-page dev set: exact-SPDX precision/recall and latency.

Every page of ``bench/license_devset`` (a committed file, or for ``"file": null`` its copy in
``license_devset/cache/`` made by ``license_devset/fetch.py``) is parsed once the way Scrapy
does it (``HtmlResponse(...).selector``, timed separately) and then judged twice in the same
run on that parse:

* **detector**: what the crawler does for a page, ``license_detect.detect(url, headers,
  selector)`` and the license gate's ``check`` for a policy that accepts every known SPDX id
  (so the decision shows what was *found*, not what a policy allows); the prediction is the
  gate's chosen license, or none when it refuses (missing, unknown, conflict);
* **anchor**: the first ``<a>``/``<link>``/``<area>`` whose ``rel`` has the token ``license``,
  its ``href`` resolved against the page URL and mapped with ``canonicalize_url`` (a CC link
  without a version maps to none).

A last line gives the same figures for what a crawl decides when the site's policy names its
license page as ``crawler policy new`` proposes it (the page's best link with license
wording, when that page is in the set too): the page's own statements first, the site
license (:mod:`crawler.gates.site_license`) only for a page without a license of its own.

Exact-SPDX precision = correct non-null predictions / non-null predictions; recall = correct
non-null predictions / non-null labels. Per-class figures use the labels' ``classes``.

Latency is wall time per page. On a shared machine a page's time includes the moments the
process waits for a core; ``--repeat N`` times each page N times (the cached scan dropped in
between), in N passes over the whole set so that one slow spell of the machine does not take
every run of a page, and keeps the fastest, which measures the work rather than the wait.
The anchor's figures, a plain XPath step, show the machine's speed in the same run. The last
lines time a synthetic 1 MB article (a wiki-like page: navigation, a front-end's state
script, paragraphs full of links, some of them talking about licences, figures, a licensed
footer), as served with line breaks and minified onto one line.

Run: ``.venv/bin/python bench/licenses.py [--verbose] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.gates import license as license_gate
from crawler.gates import site_license
from crawler.policy.model import LicenseRules, Rate, SitePolicy, ToSReview, Verdict
from crawler.policy.terms_links import LICENSE, find_links
from crawler.signals import license_detect
from crawler.signals.licenses import License, canonicalize_url, known_spdx_ids

DEVSET = Path(__file__).resolve().parent / "license_devset"
HEADERS = {"Content-Type": ["text/html"]}
POLICY = SitePolicy(
    name="devset", source="devset.yaml", sha256="0" * 64, version="1", hosts=("devset.test",),
    tos=ToSReview("http://devset.test/terms", date(2026, 1, 1), "bench",
                  Verdict.ALLOWED, Verdict.ALLOWED),
    purposes=frozenset({"research"}), start_urls=(), sitemaps=(), allow_paths=(),
    deny_paths=(), rate=Rate(1, 1),
    licenses=LicenseRules(accept={"research": frozenset(known_spdx_ids())}),
    retention_days=1)
REL_LICENSE = ("//*[self::a or self::link or self::area]"
               "[contains(concat(' ', normalize-space(translate(@rel, 'LICENS', 'licens')), ' '),"
               " ' license ')]/@href")


@dataclass
class Method:
    """Predictions and per-page latencies (ms) of one way of finding a page's license."""

    name: str
    predicted: dict[str, str | None] = field(default_factory=dict)
    latency: list[float] = field(default_factory=list)


def detector(url: str, selector: Selector) -> str | None:
    found = license_detect.detect(url, HEADERS, selector)
    decision, _ = license_gate.check(found, [], POLICY, "research")
    return decision.evidence.get("spdx") if decision.allowed else None


def with_site_page(url: str, selector: Selector, site_pages: dict[str, Selector]
                   ) -> tuple[str | None, bool]:
    """What a crawl decides for the page when its policy names the site's license page as
    ``crawler policy new`` proposes it (the page the home page links to with license
    wording; here the page's own best such link), when that page is in the set: the
    page's prediction and whether the site license was taken."""
    found = license_detect.detect(url, HEADERS, selector)
    fallback = []
    if site_license.wanted(found):
        link = next((c for c in find_links(selector, url) if c.kind == LICENSE), None)
        page = site_pages.get(urldefrag(link.url)[0]) if link is not None else None
        if link is not None and page is not None:
            reading = site_license.read(
                site_license.LicensePageLink(link.url, site_license.BY_POLICY), 0.0, 200,
                license_detect.detect(link.url, HEADERS, page))
            fallback = [reading.statement] if reading.statement is not None else []
    decision, chosen = license_gate.check(found, fallback, POLICY, "research")
    taken = chosen is not None and chosen.channel == site_license.CHANNEL
    return (decision.evidence.get("spdx") if decision.allowed else None), taken


def anchor(url: str, selector: Selector) -> str | None:
    href = selector.xpath(REL_LICENSE).get()
    if not href:
        return None
    lic = canonicalize_url(urljoin(url, href.strip()))
    return lic.spdx if isinstance(lic, License) else None


def timed(fn: Callable[[], Any], reset: Callable[[], None] | None = None) -> tuple[Any, float]:
    """``fn()`` and its time in ms (``reset()`` first, untimed)."""
    if reset is not None:
        reset()
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def big_page(size: int = 1_000_000, sep: str = "\n") -> bytes:
    """A wiki-like article of ``size`` bytes: navigation, a front-end's state script,
    paragraphs full of links (some talking about licences), figures with captions, a footer
    with the license (``sep`` between elements: a line break as served, "" as minified)."""
    words = ["moss", "lichen", "tide", "pool", "rock", "shore", "kelp", "forest", "seal",
             "harbour", "bird", "wing", "nest", "river", "delta", "estuary", "marsh", "dune"]

    def sentence(i: int, n: int) -> str:
        return " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(n)).capitalize() + "."

    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tidal pools'
             '</title><link rel="stylesheet" href="/s.css"><link rel="license" '
             'href="https://creativecommons.org/licenses/by-sa/4.0/"><script type="application/'
             'ld+json">{"@context":"https://schema.org","@type":"Article","license":'
             '"https://creativecommons.org/licenses/by-sa/4.0/"}</script></head><body><header>'
             '<nav><ul>']
    parts += [f'<li><a href="/wiki/{w}{i}" title="{w}">{w}</a></li>'
              for i, w in enumerate(words * 8)]
    parts.append("</ul></nav></header><main><article><h1>Tidal pools</h1>")
    state = ",".join(f'"item{k}":{{"licenseKey":"k{k}","text":"{sentence(k, 9)}"}}'
                     for k in range(size // 800))  # a front-end's state, as news sites ship it
    parts.append(f"<script>window.__STATE__={{{state}}};</script>")
    i, total = 0, sum(map(len, parts))
    while total < size - 3000:
        i += 1
        if i % 12 == 0:
            parts.append(f'<figure><img src="/img/p{i}.jpg" alt="pool {i}" width="220">'
                         f"<figcaption>{sentence(i, 8)}</figcaption></figure>")
        if i % 40 == 0:  # running text that talks about licenses
            parts.append(f"<p>{sentence(i, 9)} The fishing licence for the estuary costs "
                         "more each year, and the licensing office is closed on Mondays.</p>")
        links = " ".join(f'<a href="/wiki/{words[(i + k) % len(words)]}" title="{words[k]}">'
                         f"{words[k]}</a> {sentence(i + k, 6)}" for k in range(3))
        parts.append(f'<p>{sentence(i, 12)} {links} {sentence(i, 10)}<sup><a href="#c{i}">'
                     f"[{i}]</a></sup></p>")
        total += len(parts[-1]) + len(sep)
    parts.append('</article></main><footer id="footer"><ul><li>Text is available under the '
                 '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">'
                 "Creative Commons Attribution-ShareAlike 4.0 International License</a>; "
                 "additional terms may apply.</li><li>© 2026 Example Wiki contributors</li>"
                 "</ul></footer></body></html>")
    return sep.join(parts).encode()


def big_pages(repeat: int) -> None:
    """Time detection + gate on the 1 MB page, with line breaks and minified."""
    runs = max(5, repeat)
    for label, sep in (("1 MB page", "\n"), ("1 MB page, minified", "")):
        body = big_page(sep=sep)
        url = "https://wiki.example/wiki/Tidal_pools"
        response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})
        selector, parse_ms = timed(lambda response=response: response.selector)
        found = detector(url, selector)
        times = [timed(lambda url=url, selector=selector: detector(url, selector),
                       reset=lambda selector=selector: license_detect.forget(selector))[1]
                 for _ in range(runs)]
        print(f"{label} ({len(body) / 1000:.0f} KB, {found}): detector median "
              f"{statistics.median(times):.3f} ms, max {max(times):.3f} ms over {runs} runs; "
              f"HTML parse {parse_ms:.1f} ms")


def load_pages() -> tuple[list[tuple[dict[str, Any], bytes]], list[str]]:
    """The labelled pages whose bytes are at hand, and the ids of those that are not."""
    pages, missing = [], []
    for line in (DEVSET / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        path = DEVSET / (entry["file"] or f"cache/{entry['id']}.html")
        if path.is_file():
            pages.append((entry, path.read_bytes()))
        else:
            missing.append(entry["id"])
    return pages, missing


def scores(labels: dict[str, str | None], predicted: dict[str, str | None],
           ids: Iterable[str]) -> tuple[float, float, int]:
    """(precision, recall, false positives) over ``ids``; nan where undefined."""
    ids = list(ids)
    said = [i for i in ids if predicted[i] is not None]
    positive = [i for i in ids if labels[i] is not None]
    right = sum(1 for i in said if predicted[i] == labels[i])
    precision = right / len(said) if said else float("nan")
    recall = right / len(positive) if positive else float("nan")
    return precision, recall, len(said) - right


def quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95, ordered[-1]


def report(entries: list[dict[str, Any]], methods: list[Method], parse: list[float],
           verbose: bool) -> None:
    labels = {e["id"]: e["spdx"] for e in entries}
    ids = list(labels)
    positives = sum(1 for v in labels.values() if v)
    print(f"{len(ids)} pages, {positives} with a license label, {len(ids) - positives} without")
    print(f"{'':<10} {'precision':>9} {'recall':>7} {'FP':>4} {'median ms':>10} {'p95 ms':>8} "
          f"{'max ms':>8}")
    figures = {}
    for m in methods:
        precision, recall, fp = scores(labels, m.predicted, ids)
        median, p95, peak = quantiles(m.latency)
        figures[m.name] = (precision, recall, median, p95)
        print(f"{m.name:<10} {precision:>9.3f} {recall:>7.3f} {fp:>4} {median:>10.3f} "
              f"{p95:>8.3f} {peak:>8.3f}")
    median, p95, peak = quantiles(parse)
    print(f"{'HTML parse':<10} {'':>9} {'':>7} {'':>4} {median:>10.3f} {p95:>8.3f} {peak:>8.3f}"
          "   (Scrapy's response.selector, not included above)")
    det, anc = figures[methods[0].name], figures[methods[1].name]
    print("ratio detector/anchor: " + ", ".join(
        f"{what} {a / b:.2f}" if b else f"{what} n/a"
        for what, a, b in zip(("precision", "recall", "median latency", "p95 latency"),
                              det, anc, strict=True)))
    print("\nper class (pages, licensed; recall and false positives of detector | anchor)")
    classes = sorted({c for e in entries for c in e["classes"]})
    for cls in classes:
        members = [e["id"] for e in entries if cls in e["classes"]]
        licensed = sum(1 for i in members if labels[i])
        cells = []
        for m in methods:
            _, recall, fp = scores(labels, m.predicted, members)
            cells.append(f"{'  -  ' if recall != recall else f'{recall:5.2f}'} fp {fp}")
        print(f"  {cls:<32} {len(members):>3} {licensed:>3}   {cells[0]:<12} | {cells[1]}")
    if verbose:
        for m in methods:
            misses = [i for i in ids if labels[i] and m.predicted[i] != labels[i]]
            wrong = [i for i in ids if m.predicted[i] and m.predicted[i] != labels[i]]
            print(f"\n{m.name}: {len(misses)} misses")
            for i in misses:
                print(f"  {i:<32} label {labels[i]:<28} got {m.predicted[i]}")
            print(f"{m.name}: {len(wrong)} false positives (a license other than the label)")
            for i in wrong:
                print(f"  {i:<32} label {labels[i]!s:<28} got {m.predicted[i]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list misses and false positives")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time each page N times, in N passes over the set, and keep its "
                             "fastest (default 1)")
    args = parser.parse_args()
    pages, missing = load_pages()
    methods = [Method("detector"), Method("anchor")]
    functions: list[Callable[[str, Selector], str | None]] = [detector, anchor]
    parse: list[float] = []
    if pages:  # warm up (lazy imports, compiled patterns) outside the timings
        entry, body = pages[0]
        warm = HtmlResponse(entry["url"], body=body, headers={"Content-Type": "text/html"})
        for fn in functions:
            fn(entry["url"], warm.selector)
    selectors: dict[str, Selector] = {}
    for entry, body in pages:
        response = HtmlResponse(entry["url"], body=body, headers={"Content-Type": "text/html"})
        selectors[entry["id"]], ms = timed(lambda response=response: response.selector)
        parse.append(ms)
    fastest: list[dict[str, float]] = [{} for _ in methods]
    for _ in range(max(1, args.repeat)):  # whole passes: a slow spell of the machine (a
        for entry, _body in pages:  # host taking the core away) does not take every run of
            url, selector = entry["url"], selectors[entry["id"]]  # one page
            for method, fn, best in zip(methods, functions, fastest, strict=True):
                predicted, ms = timed(lambda fn=fn, url=url, selector=selector: fn(url, selector),
                                      reset=lambda selector=selector: license_detect.forget(
                                          selector))
                method.predicted[entry["id"]] = predicted
                best[entry["id"]] = min(best.get(entry["id"], ms), ms)
    for method, best in zip(methods, fastest, strict=True):
        method.latency = [best[entry["id"]] for entry, _ in pages]
    urls = Counter(e["url"] for e, _ in pages)  # a URL taken twice (two dates) is no site page
    by_url = {e["url"]: selectors[e["id"]] for e, _ in pages if urls[e["url"]] == 1}
    site = {e["id"]: with_site_page(e["url"], selectors[e["id"]], by_url) for e, _ in pages}
    if missing:
        print(f"{len(missing)} page(s) not at hand (run license_devset/fetch.py): "
              + ", ".join(missing))
    size = statistics.mean(len(body) for _, body in pages) / 1000
    print(f"license dev set: {len(pages)} pages of {size:.0f} KB on average "
          f"(largest {max(len(b) for _, b in pages) / 1000:.0f} KB)")
    report([e for e, _ in pages], methods, parse, args.verbose)
    labels = {e["id"]: e["spdx"] for e, _ in pages}
    precision, recall, fp = scores(labels, {i: p for i, (p, _) in site.items()}, labels)
    print(f"\ndetector + the site's license page (named by the policy as `policy new` "
          f"proposes it, read as a crawl reads it): precision {precision:.3f}, recall "
          f"{recall:.3f}, FP {fp}; {sum(taken for _, taken in site.values())} page(s) took "
          "the site license")
    print()
    big_pages(args.repeat)


if __name__ == "__main__":
    main()
