"""Every relative link in README.md and docs/*.md resolves: the file exists in the
repository, and its #anchor (or the page's own, for `#anchor` alone) is a heading there.
The README links every page of docs/, and every repository path the docs name exists."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from markdown_doc import DOCS, REPO, anchors, code, headings, links, markdown_files, slug

EXTERNAL = ("http://", "https://", "mailto:")


def broken_links(path: Path, root: Path = REPO) -> list[str]:
    """One message per link of ``path`` that does not resolve inside ``root``."""
    problems = []
    where = path.relative_to(root)
    for number, target in links(path):
        if target.startswith(EXTERNAL):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / unquote(file_part)).resolve() if file_part else path
        if root.resolve() not in (dest, *dest.parents):
            problems.append(f"{where}:{number}: {target}: outside the repository")
        elif not dest.exists():
            problems.append(f"{where}:{number}: {target}: no such file")
        elif anchor and (dest.suffix != ".md" or anchor not in anchors(dest)):
            problems.append(f"{where}:{number}: {target}: no heading #{anchor} in {dest.name}")
    return problems


def test_every_relative_link_resolves() -> None:
    problems = [p for path in markdown_files() for p in broken_links(path)]
    assert len(markdown_files()) >= 7
    assert problems == []


def test_the_readme_links_every_docs_page() -> None:
    linked = {(REPO / target.partition("#")[0]).resolve()
              for _, target in links(REPO / "README.md") if not target.startswith(EXTERNAL)}
    assert {p.resolve() for p in DOCS.glob("*.md")} - linked == set()


def test_repository_paths_in_code_exist() -> None:
    """A path the docs name in code (`crawler/signals/robots.py`, `deploy/`) exists: a
    moved or renamed module fails here."""
    named = re.compile(r"^(?:crawler|tests|bench|deploy|docs|policies)/[\w./-]*$")
    missing = [f"{path.relative_to(REPO)}:{number}: {text}"
               for path in markdown_files() for number, text in code(path)
               if named.match(text) and not (REPO / text).exists()
               and not (REPO / f"{text}.py").exists()]
    assert missing == []


def test_each_page_has_one_title_and_no_repeated_heading() -> None:
    """One `#` title per page, and no two headings with one anchor (a link could only
    reach the first)."""
    for path in markdown_files():
        found = headings(path)
        assert [level for level, _ in found].count(1) == 1, path
        slugs = [slug(title) for _, title in found]
        assert len(slugs) == len(set(slugs)), (path, slugs)


def test_the_check_finds_broken_links(tmp_path: Path) -> None:
    """The checker itself: a missing file, a missing anchor, a link out of the tree, and
    code that only looks like a link, are told apart."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "other.md").write_text("# Other\n\n## Storage on S3\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Page\n\n## robots.txt\n\n"
        "[ok](../other.md#storage-on-s3) [ok](#robotstxt) [ok](https://example.org/x#y)\n"
        "[gone](missing.md) [bad anchor](../other.md#storage-on-s4) [self](#nowhere)\n"
        "[out](../../etc/passwd) `[not a link](missing.md)`\n"
        "```\n[not a link either](missing.md)\n```\n")
    assert broken_links(page, tmp_path) == [
        "docs/page.md:6: missing.md: no such file",
        "docs/page.md:6: ../other.md#storage-on-s4: no heading #storage-on-s4 in other.md",
        "docs/page.md:6: #nowhere: no heading #nowhere in page.md",
        "docs/page.md:7: ../../etc/passwd: outside the repository",
    ]


def test_anchors_are_githubs() -> None:
    assert slug("robots.txt") == "robotstxt"
    assert slug("1. Draft") == "1-draft"
    assert slug("Retention, recrawls and retirement") == "retention-recrawls-and-retirement"
    assert slug("Scrapy's command line") == "scrapys-command-line"
    assert slug("`crawler explain`") == "crawler-explain"
