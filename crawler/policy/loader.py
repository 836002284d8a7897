"""Load and validate a directory of site policies.

Every problem is reported as ``file:line: field: message`` and all problems of a
directory are collected before failing, so a reviewer fixes them in one pass.
A directory with any error yields no policies at all: the crawl must not start.

A policy file may be hostile or mistaken, and loading it stays cheap and bounded: only
regular files of at most :data:`MAX_POLICY_BYTES` are read, YAML anchors and aliases are
refused (no "billion laughs"), nesting is bounded, every number is finite and within the
bounds of :mod:`crawler.policy.schema`, and hosts must be on the public internet unless the
operator allows private networks.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from crawler.pathpattern import PathPattern
from crawler.policy.hosts import (
    HostPatternError,
    check_public_host,
    host_matches,
    normalize_host_pattern,
    patterns_overlap,
    url_port,
)
from crawler.policy.model import (
    DEFAULT_PORTS,
    ON_CONFLICT_EXCLUDE,
    ON_CONFLICT_MOST_RESTRICTIVE,
    LicenseRules,
    Rate,
    SitePolicy,
    ToSReview,
    Verdict,
)
from crawler.policy.schema import DEFAULTS_KEYS, POLICY_SCHEMA
from crawler.schedule import parse_period
from crawler.signals.license_patterns import LicensePatternError, parse_pattern
from crawler.signals.spdx_ids import lookup_spdx

DEFAULTS_FILE = "_defaults.yaml"
DEFAULT_RATE = {"requests_per_second": 1.0, "concurrency": 1}
#: largest policy file read, checked before reading (a policy is a few KiB; the pure-Python
#: YAML parser takes about 5 s and 80 MB for the worst file of this size)
MAX_POLICY_BYTES = 256 * 1024
#: deepest nesting of mappings and lists (a policy needs 4)
MAX_NESTING = 16


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


class _PolicyYAMLLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses anchors and aliases (one alias can stand for a whole
    tree: "billion laughs") and nesting deeper than :data:`MAX_NESTING`, and reports a bad
    value (a 13th month, a 5000-digit integer) as a YAML error at its line."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            sigil = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise ComposerError(None, None, "anchors and aliases are not allowed in a policy "
                                f"({sigil}{anchor})", event.start_mark)
        if self._depth >= MAX_NESTING:
            raise ComposerError(None, None, f"nested deeper than {MAX_NESTING} levels",
                                event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"invalid value: {exc}", node.start_mark) from None


class _Doc:
    """A parsed YAML document with the line of every key path."""

    def __init__(self, path: Path, text: str):
        self.path = str(path)
        self.lines: dict[tuple[str, ...], int] = {}
        self.duplicates: list[PolicyProblem] = []
        loader = _PolicyYAMLLoader(text)
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


def _file_problem(status: os.stat_result) -> str | None:
    if not stat.S_ISREG(status.st_mode):
        kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK,
                 "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
        kind = next((name for is_kind, name in kinds if is_kind(status.st_mode)), "a special file")
        return f"not a regular file ({kind})"
    if status.st_size > MAX_POLICY_BYTES:
        return f"{status.st_size} bytes: a policy file has at most {MAX_POLICY_BYTES}"
    return None


def _read_bytes(path: Path) -> tuple[bytes, str | None]:
    """The file's bytes, or why they are not read. Only a regular file, or a symlink to one
    (Kubernetes mounts ConfigMaps so), is opened, so a FIFO cannot block the loader; the open
    file is checked again (opened non-blocking, then fstat) in case it was swapped meanwhile."""
    try:
        problem = _file_problem(os.stat(path))
        if problem is not None:
            return b"", problem
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            problem = _file_problem(os.fstat(fd))
            if problem is not None:
                return b"", problem
            with open(fd, "rb", closefd=False) as file:
                raw = file.read(MAX_POLICY_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        return b"", f"cannot read: {exc.strerror or exc}"
    if len(raw) > MAX_POLICY_BYTES:  # it grew after the check
        return b"", f"more than {MAX_POLICY_BYTES} bytes: the limit of a policy file"
    return raw, None


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> PolicyProblem:
    """One line: the position goes into ``file:line``, not into the message."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    parts = (getattr(exc, "context", None), getattr(exc, "problem", None))
    message = ": ".join(part for part in parts if part) or str(exc)
    return PolicyProblem(str(path), mark.line + 1 if mark else 1, "",
                         "YAML syntax: " + " ".join(message.split()))


