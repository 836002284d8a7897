"""Load and validate a directory of site policies.

Every problem is reported as ``file:line: field: message`` and all problems of a
directory are collected in one pass (:func:`check_policies`), so a reviewer fixes them all
at once: every check runs on every file, whatever the others found (:mod:`.checks`).
:func:`load_policies`, the crawl's entry point, raises :class:`PolicyError` with all of
them: a directory with any error yields no policies at all, and the crawl must not start.

A policy file may be hostile or mistaken, and loading it stays cheap and bounded
(:mod:`.source`): only regular files of at most :data:`MAX_POLICY_BYTES` are read, YAML
anchors and aliases are refused (no "billion laughs"), nesting is bounded, every number is
finite and within the bounds of :mod:`crawler.policy.schema`, and hosts must be on the
public internet unless the operator allows private networks.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from crawler.pathpattern import PathPattern
from crawler.policy.checks import (
    ON_CONFLICT_WORDS,
    host_problems,
    schema_problems,
    semantic_problems,
)
from crawler.policy.hosts import patterns_overlap
from crawler.policy.model import (
    DEFAULT_PORTS,
    ON_CONFLICT_EXCLUDE,
    UNVERSIONED_REJECT,
    LicenseRules,
    Rate,
    SitePolicy,
    ToSReview,
    Verdict,
)
from crawler.policy.schema import DEFAULTS_KEYS
from crawler.policy.source import (
    MAX_NESTING,
    MAX_POLICY_BYTES,
    PolicyDoc,
    PolicyProblem,
    read_policy_file,
)
from crawler.schedule import parse_period
from crawler.signals.license_patterns import parse_pattern
from crawler.signals.spdx_ids import lookup_spdx

__all__ = [
    "DEFAULTS_FILE",
    "MAX_NESTING",
    "MAX_POLICY_BYTES",
    "PolicyCheck",
    "PolicyError",
    "PolicyProblem",
    "check_policies",
    "load_policies",
]

DEFAULTS_FILE = "_defaults.yaml"
DEFAULT_RATE = {"requests_per_second": 1.0, "concurrency": 1}


class PolicyError(Exception):
    """One or more policy files are invalid; ``problems`` lists each one."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("invalid site policies:\n  " + "\n  ".join(map(str, problems)))


