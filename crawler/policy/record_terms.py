"""``crawler policy check DIR --record-terms``: record in each policy file the fingerprint of
its terms page (``tos.fingerprint``), as read now.

The page is read the way ``crawler policy new`` reads a site (:func:`crawler.policy.survey.
fetch_page`: robots.txt obeyed, the crawl's network-safety and size rules, one request a
second or slower) and fingerprinted by :mod:`crawler.signals.terms`. The file is edited in
place, one line, so its comments and layout stay: the fingerprint's value is replaced, or a
``fingerprint:`` line is added under ``tos:`` (after ``url:``; in a flow mapping
``{...}``, as its last entry). The edited text must read back as the same policy with the
new fingerprint, or nothing is written.

A fingerprint already recorded that no longer matches the page is the crawl's stop signal:
it is replaced only for the policies named with ``--site`` (the person who reviewed the
terms again says so); the others are reported and left alone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from crawler.policy.fetch import AddressRefused, GuardedFetcher
from crawler.policy.model import SitePolicy
from crawler.policy.survey import fetch_page
from crawler.signals.terms import MAX_TERMS_BYTES, read_terms

#: outcomes of one policy
RECORDED, UNCHANGED, REPLACED, CHANGED, UNREADABLE, NOT_WRITTEN = (
    "recorded", "unchanged", "replaced", "changed", "unreadable", "not written")
#: outcomes that leave the policy without a fingerprint matching its terms page
FAILED = frozenset({CHANGED, UNREADABLE, NOT_WRITTEN})


class EditError(ValueError):
    """The file could not be edited in place (its ``tos:`` is not where it should be)."""


@dataclass(frozen=True)
class Outcome:
    policy: str
    file: str
    outcome: str
    detail: str

    def line(self) -> str:
        return f"{self.outcome:<12} {self.policy:<24} {self.detail}"


# ---------------------------------------------------------------- the edit (pure)


def _root_tos(text: str) -> tuple[yaml.MappingNode, yaml.Node | None, yaml.Node | None]:
    """The ``tos`` mapping node, and the value nodes of its ``fingerprint`` and ``url``."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the file is not a YAML mapping")
    tos = next((v for k, v in root.value if k.value == "tos"), None)
    if not isinstance(tos, yaml.MappingNode):
        raise EditError("no tos: mapping")
    values = {k.value: v for k, v in tos.value}
    return tos, values.get("fingerprint"), values.get("url")


def with_fingerprint(text: str, value: str, note: str = "") -> str:
    """``text`` (a policy file) with ``tos.fingerprint`` set to ``value``, every other line
    as it was. ``note`` becomes a comment on a line that is added (not on one replaced).
    Raises :class:`EditError` when the result would not read back as intended."""
    tos, current, url = _root_tos(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    if current is not None:  # replace the value, keep the rest of its line
        start, end = current.start_mark.index, current.end_mark.index
        shown = f'"{value}"' if tos.flow_style else value
        edited = text[:start] + (shown if end > start else " " + shown) + text[end:]
    elif tos.flow_style:  # {url: ..., ...}: add it as the last entry
        close = tos.end_mark.index - 1
        if text[close] != "}":
            raise EditError("cannot find the end of the tos: mapping")
        at = close
        while at > 0 and text[at - 1] in " \t\r\n":
            at -= 1
        sep = " " if text[at - 1] in ",{" else ", "
        edited = text[:at] + f'{sep}fingerprint: "{value}"' + text[at:]
    else:  # a line of its own, after url: (or first under tos:), at the keys' indent
        anchor = url if url is not None else tos.value[0][1]
        key_column = tos.value[0][0].start_mark.column
        line = anchor.end_mark.line + (0 if anchor.end_mark.column == 0 else 1)
        lines = text.splitlines(keepends=True)
        line = min(line, len(lines))
        if line == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline  # the file's last line, without its end of line
        comment = f"  # {note}" if note else ""
        lines.insert(line, " " * key_column + f"fingerprint: {value}{comment}{newline}")
        edited = "".join(lines)
    _check(text, edited, value)
    return edited


def _check(before: str, after: str, value: str) -> None:
    expected: dict[str, Any] = yaml.safe_load(before)
    expected["tos"] = {**expected["tos"], "fingerprint": value}
    try:
        ok = yaml.safe_load(after) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        raise EditError("the edited file would not read back as the same policy")


def write_in_place(path: Path, text: str) -> None:
    """Replace the file (the target of a symlink) with ``text``, atomically, keeping its
    permissions."""
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode & 0o7777
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- reading and recording


def current_fingerprint(url: str, fetcher: GuardedFetcher) -> tuple[str | None, str]:
    """The fingerprint of the terms page at ``url`` as read now, or None and why not."""
    try:
        visit = fetch_page(url, fetcher)
    except AddressRefused as exc:
        return None, f"refused, nothing was sent: {exc}"
    answer = visit.answer
    if answer is None or visit.skipped:
        return None, f"{url}: {visit.outcome()}"
    if not answer.ok:
        return None, f"{url}: {answer.summary()}"
    if answer.truncated or len(answer.body) > MAX_TERMS_BYTES:
        return None, (f"{url}: larger than the {MAX_TERMS_BYTES // 1024} KiB a crawl reads "
                      "of a terms page")
    reading = read_terms(answer.body, answer.url)
    if reading.fingerprint is None:
        return None, f"{url}: {reading.problem}"
    return reading.fingerprint, f"{url} ({reading.chars} characters of main text)"


def record_policy(policy: SitePolicy, fetcher: GuardedFetcher, *, replace: bool,
                  today: date) -> Outcome:
    """Read ``policy``'s terms page and record its fingerprint in the policy's file."""
    def outcome(kind: str, detail: str) -> Outcome:
        return Outcome(policy.name, policy.source, kind, detail)

    found, detail = current_fingerprint(policy.tos.url, fetcher)
    if found is None:
        return outcome(UNREADABLE, detail)
    recorded = policy.tos.fingerprint
    if recorded == found:
        return outcome(UNCHANGED, detail)
    if recorded is not None and not replace:
        return outcome(CHANGED, f"{detail}: the terms changed since the review ({recorded} "
                       f"-> {found}); review them, then record them with --site {policy.name}")
    path = Path(policy.source)
    try:
        text = path.read_text(encoding="utf-8")
        write_in_place(path, with_fingerprint(
            text, found, f"main text of tos.url, recorded {today.isoformat()}"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, EditError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return outcome(NOT_WRITTEN, f"{path}: {why}")
    if recorded:
        return outcome(REPLACED, f"{found} (was {recorded}) {detail}")
    return outcome(RECORDED, f"{found} {detail}")


def record_terms(policies: Collection[SitePolicy], fetcher: GuardedFetcher, *,
                 named: Collection[str] = (), today: date | None = None) -> list[Outcome]:
    """Record the terms fingerprint of ``policies`` (those ``named`` only, by policy name or
    host, when any are); a changed fingerprint is replaced only for a named policy."""
    wanted = {n.lower() for n in named}
    day = today or date.today()
    out = []
    for policy in policies:
        selected = policy.name.lower() in wanted or bool(
            wanted & {h.removeprefix("*.") for h in policy.hosts})
        if wanted and not selected:
            continue
        out.append(record_policy(policy, fetcher, replace=selected, today=day))
    return out
