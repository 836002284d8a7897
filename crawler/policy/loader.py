"""Load and validate a directory of site policies.

Every problem is reported as ``file:line: field: message`` and all problems of a
directory are collected before failing, so a reviewer fixes them in one pass.
A directory with any error yields no policies at all: the crawl must not start.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml

from crawler.pathpattern import PathPattern
from crawler.policy.hosts import (
    HostPatternError,
    host_matches,
    normalize_host_pattern,
    patterns_overlap,
)
from crawler.policy.model import (
    ON_CONFLICT_EXCLUDE,
    ON_CONFLICT_MOST_RESTRICTIVE,
    LicenseRules,
    Rate,
    SitePolicy,
    ToSReview,
    Verdict,
)
from crawler.policy.schema import DEFAULTS_KEYS, POLICY_SCHEMA
from crawler.signals.license_patterns import LicensePatternError, parse_pattern
from crawler.signals.spdx_ids import lookup_spdx

DEFAULTS_FILE = "_defaults.yaml"
DEFAULT_RATE = {"requests_per_second": 1.0, "concurrency": 1}


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class PolicyError(Exception):
    """One or more policy files are invalid; ``problems`` lists each one."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("invalid site policies:\n  " + "\n  ".join(map(str, problems)))


class _Doc:
    """A parsed YAML document with the line of every key path."""

    def __init__(self, path: Path, text: str):
        self.path = str(path)
        self.lines: dict[tuple[str, ...], int] = {}
        self.duplicates: list[PolicyProblem] = []
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            self.data: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: tuple[str, ...]) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(PolicyProblem(
                        self.path, key_node.start_mark.line + 1, ".".join((*path, key)),
                        "duplicate key"))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._index(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*path, str(i)))

    def line(self, path: Iterable[Any]) -> int:
        key = tuple(str(p) for p in path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1)

    def problem(self, path: Iterable[Any], message: str) -> PolicyProblem:
        path = list(path)
        return PolicyProblem(self.path, self.line(path), ".".join(map(str, path)), message)


