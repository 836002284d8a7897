"""The report's pure part: ledger lines and a run report -> figures -> HTML, no store,
no Scrapy."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest

from crawler.report import assets, figures, html, svg, timeline
from crawler.report.figures import (
    NO_FINAL,
    NO_POLICY,
    NOT_READ,
    NOT_STORED,
    READ,
    STORED,
    UNCHANGED,
    WITHDRAWN,
)

H = "http://a.example"


def line(url: str, gate: str, reason: str = "allowed", decision: str = "allow",
         time: str = "2026-03-01T10:00:00.000Z", kind: str = "page", **extra: Any
         ) -> dict[str, Any]:
    return {"v": 1, "run_id": "r1", "time": time, "url": url, "gate": gate,
            "decision": decision, "reason": reason, "sentence": f"{gate} {reason}",
            "evidence": extra.pop("evidence", {}), "kind": kind, **extra}


def stored(url: str, new: bool = True, spdx: str = "CC-BY-4.0", **extra: Any) -> dict[str, Any]:
    return line(url, "store", evidence={"new": new, "spdx": spdx, "sidecar": f"{url}.json"},
                policy="a", **extra)


@pytest.mark.parametrize(("rec", "expected"), [
    (stored(H + "/1"), STORED),
    (stored(H + "/1", new=False), UNCHANGED),
    (line(H + "/1", "retention", "consent_withdrawn", "deny"), WITHDRAWN),
    (line(H + "/1", "optout", "optout", "deny"), NOT_STORED),
    (line(H + "/robots.txt", "robots", "robots_unreachable", "deny", kind="robots"), NOT_READ),
    (line(H + "/robots.txt", "robots", "robots_parsed", kind="robots"), READ),
    (line(H + "/ai.txt", "optout", "signal_file_absent", kind="signal-file"), READ),
    (line(H + "/1", "robots"), NO_FINAL),
])
def test_verdict_of_a_line(rec: dict[str, Any], expected: str) -> None:
    assert figures.verdict(rec) == expected


@pytest.mark.parametrize(("rec", "expected"), [
    (line(H + "/robots.txt", "robots", "robots_parsed", kind="robots"), True),
    (line(H + "/robots.txt", "robots", "robots_unreachable", "deny", kind="robots"), True),
    (line(H + "/1", "robots", "robots_disallowed", "deny"), False),  # never sent
    (line(H + "/1", "allowlist"), False),
    (line(H + "/ai.txt", "optout", "signal_file_read", kind="signal-file"), True),
    (line(H + "/1", "optout"), True),  # an answer's first item-gate line
    (line(H + "/i.png", "optout", "optout", "deny", kind="image",
          evidence={"page_url": H + "/"}), False),  # dropped for its page's noimageai
    (line(H + "/i.png", "optout", "optout", "deny", kind="image",
          evidence={"signals": ["xmp"]}), True),
    (line(H + "/1", "license", "license_missing", "deny"), False),  # not its first line
    (line(H + "/1", "content", "http_error", "deny"), True),
    (line(H + "/1", "politeness", "retry_after"), True),  # a 429 answer
    (line(H + "/1", "politeness", "host_parked", "deny"), False),
    (line(H + "/1", "download", "timeout", "deny"), True),
    (line(H + "/1", "download", "address_refused", "deny"), False),
    (line(H + "/1", "download", "offsite", "deny"), False),
])
def test_which_lines_record_a_request_sent(rec: dict[str, Any], expected: bool) -> None:
    assert figures.is_answer(rec) is expected


def test_optout_signals() -> None:
    assert figures.optout_signals(line(H, "optout", "optout", "deny", evidence={
        "signals": ["x-robots-tag", "tdmrep-header", "x-robots-tag"]})) == [
        "tdmrep-header", "x-robots-tag"]
    assert figures.optout_signals(line(H, "optout", "optout", "deny", kind="image",
                                       evidence={"page_url": H})) == [
        "the page's noai/noimageai"]
    assert figures.optout_signals(line(H, "robots", "robots_ai_optout", "deny",
                                       evidence={"tokens": ["GPTBot"]})) == [
        "robots.txt AI-crawler groups"]
    assert figures.optout_signals(line(H, "robots", "robots_ai_preference_unknown", "deny",
                                       evidence={"preference": "content-usage"})) == [
        "robots.txt content-usage"]
    assert figures.optout_signals(line(H, "robots", "robots_disallowed", "deny")) == []
    assert figures.optout_signals(line(H, "optout", "allowed")) == []


def test_a_run_in_figures() -> None:
    robots = H + "/robots.txt"
    records = [
        line(H + "/", "allowlist", policy="a"),
        line(robots, "allowlist", kind="robots", policy="a"),
        line(robots, "robots", "robots_parsed", kind="robots"),  # no policy field: by host
        line(H + "/", "robots"), line(H + "/", "optout", policy="a"), stored(H + "/"),
        line(H + "/old", "optout", policy="a", time="2026-03-01T10:00:30.000Z"),
        stored(H + "/old", new=False, spdx="MIT", time="2026-03-01T10:00:30.500Z"),
        line(H + "/no", "optout", "optout", "deny", policy="a",
             evidence={"signals": ["x-robots-tag"]}, time="2026-03-01T10:01:00.000Z"),
        line("https://b.example/x", "allowlist", "no_policy", "deny", policy=None),
        line(H + "/r.txt", "robots", "robots_unreachable", "deny", kind="robots"),
        {**line(H + "/other-run", "optout"), "run_id": "r0"},  # another run's line
        "not a line", {"url": 5},  # malformed: skipped / tolerated
    ]
    report = {"run_id": "r1", "started": "2026-03-01T09:59:59+00:00",
              "finished": "2026-03-01T10:01:01+00:00",
              "sites": {"a": {"requests": 4}, "idle": {"requests": 0}},
              "policies": {"a": {"version": "7", "sha256": "ab"}}}
    f = figures.build(records, report, "r1")
    assert f.lines == 11
    assert [s.name for s in f.sites] == ["a", "idle", NO_POLICY]
    a = next(s for s in f.sites if s.name == "a")
    assert a.hosts == ["a.example"] and a.policy == {"version": "7", "sha256": "ab"}
    assert a.report == {"requests": 4}
    assert a.decisions[("robots", "robots_parsed")] == [1, 0]
    assert a.decisions[("robots", "robots_unreachable")] == [0, 1]
    assert a.decisions[("optout", "optout")] == [0, 1]
    assert next(s for s in f.sites if s.name == NO_POLICY).hosts == ["b.example"]
    assert f.licenses == {"CC-BY-4.0": 1} and f.licenses_unchanged == {"MIT": 1}
    # control files are not drops (the run report's "excluded" neither)
    assert f.drops == {"optout/optout": 1, "allowlist/no_policy": 1}
    assert f.drop_examples["optout/optout"] == "optout optout"
    assert f.optouts == {("x-robots-tag", "optout/optout"): 1}
    assert f.rate.bin_seconds == 1 and f.rate.total == 5
    assert f.rate.start == datetime(2026, 3, 1, 9, 59, 59, tzinfo=UTC)
    assert len(f.rate.counts) == 63  # the run's span, from its report
    rows = {r.url: r for r in f.urls}
    assert rows[H + "/"].verdict == STORED and rows[H + "/"].sidecar == H + "/.json"
    assert rows[H + "/old"].verdict == UNCHANGED and rows[H + "/old"].spdx == "MIT"
    assert rows[H + "/no"].verdict == NOT_STORED and rows[H + "/no"].site == "a"
    assert rows[robots].verdict == READ and rows[robots].lines == 2
    assert f.url_total == len(f.urls) == 6


def test_a_throttled_request_counts_once() -> None:
    robots, page = H + "/robots.txt", H + "/p"
    f = figures.build([
        line(robots, "politeness", "backoff", kind="robots"),  # 503 ...
        line(robots, "robots", "robots_unreachable", "deny", kind="robots"),  # ... given up
        line(page, "politeness", "retry_after"),  # 429 ...
        line(page, "optout"),  # ... then answered: two requests
        line(page, "politeness", "retry_after", time="2026-03-01T10:00:01.000Z"),
        line(page, "content", "http_error", "deny", time="2026-03-01T10:00:01.000Z"),
    ], None, "r1")
    assert f.rate.counts == [3, 1]


def test_the_deciding_line_stands() -> None:
    url = H + "/p"
    # a refusal, then a request gate passing the same URL again (a later line): refused
    f = figures.build([line(url, "optout", "optout", "deny", time="2026-03-01T10:00:01Z"),
                       line(url, "allowlist", time="2026-03-01T10:00:02Z")], None, "r1")
    assert f.urls[0].verdict == NOT_STORED and f.urls[0].lines == 2
    # two writer files read one after the other: the latest deciding line wins
    f = figures.build([stored(url, time="2026-03-01T10:00:05Z"),
                       line(url, "optout", "optout", "deny", time="2026-03-01T10:00:01Z")],
                      None, "r1")
    assert f.urls[0].verdict == STORED
    # only passing lines: no final line, the last one shown
    f = figures.build([line(url, "allowlist"), line(url, "robots")], None, "r1")
    assert (f.urls[0].verdict, f.urls[0].gate) == (NO_FINAL, "robots")


def test_the_url_table_is_capped_and_the_rest_counted() -> None:
    records = [line(f"{H}/{i}", "allowlist", policy="a") for i in range(10)]
    records += [line(f"{H}/{i}", "robots") for i in range(10)]  # seen again
    f = figures.build(records, None, "r1", url_cap=3)
    assert [r.url for r in f.urls] == [f"{H}/0", f"{H}/1", f"{H}/2"]
    assert f.url_total == 10 and all(r.lines == 2 for r in f.urls)


@pytest.mark.parametrize(("span", "step"), [
    (0, 1), (119, 1), (120, 2), (600, 10), (3600, 60), (7 * 3600, 300), (86400, 900),
    (30 * 86400, 43200), (400 * 86400, 86400 * 4)])
def test_the_rate_fits_in_at_most_120_bars(span: int, step: int) -> None:
    start = 1_700_000_003
    per_second = Counter({start: 2})
    per_second[start + span // 2] += 3
    per_second[start + span] += 4
    rate = timeline.series(per_second)
    assert rate.bin_seconds == step
    assert len(rate.counts) <= timeline.MAX_BINS
    assert rate.total == 9 and rate.start.timestamp() % step == 0  # aligned to the clock
    assert rate.start.timestamp() <= start < rate.start.timestamp() + step


def test_rate_of_nothing() -> None:
    rate = timeline.series({})
    assert rate.counts == [0] and rate.peak == 0
    chart = svg.bar_chart(rate)
    assert "<rect" not in chart and "one bar per second" in chart


def test_the_chart_has_one_bar_per_busy_bin() -> None:
    rate = timeline.series({60 * 1000: 5, 60 * 1000 + 61: 7}, 60 * 1000, 60 * 1000 + 7199)
    assert rate.bin_seconds == 60 and rate.peak == 7
    chart = svg.bar_chart(rate)
    assert chart.count('<rect class="bar"') == 2
    tips = re.findall(r"<title>([^<]*)</title>", chart)
    assert tips == ["16:40:00 to 16:41:00 UTC: 5 requests",
                    "16:41:00 to 16:42:00 UTC: 7 requests"]
    assert "one bar per minute" in chart and ">10</text>" in chart  # the y axis' top
    assert svg.bin_label(300) == "5 min" and svg.bin_label(7200) == "2 h"


def test_explain_commands_survive_a_shell() -> None:
    for url in ("http://a.example/it's", "http://a.example/$(id)`id`;x", "http://a b/\"q\""):
        command = figures.explain_command(url, "/srv/my corpus")
        assert shlex.split(command) == ["crawler", "explain", url, "--store", "/srv/my corpus"]
        echoed = subprocess.run(["sh", "-c", "printf '%s\\n' " + command.removeprefix(
            "crawler explain ")], capture_output=True, text=True, check=True).stdout
        assert echoed.splitlines() == [url, "--store", "/srv/my corpus"]


def test_escaping_and_links() -> None:
    assert html.esc("<a href='x'>&\"") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
    assert html.esc("ab\u202ecd\x00\x1b") == "ab\ufffdcd\ufffd\ufffd"  # bidi, controls
    assert html.link("javascript:alert(1)") == "javascript:alert(1)"
    assert html.link("data:text/html,<b>") == "data:text/html,&lt;b&gt;"
    assert html.link('http://a.example/"><b>').startswith(
        '<a href="http://a.example/&quot;&gt;&lt;b&gt;" rel="noopener noreferrer nofollow">')


def test_the_page_is_self_contained_and_its_policy_allows_only_its_own_code() -> None:
    f = figures.build([stored(H + "/"), line("https://b.example/", "allowlist", "no_policy",
                                             "deny", policy=None)], None, "r1")
    page = html.render(f, "/srv/corpus", "2026-03-01T10:00:00+00:00")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    assert "default-src &#x27;none&#x27;" in csp
    [script] = re.findall(r"<script>(.*?)</script>", page, re.S)
    [style] = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert unescape(csp) == assets.CSP and assets.csp_hash(script) in assets.CSP
    assert assets.csp_hash(style) in assets.CSP
    assert not re.search(r"""\s(src|srcset|background|poster|data)=""", page)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert {h for h in hrefs if not h.startswith("#")} == {H + "/", "https://b.example/"}
    assert "@import" not in page and "url(" not in page
    assert len(page.encode()) < 20_000


def test_no_scrapy_in_the_pure_part() -> None:
    code = ("import sys; import crawler.report.html, crawler.report.figures; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('scrapy', 'twisted', 'boto3', 'botocore')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"
