"""Reading the project's Markdown (README.md, docs/*.md) the way GitHub renders it, for the
tests that hold the docs to the code: headings and their anchors, sections, tables, links,
code (fenced blocks and inline spans)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def markdown_files() -> list[Path]:
    """The project's documentation: README.md and every page under docs/."""
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    text: str
    fence: str | None  # the fenced block's language ("" for none), or None outside blocks


def lines(text: str) -> list[Line]:
    """Every line, marked with the fenced code block it is in (if any)."""
    out: list[Line] = []
    fence: tuple[str, str] | None = None  # (marker, language)
    for number, line in enumerate(text.splitlines(), 1):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = (match.group(1), match.group(2))
            out.append(Line(number, line, None))
        elif fence is not None and match and match.group(1).startswith(fence[0]) \
                and not match.group(2):
            fence = None
            out.append(Line(number, line, None))
        else:
            out.append(Line(number, line, None if fence is None else fence[1]))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup and punctuation dropped, lower case, each
    space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(path: Path) -> list[tuple[int, str]]:
    """(level, title) of every heading outside code blocks."""
    found = []
    for line in lines(path.read_text(encoding="utf-8")):
        if line.fence is None:
            match = _HEADING.match(line.text)
            if match and not _FENCE.match(line.text):
                found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(path: Path) -> set[str]:
    """The #anchors of a Markdown file (a repeated heading gets -1, -2, … as on GitHub)."""
    seen: dict[str, int] = {}
    out = set()
    for _, title in headings(path):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every inline link outside code blocks and code spans."""
    found = []
    for line in lines(path.read_text(encoding="utf-8")):
        if line.fence is None:
            prose = _INLINE_CODE.sub("", line.text)
            found += [(line.number, m.group(2)) for m in _LINK.finditer(prose)]
    return found


def code(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line of a fenced block and every inline code span; a
    block's line that ends in a backslash is joined with the next (a shell continuation)."""
    found: list[tuple[int, str]] = []
    continued = False
    for line in lines(path.read_text(encoding="utf-8")):
        if line.fence is not None:
            if continued:
                number, before = found.pop()
                found.append((number, before[:-1] + " " + line.text.strip()))
            else:
                found.append((line.number, line.text))
            continued = line.text.endswith("\\")
        elif not _FENCE.match(line.text):
            continued = False
            found += [(line.number, m.group(2).strip()) for m in _INLINE_CODE.finditer(line.text)]
    return found


def section(path: Path, title: str) -> str:
    """The text under the heading ``title`` up to the next heading of the same or a higher
    level (subsections included). Fails when the page has no such heading."""
    out: list[str] = []
    level = None
    for line in lines(path.read_text(encoding="utf-8")):
        match = _HEADING.match(line.text) if line.fence is None else None
        if match:
            depth, text = len(match.group(1)), match.group(2)
            if level is not None and depth <= level:
                break
            if level is None and text == title:
                level = depth
                continue
        if level is not None:
            out.append(line.text)
    assert level is not None, f"{path.relative_to(REPO)} has no heading {title!r}"
    return "\n".join(out)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables in ``text``, as lists of cell texts (header and
    delimiter rows left out; ``\\|`` inside a cell kept as ``|``)."""
    rows: list[list[str]] = []
    in_table = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            in_table = False
            continue
        cells = [c.strip().replace("\\|", "|")
                 for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
        if not in_table:  # the header row; the delimiter row follows
            in_table = True
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows
