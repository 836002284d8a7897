"""The report's only style sheet and script, inline in the page and allowed by hash in its
Content-Security-Policy: nothing else may run, be styled from outside or be fetched, even
if an escaping mistake let a crawled site's markup into the page.
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { color-scheme: light; --fg: #1d2329; --muted: #5b6670; --line: #d8dde2;
  --soft: #f3f5f7; --ok: #1f7a3d; --no: #a3261b; --warn: #8a5a00; --bar: #2f6db3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); margin: 0 auto; padding: 1.5rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line);
  padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
p.meta, .muted, .note { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
nav a { margin-right: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: .75rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: .75rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem;
  min-width: 9rem; background: var(--soft); }
.card b { display: block; font-size: 1.35rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.url, td.why { overflow-wrap: anywhere; max-width: 28rem; }
.title { display: block; color: var(--muted); }
code.cmd { display: block; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace;
  background: var(--soft); padding: .2rem .35rem; user-select: all; overflow-wrap: anywhere;
  max-width: 30rem; }
.v { font-weight: 600; white-space: nowrap; }
.v-stored, .v-unchanged, .v-read { color: var(--ok); }
.v-not-stored, .v-withdrawn, .v-not-read { color: var(--no); }
.v-no-final-line { color: var(--warn); }
.controls { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
.controls input { min-width: 22rem; padding: .3rem; }
svg.chart { max-width: 100%; height: auto; }
svg .bar { fill: var(--bar); }
svg .grid { stroke: var(--line); }
svg .axis { stroke: var(--muted); }
svg .tick { fill: var(--muted); font-size: 11px; }
meter { width: 8rem; }
details { margin: .3rem 0 1rem; }
@media print { nav, .controls { display: none; } tr[hidden] { display: table-row; } }
"""

#: filters the URL table by a search text and a verdict (the report reads fine without)
SCRIPT = """
(function () {
  var q = document.getElementById("q"), v = document.getElementById("verdict");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#urls tbody tr"));
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function filter() {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean), want = v.value, n = 0;
    rows.forEach(function (row, i) {
      var ok = (!want || row.getAttribute("data-verdict") === want) &&
        words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n.toLocaleString("en-US");
  }
  if (q && v && shown) {
    q.addEventListener("input", filter);
    v.addEventListener("change", filter);
    filter();
  }
})();
"""


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: nothing may be loaded (no font, image, frame, connection), only this script and style run
CSP = ("default-src 'none'; "
       f"script-src {csp_hash(SCRIPT)}; style-src {csp_hash(STYLE)}; "
       "img-src data:; base-uri 'none'; form-action 'none'")
