"""The request-rate chart: an inline SVG bar chart, drawn here (no chart library, no
script): bars, a y axis with three ticks, times along the x axis, a tooltip per bar.

Only numbers and times go into it, so nothing in it comes from a crawled site; every text
is escaped all the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from crawler.report.timeline import Series

WIDTH, HEIGHT = 760, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 40


def bin_label(seconds: int) -> str:
    """``minute``, ``10 s``, ``5 min``, ``hour``: the bin of a rate, for "requests per …"."""
    named = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
    if seconds in named:
        return named[seconds]
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _clock(moment: datetime, with_date: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def _nice_max(peak: int) -> int:
    """The y axis' top: the peak rounded up to 1, 2 or 5 times a power of ten."""
    if peak <= 1:
        return 1
    power = 10 ** (len(str(peak)) - 1)
    return next(m * power for m in (1, 2, 5, 10) if m * power >= peak)


def bar_chart(rate: Series, what: str = "requests") -> str:
    """The SVG of ``rate``: one bar per bin, its count as a tooltip."""
    bins = max(len(rate.counts), 1)
    top = _nice_max(rate.peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / bins
    end = rate.start + timedelta(seconds=rate.bin_seconds * bins)
    with_date = rate.start.date() != end.date()
    per = bin_label(rate.bin_seconds)
    parts = [f'<svg class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'aria-label="{escape(f"{what} per {per}, peak {rate.peak}")}">']
    for tick in (0, top // 2 if top > 1 else None, top):
        if tick is None:
            continue
        y = TOP + plot_h - plot_h * tick / top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{tick:,}</text>')
    for i, count in enumerate(rate.counts):
        if not count:
            continue
        h = plot_h * count / top
        x = LEFT + i * bar_w
        since = rate.start + timedelta(seconds=rate.bin_seconds * i)
        until = since + timedelta(seconds=rate.bin_seconds)
        tip = f"{_clock(since, with_date)} to {_clock(until, with_date)} UTC: {count:,} {what}"
        parts.append(f'<rect class="bar" x="{x + bar_w * 0.1:.1f}" y="{TOP + plot_h - h:.1f}" '
                     f'width="{max(bar_w * 0.8, 1):.1f}" height="{h:.1f}">'
                     f'<title>{escape(tip)}</title></rect>')
    axis_y = TOP + plot_h
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" '
                 f'y2="{axis_y}"/>')
    for x, moment, anchor in ((LEFT, rate.start, "start"),
                              (WIDTH - RIGHT, end, "end")):
        parts.append(f'<text class="tick" x="{x}" y="{axis_y + 16}" text-anchor="{anchor}">'
                     f'{escape(_clock(moment, with_date))}</text>')
    parts.append(f'<text class="tick" x="{LEFT + plot_w / 2:.1f}" y="{axis_y + 32}" '
                 f'text-anchor="middle">{escape(f"UTC; one bar per {per}")}</text></svg>')
    return "".join(parts)
