"""Corpus export: shards, text extraction, license and purpose filters, versions, deletions,
the dataset card, attributions, and atomic writes."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow.parquet as pq
import pytest
import yaml
from conftest import PNG, is_stored, overwrite_stored, stored_bytes, write_policy

from crawler import cli, export, sidecar
from crawler.export import SCHEMA, ExportError, ExportReport, export_corpus
from crawler.jsonl import read_jsonl
from crawler.policy.loader import load_policies
from crawler.policy.model import SitePolicy
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.spdx_ids import lookup_spdx
from crawler.storage.base import Committed, StoreItem
from crawler.storage.local import LocalStore

NAV = "Subscribe to the Tidepool Gazette newsletter"
FOOTER = "All rights reserved by the boilerplate footer"


def article(title: str, *paragraphs: str) -> bytes:
    """A real-looking article page: navigation, header, the article, a sidebar, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Tidepool Gazette</title></head>
<body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/archive">Archive</a></li>
  <li><a href="/newsletter">{NAV}</a></li>
</ul></nav></header>
<main><article>
<h1>{title}</h1>
{body}
</article></main>
<aside><h2>Related</h2><ul><li><a href="/a">Other story</a></li></ul></aside>
<footer><p>{FOOTER}.</p><a href="/privacy">Privacy</a> <a href="/imprint">Imprint</a></footer>
</body></html>""".encode()


TIDAL_OLD = ("The first draft of this story said tidal pools were studied by very few "
             "people, which the editors later corrected after readers wrote in with surveys.")
TIDAL = ("Tidal pools are rocky depressions that hold seawater when the tide goes out. They are "
         "home to anemones, sea stars, crabs and small fish adapted to rapid changes in "
         "temperature and salinity.")
TIDAL_2 = ("Twice a day the pools are flooded again, bringing fresh nutrients and plankton, and "
           "researchers study these miniature ecosystems to learn how species cope with stress.")


def para(topic: str) -> str:
    return (f"This article about {topic} explains in some detail how the subject came to be, "
            f"why it matters to the people who live nearby, and what {topic} looks like when "
            "observed carefully over several seasons by patient volunteers.")


@dataclass(frozen=True)
class Item:
    url: str
    spdx: str
    purpose: str
    policy: str
    body: bytes
    kind: str = "page"
    title: str = ""


PAGES = {
    # the older version of http://a.example/tidal, stored first
    "tidal_old": Item("http://a.example/tidal", "CC-BY-4.0", "research", "site-a",
                      article("Life in tidal pools", TIDAL_OLD, TIDAL),
                      title="Life in tidal pools"),
    "tidal": Item("http://a.example/tidal", "CC-BY-4.0", "research", "site-a",
                  article("Life in tidal pools", TIDAL, TIDAL_2), title="Life in tidal pools"),
    "nc": Item("http://a.example/nc", "CC-BY-NC-4.0", "research", "site-a",
               article("Harbour seals", para("harbour seals")), title="Harbour seals"),
    "gone": Item("http://a.example/gone", "CC-BY-4.0", "research", "site-a",
                 article("Removed on request", para("a removed story")), title="Removed"),
    "empty": Item("http://a.example/empty", "CC-BY-4.0", "research", "site-a",
                  b"<html><head><title>Gallery</title></head><body><div>"
                  b"<img src='/a.png'></div></body></html>", title="Gallery"),
    "sa": Item("http://b.example/sa", "CC-BY-SA-4.0", "commercial", "site-b",
               article("Kelp forests", para("kelp forests")), title="Kelp forests"),
    "by": Item("http://b.example/by", "CC-BY-4.0", "commercial", "site-b",
               article("Mudflats", para("mudflats")), title="Mudflats"),
    # accepted by a (mistaken) commercial policy: the export must still keep it out
    "nc_commercial": Item("http://b.example/nc", "CC-BY-NC-4.0", "commercial", "site-b",
                          article("Shorebirds", para("shorebirds")), title="Shorebirds"),
    "research_only": Item("http://r.example/article", "CC-BY-4.0", "research", "site-r",
                          article("Lichens", para("lichens")), title="Lichens"),
    # a sidecar claiming a commercial crawl of a research-only site
    "leaked": Item("http://r.example/leaked", "CC-BY-4.0", "commercial", "site-r",
                   article("Mosses", para("mosses")), title="Mosses"),
    "img_by": Item("http://b.example/photo.png", "CC-BY-4.0", "commercial", "site-b",
                   PNG + b"by", kind="image", title="Photo"),
    "img_nc": Item("http://a.example/seal.png", "CC-BY-NC-4.0", "research", "site-a",
                   PNG + b"nc", kind="image", title="Seal"),
}


@dataclass
class Corpus:
    root: Path
    store: LocalStore
    committed: dict[str, Committed]

    def sidecar(self, key: str) -> dict[str, Any]:
        return json.loads(stored_bytes(self.root, self.committed[key].sidecar_path))


def load_test_policies(directory: Path) -> dict[str, SitePolicy]:
    write_policy(directory, "site-a", "a.example", ["http://a.example/"])
    write_policy(directory, "site-b", "b.example", ["http://b.example/"],
                 licenses={"accept": {"research": ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0"],
                                      "commercial": ["CC-BY-4.0", "CC-BY-SA-4.0",
                                                     "CC-BY-NC-4.0"]}})
    write_policy(directory, "site-r", "r.example", ["http://r.example/"], purposes=["research"],
                 tos={"ai_training": "research-only"})
    return {p.name: p for p in load_policies(directory)}


def put(store: LocalStore, policies: dict[str, SitePolicy], item: Item) -> Committed:
    lic = lookup_spdx(item.spdx)
    assert lic is not None
    digest = hashlib.sha256(item.body).hexdigest()
    content_type = "text/html" if item.kind == "page" else "image/png"
    evidence = LicenseEvidence("html:a", "html/body/footer/a", f'<a rel="license" '
                               f'href="{lic.url}">', lic.url, lic)
    card = sidecar.build(
        url=item.url, kind=item.kind, content_type=content_type, sha256=digest,
        size=len(item.body), fetched_at="2026-11-20T10:00:00.000Z", status=200,
        chosen=evidence, statements=[evidence.as_record()], title=item.title,
        creator="Ada Shore", policy=policies[item.policy], purpose=item.purpose, robots=None,
        decisions=[], run_id="run-1")
    host = item.url.split("/")[2]
    return store.put(StoreItem(url=item.url, host=host, kind=item.kind, content=item.body,
                               content_type=content_type, sha256=digest, sidecar=card,
                               manifest_extra={"spdx": item.spdx, "policy": item.policy,
                                               "purpose": item.purpose}))


def build_corpus(root: Path, policy_dir: Path) -> Corpus:
    policies = load_test_policies(policy_dir)
    store = LocalStore(root, fsync=False)
    committed = {key: put(store, policies, item) for key, item in PAGES.items()}
    gone = [e for e in store.entries() if e["url"] == PAGES["gone"].url]
    store.delete(gone[0], "takedown request")
    return Corpus(root, store, committed)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("export-corpus")
    return build_corpus(base / "store", base / "policies")


def jsonl_records(report: ExportReport) -> list[dict[str, Any]]:
    return [rec for shard in report.shards for rec in read_jsonl(shard)]


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {rec["url"]: rec for rec in records}
    assert len(out) == len(records), "one record per URL expected"
    return out


def front_matter(card: Path) -> dict[str, Any]:
    text = card.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def urls(*keys: str) -> set[str]:
    return {PAGES[k].url for k in keys}


ALL_CURRENT_PAGES = ("tidal", "nc", "sa", "by", "nc_commercial", "research_only", "leaked")


def test_jsonl_export_records_text_and_skips(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "export"
    report = export_corpus(corpus.store, out, "jsonl")

    assert report.out == out and report.fmt == "jsonl"
    assert report.exported == 7
    assert report.skipped == {"not_current": 1, "no_text": 1, "kind_not_selected": 2}
    assert report.shards == [out / "shard-00000.jsonl"]
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "attributions.jsonl", "ledger.jsonl", "shard-00000.jsonl"]
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temp dir left behind

    records = by_url(jsonl_records(report))
    assert set(records) == urls(*ALL_CURRENT_PAGES)
    assert PAGES["gone"].url not in records  # deleted
    assert PAGES["empty"].url not in records  # nothing to extract

    tidal = records["http://a.example/tidal"]
    assert list(tidal) == list(SCHEMA.names)
    card = corpus.sidecar("tidal")
    assert tidal["id"] == hashlib.sha256(PAGES["tidal"].body).hexdigest() == card["sha256"]
    assert TIDAL in tidal["text"] and TIDAL_2 in tidal["text"]
    assert TIDAL_OLD not in tidal["text"]  # the newer version only
    for boilerplate in (NAV, FOOTER, "Privacy", "Other story", "Archive"):
        assert boilerplate not in tidal["text"]
    assert tidal["kind"] == "page" and tidal["content_type"] == "text/html"
    assert tidal["content_path"] is None
    assert tidal["license"] == "CC-BY-4.0"
    assert tidal["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert tidal["attribution"] == (
        '"Life in tidal pools" by Ada Shore (http://a.example/tidal) is licensed under '
        "Creative Commons Attribution 4.0 International "
        "(https://creativecommons.org/licenses/by/4.0/).")
    assert tidal["obligations"] == ["BY"]
    assert tidal["sidecar"] == corpus.committed["tidal"].sidecar_path
    assert is_stored(corpus.root, tidal["sidecar"])
    assert tidal["policy"] == "site-a" and tidal["purpose"] == "research"
    assert tidal["fetched_at"] == "2026-11-20T10:00:00.000Z"
    assert tidal["host"] == "a.example" and tidal["title"] == "Life in tidal pools"
    assert records["http://b.example/sa"]["obligations"] == ["BY", "SA"]
    assert records["http://a.example/nc"]["obligations"] == ["BY", "NC"]
    assert "harbour seals" in records["http://a.example/nc"]["text"]


def test_attributions_file(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "jsonl")
    assert report.attributions == tmp_path / "export" / "attributions.jsonl"
    lines = read_jsonl(report.attributions)
    assert len(lines) == report.exported == 7
    credits = {line["url"]: line for line in lines}
    assert set(credits) == urls(*ALL_CURRENT_PAGES)
    sa = credits["http://b.example/sa"]
    assert sa == {
        "id": hashlib.sha256(PAGES["sa"].body).hexdigest(),
        "url": "http://b.example/sa",
        "attribution": corpus.sidecar("sa")["attribution"]["text"],
        "license": "CC-BY-SA-4.0",
        "license_url": "https://creativecommons.org/licenses/by-sa/4.0/",
        "attribution_required": True,
        "sidecar": corpus.committed["sa"].sidecar_path,
    }
    assert sa["attribution"].startswith('"Kelp forests" by Ada Shore (http://b.example/sa)')


def test_dataset_card(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "jsonl")
    assert report.card is not None
    meta = front_matter(report.card)
    assert meta["license"] == ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0"]
    assert meta["spdx_licenses"] == ["CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-SA-4.0"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "shard-*.jsonl"}]
    info = meta["export"]
    assert info["license_counts"] == {"CC-BY-4.0": 4, "CC-BY-NC-4.0": 2, "CC-BY-SA-4.0": 1}
    assert info["items"] == 7 and info["purpose"] is None
    assert info["permitted_purposes"] == ["research"]  # NC and research crawls are included
    assert info["skipped"] == {"kind_not_selected": 2, "no_text": 1, "not_current": 1}
    assert info["created_at"].endswith("Z") and info["store"] == str(corpus.root)
    assert report.permitted_purposes == ["research"]

    text = report.card.read_text()
    assert ("| CC-BY-4.0 | [Creative Commons Attribution 4.0 International]"
            "(https://creativecommons.org/licenses/by/4.0/) | 4 | BY |") in text
    assert "| CC-BY-NC-4.0 | [Creative Commons Attribution-NonCommercial 4.0 International]" \
        "(https://creativecommons.org/licenses/by-nc/4.0/) | 2 | BY, NC |" in text
    assert "- **BY** (7 item(s): CC-BY-4.0, CC-BY-NC-4.0, CC-BY-SA-4.0): Attribution" in text
    assert "- **SA** (1 item(s): CC-BY-SA-4.0): Share-alike" in text
    assert "- **NC** (2 item(s): CC-BY-NC-4.0): Non-commercial" in text
    assert "**ND**" not in text
    sites = {line.split(" | ")[0]: line for line in text.splitlines()
             if line.startswith("| ") and line.endswith(" |") and ".example" in line}
    assert sites["| a.example"].startswith("| a.example | site-a | ")
    assert sites["| a.example"].endswith(" | allowed | 2 |")
    assert sites["| b.example"].startswith("| b.example | site-b | ")
    assert sites["| b.example"].endswith(" | allowed | 3 |")
    assert sites["| r.example"].startswith("| r.example | site-r | ")
    assert sites["| r.example"].endswith(" | research-only | 2 |")
    assert "Items were crawled for: commercial (4), research (3)." in text
    assert "`attributions.jsonl`" in text
    assert "| shard-00000.jsonl | 7 |" in text
    assert ("Not for commercial use: 5 item(s) (license_forbids_purpose: 1, "
            "purpose_not_covered: 3, tos_forbids_purpose: 1).") in text


def test_license_filter_accepts_ids_and_families(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "a", "jsonl",
                           licenses=["cc-by-4.0", "CC-BY-SA-*"])
    assert set(by_url(jsonl_records(report))) == urls("tidal", "sa", "by", "research_only",
                                                      "leaked")
    assert report.skipped["license_not_selected"] == 2
    assert report.licenses == {"CC-BY-4.0": 4, "CC-BY-SA-4.0": 1}
    assert front_matter(tmp_path / "a" / "README.md")["license"] == ["cc-by-4.0", "cc-by-sa-4.0"]

    only_nc = export_corpus(corpus.store, tmp_path / "b", "jsonl", licenses=["CC-BY-NC-*"])
    assert set(by_url(jsonl_records(only_nc))) == urls("nc", "nc_commercial")

    # a family is one license unit: CC-BY-* is CC BY only, never BY-SA or BY-NC
    only_by = export_corpus(corpus.store, tmp_path / "c", "jsonl", licenses=["CC-BY-*"])
    assert set(by_url(jsonl_records(only_by))) == urls("tidal", "by", "research_only", "leaked")
    assert only_by.licenses == {"CC-BY-4.0": 4}
    assert front_matter(tmp_path / "c" / "README.md")["export"]["license_filter"] == ["CC-BY-*"]


def test_license_family_spans_versions_and_ports_of_one_unit(tmp_path: Path) -> None:
    policies = load_test_policies(tmp_path / "policies")
    store = LocalStore(tmp_path / "store", fsync=False)
    items = {spdx: Item(f"http://b.example/{spdx.lower()}", spdx, "commercial", "site-b",
                        article(f"Dunes {spdx}", para(f"dunes under {spdx}")), title="Dunes")
             for spdx in ("CC-BY-3.0", "CC-BY-3.0-DE", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
                          "CC-BY-ND-4.0")}
    for item in items.values():
        put(store, policies, item)

    report = export_corpus(store, tmp_path / "export", "jsonl", licenses=["cc-by-*"])
    exported = {rec["url"]: rec["license"] for rec in jsonl_records(report)}
    assert exported == {items["CC-BY-3.0"].url: "CC-BY-3.0",
                        items["CC-BY-3.0-DE"].url: "CC-BY-3.0-DE"}
    assert report.skipped == {"license_not_selected": 3}


def test_bad_license_filter_is_a_value_error(corpus: Corpus, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown license id 'CC-BY-9\.9' \(did you mean"):
        export_corpus(corpus.store, tmp_path / "export", "jsonl", licenses=["CC-BY-9.9"])
    assert not (tmp_path / "export").exists()


def test_cli_license_filter(corpus: Corpus, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bad"
    code = cli.main(["export", str(corpus.root), "--out", str(out),
                     "--license", "CC-BY-SA-9.9", "--license", "CC-BY-*", "--license", "CC-*"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("crawler: --license: unknown license id 'CC-BY-SA-9.9' (did you mean "
                   "'CC-BY-SA-4.0'?); unknown license family 'CC-*': it would span several "
                   "license units; list the ones you mean, e.g. 'CC-BY-*', 'CC-BY-NC-*', "
                   "'CC-BY-NC-ND-*'\n")
    assert not out.exists()

    good = tmp_path / "good"
    assert cli.main(["export", str(corpus.root), "--out", str(good),
                     "--license", "cc-by-sa-*"]) == 0
    assert [rec["license"] for rec in read_jsonl(good / "shard-00000.jsonl")] == ["CC-BY-SA-4.0"]


def test_commercial_purpose_excludes_nc_and_research_crawls(corpus: Corpus,
                                                            tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "jsonl", purpose="commercial")
    records = by_url(jsonl_records(report))
    assert set(records) == urls("sa", "by")
    assert all(rec["purpose"] == "commercial" for rec in records.values())
    assert all("NC" not in rec["obligations"] for rec in records.values())
    assert report.skipped == {
        "purpose_not_covered": 4,  # tidal, nc, research_only, empty: crawled for research
        "license_forbids_purpose": 1,  # nc_commercial: NC despite a commercial crawl
        "tos_forbids_purpose": 1,  # leaked: the site's ToS admits research only
        "not_current": 1, "kind_not_selected": 2,
    }
    meta = front_matter(tmp_path / "export" / "README.md")
    assert meta["export"]["purpose"] == "commercial"
    assert meta["export"]["permitted_purposes"] == ["research", "commercial"]
    assert meta["license"] == ["cc-by-4.0", "cc-by-sa-4.0"]


def test_research_purpose_admits_commercial_crawls_and_nc(corpus: Corpus,
                                                          tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "jsonl", purpose="research")
    assert set(by_url(jsonl_records(report))) == urls(*ALL_CURRENT_PAGES)
    assert report.skipped == {"not_current": 1, "no_text": 1, "kind_not_selected": 2}


def test_all_versions_when_not_current_only(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "jsonl", current_only=False,
                           licenses=["CC-BY-4.0"], purpose="research")
    records = [r for r in jsonl_records(report) if r["url"] == "http://a.example/tidal"]
    assert len(records) == 2
    assert {r["id"] for r in records} == {corpus.sidecar("tidal_old")["sha256"],
                                          corpus.sidecar("tidal")["sha256"]}
    assert sum(TIDAL_OLD in r["text"] for r in records) == 1
    assert "not_current" not in report.skipped
    assert PAGES["gone"].url not in {r["url"] for r in jsonl_records(report)}


def test_parquet_export_with_images_and_shards(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "export"
    report = export_corpus(corpus.store, out, "parquet", kinds=("page", "image"),
                           shard_size=3, current_only=False)
    assert report.exported == 10 and report.kinds == {"page": 8, "image": 2}
    assert [p.name for p in report.shards] == [
        "shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet",
        "shard-00003.parquet"]
    tables = [pq.read_table(p) for p in report.shards]
    assert [t.num_rows for t in tables] == [3, 3, 3, 1]
    for table in tables:
        assert table.schema.equals(SCHEMA)
    rows = [row for t in tables for row in t.to_pylist()]
    assert len({r["id"] for r in rows}) == 10
    images = {r["url"]: r for r in rows if r["kind"] == "image"}
    assert set(images) == urls("img_by", "img_nc")
    photo = images["http://b.example/photo.png"]
    assert photo["text"] is None
    assert photo["content_type"] == "image/png"
    assert photo["content_path"] == corpus.committed["img_by"].content_path
    assert stored_bytes(corpus.root, photo["content_path"]) == PAGES["img_by"].body
    assert photo["license"] == "CC-BY-4.0" and photo["obligations"] == ["BY"]
    assert photo["attribution"].startswith('"Photo" by Ada Shore (http://b.example/photo.png)')
    pages = {r["url"]: r for r in rows if r["kind"] == "page" and r["id"] ==
             corpus.sidecar("tidal")["sha256"]}
    tidal = pages["http://a.example/tidal"]
    assert TIDAL in tidal["text"] and NAV not in tidal["text"]
    assert tidal["content_path"] is None

    meta = front_matter(out / "README.md")
    assert meta["configs"][0]["data_files"][0]["path"] == "shard-*.parquet"
    assert meta["export"]["license_counts"] == {"CC-BY-4.0": 6, "CC-BY-NC-4.0": 3,
                                                "CC-BY-SA-4.0": 1}
    text = (out / "README.md").read_text()
    for line in ("| shard-00000.parquet | 3 |", "| shard-00003.parquet | 1 |",
                 "| attributions.jsonl | 10 |"):
        assert line in text
    assert len(read_jsonl(out / "attributions.jsonl")) == 10


def test_commercial_parquet_images(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "parquet", kinds=["image"],
                           purpose="commercial")
    [table] = [pq.read_table(p) for p in report.shards]
    assert table.column("url").to_pylist() == ["http://b.example/photo.png"]
    assert report.skipped["kind_not_selected"] == 9  # the live page versions


def test_interrupted_export_leaves_nothing(corpus: Corpus, tmp_path: Path) -> None:
    real = export.extract_text
    calls = {"n": 0}
    written: list[str] = []

    def crash_on_fourth(content: bytes, url: str, content_type: str = "text/html") -> str | None:
        calls["n"] += 1
        if calls["n"] == 4:
            written.extend(sorted(p.name for p in tmp_path.glob(".export.export-*/shard-*")))
            raise KeyboardInterrupt  # the operator hits ^C mid-export
        return real(content, url, content_type)

    out = tmp_path / "export"
    with mock.patch.object(export, "extract_text", crash_on_fourth), \
            pytest.raises(KeyboardInterrupt):
        export_corpus(corpus.store, out, "jsonl", shard_size=1)
    # tidal and nc were in one-record shards (the third page had no text) when it stopped
    assert written == ["shard-00000.jsonl", "shard-00001.jsonl"]
    assert list(tmp_path.iterdir()) == []  # neither the export nor its temp dir


def test_existing_destination(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "export"
    first = export_corpus(corpus.store, out, "jsonl", licenses=["CC-BY-SA-4.0"])
    assert first.exported == 1
    with pytest.raises(ExportError, match="not empty"):
        export_corpus(corpus.store, out, "parquet")
    assert (out / "shard-00000.jsonl").is_file()  # untouched

    second = export_corpus(corpus.store, out, "parquet", overwrite=True)
    assert second.exported == 7
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "attributions.jsonl", "ledger.jsonl", "shard-00000.parquet"]
    assert [p.name for p in tmp_path.iterdir()] == ["export"]

    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(ExportError, match="not part of an export"):
        export_corpus(corpus.store, precious, "jsonl", overwrite=True)
    assert (precious / "thesis.tex").read_text() == "years of work"

    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_corpus(corpus.store, empty, "jsonl").exported == 7


def test_tampered_content_and_duplicates_are_skipped(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "store", tmp_path / "policies")
    policies = load_test_policies(tmp_path / "policies")
    mirror = Item("http://b.example/mirror-of-kelp", "CC-BY-SA-4.0", "commercial", "site-b",
                  PAGES["sa"].body, title="Kelp forests (mirror)")
    put(corpus.store, policies, mirror)
    overwrite_stored(corpus.root, corpus.committed["by"].content_path, b"<html>changed</html>")

    report = export_corpus(corpus.store, tmp_path / "export", "jsonl")
    records = by_url(jsonl_records(report))
    assert PAGES["by"].url not in records
    assert PAGES["sa"].url in records and mirror.url not in records
    assert report.skipped["content_hash_mismatch"] == 1
    assert report.skipped["duplicate"] == 1
    assert report.exported == 6


def test_nothing_matches(corpus: Corpus, tmp_path: Path) -> None:
    report = export_corpus(corpus.store, tmp_path / "export", "parquet", licenses=["MIT"])
    assert report.exported == 0 and report.shards == []
    assert report.permitted_purposes == []
    assert read_jsonl(tmp_path / "export" / "attributions.jsonl") == []
    assert front_matter(tmp_path / "export" / "README.md")["export"]["items"] == 0


def test_progress_is_logged(corpus: Corpus, tmp_path: Path,
                            caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="crawler.export"):
        export_corpus(corpus.store, tmp_path / "export", "jsonl", progress_every=4)
    progress = [r.getMessage() for r in caplog.records if "entries read" in r.getMessage()]
    total = len(corpus.store.entries())
    assert total == 11
    assert progress == [
        f"export: 4/{total} entries read, 2 exported, 2 skipped",
        f"export: 8/{total} entries read, 6 exported, 2 skipped",
        f"export: {total}/{total} entries read, 7 exported, 4 skipped",
    ]


@pytest.mark.parametrize("kwargs", [
    {"fmt": "csv"}, {"kinds": ("video",)}, {"kinds": ()}, {"purpose": "advertising"},
    {"shard_size": 0},
])
def test_invalid_arguments(corpus: Corpus, tmp_path: Path, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"fmt": "jsonl", **kwargs}
    fmt = args.pop("fmt")
    with pytest.raises(ValueError):
        export_corpus(corpus.store, tmp_path / "export", fmt, **args)
    assert not (tmp_path / "export").exists()