def _read(path: Path) -> tuple[_Doc | None, bytes, list[PolicyProblem]]:
    raw = path.read_bytes()
    try:
        doc = _Doc(path, raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, raw, [PolicyProblem(str(path), 1, "", f"not UTF-8: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, raw, [PolicyProblem(str(path), line, "", f"YAML syntax: {exc}")]
    if doc.data is not None and not isinstance(doc.data, dict):
        return None, raw, [PolicyProblem(str(path), 1, "", "a policy must be a YAML mapping")]
    return doc, raw, doc.duplicates


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


_VALIDATOR = jsonschema.Draft202012Validator(
    POLICY_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _schema_problems(doc: _Doc, data: dict[str, Any]) -> list[PolicyProblem]:
    problems = []
    for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(err.path)
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for key in extra:
                problems.append(doc.problem([*path, key], "unknown key"))
            continue
        if err.validator == "required":
            message = err.message.replace("is a required property", "is required")
        else:
            message = err.message
        problems.append(doc.problem(path, message))
    return problems


def _semantic_problems(doc: _Doc, data: dict[str, Any]) -> list[PolicyProblem]:
    """Checks JSON Schema cannot express: licenses, verdicts, URLs inside the policy."""
    problems: list[PolicyProblem] = []
    tos = data["tos"]
    prohibited = Verdict.PROHIBITED.value
    if prohibited in (tos["crawling"], tos["ai_training"]):
        for key in ("start_urls", "sitemaps"):
            if data.get(key):
                problems.append(doc.problem(
                    [key], f"the ToS verdict is 'prohibited': a prohibited site has no {key}"))
        if data["purposes"]:
            problems.append(doc.problem(["purposes"], "the ToS verdict is 'prohibited': "
                                        "no purpose can be allowed"))
    research_only = Verdict.RESEARCH_ONLY.value
    if research_only in (tos["crawling"], tos["ai_training"]) and "commercial" in data["purposes"]:
        problems.append(doc.problem(["purposes"], "the ToS verdict is 'research-only': "
                                    "purpose 'commercial' is not allowed"))
    problems += _license_problems(doc, data["licenses"])
    return problems


def _license_problems(doc: _Doc, lic: dict[str, Any]) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    for purpose, patterns in lic["accept"].items():
        for i, text in enumerate(patterns):
            # An NC id or family under "commercial" loads, but LicenseRules.accepted never
            # accepts an NC license for it.
            try:
                parse_pattern(text)
            except LicensePatternError as exc:
                problems += [doc.problem(["licenses", "accept", purpose, i], message)
                             for message in exc.problems]
    default = lic.get("default")
    if default is not None and lookup_spdx(default) is None:
        problems.append(doc.problem(["licenses", "default"], f"unknown license id {default!r}"))
    on_conflict = lic.get("on_conflict")
    if on_conflict is not None and on_conflict not in _ON_CONFLICT_WORDS \
            and lookup_spdx(on_conflict) is None:
        problems.append(doc.problem(
            ["licenses", "on_conflict"],
            f"{on_conflict!r} is neither {' nor '.join(map(repr, _ON_CONFLICT_WORDS))} "
            "nor a known license id"))
    return problems


_ON_CONFLICT_WORDS = (ON_CONFLICT_EXCLUDE, ON_CONFLICT_MOST_RESTRICTIVE)


def _on_conflict(value: str | None) -> str:
    if value is None:
        return ON_CONFLICT_EXCLUDE
    if value in _ON_CONFLICT_WORDS:
        return value
    return lookup_spdx(value).spdx  # type: ignore[union-attr]


def _hosts(doc: _Doc, data: dict[str, Any]) -> tuple[tuple[str, ...], list[PolicyProblem]]:
    hosts: list[str] = []
    problems: list[PolicyProblem] = []
    for i, raw in enumerate(data["hosts"]):
        try:
            hosts.append(normalize_host_pattern(raw))
        except HostPatternError as exc:
            problems.append(doc.problem(["hosts", i], str(exc)))
    for key in ("start_urls", "sitemaps"):
        for i, url in enumerate(data.get(key, [])):
            host = urlsplit(url).hostname or ""
            if not any(host_matches(pattern, host) for pattern in hosts):
                problems.append(doc.problem([key, i], f"{url} is not on one of the policy's hosts"))
    return tuple(hosts), problems


def _build(doc: _Doc, data: dict[str, Any], digest: str, hosts: tuple[str, ...]) -> SitePolicy:
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
            ai_training=Verdict(tos["ai_training"]), notes=tos.get("notes", "")),
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
            on_conflict=_on_conflict(lic.get("on_conflict"))),
        retention_days=int(data["retention_days"]),
        retired=bool(data.get("retired", False)),
    )


def load_policies(directory: str | Path) -> list[SitePolicy]:
    """Load every ``*.yaml`` policy under ``directory``; raise :class:`PolicyError` on any fault."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([PolicyProblem(str(root), 0, "", "policy directory not found")])
    problems: list[PolicyProblem] = []
    defaults: dict[str, Any] = {}
    defaults_raw = b""
    defaults_path = root / DEFAULTS_FILE
    if defaults_path.exists():
        doc, defaults_raw, found = _read(defaults_path)
        problems += found
        if doc is not None and doc.data:
            for key in sorted(set(doc.data) - DEFAULTS_KEYS):
                problems.append(doc.problem([key], "not allowed in _defaults.yaml"))
            defaults = _plain(doc.data)

    policies: list[SitePolicy] = []
    claimed: list[tuple[str, PolicyProblem]] = []
    files = sorted(p for p in root.glob("*.y*ml") if p.name != DEFAULTS_FILE)
    if not files:
        problems.append(PolicyProblem(str(root), 0, "", "no policy files (*.yaml) found"))
    for path in files:
        doc, raw, found = _read(path)
        problems += found
        if doc is None:
            continue
        data = _merge(defaults, _plain(doc.data or {}))
        schema_problems = _schema_problems(doc, data)
        if schema_problems:
            problems += schema_problems
            continue
        semantic = _semantic_problems(doc, data)
        hosts, host_problems = _hosts(doc, data)
        problems += semantic + host_problems
        if semantic or host_problems:
            continue
        for i, host in enumerate(hosts):
            here = doc.problem(["hosts", i], "")
            for other_host, other in claimed:
                if patterns_overlap(host, other_host):
                    problems.append(PolicyProblem(
                        here.file, here.line, here.field,
                        f"host {host!r} overlaps {other_host!r} of {other.file}:{other.line}"))
            claimed.append((host, here))
        digest = hashlib.sha256(defaults_raw + b"\0" + raw).hexdigest()
        policies.append(_build(doc, data, digest, hosts))
    if problems:
        raise PolicyError(problems)
    return policies
