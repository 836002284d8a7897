"""Figures -> one self-contained HTML page (inline style, inline SVG, one small inline
script, all allowed by hash in the page's Content-Security-Policy; nothing is fetched).

URLs, titles and sentences come from crawled sites, which may be hostile: every text and
attribute goes through :func:`esc`, only http(s) URLs become links, and control and
bidirectional-override characters are shown as U+FFFD (they could make a URL read as
another one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlsplit

from crawler.report import figures as fig
from crawler.report.assets import CSP, SCRIPT, STYLE
from crawler.report.svg import bar_chart, bin_label

_UNSAFE = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x202A, 0x202F),
                         *range(0x2066, 0x206A)], "\ufffd")
#: hosts named under a site (the "(no policy)" one may have met thousands)
MAX_HOSTS = 20
SECTIONS = (("facts", "Run"), ("rate", "Request rate"), ("sites", "Sites"),
            ("drops", "Drops"), ("optouts", "Opt-outs"), ("licenses", "Licenses"),
            ("urls", "URLs"))


def esc(value: Any) -> str:
    """Text for an HTML text node or a quoted attribute value."""
    return escape(("" if value is None else str(value)).translate(_UNSAFE), quote=True)


def link(url: str) -> str:
    """``url`` as a link when it is http(s), else as text (``javascript:``, ``data:``, …)."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return esc(url)
    return f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(url)}</a>'


def num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else esc(
        "—" if value is None else value)