@dataclass
class PolicyCheck:
    """The outcome of checking a directory: every problem, and the policies of the files
    that have none (``policies`` is for reporting: a crawl takes nothing from a directory
    with any problem)."""

    problems: list[PolicyProblem] = field(default_factory=list)
    policies: list[SitePolicy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _plain(value: Any) -> Any:
    """Dates to ISO strings, so JSON Schema sees what the YAML author wrote."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _merge(defaults: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _on_conflict(value: str | None) -> str:
    if value is None:
        return ON_CONFLICT_EXCLUDE
    if value in ON_CONFLICT_WORDS:
        return value
    return lookup_spdx(value).spdx  # type: ignore[union-attr]


def _build(doc: PolicyDoc, data: dict[str, Any], digest: str, hosts: tuple[str, ...]) -> SitePolicy:
    tos = data["tos"]
    rate = {**DEFAULT_RATE, **data.get("rate", {})}
    lic = data["licenses"]
    canonical = {purpose: frozenset(parse_pattern(text).text for text in patterns)
                 for purpose, patterns in lic["accept"].items()}
    default = lic.get("default")
    return SitePolicy(
        name=data.get("name") or Path(doc.path).stem,
        source=doc.path,
        sha256=digest,
        version=str(data.get("version", digest[:12])),
        hosts=hosts,
        tos=ToSReview(
            url=tos["url"], reviewed=date.fromisoformat(tos["reviewed"]),
            reviewer=tos["reviewer"], crawling=Verdict(tos["crawling"]),
            ai_training=Verdict(tos["ai_training"]), notes=tos.get("notes", ""),
            fingerprint=tos.get("fingerprint")),
        purposes=frozenset(data["purposes"]),
        start_urls=tuple(data.get("start_urls", [])),
        sitemaps=tuple(data.get("sitemaps", [])),
        allow_paths=tuple(PathPattern(p) for p in data.get("allow_paths", ["/"])),
        deny_paths=tuple(PathPattern(p) for p in data.get("deny_paths", [])),
        rate=Rate(float(rate["requests_per_second"]), int(rate["concurrency"])),
        licenses=LicenseRules(
            accept=canonical,
            default=lookup_spdx(default).spdx if default else None,  # type: ignore[union-attr]
            images_share_page_license=bool(lic.get("images_share_page_license", False)),
            on_conflict=_on_conflict(lic.get("on_conflict")),
            unversioned=lic.get("unversioned", UNVERSIONED_REJECT), page=lic.get("page")),
        retention_days=int(data["retention_days"]),
        ports=tuple(data.get("ports", DEFAULT_PORTS)),
        recrawl_every=parse_period(data["recrawl_every"]) if "recrawl_every" in data else None,
        retired=bool(data.get("retired", False)),
    )


def _read_defaults(root: Path, result: PolicyCheck) -> tuple[dict[str, Any], bytes]:
    path = root / DEFAULTS_FILE
    if not os.path.lexists(path):  # a dangling symlink is an error, not "no defaults"
        return {}, b""
    doc, raw, found = read_policy_file(path)
    result.problems += found
    if doc is None or not doc.data:
        return {}, raw
    for key in sorted(set(doc.data) - DEFAULTS_KEYS):
        result.problems.append(doc.problem([key], "not allowed in _defaults.yaml"))
    return _plain(doc.data), raw


def check_policies(directory: str | Path, *, allow_private: bool = False) -> PolicyCheck:
    """Check every ``*.yaml`` policy under ``directory``; never raises for a bad file.

    ``allow_private=False`` refuses hosts that are not on the public internet (see
    :func:`crawler.policy.hosts.check_public_host`). It is the operator's switch, never a
    policy's: the crawl sets it from ``COMPLIANCE_ALLOW_PRIVATE_NETWORKS``."""
    root = Path(directory)
    result = PolicyCheck()
    if not root.is_dir():
        result.problems.append(PolicyProblem(str(root), 0, "", "policy directory not found"))
        return result
    defaults, defaults_raw = _read_defaults(root, result)
    claimed: list[tuple[str, PolicyProblem]] = []
    files = sorted(p for p in root.glob("*.y*ml") if p.name != DEFAULTS_FILE)
    if not files:
        result.problems.append(PolicyProblem(str(root), 0, "", "no policy files (*.yaml) found"))
    for path in files:
        doc, raw, found = read_policy_file(path)
        if doc is None:
            result.problems += found
            continue
        data = _merge(defaults, _plain(doc.data or {}))
        found += schema_problems(doc, data) + semantic_problems(doc, data)
        hosts, problems = host_problems(doc, data, allow_private)
        found += problems
        # hosts of a file with other problems still claim their place: an overlap is
        # reported now, not in the next round
        for i, host in hosts:
            here = doc.problem(["hosts", i], "")
            for other_host, other in claimed:
                if patterns_overlap(host, other_host):
                    found.append(PolicyProblem(
                        here.file, here.line, here.field,
                        f"host {host!r} overlaps {other_host!r} of {other.file}:{other.line}"))
            claimed.append((host, here))
        result.problems += sorted(found, key=lambda p: p.line)
        if not found:
            digest = hashlib.sha256(defaults_raw + b"\0" + raw).hexdigest()
            result.policies.append(_build(doc, data, digest, tuple(h for _, h in hosts)))
    return result


def load_policies(directory: str | Path, *, allow_private: bool = False) -> list[SitePolicy]:
    """Load every ``*.yaml`` policy under ``directory``; raise :class:`PolicyError` listing
    every problem of every file when there is any (see :func:`check_policies`)."""
    result = check_policies(directory, allow_private=allow_private)
    if result.problems:
        raise PolicyError(result.problems)
    return result.policies
