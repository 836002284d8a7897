"""A file appended to in S3 (a run's ledger, uploaded while the run goes on), against a
real moto_server through the fault proxy: past S3's smallest part only the new bytes go
over the network, and a failed append leaves the file as it was and no upload behind."""

from __future__ import annotations

import pytest
import s3server
from s3server import FaultProxy
from test_s3_store import open_s3

from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.storage.base import StoreError
from crawler.storage.s3_objects import MIN_PART

PATH = "ledger/run/w.jsonl"
NDJSON = "application/x-ndjson"


def filler(size: int) -> bytes:
    line = b'{"url": "http://a.example/page", "decision": "allow"}\n'
    return (line * (size // len(line) + 1))[:size - 1] + b"\n"


def sent_since(proxy: FaultProxy, mark: int) -> int:
    """Bytes of request bodies the server was sent from the ``mark``-th request on."""
    return sum(seen.size for seen in proxy.requests(since=mark))


def test_past_the_smallest_part_only_the_new_bytes_are_sent(s3_endpoint: str,
                                                            fault_proxy: FaultProxy) -> None:
    store = open_s3(fault_proxy.url, s3server.new_bucket(s3_endpoint))
    old = filler(MIN_PART + 1000)
    store.append_file(PATH, old, 0, NDJSON)
    mark = len(fault_proxy.seen)
    store.append_file(PATH, b"new\n", len(old), NDJSON)
    assert sent_since(fault_proxy, mark) < 4096  # the part, and the parts' list
    assert [s.outcome for s in fault_proxy.requests(since=mark)] == ["forwarded"] * 6
    assert store.read(PATH) == old + b"new\n"
    # the small path: read back and written whole, as the file is under MIN_PART
    store.append_file("ledger/run/small.jsonl", b"a\n", 0, NDJSON)
    store.append_file("ledger/run/small.jsonl", b"b\n", 2, NDJSON)
    assert store.read("ledger/run/small.jsonl") == b"a\nb\n"


def test_a_failed_append_leaves_the_file_and_no_upload_behind(s3_endpoint: str,
                                                              fault_proxy: FaultProxy) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    store = open_s3(fault_proxy.url, bucket)
    old = filler(MIN_PART + 10)
    store.append_file(PATH, old, 0, NDJSON)
    fault_proxy.add(method="PUT", path=r"w\.jsonl$", query="partNumber=2", times=None)
    with pytest.raises(StoreError, match="UploadPart"):
        store.append_file(PATH, b"new\n", len(old), NDJSON)
    assert store.read(PATH) == old
    client = s3server.s3_client(s3_endpoint)
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    fault_proxy.clear()
    mark = len(fault_proxy.seen)
    with pytest.raises(StoreError, match=f"holds {len(old)} bytes"):
        store.append_file(PATH, b"new\n", len(old) - 1, NDJSON)
    assert [s.method for s in fault_proxy.requests(since=mark)] == ["HEAD"]


def test_a_ledger_sends_only_its_new_lines_and_writes_itself_whole_after_a_failure(
        s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    store = open_s3(fault_proxy.url, s3server.new_bucket(s3_endpoint))
    ledger = Ledger(store, "run", upload_interval=3600)  # uploads only when asked

    def record(n: int) -> int:
        """Record ``n`` lines, upload; the bytes the server was sent."""
        for i in range(n):
            ledger.record(f"http://a.example/{i}", Decision.allow("allowlist", "x" * 300))
        mark = len(fault_proxy.seen)
        ledger.upload()
        assert store.read(ledger.name) == ledger.path.read_bytes()
        return sent_since(fault_proxy, mark)

    record(15_000)
    assert ledger.path.stat().st_size > MIN_PART
    before = ledger.path.stat().st_size
    sent = record(20)
    added = ledger.path.stat().st_size - before
    assert 0 < added < sent < added + 4096
    # the parts' list lands but its answer is lost: the object is not what the writer
    # knows, so it writes the whole file
    fault_proxy.add(method="POST", path=r"\.jsonl$", query="uploadId", mode="after",
                    times=None)
    assert record(20) > ledger.path.stat().st_size
    fault_proxy.clear()
    before = ledger.path.stat().st_size
    sent = record(20)
    assert sent < ledger.path.stat().st_size - before + 4096
    spool = ledger.path.read_bytes()
    ledger.close()  # its last upload (nothing new), its index; the spool is removed
    assert store.read(ledger.name) == spool
