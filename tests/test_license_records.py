"""License evidence travels as plain JSON (request meta) and comes back the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from parsel import Selector

from crawler.signals import license_detect as ld

VECTORS = Path(__file__).parent / "vectors" / "licenses"
INDEX: list[dict[str, Any]] = yaml.safe_load((VECTORS / "index.yaml").read_text())
PAGE = "https://site.example/notes/page.html"


def evidence() -> list[ld.LicenseEvidence]:
    found: list[ld.LicenseEvidence] = []
    for case in INDEX:
        html = (VECTORS / case["file"]).read_text()
        found += ld.detect(PAGE, {}, Selector(text=html))
        found += ld.image_evidence(Selector(text=html), PAGE, "https://site.example/a.png")
    return found


def test_the_vectors_give_every_kind_of_evidence() -> None:
    found = evidence()
    assert {type(e.license).__name__ for e in found} == {"License", "UnversionedCC", "NoneType"}
    assert any(e.assets for e in found) and any(e.note for e in found)


@pytest.mark.parametrize("item", evidence(), ids=lambda e: f"{e.channel}:{e.snippet[:30]}")
def test_evidence_survives_a_json_round_trip(item: ld.LicenseEvidence) -> None:
    record = json.loads(json.dumps(item.as_record()))
    assert ld.LicenseEvidence.from_record(record) == item


def test_a_record_naming_an_unknown_license_is_refused() -> None:
    record = ld.from_policy("CC-BY-4.0", "policy.yaml")[0].as_record()
    with pytest.raises(ValueError, match="unknown SPDX id"):
        ld.LicenseEvidence.from_record({**record, "spdx": "CC-BY-9.9"})
