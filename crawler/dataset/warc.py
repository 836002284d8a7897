"""WARC shards of an export: the stored responses, each followed by a metadata record of its
license and provenance, in gzip-compressed WARC/1.1 files (warcio writes them; datatrove and
Common Crawl tooling read them).

Each file starts with a ``warcinfo`` record (the software, the format, the export's filters);
then, per exported item:

* a ``response`` record: ``HTTP/1.1 <status> <reason>``, the response header fields kept in
  the sidecar, and the stored body. The store keeps bodies *decoded* (content codings undone,
  chunking gone), so the record says so: ``Content-Encoding`` and ``Transfer-Encoding`` are
  removed and ``Content-Length`` is the stored body's length (:func:`http_headers`). The
  fields are written as the bytes they were received as (Latin-1), not percent-encoded as
  warcio does by default, so a reader gets the server's fields back;
* or, for an item stored before sidecars kept the response headers, a ``resource`` record
  with the sidecar's content type: the body, without a made-up HTTP message around it;
* then a ``metadata`` record (``application/json``, :func:`metadata`) referring to it
  (``WARC-Refers-To`` and ``WARC-Concurrent-To``): license and credit line, policy, purpose,
  run, robots.txt snapshot, the decisions and the sidecar's path in the store.

``WARC-Date`` is when the item was fetched (the sidecar's ``fetched_at``). Digests are sha256
in base32, the form warcio writes and ``warcio check`` verifies; a response's payload digest
is the item's id (the content sha256, hex) in that encoding.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from crawler.identity import crawler_version

SUFFIX = "warc.gz"
HTTP_VERSION = "HTTP/1.1"
WARC_VERSION = "WARC/1.1"
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
METADATA_TYPE = "application/json"

#: describe one transfer of the body, not the decoded body the store keeps
_TRANSFER_FIELDS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a field name (RFC 9110 §5.1)
_LINE_BREAKING = re.compile(r"[\r\n\x00]")
_WARC_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


# ---------------------------------------------------------------------------------------------
# Pure parts: header fields, dates, digests, the metadata body
# ---------------------------------------------------------------------------------------------


def one_line(value: str) -> str:
    """A header value that stays on its line: CR, LF and NUL become spaces (what RFC 9110 §5.5
    lets a recipient of an HTTP field do)."""
    return _LINE_BREAKING.sub(" ", value).strip(" \t")


def field_value(value: str) -> str:
    """An HTTP field value on one line (:func:`one_line`), text beyond Latin-1 written as its
    UTF-8 bytes (the fields are written in Latin-1, as the crawl decoded them)."""
    value = one_line(value)
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        value = value.encode("utf-8").decode("latin-1")
    return value


def http_headers(stored: Mapping[str, Sequence[str] | str],
                 body_length: int) -> list[tuple[str, str]]:
    """The header fields of the response record of a stored body: the stored fields in their
    order (one line per value), without ``Content-Encoding``/``Transfer-Encoding`` (the body is
    stored decoded) and with ``Content-Length`` set to ``body_length``. A name that is not a
    field name is dropped (it could not be written as one)."""
    fields: list[tuple[str, str]] = []
    for name, values in stored.items():
        if not _TOKEN.fullmatch(name) or name.lower() in _TRANSFER_FIELDS:
            continue
        for value in [values] if isinstance(values, str) else values:
            fields.append((name, field_value(str(value))))
    fields.append(("Content-Length", str(body_length)))
    return fields


def status_line(status: int) -> str:
    """``200 OK``: the status line after the protocol (no reason phrase for an unknown code)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} "


def stored_response(card: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]] | None:
    """The status and header fields a sidecar kept, or None when it kept none (written before
    the store kept response headers): such an item becomes a ``resource`` record."""
    headers, status = card.get("headers"), card.get("status")
    if not isinstance(headers, Mapping) or not headers:
        return None
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        return None
    return status, headers


def warc_date(*candidates: object) -> str:
    """The first candidate that is a time, as a WARC date (UTC, ``...T10:18:37.838Z``); now
    when none is. A candidate already in that form is kept as it is (its precision too)."""
    for value in candidates:
        if not isinstance(value, str):
            continue
        if _WARC_DATE.fullmatch(value):
            return value
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            continue
        if when.tzinfo is not None:
            return _format_date(when.astimezone(UTC))
    return _format_date(datetime.now(UTC))