def table(table_id: str, head: Iterable[str], rows: Iterable[Iterable[str]],
          numeric: Iterable[int] = (), empty: str = "none") -> str:
    """A table of cells that are already HTML; ``numeric``: columns aligned right."""
    numeric = set(numeric)
    cls = [' class="n"' if i in numeric else "" for i, _ in enumerate(head)]
    body = "".join("<tr>" + "".join(f"<td{cls[i]}>{cell}</td>" for i, cell in enumerate(row))
                   + "</tr>" for row in rows)
    if not body:
        return f'<p class="muted" id="{esc(table_id)}">{esc(empty)}</p>'
    head_html = "".join(f"<th{cls[i]}>{esc(h)}</th>" for i, h in enumerate(head))
    return (f'<table id="{esc(table_id)}"><thead><tr>{head_html}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _duration(started: Any, finished: Any) -> str:
    try:
        seconds = (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
                   ).total_seconds()
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(int(seconds), 3600)
    if hours:
        return f" ({hours} h {rest // 60} min {rest % 60} s)"
    return f" ({rest // 60} min {rest % 60} s)" if rest >= 60 else f" ({seconds:.1f} s)"


def facts(f: fig.Figures, store: str) -> str:
    r = f.report
    out = [f'<section id="facts"><h1>Crawl report: run {esc(f.run_id)}</h1>']
    if not r:
        out.append('<p class="warn">The store has no run report for this run (a run still '
                   "going, or one that crashed): its facts are unknown, the figures below "
                   "come from its ledger alone.</p>")
    if not f.lines:
        out.append('<p class="warn">The store holds no ledger line of this run (its ledger '
                   "may have been removed by ledger retention): the figures below come from "
                   "its run report alone.</p>")
    status = r.get("exit_status")
    operator = r.get("operator") if isinstance(r.get("operator"), Mapping) else {}
    rows = [("Run id", esc(f.run_id)), ("Store", esc(store)),
            ("Started", esc(r.get("started") or "—")),
            ("Finished", esc(r.get("finished") or "—")
             + esc(_duration(r.get("started"), r.get("finished")))),
            ("Finish reason", esc(r.get("finish_reason") or "—")),
            ("Interrupted", esc({True: "yes", False: "no"}.get(r.get("interrupted"), "—"))),
            ("Resumed from", esc(r.get("resumed_from") or "—")),
            ("Purpose", esc(r.get("purpose") or "—")),
            ("Operator contact", esc(operator.get("contact") or "—")),
            ("Exit status", "—" if status is None else
             f"{esc(status)} ({esc(fig.EXIT_MEANINGS.get(status, 'unknown'))})"),
            ("Ledger", f"{f.lines:,} line(s)" + (f"; the crawl's file: {esc(r['ledger'])}"
                                                  if r.get("ledger") else ""))]
    out.append('<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
               + "</dl>")
    policies = r.get("policies") if isinstance(r.get("policies"), Mapping) else {}
    out.append("<h3>Policies</h3>" + table(
        "policies", ("policy", "version", "sha256"),
        ((esc(name), esc(p.get("version")), f"<code>{esc(p.get('sha256'))}</code>")
         for name, p in sorted(policies.items()) if isinstance(p, Mapping)),
        empty="no policy recorded"))
    totals = r.get("totals") if isinstance(r.get("totals"), Mapping) else {}
    cards = [("stored new", sum(f.licenses.values())),
             ("unchanged", sum(f.licenses_unchanged.values())),
             ("excluded", sum(f.drops.values())),
             ("store errors", totals.get("store_errors", f.drops.get("store/store_error", 0))),
             ("failed sites", len(totals.get("failed_sites") or [])),
             ("URLs met", f.url_total), ("ledger lines", f.lines)]
    out.append('<div class="cards" id="totals">' + "".join(
        f'<div class="card"><b>{num(n)}</b>{esc(label)}</div>' for label, n in cards) + "</div>")
    failed = totals.get("failed_sites") or []
    if failed:
        out.append(f'<p class="warn">Failed sites: {esc(", ".join(map(str, failed)))}</p>')
    return "".join(out) + "</section>"


def rate(f: fig.Figures) -> str:
    series, per = f.rate, bin_label(f.rate.bin_seconds)
    sent = sum(s.report.get("requests") or 0 for s in f.sites
               if isinstance(s.report.get("requests"), int))
    bins = table("rate-bins", ("from (UTC)", "requests"),
                 ((esc((series.start + timedelta(seconds=i * series.bin_seconds))
                       .strftime("%Y-%m-%d %H:%M:%S")), num(n))
                  for i, n in enumerate(series.counts) if n), numeric=(1,))
    return (f'<section id="rate"><h2>Request rate</h2><p id="rate-summary">'
            f'<b>{series.total:,}</b> requests with a recorded outcome; peak '
            f'<b>{series.peak:,}</b> per {esc(per)}. The run report counts {sent:,} requests '
            "sent.</p>" + bar_chart(series) +
            '<p class="note">Each request is counted when the ledger recorded its outcome: an '
            "answer that reached the item gates, a robots.txt or site-file read, a 429/503 "
            "answer or a failed download. Redirects and sitemaps read without remarks leave "
            "no such line: the run report's count (from the download handler) is the exact "
            "one.</p>"
            f"<details><summary>Requests per {esc(per)}</summary>{bins}</details></section>")


def sites(f: fig.Figures) -> str:
    out = ['<section id="sites"><h2>Sites</h2>']
    fields = (("requests", "requests sent"), ("observed_requests_per_second", "requests/s"),
              ("fetched", "fetched"), ("stored_new", "stored new"), ("unchanged", "unchanged"),
              ("revalidated", "revalidated (304)"), ("errors", "download errors"),
              ("failed", "failed"))
    for i, site in enumerate(f.sites):
        version = site.policy.get("version")
        out.append(f'<h3 id="site-{i}">{esc(site.name)}'
                   + (f' <span class="muted">policy version {esc(version)}</span>'
                      if version is not None else "") + "</h3>")
        if site.hosts:
            more = len(site.hosts) - MAX_HOSTS
            out.append(f'<p class="muted">hosts: {esc(", ".join(site.hosts[:MAX_HOSTS]))}'
                       + (f" and {more:,} more" if more > 0 else "") + "</p>")
        if site.report:
            out.append('<dl class="facts">' + "".join(
                f"<dt>{esc(label)}</dt><dd>{num(site.report.get(key))}</dd>"
                for key, label in fields if key in site.report) + "</dl>")
        out.append(table(f"decisions-{i}", ("gate", "reason", "allowed", "denied"),
                         ((esc(gate), esc(reason), num(n[0]), num(n[1]))
                          for (gate, reason), n in sorted(site.decisions.items())),
                         numeric=(2, 3), empty="no ledger line"))
    return "".join(out) + "</section>"


def drops(f: fig.Figures) -> str:
    return ('<section id="drops"><h2>Drops by reason</h2><p class="note">Every URL refused by '
            "a gate (control files aside), with the first sentence the ledger gave.</p>"
            + table("drops-table", ("gate/reason", "refused", "for example"),
                    ((esc(code), num(n), esc(f.drop_examples.get(code, "")))
                     for code, n in sorted(f.drops.items(), key=lambda kv: (-kv[1], kv[0]))),
                    numeric=(1,), empty="nothing was dropped") + "</section>")


def optouts(f: fig.Figures) -> str:
    return ('<section id="optouts"><h2>Opt-outs seen</h2>'
            + table("optouts-table", ("signal", "gate/reason", "URLs"),
                    ((esc(signal), esc(code), num(n)) for (signal, code), n in
                     sorted(f.optouts.items(), key=lambda kv: (-kv[1], kv[0]))),
                    numeric=(2,), empty="no opt-out was met") + "</section>")


def licenses(f: fig.Figures) -> str:
    both = f.licenses + f.licenses_unchanged
    total = sum(both.values())
    spdx = sorted(both, key=lambda s: (-both[s], s))
    return ('<section id="licenses"><h2>License mix</h2><p class="note">Items stored in this '
            "run (new) and met again unchanged, by license.</p>"
            + table("licenses-table", ("license", "stored new", "unchanged", "share"),
                    ((esc(s), num(f.licenses[s]), num(f.licenses_unchanged[s]),
                      f'<meter min="0" max="{total}" value="{both[s]}"></meter> '
                      f"{100 * both[s] / total:.0f}%")
                     for s in spdx), numeric=(1, 2), empty="nothing was stored")
            + "</section>")


def _row(n: int, row: fig.UrlRow, store: str) -> str:
    title = f'<span class="title">{esc(row.title)}</span>' if row.title else ""
    why = (f"<b>{esc(row.gate)}/{esc(row.reason)}</b> {esc(row.sentence)}"
           + (f" ({esc(row.spdx)})" if row.spdx else "")) if row.gate else ""
    verdict = row.verdict.replace(" ", "-")
    return (f'<tr data-verdict="{esc(row.verdict)}"><td class="n">{n:,}</td>'
            f'<td class="v v-{esc(verdict)}">{esc(row.verdict)}</td>'
            f'<td class="url">{link(row.url)}{title}</td><td>{esc(row.site)}</td>'
            f"<td>{esc(row.kind)}</td><td class=\"why\">{why}</td>"
            f'<td><code class="cmd">{esc(fig.explain_command(row.url, store))}</code></td></tr>')


def urls(f: fig.Figures, store: str) -> str:
    shown = len(f.urls)
    note = (f"All {f.url_total:,} URLs the run met, in ledger order." if shown >= f.url_total
            else f"The first {shown:,} of the {f.url_total:,} URLs the run met (ledger order); "
                 f"for any other, run {fig.explain_command('URL', store)}.")
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in fig.VERDICTS)
    rows = "".join(_row(i, row, store) for i, row in enumerate(f.urls, 1))
    return ('<section id="urls"><h2>URLs and their verdicts</h2>'
            f'<p class="note" id="urls-note">{esc(note)} Each row ends with the command that '
            "shows every decision about its URL (click it to select it, then copy).</p>"
            '<div class="controls"><input id="q" type="search" placeholder="search URLs, '
            'titles, reasons…" aria-label="search the URL table"><select id="verdict" '
            f'aria-label="verdict"><option value="">any verdict</option>{options}</select>'
            f'<span><span id="shown">{shown:,}</span> shown</span></div>'
            '<table id="urls"><thead><tr><th class="n">#</th><th>verdict</th><th>URL</th>'
            "<th>site</th><th>kind</th><th>why</th><th>explain</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def render(f: fig.Figures, store: str, generated: str) -> str:
    """The whole page. ``store``: as the ``explain`` commands should name it;
    ``generated``: when the report was made (shown as given)."""
    nav = "".join(f'<a href="#{key}">{esc(label)}</a>' for key, label in SECTIONS)
    body = (facts(f, store) + rate(f) + sites(f) + drops(f) + optouts(f) + licenses(f)
            + urls(f, store))
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Crawl report: run {esc(f.run_id)}</title><style>{STYLE}</style></head>"
            f"<body><nav>{nav}</nav>{body}"
            f'<footer><p class="muted">Made by crawler report at {esc(generated)}. '
            "Self-contained: it loads nothing (no script, style, font or image) from files or "
            "the network; its one small script filters the URL table.</p></footer>"
            f"<script>{SCRIPT}</script></body></html>\n")
