"""Reading one policy file, safely: the bytes, the YAML, and the line of every key.

A policy file may be hostile or mistaken, and reading it stays cheap and bounded: only
regular files (or symlinks to them) of at most :data:`MAX_POLICY_BYTES` are read, checked
before the file is opened so a FIFO cannot block; YAML anchors and aliases are refused (no
"billion laughs"); nesting is bounded by :data:`MAX_NESTING`. Every fault is one
:class:`PolicyProblem` (``file:line: field: message``), never an exception.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

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


class PolicyDoc:
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


def read_policy_file(path: Path) -> tuple[PolicyDoc | None, bytes, list[PolicyProblem]]:
    """The parsed document (None when it cannot be read as a YAML mapping), the raw bytes
    (for the policy's digest) and the problems met on the way."""
    raw, unreadable = _read_bytes(path)
    if unreadable is not None:
        return None, raw, [PolicyProblem(str(path), 1, "", unreadable)]
    try:
        doc = PolicyDoc(path, raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, raw, [PolicyProblem(str(path), 1, "", f"not UTF-8: {exc}")]
    except yaml.YAMLError as exc:
        return None, raw, [_yaml_problem(path, exc)]
    if doc.data is not None and not isinstance(doc.data, dict):
        return None, raw, [PolicyProblem(str(path), 1, "", "a policy must be a YAML mapping")]
    return doc, raw, doc.duplicates
