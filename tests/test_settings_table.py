"""Each COMPLIANCE_* setting has one home (crawler/compliance_settings.py): the code reads
no other, and the README documents exactly these."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.compliance_settings import SETTINGS

REPO = Path(__file__).resolve().parents[1]
NAME = re.compile(r"COMPLIANCE_[A-Z0-9_]+")


def test_code_reads_only_settings_of_the_table() -> None:
    used = {name for path in (REPO / "crawler").rglob("*.py")
            for name in NAME.findall(path.read_text())}
    assert used - {s.name for s in SETTINGS} == set()


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert set(NAME.findall(table)) == {s.name for s in SETTINGS}
