"""What one export did (:class:`ExportReport`) and what its dataset card is made from
(:class:`CardStats`), both filled in while exporting."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ExportReport:
    """What one export did.

    ``skipped`` reasons: ``kind_not_selected``, ``not_current``, ``sidecar_unreadable``,
    ``sidecar_mismatch`` (sidecar url/sha256 differ from the manifest), ``license_missing``,
    ``license_not_selected``, ``purpose_not_covered`` (crawled for a narrower purpose),
    ``tos_forbids_purpose``, ``license_unknown`` / ``license_forbids_purpose`` (commercial
    export), ``duplicate`` (same content already exported), ``content_unreadable``,
    ``content_hash_mismatch``, ``extraction_error``, ``no_text``.
    """

    out: Path
    fmt: str
    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    shards: list[Path] = field(default_factory=list)  # final paths, in order
    licenses: Counter[str] = field(default_factory=Counter)  # SPDX id -> exported count
    kinds: Counter[str] = field(default_factory=Counter)  # page/image -> exported count
    permitted_purposes: list[str] = field(default_factory=list)  # uses every item allows
    card: Path | None = None
    attributions: Path | None = None

    def lines(self) -> list[str]:
        """Human-readable summary, one line per fact (for the CLI)."""
        out = [f"export {self.out}: {self.exported} item(s) in {len(self.shards)} "
               f"{self.fmt} shard(s), {sum(self.skipped.values())} skipped"]
        out += [f"  skipped   {reason:<28} {n}" for reason, n in self.skipped.most_common()]
        out += [f"  license   {spdx:<28} {n}" for spdx, n in self.licenses.most_common()]
        out.append(f"  usable for: {', '.join(self.permitted_purposes) or 'nothing'}")
        return out


@dataclass
class CardStats:
    """What the dataset card needs, gathered while exporting."""

    license_names: dict[str, str] = field(default_factory=dict)
    license_urls: dict[str, str] = field(default_factory=dict)
    license_obligations: dict[str, list[str]] = field(default_factory=dict)
    sites: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    crawl_purposes: Counter[str] = field(default_factory=Counter)
    not_for: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
