"""WARC export: a crawled site exported through the CLI passes ``warcio check`` and reads back
as what the store holds (bodies byte for byte, the stored headers with their own
Content-Length, each item's license and provenance); items stored before response headers
were kept become ``resource`` records; the header rewriting on its own."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from conftest import (
    CC_BY,
    crawl,
    image,
    overwrite_stored,
    page,
    run_cli,
    stored_bytes,
    write_policy,
)
from test_export import PAGES, Item, build_corpus, load_test_policies, put
from test_store_formats import FIXTURE
from warcio.archiveiterator import ArchiveIterator

from crawler.dataset import warc
from crawler.dataset.warc import (
    WarcShard,
    field_value,
    http_headers,
    one_line,
    sha256_digest,
    status_line,
    stored_response,
    warc_date,
)
from crawler.demo.server import Route
from crawler.export import export_corpus
from crawler.jsonl import read_jsonl
from crawler.storage.base import READ, manifest_view
from crawler.storage.local import LocalStore

SITE = "127.0.0.108"
WARCIO = Path(sys.executable).parent / "warcio"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


# ---------------------------------------------------------------------------------------------
# Reading WARC files back
# ---------------------------------------------------------------------------------------------


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), "check", "-v", str(path)], capture_output=True,
                          text=True, timeout=60)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file: its WARC headers, HTTP status and fields, and block."""
    out = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            http = record.http_headers
            out.append({
                "type": record.rec_type,
                "warc": dict(record.rec_headers.headers),
                "status": f"{http.protocol} {http.statusline}" if http else None,
                "fields": list(http.headers) if http else None,
                "body": record.raw_stream.read(),
            })
    return out


