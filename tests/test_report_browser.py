"""``crawler report`` as a reader sees it: the HTML of a real crawl opened in headless
Chromium (Debian's ``chromium``, driven over the DevTools protocol on a pipe), its figures
read from the rendered page and compared with the ledger, the run report and what the
test server received; hostile text shown as text, never run; nothing fetched."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, crawl, image, page, run_cli, write_policy

from crawler.demo.server import Route
from crawler.report import figures, html

SITE = "127.0.0.102"
#: a page title that would retitle the report, were it markup
HOSTILE_TITLE = "<script>document.title='pwned'</script>"
REPORT = "import sys; from crawler.report.command import main; sys.exit(main())"


def _high(fd: int) -> int:
    """``fd`` moved to a number above 9."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Chromium:
    """Headless Chromium over ``--remote-debugging-pipe``: commands on fd 3, answers and
    events on fd 4, each a JSON message ended by a NUL byte."""

    def __init__(self, profile: Path, timeout: float = 60.0):
        exe = shutil.which("chromium")
        assert exe, "chromium not found: `make test` installs it (apt-get install chromium)"
        command_r, self._command_w = os.pipe()
        self._answer_r, answer_w = os.pipe()
        # the child's ends above 9, so that moving them to 3 and 4 overwrites neither
        command_r, answer_w = (_high(fd) for fd in (command_r, answer_w))
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{command_r} 4>&{answer_w}', exe, "--headless",
             "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--no-default-browser-check", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(command_r, answer_w), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(command_r)
        os.close(answer_w)
        self.timeout, self._id, self._buffer = timeout, 0, b""
        self.events: list[dict[str, Any]] = []

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            assert left > 0, "chromium did not answer in time"
            if select.select([self._answer_r], [], [], left)[0]:
                chunk = os.read(self._answer_r, 1 << 16)
                assert chunk, "chromium closed its pipe"
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._command_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self._id:
                assert "error" not in answer, answer
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._message(deadline))

    def open(self, path: Path) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send("Emulation.setDeviceMetricsOverride", session, width=1400, height=1000,
                  deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", session, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        return Page(self, session)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(10)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self._command_w)
        os.close(self._answer_r)


class Page:
    def __init__(self, browser: Chromium, session: str):
        self.browser, self.session = browser, session

    def js(self, expression: str) -> Any:
        answer = self.browser.send("Runtime.evaluate", self.session, expression=expression,
                                   returnByValue=True)
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def type(self, selector: str, text: str) -> None:
        """Focus a field and type into it, as a user does (input events included)."""
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.browser.send("Input.insertText", self.session, text=text)

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("method") == "Network.requestWillBeSent"
                and e.get("sessionId") == self.session]

    def messages(self) -> list[dict[str, Any]]:
        """Console output, errors and CSP reports (a blocked script would show here)."""
        return [e for e in self.browser.events if e.get("sessionId") == self.session and
                e.get("method") in ("Log.entryAdded", "Runtime.consoleAPICalled",
                                    "Runtime.exceptionThrown")]

    def table(self, selector: str) -> list[list[str]]:
        """The rendered text of each body cell of a table."""
        rows = json.dumps(f"{selector} tbody tr")
        return self.js(f"Array.from(document.querySelectorAll({rows}))"
                       ".map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    chromium = Chromium(tmp_path / "profile")
    yield chromium
    chromium.close()


def report_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """``crawler report ...`` in its own process (before the ``crawler`` command has it)."""
    return subprocess.run([sys.executable, "-c", REPORT, "report", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def counts(rows: list[list[str]], key: int = 0, value: int = 1) -> dict[str, int]:
    return {row[key]: number(row[value]) for row in rows}


SITE_DECISIONS_JS = """Object.fromEntries(Array.from(document.querySelectorAll('#sites h3'))
  .map(h => { let t = h.nextElementSibling;
              while (t && t.tagName !== 'TABLE' && t.tagName !== 'H3') t = t.nextElementSibling;
              return [h.firstChild.textContent.trim(), t && t.tagName === 'TABLE' ?
                Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText))
                : []]; }))"""


def test_a_real_crawl_report_in_chromium(serve, tmp_path: Path, browser: Chromium) -> None:
    links = ("/a", "/b", "/it's", "/private/c", "/noai", "/nolicense")
    server = serve({SITE: {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/": page("home", links=links), "/a": page("a", title=HOSTILE_TITLE),
        "/b": page("b"), "/it's": page("apostrophe"),
        # noai: the page is not stored, and its image never requested
        "/noai": Route(page("no", images=("/i.png",)).body, headers={"X-Robots-Tag": "noai"}),
        "/i.png": image(), "/nolicense": page("none", license_url=None)}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")], version=3)
    result = crawl(policies, store, "research")
    ledger = result.ledger
    [report_file] = (store / "runs").glob("*.json")
    run_report = json.loads(report_file.read_text())
    run_id = run_report["run_id"]

    out = tmp_path / "report.html"
    proc = report_cli("--store", str(store), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"report: {out} (run {run_id}" in proc.stdout
    view = browser.open(out)

    # nothing of a crawled site ran: the title is the report's, one script (its own)
    assert view.js("document.title") == f"Crawl report: run {run_id}"
    assert view.js("document.scripts.length") == 1
    assert view.messages() == []  # no CSP refusal, no error
    # nothing was fetched but the file itself; every link is a section or a crawled URL
    assert view.requests() == [out.resolve().as_uri()]
    assert view.js("document.querySelectorAll('[src]').length") == 0
    urls = {r["url"] for r in ledger}
    hrefs = view.js("Array.from(document.querySelectorAll('[href]'), e => e.getAttribute('href'))")
    assert {h for h in hrefs if not h.startswith("#")} <= urls

    # the figures are the ledger's, the run report's and the server's
    stored = [r for r in ledger if r["gate"] == "store" and r["decision"] == "allow"]
    cards = {label: number(n) for n, label in (c.split("\n") for c in view.js(
        "Array.from(document.querySelectorAll('#totals .card'), c => c.innerText)"))}
    assert cards["stored new"] == len(stored) == run_report["totals"]["stored_new"] == 4
    assert cards["excluded"] == sum(run_report["totals"]["excluded"].values())
    assert cards["URLs met"] == len(urls) and cards["ledger lines"] == len(ledger)
    drops = Counter(f"{r['gate']}/{r['reason']}" for r in ledger
                    if r["decision"] == "deny" and r.get("kind") != "robots")
    assert counts(view.table("#drops-table")) == drops == run_report["totals"]["excluded"]
    assert {"robots/robots_disallowed", "optout/optout",
            "license/license_missing"} <= set(drops)
    assert sorted(view.table("#optouts-table")) == [
        ["the page's noai/noimageai", "optout/optout", "1"], ["x-robots-tag", "optout/optout", "1"]]
    assert counts(view.table("#licenses-table")) == {"CC-BY-4.0": 4}
    hits = server.hits_for(SITE)
    assert "/i.png" not in {h.path for h in hits}
    assert view.js("document.querySelector('#rate-summary b').innerText") == str(len(hits))
    assert run_report["sites"]["site"]["requests"] == len(hits)
    bars = view.js("Array.from(document.querySelectorAll('svg.chart rect.bar title'),"
                   " t => t.textContent)")
    assert sum(int(re.search(r": (\d+) requests", t)[1]) for t in bars) == len(hits)
    view.js("document.querySelector('#rate details').open = true")
    assert sum(counts(view.table("#rate-bins")).values()) == len(hits)

    decisions = view.js(SITE_DECISIONS_JS)
    site_lines = [r for r in ledger if r["url"].startswith(server.url(SITE, "/"))]
    expected = Counter()
    for r in site_lines:
        expected[r["gate"], r["reason"], r["decision"]] += 1
    shown = Counter()
    for gate, reason, allowed, denied in decisions["site"]:
        shown[gate, reason, "allow"] += number(allowed)
        shown[gate, reason, "deny"] += number(denied)
    assert +shown == expected
    assert decisions["(no policy)"] == [["allowlist", "no_policy", "0", "1"]]  # the CC link
    header = view.js("document.querySelector('#facts dl').innerText")
    for fact in (run_id, "research", "mailto:crawler-tests@example.org", "0 (success)",
                 run_report["started"], run_report["finished"]):
        assert fact in header
    assert view.table("#policies")[0][:2] == ["site", "3"]

    # every URL with its verdict, as text; the hostile title shown, not run
    rows = {r[2].split("\n")[0]: r for r in view.table("#urls")}
    assert set(rows) == urls
    url = server.url
    assert rows[url(SITE, "/a")][1] == "stored"
    assert rows[url(SITE, "/a")][2].split("\n")[1] == HOSTILE_TITLE
    assert rows[url(SITE, "/noai")][1] == "not stored"
    assert rows[url(SITE, "/noai")][5].startswith("optout/optout The page opts out")
    assert rows[url(SITE, "/private/c")][5].startswith("robots/robots_disallowed")
    assert rows[url(SITE, "/nolicense")][5].startswith("license/license_missing")
    assert rows[url(SITE, "/robots.txt")][1] == "read"
    # the explain command on the page, copied as text, runs and tells the same story
    for path, reason in (("/noai", "optout"), ("/it's", "allowed")):
        command = rows[url(SITE, path)][6]
        argv = shlex.split(command)
        assert argv == ["crawler", "explain", url(SITE, path), "--store", str(store)]
        explained = run_cli(*argv[1:])
        assert explained.returncode == 0 and reason in explained.stdout, explained.stderr

    # the search box and the verdict filter narrow the table
    view.type("#q", "OPTS out")
    visible = "Array.from(document.querySelectorAll('#urls tbody tr'))" \
              ".filter(r => !r.hidden).map(r => r.cells[2].innerText.split('\\n')[0])"
    assert view.js(visible) == [url(SITE, "/noai")]
    assert view.js("document.getElementById('shown').innerText") == "1"
    view.js("document.getElementById('q').value = ''; "
            "const v = document.getElementById('verdict'); v.value = 'stored'; "
            "v.dispatchEvent(new Event('change'))")
    assert sorted(view.js(visible)) == sorted(r["url"] for r in stored)
    assert view.messages() == []


def test_hostile_urls_titles_and_sentences_are_text(tmp_path: Path, browser: Chromium) -> None:
    """Lines no crawl of ours writes (Scrapy percent-encodes a URL's markup), made by hand:
    the page still shows them as text and runs nothing."""
    bad = "http://evil.example/<script>document.title='url'</script>\"><img src=x>"
    js = "javascript:document.title='js'"
    shell = "http://evil.example/$(touch /tmp/owned)'; rm -rf ~ #"
    lines = [
        {"run_id": "r1", "time": "2026-01-01T00:00:00.000Z", "url": bad, "gate": "store",
         "decision": "allow", "reason": "allowed", "kind": "page", "policy": "evil",
         "sentence": "Stored.", "evidence": {"new": True, "spdx": "<b>MIT</b>"}},
        {"run_id": "r1", "time": "2026-01-01T00:00:01.000Z", "url": js, "gate": "allowlist",
         "decision": "deny", "reason": "scheme_not_allowed", "kind": "page", "policy": None,
         "sentence": "<img src=x onerror=\"document.title='sentence'\">", "evidence": {}},
        {"run_id": "r1", "time": "2026-01-01T00:00:02.000Z", "url": shell, "gate": "optout",
         "decision": "deny", "reason": "optout", "kind": "page", "policy": "evil",
         "sentence": "</td></tr></table><script>document.title='td'</script>",
         "evidence": {"signals": ["<svg onload=document.title='sig'>"]}},
    ]
    fig = figures.build(lines, None, "r1")
    fig.urls[0].title = "</title><script>document.title='title'</script>"
    out = tmp_path / "hostile.html"
    out.write_text(html.render(fig, "/srv/corpus 'x'", "now"))
    view = browser.open(out)
    assert view.js("document.title") == "Crawl report: run r1"
    assert view.js("document.scripts.length") == 1
    assert view.js("document.querySelectorAll('img, svg:not(.chart), [onerror], [onload]')"
                   ".length") == 0
    assert view.requests() == [out.resolve().as_uri()]
    rows = view.table("#urls")
    assert [r[2] for r in rows] == [
        f"{bad}\n</title><script>document.title='title'</script>", js, shell]
    hrefs = view.js("Array.from(document.querySelectorAll('#urls a'), a => a.href)")
    assert hrefs == [  # the javascript: URL is no link
        "http://evil.example/%3Cscript%3Edocument.title='url'%3C/script%3E%22%3E%3Cimg%20src=x%3E",
        "http://evil.example/$(touch%20/tmp/owned)';%20rm%20-rf%20~%20#"]
    assert rows[1][5] == "allowlist/scheme_not_allowed <img src=x onerror=\"document.title=" \
                         "'sentence'\">"
    assert rows[2][5] == "optout/optout </td></tr></table><script>document.title='td'</script>"
    for row, url in zip(rows, (bad, js, shell), strict=True):
        assert shlex.split(row[6]) == ["crawler", "explain", url, "--store", "/srv/corpus 'x'"]
    assert view.table("#optouts-table") == [["<svg onload=document.title='sig'>",
                                              "optout/optout", "1"]]
    assert view.messages() == []
