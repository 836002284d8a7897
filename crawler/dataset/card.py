"""The dataset card of an export: Hugging Face style, YAML front matter and prose."""

from __future__ import annotations

from typing import Any

import yaml

from crawler.dataset.report import CardStats, ExportReport
from crawler.dataset.shards import ATTRIBUTIONS, RECORD_FIELDS, Shards
from crawler.jsonl import utcnow
from crawler.purposes import PURPOSES
from crawler.signals.licenses import BY, NC, ND, SA

CARD = "README.md"

_OBLIGATION_TEXT = {
    BY: "Attribution required: keep the credit line (see attributions.jsonl).",
    SA: "Share-alike: adaptations must be shared under the same or a compatible license.",
    NC: "Non-commercial: no commercial use.",
    ND: "No derivatives: adapted material may not be shared.",
}

# SPDX id -> Hugging Face Hub license id, where the Hub has one; anything else is "other".
_HF_LICENSES = {
    "CC0-1.0": "cc0-1.0", "CC-BY-2.0": "cc-by-2.0", "CC-BY-2.5": "cc-by-2.5",
    "CC-BY-3.0": "cc-by-3.0", "CC-BY-4.0": "cc-by-4.0", "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0", "CC-BY-NC-2.0": "cc-by-nc-2.0",
    "CC-BY-NC-3.0": "cc-by-nc-3.0", "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "CC-BY-ND-4.0": "cc-by-nd-4.0", "CC-BY-NC-ND-3.0": "cc-by-nc-nd-3.0",
    "CC-BY-NC-ND-4.0": "cc-by-nc-nd-4.0", "CC-BY-NC-SA-2.0": "cc-by-nc-sa-2.0",
    "CC-BY-NC-SA-3.0": "cc-by-nc-sa-3.0", "CC-BY-NC-SA-4.0": "cc-by-nc-sa-4.0",
    "MIT": "mit", "Apache-2.0": "apache-2.0", "BSD-2-Clause": "bsd-2-clause",
    "BSD-3-Clause": "bsd-3-clause", "GPL-2.0-only": "gpl-2.0", "GPL-2.0-or-later": "gpl-2.0",
    "GPL-3.0-only": "gpl-3.0", "GPL-3.0-or-later": "gpl-3.0", "LGPL-3.0-only": "lgpl-3.0",
    "LGPL-3.0-or-later": "lgpl-3.0", "AGPL-3.0-only": "agpl-3.0",
    "AGPL-3.0-or-later": "agpl-3.0", "ODbL-1.0": "odbl", "ODC-By-1.0": "odc-by",
    "PDDL-1.0": "pddl",
}