def _read(path: Path) -> tuple[_Doc | None, bytes, list[PolicyProblem]]:
    raw, unreadable = _read_bytes(path)
    if unreadable is not None:
        return None, raw, [PolicyProblem(str(path), 1, "", unreadable)]
    try:
        doc = _Doc(path, raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, raw, [PolicyProblem(str(path), 1, "", f"not UTF-8: {exc}")]
    except yaml.YAMLError as exc:
        return None, raw, [_yaml_problem(path, exc)]
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


def _finite_number(checker: Any, instance: Any) -> bool:
    """JSON Schema's "number", without NaN and infinity (YAML's .nan and .inf)."""
    base = jsonschema.Draft202012Validator.TYPE_CHECKER
    return base.is_type(instance, "number") and not (
        isinstance(instance, float) and not math.isfinite(instance))


_VALIDATOR = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)(POLICY_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


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
        elif err.validator == "type" and err.validator_value in ("number", "integer") \
                and isinstance(err.instance, float) and not math.isfinite(err.instance):
            message = f"{err.instance} is not a finite number"
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


def _hosts(doc: _Doc, data: dict[str, Any],
           allow_private: bool) -> tuple[tuple[str, ...], list[PolicyProblem]]:
    hosts: list[str] = []
    problems: list[PolicyProblem] = []
    ports = data.get("ports", DEFAULT_PORTS)
    for i, raw in enumerate(data["hosts"]):
        try:
            hosts.append(normalize_host_pattern(raw))
        except HostPatternError as exc:
            problems.append(doc.problem(["hosts", i], str(exc)))
            continue
        private = None if allow_private else check_public_host(hosts[-1].removeprefix("*."))
        if private is not None:
            problems.append(doc.problem(["hosts", i], f"{private}: refused unless the operator "
                                        "sets COMPLIANCE_ALLOW_PRIVATE_NETWORKS"))
    for key in ("start_urls", "sitemaps"):
        for i, url in enumerate(data.get(key, [])):
            host = urlsplit(url).hostname or ""
            if not any(host_matches(pattern, host) for pattern in hosts):
                problems.append(doc.problem([key, i], f"{url} is not on one of the policy's hosts"))
            elif url_port(url) not in ports:
                problems.append(doc.problem([key, i], f"{url}: port {url_port(url)} is not "
                                            f"among the policy's ports {list(ports)}"))
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
        ports=tuple(data.get("ports", DEFAULT_PORTS)),
        recrawl_every=parse_period(data["recrawl_every"]) if "recrawl_every" in data else None,
        retired=bool(data.get("retired", False)),
    )


def load_policies(directory: str | Path, *, allow_private: bool = False) -> list[SitePolicy]:
    """Load every ``*.yaml`` policy under ``directory``; raise :class:`PolicyError` on any fault.

    ``allow_private=False`` refuses hosts that are not on the public internet (see
    :func:`crawler.policy.hosts.check_public_host`). It is the operator's switch, never a
    policy's: the crawl sets it from ``COMPLIANCE_ALLOW_PRIVATE_NETWORKS``."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([PolicyProblem(str(root), 0, "", "policy directory not found")])
    problems: list[PolicyProblem] = []
    defaults: dict[str, Any] = {}
    defaults_raw = b""
    defaults_path = root / DEFAULTS_FILE
    if os.path.lexists(defaults_path):  # a dangling symlink is an error, not "no defaults"
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
        hosts, host_problems = _hosts(doc, data, allow_private)
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
