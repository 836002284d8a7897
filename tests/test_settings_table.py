"""Each COMPLIANCE_* setting has one home (crawler/compliance_settings.py): the code reads
no other, and the settings table of docs/operations.md documents exactly these."""

from __future__ import annotations

import re

from markdown_doc import DOCS, REPO, section, table_rows

from crawler.compliance_settings import SETTINGS

NAME = re.compile(r"COMPLIANCE_[A-Z0-9_]+")


def test_code_reads_only_settings_of_the_table() -> None:
    used = {name for path in (REPO / "crawler").rglob("*.py")
            for name in NAME.findall(path.read_text())}
    assert used - {s.name for s in SETTINGS} == set()


def test_docs_document_every_setting() -> None:
    """The first column of the table under "## Settings" names every setting, and no
    other (a row may name several, as `COMPLIANCE_BACKOFF_BASE` / `_CAP` do)."""
    rows = table_rows(section(DOCS / "operations.md", "Settings"))
    documented = [name for row in rows for name in NAME.findall(row[0])]
    assert len(documented) == len(set(documented)), "a setting has two rows"
    assert set(documented) == {s.name for s in SETTINGS}