def _size_category(n: int) -> str:
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
              (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]
    for bound, label in bounds:
        if n < bound:
            return label
    return "n>10M"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_card(report: ExportReport, stats: CardStats, shards: Shards, *, store_root: str,
                purpose: str | None, patterns: list[str], kinds: tuple[str, ...],
                current_only: bool) -> str:
    """The dataset card (``README.md``): YAML front matter for the Hugging Face Hub, then
    what the export may be used for, its licenses and obligations, its sites and files."""
    created = utcnow()
    spdx_ids = sorted(report.licenses)
    hf_ids = sorted({_HF_LICENSES.get(s, "other") for s in spdx_ids}) or ["other"]
    front: dict[str, Any] = {
        "license": hf_ids,
        "spdx_licenses": spdx_ids,
        "pretty_name": f"Compliance crawler export ({report.out.name})",
        "size_categories": [_size_category(report.exported)],
        "tags": ["compliance-crawler", "license-filtered"],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": "train",
                                     "path": shards.pattern}]}],
        "export": {
            "created_at": created, "purpose": purpose,
            "permitted_purposes": report.permitted_purposes,
            "license_filter": patterns, "kinds": list(kinds), "current_only": current_only,
            "items": report.exported, "license_counts": dict(sorted(report.licenses.items())),
            "skipped": dict(sorted(report.skipped.items())), "store": store_root,
        },
    }
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).rstrip(), "---",
             "", f"# {front['pretty_name']}", ""]
    lines += [
        f"Created {created} from the store `{store_root}` by `crawler.export`. Every item was "
        "admitted by the crawler's gates (site policy, robots.txt, opt-outs, license) and "
        "carries a license sidecar in the store recording why.", "",
        "## Use", "",
        f"- Export purpose: **{purpose or 'not filtered'}**.",
        f"- Permitted uses of this export as a whole: "
        f"**{', '.join(report.permitted_purposes) or 'none'}** (a use is permitted only when "
        "every item's crawl purpose, the site's ToS verdict and the item's license allow it).",
    ]
    for p in PURPOSES:
        if stats.not_for[p]:
            why = ", ".join(f"{r}: {n}" for r, n in sorted(stats.not_for[p].items()))
            lines.append(f"- Not for {p} use: {sum(stats.not_for[p].values())} item(s) ({why}).")
    crawled = ", ".join(f"{p} ({n})" for p, n in sorted(stats.crawl_purposes.items()))
    lines += [f"- Items were crawled for: {crawled or 'n/a'}.",
              f"- Kinds: {', '.join(kinds)}; "
              f"{'newest version of each URL only' if current_only else 'all live versions'}; "
              f"license filter: {', '.join(patterns) or 'none'}.", ""]

    lines += ["## License mix", "", "| SPDX id | License | Items | Obligations |",
              "|---|---|---:|---|"]
    for spdx, n in sorted(report.licenses.items(), key=lambda kv: (-kv[1], kv[0])):
        name = stats.license_names.get(spdx, spdx)
        url = stats.license_urls.get(spdx)
        label = f"[{_cell(name)}]({url})" if url else _cell(name)
        lines.append(f"| {spdx} | {label} | {n} | "
                     f"{', '.join(stats.license_obligations.get(spdx, [])) or 'none'} |")
    lines += ["", "## Obligations", ""]
    any_obligation = False
    for token, text in _OBLIGATION_TEXT.items():
        ids = [s for s in spdx_ids if token in stats.license_obligations.get(s, [])]
        if ids:
            any_obligation = True
            count = sum(report.licenses[s] for s in ids)
            lines.append(f"- **{token}** ({count} item(s): {', '.join(ids)}): {text}")
    if not any_obligation:
        lines.append("- None of the exported licenses carries BY, SA, NC or ND obligations.")

    lines += ["", "## Sites and policies", "",
              "| Host | Policy | Policy version | ToS AI-training verdict | Items |",
              "|---|---|---|---|---:|"]
    for (host, policy, version, verdict), n in sorted(stats.sites.items()):
        lines.append(f"| {_cell(host)} | {_cell(policy)} | {_cell(version)} | "
                     f"{_cell(verdict)} | {n} |")

    lines += ["", "## How to attribute", "",
              f"`{ATTRIBUTIONS}` (beside the shards) has one line per item: `id`, `url`, "
              "`attribution` (a ready-made TASL credit line: title, author, source, license), "
              "`license`, `license_url`, `attribution_required` and `sidecar`. Every record "
              "also carries its `attribution` and `sidecar`; the sidecar (a path relative to "
              "the store root) holds the full license evidence and the policy decisions. "
              "Keep the credit line with any redistribution of an item or of material adapted "
              "from it, and keep share-alike material under its license.", ""]

    lines += ["## Files", "", "| File | Records |", "|---|---:|"]
    for path, count in zip(shards.paths, shards.counts, strict=True):
        lines.append(f"| {path.name} | {count} |")
    lines.append(f"| {ATTRIBUTIONS} | {report.exported} |")
    if shards.needs_text:
        lines += ["", f"Record fields: {', '.join(f'`{f}`' for f in RECORD_FIELDS)}. Pages "
                  "carry `text` (main text extracted by trafilatura); images carry "
                  "`content_path` (relative to the store root) and `content_type` instead of "
                  "text.", ""]
    else:
        lines += ["", "WARC/1.1 files, gzip-compressed: per item the stored response (a "
                  "`resource` record for items stored before response headers were kept; "
                  "bodies decoded, so without `Content-Encoding` and with their own "
                  "`Content-Length`), then a `metadata` record (JSON) with its license, credit "
                  "line, policy, purpose, run, robots.txt snapshot, decisions and sidecar "
                  "path.", ""]
    if report.skipped:
        lines += ["## Skipped", "", "| Reason | Items |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in report.skipped.most_common()]
        lines.append("")
    return "\n".join(lines)