def export_warc(store: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = run_cli("export", str(store), "--format", "warc", "--out", str(out),
                   "--kind", "page", "--kind", "image", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def checked_records(out: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """The export's WARC files, each passing ``warcio check`` with every digest verified,
    and their records after the warcinfo record each starts with."""
    files = sorted(out.glob("shard-*.warc.gz"))
    records: list[dict[str, Any]] = []
    for path in files:
        check = warcio_check(path)
        assert check.returncode == 0, check.stdout + check.stderr
        in_file = read_records(path)
        assert check.stdout.count("digest pass") == len(in_file), check.stdout
        assert in_file[0]["type"] == "warcinfo"
        assert in_file[0]["warc"]["WARC-Filename"] == path.name
        assert [r["type"] for r in in_file[1:]].count("warcinfo") == 0
        info_id = in_file[0]["warc"]["WARC-Record-ID"]
        assert all(r["warc"]["WARC-Warcinfo-ID"] == info_id for r in in_file[1:])
        records += in_file[1:]
    return files, records


def warcinfo(path: Path) -> dict[str, str]:
    body = read_records(path)[0]["body"].decode("utf-8")
    return dict(line.split(": ", 1) for line in body.splitlines())


def pairs(records: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """url -> (response or resource record, its metadata record), checking they alternate."""
    out = {}
    for item, meta in zip(records[::2], records[1::2], strict=True):
        assert item["type"] in ("response", "resource") and meta["type"] == "metadata"
        item_id = item["warc"]["WARC-Record-ID"]
        assert meta["warc"]["WARC-Refers-To"] == meta["warc"]["WARC-Concurrent-To"] == item_id
        assert meta["warc"]["Content-Type"] == "application/json"
        assert meta["warc"]["WARC-Target-URI"] == item["warc"]["WARC-Target-URI"]
        assert meta["warc"]["WARC-Date"] == item["warc"]["WARC-Date"]
        out[item["warc"]["WARC-Target-URI"]] = (item, meta)
    assert len(out) == len(records) // 2, "one response per URL expected"
    return out


def b32(sha256_hex: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode()


def assert_metadata(meta: dict[str, Any], entry: dict[str, Any], card: dict[str, Any]) -> None:
    body = json.loads(meta["body"])
    assert body["id"] == entry["sha256"] and body["url"] == entry["url"]
    assert body["license"] == card["license"]
    assert body["license"]["spdx"] == entry["spdx"]
    assert body["attribution"] == card["attribution"]
    assert body["attribution"]["text"].endswith(f"({card['license']['url']}).")
    assert body["policy"] == card["policy"]
    assert body["license_evidence"] == card["evidence"]["chosen"]
    for key in ("purpose", "run_id", "robots", "decisions", "fetched_at", "kind", "page_url"):
        assert body[key] == card[key], key
    assert body["sidecar"] == entry["sidecar"]


# ---------------------------------------------------------------------------------------------
# End to end: crawl, export through the CLI, check and read back
# ---------------------------------------------------------------------------------------------


def test_crawled_site_exports_as_warc_that_round_trips(serve, tmp_path: Path) -> None:
    article = page("compressed on the wire", license_url=CC_BY_SA, title="Gzipped")
    server = serve({SITE: {
        "/": page("home", links=("/gz.html",), images=("/cat.png",)),
        # sent gzip-compressed: stored decoded, so the WARC must not say gzip
        "/gz.html": Route(gzip.compress(article.body),
                          headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding",
                                   "X-Archive-Note": ["first", "second"]}),
        "/cat.png": image({"Link": f'<{CC_BY}>; rel="license"', "Cache-Control": "max-age=60"}),
    }})
    policies, store, out = tmp_path / "policies", tmp_path / "corpus", tmp_path / "warc"
    write_policy(policies, "warc-site", SITE, [server.url(SITE, "/")])
    result = crawl(policies, store)
    url = lambda path: server.url(SITE, path)  # noqa: E731
    assert result.stored_urls() == {url("/"), url("/gz.html"), url("/cat.png")}

    proc = export_warc(store, out, "--shard-size", "2")
    assert "3 item(s) in 2 warc shard(s), 0 skipped" in proc.stdout
    files, records = checked_records(out)
    assert [p.name for p in files] == ["shard-00000.warc.gz", "shard-00001.warc.gz"]
    assert [len(read_records(p)) for p in files] == [1 + 2 * 2, 1 + 2 * 1]  # --shard-size 2
    info = warcinfo(files[0])
    assert info["software"].startswith("compliance-crawler/")
    assert info["format"] == "WARC File Format 1.1"
    assert info["export-kinds"] == "page, image" and info["export-purpose"] == "not filtered"
    assert info["isPartOf"] == "warc"

    found = pairs(records)
    manifest = {e["url"]: e for e in result.manifest}
    assert set(found) == set(manifest)
    for item_url, (response, meta) in found.items():
        entry, card = manifest[item_url], result.sidecar(item_url)
        content = stored_bytes(store, entry["content"])
        assert response["type"] == "response"
        assert response["body"] == content  # byte for byte the stored body
        assert response["status"] == "HTTP/1.1 200 OK"
        expected = [(name, value) for name, values in card["headers"].items()
                    for value in values] + [("Content-Length", str(len(content)))]
        assert response["fields"] == expected  # the stored fields, their own length
        names = [name.lower() for name, _ in response["fields"]]
        assert "content-encoding" not in names and "transfer-encoding" not in names
        assert names.count("content-length") == 1
        warc = response["warc"]
        assert warc["WARC-Date"] == card["fetched_at"]
        assert warc["WARC-Payload-Digest"] == b32(entry["sha256"])
        assert warc["Content-Type"] == "application/http; msgtype=response"
        assert warc["WARC-Record-ID"].startswith("<urn:uuid:")
        assert_metadata(meta, entry, card)

    gz, _ = found[url("/gz.html")]
    assert gz["body"] == article.body  # decoded, although the server sent gzip
    fields = dict(gz["fields"])
    assert fields["Content-Length"] == str(len(article.body))
    assert [v for n, v in gz["fields"] if n == "X-Archive-Note"] == ["first", "second"]
    assert fields["Vary"] == "Accept-Encoding"
    cat, cat_meta = found[url("/cat.png")]
    assert dict(cat["fields"])["Content-Type"] == "image/png"
    assert json.loads(cat_meta["body"])["page_url"] == url("/")

    # the export's other files are those of every format
    attributions = read_jsonl(out / "attributions.jsonl")
    assert {a["url"] for a in attributions} == set(manifest)
    assert {r["url"] for r in read_jsonl(out / "ledger.jsonl")} >= set(manifest)
    card_text = (out / "README.md").read_text()
    assert "path: shard-*.warc.gz" in card_text
    assert "| shard-00000.warc.gz | 2 |" in card_text and "| shard-00001.warc.gz | 1 |" in card_text


def test_items_stored_without_headers_become_resource_records(tmp_path: Path) -> None:
    before = files_of(FIXTURE)
    out = tmp_path / "warc"
    proc = export_warc(FIXTURE, out)
    assert files_of(FIXTURE) == before  # read only
    entries = {e["url"]: e for e in manifest_view(read_jsonl(FIXTURE / "manifest.jsonl"))}
    assert f"{len(entries)} item(s) in 1 warc shard(s)" in proc.stdout
    _, records = checked_records(out)
    found = pairs(records)
    assert set(found) == set(entries)
    for item_url, (resource, meta) in found.items():
        entry = entries[item_url]
        card = json.loads((FIXTURE / entry["sidecar"]).read_text())
        assert "headers" not in card  # written before the store kept response headers
        assert resource["type"] == "resource"
        assert resource["fields"] is None  # no HTTP message is made up
        assert resource["body"] == (FIXTURE / entry["content"]).read_bytes()
        assert resource["warc"]["Content-Type"] == card["content_type"]
        assert resource["warc"]["WARC-Date"] == card["fetched_at"]
        assert resource["warc"]["WARC-Payload-Digest"] == b32(entry["sha256"])
        assert_metadata(meta, entry, card)

    # a WARC export is an export: --overwrite replaces it, with any format
    again = run_cli("export", str(FIXTURE), "--out", str(out), "--overwrite")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "attributions.jsonl", "ledger.jsonl", "shard-00000.jsonl"]


def test_filters_apply_to_warc_exports(tmp_path: Path) -> None:
    out = tmp_path / "warc"
    proc = export_warc(FIXTURE, out, "--license", "CC-BY-SA-*")
    _, records = checked_records(out)
    licenses = {json.loads(m["body"])["license"]["spdx"] for _, m in pairs(records).values()}
    assert licenses == {"CC-BY-SA-4.0", "CC-BY-SA-3.0", "CC-BY-SA-2.0-UK"}
    assert "license_not_selected" in proc.stdout
    assert warcinfo(out / "shard-00000.warc.gz")["export-license-filter"] == "CC-BY-SA-*"


def test_selection_and_checks_are_the_exports(tmp_path: Path) -> None:
    """Purpose, kinds, current versions, the sha256 check and duplicates as in every format;
    no page is skipped for want of extractable text: the WARC carries the stored bytes."""
    corpus = build_corpus(tmp_path / "store", tmp_path / "policies")
    mirror = Item("http://b.example/mirror-of-kelp", "CC-BY-SA-4.0", "commercial", "site-b",
                  PAGES["sa"].body, title="Kelp forests (mirror)")
    put(corpus.store, load_test_policies(tmp_path / "policies"), mirror)
    overwrite_stored(corpus.root, corpus.committed["by"].content_path, b"<html>changed</html>")

    report = export_corpus(corpus.store, tmp_path / "all", "warc")
    assert report.skipped == {"content_hash_mismatch": 1, "duplicate": 1, "not_current": 1,
                              "kind_not_selected": 2}
    urls = set(pairs(checked_records(tmp_path / "all")[1]))
    assert PAGES["empty"].url in urls  # no text, still a stored response
    assert PAGES["by"].url not in urls and mirror.url not in urls
    assert len(urls) == report.exported == 7

    commercial = export_corpus(corpus.store, tmp_path / "commercial", "warc",
                               purpose="commercial", kinds=("page", "image"))
    found = pairs(checked_records(tmp_path / "commercial")[1])
    assert set(found) == {PAGES["sa"].url, PAGES["img_by"].url}
    assert commercial.exported == 2
    assert all(item["type"] == "resource" for item, _ in found.values())  # no headers kept
    assert warcinfo(tmp_path / "commercial" / "shard-00000.warc.gz")["export-purpose"] == \
        "commercial"


def test_interrupted_warc_export_leaves_nothing(tmp_path: Path) -> None:
    real = warc.WarcShard.write
    calls = {"n": 0}

    def crash_on_third(self: WarcShard, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self, *args)

    out = tmp_path / "out" / "warc"
    store = LocalStore(FIXTURE, mode=READ)
    with mock.patch.object(warc.WarcShard, "write", crash_on_third), \
            pytest.raises(KeyboardInterrupt):
        export_corpus(store, out, "warc", kinds=("page", "image"), shard_size=1)
    store.close()
    assert calls["n"] == 3
    assert list((tmp_path / "out").iterdir()) == []  # neither the export nor its temp dir


# ---------------------------------------------------------------------------------------------
# The pure parts
# ---------------------------------------------------------------------------------------------


def test_header_rewriting_describes_the_stored_body() -> None:
    stored = {"Content-Type": ["text/html; charset=utf-8"], "content-encoding": ["gzip"],
              "Transfer-Encoding": ["chunked"], "CONTENT-LENGTH": ["999"],
              "Set-Cookie2": ["kept: the sidecar decides what is stored"],
              "Link": ["<a>; rel=license", "<b>; rel=preload"], "Vary": "Accept-Encoding"}
    assert http_headers(stored, 1234) == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie2", "kept: the sidecar decides what is stored"),
        ("Link", "<a>; rel=license"), ("Link", "<b>; rel=preload"),
        ("Vary", "Accept-Encoding"), ("Content-Length", "1234")]
    assert http_headers({}, 0) == [("Content-Length", "0")]


def test_header_rewriting_keeps_each_field_on_its_line() -> None:
    stored = {"X-Split": ["a\r\nInjected: yes"], "Bad Name": ["x"], "X:Colon": ["x"],
              "": ["x"], "X-Nul": ["a\x00b"], "X-Latin": ["caf\xe9"], "X-Wide": ["\u2603"]}
    assert http_headers(stored, 1) == [
        ("X-Split", "a  Injected: yes"), ("X-Nul", "a b"), ("X-Latin", "caf\xe9"),
        ("X-Wide", "\u2603".encode().decode("latin-1")), ("Content-Length", "1")]
    assert field_value("  padded\t") == "padded"
    assert one_line("a\r\nb \u2603") == "a  b \u2603"  # WARC fields are UTF-8


def test_status_dates_and_digests() -> None:
    assert status_line(200) == "200 OK" and status_line(299) == "299 "
    assert warc_date("2026-12-01T10:18:37.838Z") == "2026-12-01T10:18:37.838Z"
    assert warc_date("2026-12-01T11:18:37.800+01:00") == "2026-12-01T10:18:37.8Z"
    assert warc_date(None, "not a date", "2026-12-01T10:18:37Z") == "2026-12-01T10:18:37Z"
    assert warc_date("2026-12-01T10:18:37", None).endswith("Z")  # no zone: not trusted
    assert sha256_digest(b"ab", b"c") == b32(hashlib.sha256(b"abc").hexdigest())


@pytest.mark.parametrize(("card", "expected"), [
    ({"status": 200, "headers": {"A": ["1"]}}, (200, {"A": ["1"]})),
    ({"status": 200}, None),  # an old sidecar
    ({"status": 200, "headers": {}}, None),
    ({"status": 200, "headers": ["A: 1"]}, None),
    ({"headers": {"A": ["1"]}}, None),
    ({"status": True, "headers": {"A": ["1"]}}, None),
    ({"status": 1000, "headers": {"A": ["1"]}}, None),
])
def test_which_items_have_a_stored_response(card: dict[str, Any], expected: Any) -> None:
    assert stored_response(card) == expected


def test_fields_are_written_as_received(tmp_path: Path) -> None:
    """Latin-1 bytes a server sent come back as those bytes (warcio alone would
    percent-encode them), and the block digest covers them."""
    path = tmp_path / "shard-00000.warc.gz"
    shard = WarcShard(path, {"isPartOf": "test"})
    body = b"hello"
    record = {"id": hashlib.sha256(body).hexdigest(), "url": "http://a.example/f.txt",
              "kind": "page", "sidecar": "items/x.license.json", "title": None,
              "content_type": "text/plain", "fetched_at": "2026-12-01T10:00:00.000Z"}
    card = {"status": 404, "fetched_at": record["fetched_at"], "license": {"spdx": "MIT"},
            "headers": {"Content-Disposition": ['attachment; filename="caf\xe9.txt"']}}
    shard.write(record, body, card)
    shard.finish()
    raw = gzip.decompress(path.read_bytes())
    assert b'\r\nContent-Disposition: attachment; filename="caf\xe9.txt"\r\n' in raw
    assert b"HTTP/1.1 404 Not Found\r\n" in raw
    check = warcio_check(path)
    assert check.returncode == 0 and check.stdout.count("digest pass") == 3, check.stdout
    _, response, meta = read_records(path)
    assert response["fields"] == [("Content-Disposition", 'attachment; filename="caf\xe9.txt"'),
                                  ("Content-Length", "5")]
    assert json.loads(meta["body"])["license"] == {"spdx": "MIT"}
