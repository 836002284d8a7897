"""Decision cost per page: every opt-out and license check on 50 KB pages.

What is timed is what the item gates do for one page once Scrapy has parsed it: the
opt-out signals (robots meta, X-Robots-Tag, TDMRep header/meta/file, Content-Usage,
ai.txt) and their gate, then license detection and the license gate. The parse itself is
Scrapy's (``response.selector``) and is reused, so it is reported separately. The
baseline is extruct, the usual way to read a page's structured metadata (JSON-LD,
microdata, RDFa, OpenGraph), run on the same pages in the same process; it parses the
page itself, so its figure is compared with ours both with and without the parse.

Run: ``.venv/bin/python bench/decisions.py [--pages 300]``. Goal: median <= 1 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date

import extruct
from scrapy.http import HtmlResponse

from crawler.gates import license as license_gate
from crawler.gates import optout as optout_gate
from crawler.policy.model import LicenseRules, Rate, SitePolicy, ToSReview, Verdict
from crawler.signals import license_detect
from crawler.signals.aitxt import AI_TXT_FILE, AiTxt
from crawler.signals.optout import item_signals
from crawler.signals.tdmrep import TDMREP_FILE, TdmRepFile

LICENSES = ["by/4.0", "by-sa/4.0", "by-nc/4.0", "by-sa/3.0/de", "by/2.0/uk"]
WORDS = ["moss", "lichen", "fern", "spore", "canopy", "understory", "humus", "mycelium",
         "rhizome", "bryophyte", "sphagnum", "epiphyte"]


def make_page(i: int, rng: random.Random, size: int = 50_000) -> str:
    lic = f"https://creativecommons.org/licenses/{rng.choice(LICENSES)}/"
    head = (f"<title>Field note {i}</title><meta name='author' content='A. Writer'>"
            f"<meta name='robots' content='index, follow'>"
            f"<meta property='og:title' content='Field note {i}'>"
            "<script type='application/ld+json'>{\"@context\": \"https://schema.org\", "
            f"\"@type\": \"Article\", \"headline\": \"Field note {i}\", \"license\": \"{lic}\"}}"
            "</script>")
    nav = "".join(f"<li><a href='/n/{k}.html'>Section {k}</a></li>" for k in range(40))
    parts = [f"<html><head>{head}</head><body><nav><ul>{nav}</ul></nav><main>"]
    while sum(map(len, parts)) < size - 2000:
        words = " ".join(rng.choice(WORDS) for _ in range(120))
        parts.append(f"<p>{words} <a href='/p/{rng.randrange(10**6)}.html'>more</a></p>")
        if rng.random() < 0.1:
            parts.append(f"<figure><img src='/img/{rng.randrange(10**6)}.jpg' alt='x'>"
                         "<figcaption>Photo: B. Shooter, CC BY 4.0</figcaption></figure>")
    parts.append(f"</main><footer>Text is available under <a rel='license' href='{lic}'>"
                 "a Creative Commons license</a>.</footer></body></html>")
    return "".join(parts)


POLICY = SitePolicy(
    name="bench", source="bench.yaml", sha256="0" * 64, version="1", hosts=("bench.test",),
    tos=ToSReview("http://bench.test/terms", date(2026, 1, 1), "bench",
                  Verdict.ALLOWED, Verdict.ALLOWED),
    purposes=frozenset({"research"}), start_urls=(), sitemaps=(), allow_paths=(),
    deny_paths=(), rate=Rate(1, 1),
    licenses=LicenseRules(accept={"research": frozenset({"CC-BY-4.0", "CC-BY-SA-4.0"})}),
    retention_days=1)
HEADERS = {"Content-Type": ["text/html; charset=utf-8"], "X-Robots-Tag": ["otherbot: noindex"],
           "Link": ['<https://example.test/style.css>; rel="preload"']}
TDMREP = TdmRepFile.parse(b'[{"location": "/private/*", "tdm-reservation": 1}]')
AI_TXT = AiTxt.parse(b"User-Agent: *\nDisallow: *.mp4\n")


def our_checks(url: str, response: HtmlResponse) -> None:
    selector = response.selector
    signals = item_signals("page", url, HEADERS, token="compliance-crawler",
                           selector=selector,
                           site_files=[(TDMREP_FILE, TDMREP), (AI_TXT_FILE, AI_TXT)])
    optout_gate.check(signals, "page")
    found = license_detect.detect(url, HEADERS, selector)
    license_gate.check(found, [], POLICY, "research")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(name: str, samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    median = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<44} median {median:7.3f} ms   p99 {p99:7.3f} ms")
    return median, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(42)
    pages = [(f"http://bench.test/note/{i}.html", make_page(i, rng)) for i in range(args.pages)]
    ours, parse, baseline = [], [], []
    for url, html in pages:
        body = html.encode()
        response = HtmlResponse(url, body=body, encoding="utf-8")
        parse.append(timed(lambda response=response: response.selector))  # Scrapy's parse
        ours.append(timed(lambda url=url, response=response: our_checks(url, response)))
        baseline.append(timed(lambda html=html, url=url: extruct.extract(
            html, base_url=url, syntaxes=["json-ld", "microdata", "rdfa", "opengraph"])))
    size = statistics.mean(len(h) for _, h in pages) / 1000
    print(f"{len(pages)} pages of {size:.0f} KB on average")
    our_median, _ = summary("opt-out + license checks (parse reused)", ours)
    summary("Scrapy's parse (response.selector)", parse)
    with_parse = [a + b for a, b in zip(ours, parse, strict=True)]
    summary("checks + parse", with_parse)
    base_median, _ = summary("extruct baseline (parses itself)", baseline)
    print(f"ratio ours/extruct: {our_median / base_median:.3f} (parse reused), "
          f"{statistics.median(with_parse) / base_median:.3f} (with the parse)")
    print(f"goal median <= 1 ms: {'met' if our_median <= 1.0 else 'NOT met'} "
          f"({our_median:.3f} ms)")


if __name__ == "__main__":
    main()