def _format_date(when: datetime) -> str:
    fraction = f".{when.microsecond:06d}".rstrip("0") if when.microsecond else ""
    return when.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def sha256_digest(*parts: bytes) -> str:
    """A WARC digest: ``sha256:`` and the base32 sha256 of the parts, concatenated."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return "sha256:" + base64.b32encode(digest.digest()).decode("ascii")


def metadata(record: Mapping[str, Any], card: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata record's body: on what terms the item may be used (the sidecar's license
    and credit line) and why it was allowed in (policy, purpose, run, robots.txt, the gates'
    decisions, the license evidence chosen), with the sidecar's path for everything else."""
    evidence = card.get("evidence") if isinstance(card.get("evidence"), Mapping) else {}
    return {
        "id": record["id"],
        "url": record["url"],
        "kind": record["kind"],
        "page_url": card.get("page_url"),
        "title": record.get("title"),
        "content_type": record.get("content_type"),
        "fetched_at": card.get("fetched_at"),
        "license": card.get("license"),
        "attribution": card.get("attribution"),
        "license_evidence": evidence.get("chosen"),
        "policy": card.get("policy"),
        "purpose": card.get("purpose"),
        "run_id": card.get("run_id"),
        "robots": card.get("robots"),
        "decisions": card.get("decisions") or [],
        "sidecar": record["sidecar"],
        "sidecar_version": card.get("sidecar_version"),
    }


def warcinfo_fields(info: Mapping[str, str]) -> list[tuple[str, str]]:
    """The warcinfo record's fields: who wrote the file and in what format, then ``info``
    (what the file is part of, the export's filters)."""
    fields = [("software", f"compliance-crawler/{crawler_version()} warcio/{version('warcio')}"),
              ("format", "WARC File Format 1.1"), ("conformsTo", CONFORMS_TO),
              ("description", "Licensed items of a compliance-crawler store: each response "
                              "(or resource) record is followed by a metadata record with its "
                              "license and provenance"), *info.items()]
    return [(name, one_line(value)) for name, value in fields]


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------


class _ReceivedFields(StatusAndHeaders):  # type: ignore[misc]
    """HTTP header fields serialized as the bytes they were received as: Latin-1, which is
    how the crawl decoded them (warcio would percent-encode anything beyond ASCII)."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def _record_id() -> str:
    return str(StatusAndHeadersParser.make_warc_id())


class WarcShard:
    """One ``shard-NNNNN.warc.gz``: a warcinfo record, then the records of each item written
    (each record its own gzip member, so readers can seek to any of them)."""

    def __init__(self, path: Path, info: Mapping[str, str]) -> None:
        self.path = path
        self._file: IO[bytes] | None = path.open("wb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        fields = warcinfo_fields(info)
        body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        self._warcinfo_id = _record_id()
        self._write("", "warcinfo", body, "application/warc-fields", {
            "WARC-Record-ID": self._warcinfo_id, "WARC-Filename": path.name,
            "WARC-Date": warc_date(None)})

    def write(self, record: Mapping[str, Any], content: bytes, card: Mapping[str, Any]) -> None:
        """The item's response (or resource) record, then its metadata record."""
        url = record["url"]
        date = warc_date(card.get("fetched_at"), record.get("fetched_at"))
        item_id = _record_id()
        common = {"WARC-Date": date, "WARC-Warcinfo-ID": self._warcinfo_id}
        stored = stored_response(card)
        if stored is None:
            self._write(url, "resource", content,
                        one_line(str(card.get("content_type") or "application/octet-stream")),
                        {"WARC-Record-ID": item_id, **common,
                         "WARC-Payload-Digest": sha256_digest(content)})
        else:
            status, headers = stored
            fields = _ReceivedFields(status_line(status), http_headers(headers, len(content)),
                                     protocol=HTTP_VERSION)
            fields.compute_headers_buffer()
            self._write(url, "response", content, "application/http; msgtype=response",
                        {"WARC-Record-ID": item_id, **common,
                         "WARC-Payload-Digest": sha256_digest(content),
                         "WARC-Block-Digest": sha256_digest(fields.headers_buff, content)},
                        fields)
        body = json.dumps(metadata(record, card), ensure_ascii=False, indent=1).encode("utf-8")
        self._write(url, "metadata", body, METADATA_TYPE, {
            "WARC-Record-ID": _record_id(), **common, "WARC-Refers-To": item_id,
            "WARC-Concurrent-To": item_id})

    def _write(self, uri: str, kind: str, block: bytes, content_type: str,
               headers: dict[str, str], http: StatusAndHeaders | None = None) -> None:
        """One record, digests given so that warcio adds no sha1 ones of its own."""
        headers = {"WARC-Type": kind, **({"WARC-Target-URI": uri} if uri else {}), **headers}
        headers.setdefault("WARC-Block-Digest", sha256_digest(block))
        if kind != "warcinfo":
            headers.setdefault("WARC-Payload-Digest", sha256_digest(block))
        built = self._writer.create_warc_record(
            uri, kind, payload=BytesIO(block), length=len(block), warc_content_type=content_type,
            warc_headers_dict=headers, http_headers=http)
        self._writer.write_record(built)

    def finish(self) -> None:
        """Flush, fsync and close the complete file."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
        self.close()

    def close(self) -> None:
        """Close the file (without syncing: after :meth:`finish`, or when the export failed
        and its directory is discarded)."""
        if self._file is not None:
            self._file.close()
            self._file = None
