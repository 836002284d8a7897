"""S3 store against a real moto_server over HTTP, with faults injected by a proxy in
between: at every write step, the manifest never lists an item without both objects, and
a rerun completes the item exactly once."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
import s3server
from s3server import FaultProxy

from crawler.storage.base import StoreError, StoreItem
from crawler.storage.local import LocalStore
from crawler.storage.registry import open_store
from crawler.storage.s3 import S3Store

PREFIX = "corpus/s3"
SECRET = s3server.DUMMY_ENV["AWS_SECRET_ACCESS_KEY"]
STEPS = {  # request paths (through the proxy) of each write step of put()
    "content": r"/items/.*/content\.html$",
    "sidecar": r"/items/.*\.license\.json$",
    "manifest": r"/manifest/events/",
}


def make_item(url: str = "http://a.example/x", body: bytes = b"<html>x</html>",
              content_type: str = "text/html") -> StoreItem:
    digest = hashlib.sha256(body).hexdigest()
    return StoreItem(url=url, host="a.example", kind="page", content=body,
                     content_type=content_type, sha256=digest,
                     sidecar={"url": url, "sha256": digest, "license": "CC-BY-4.0"})


def open_s3(endpoint: str, bucket: str, **options: Any) -> S3Store:
    options.setdefault("max_attempts", 2)
    return S3Store(bucket, PREFIX, endpoint_url=endpoint, **options)


def manifest_events(endpoint: str, bucket: str) -> list[dict[str, Any]]:
    client = s3server.s3_client(endpoint)
    return [json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())
            for key in s3server.list_keys(endpoint, bucket, f"{PREFIX}/manifest/events/")]


def assert_invariant(endpoint: str, bucket: str) -> list[dict[str, Any]]:
    """What a fresh reader lists has both objects, matching each other and the entry."""
    client = s3server.s3_client(endpoint)
    entries = open_s3(endpoint, bucket).entries()
    for entry in entries:
        content = client.get_object(Bucket=bucket, Key=f"{PREFIX}/{entry['content']}")
        sidecar = client.get_object(Bucket=bucket, Key=f"{PREFIX}/{entry['sidecar']}")
        assert hashlib.sha256(content["Body"].read()).hexdigest() == entry["sha256"]
        card = json.loads(sidecar["Body"].read())
        assert card["sha256"] == entry["sha256"] and card["url"] == entry["url"]
    return entries


def assert_committed_once(endpoint: str, bucket: str, urls: set[str]) -> None:
    commits = [e["url"] for e in manifest_events(endpoint, bucket) if e["event"] == "commit"]
    assert sorted(commits) == sorted(urls)


# -- faults at every write step ----------------------------------------------------------

FAULTS = {
    "500": {"status": 500, "code": "InternalError"},
    "503-slowdown": {"status": 503, "code": "SlowDown"},
    "connection-dropped": {"mode": "drop"},
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("step", STEPS)
def test_failure_at_every_write_step_leaves_no_half_item(
        s3_endpoint: str, fault_proxy: FaultProxy, step: str, fault: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    store = open_s3(fault_proxy.url, bucket)
    store.put(make_item("http://a.example/ok", b"<html>ok</html>"))
    fault_proxy.add(method="PUT", path=STEPS[step], times=None, **FAULTS[fault])
    mark = len(fault_proxy.seen)
    with pytest.raises(StoreError):
        store.put(make_item())
    broken = fault_proxy.requests("PUT", STEPS[step], since=mark)
    assert [s.outcome for s in broken] == [FAULTS[fault].get("mode", "reject")] * 2  # retried
    for later in list(STEPS)[list(STEPS).index(step) + 1:]:  # later steps never attempted
        assert fault_proxy.requests("PUT", STEPS[later], since=mark) == [], later
    assert {e["url"] for e in assert_invariant(s3_endpoint, bucket)} == {"http://a.example/ok"}

    fault_proxy.clear()
    rerun = open_s3(fault_proxy.url, bucket)  # the next run
    assert rerun.put(make_item()).new
    assert not rerun.put(make_item()).new
    entries = assert_invariant(s3_endpoint, bucket)
    assert sorted(e["url"] for e in entries) == ["http://a.example/ok", "http://a.example/x"]
    assert_committed_once(s3_endpoint, bucket, {"http://a.example/ok", "http://a.example/x"})


@pytest.mark.parametrize("step", ["content", "sidecar"])
def test_write_landed_but_answer_lost_is_an_invisible_orphan(
        s3_endpoint: str, fault_proxy: FaultProxy, step: str) -> None:
    """The server stored the object but the client never heard: no event, so nobody sees
    it; the rerun reuses orphan content (no re-upload) and commits once."""
    bucket = s3server.new_bucket(s3_endpoint)
    fault_proxy.add(method="PUT", path=STEPS[step], times=None, status=500,
                    code="InternalError", mode="after")
    with pytest.raises(StoreError):
        open_s3(fault_proxy.url, bucket).put(make_item())
    keys = s3server.list_keys(s3_endpoint, bucket)
    assert any(k.endswith("content.html") for k in keys)  # the orphan is there...
    assert assert_invariant(s3_endpoint, bucket) == []  # ...and invisible
    fault_proxy.clear()
    before = len(fault_proxy.requests("PUT", STEPS["content"]))
    assert open_s3(fault_proxy.url, bucket).put(make_item()).new
    assert len(fault_proxy.requests("PUT", STEPS["content"])) == before  # content reused
    assert len(assert_invariant(s3_endpoint, bucket)) == 1
    assert_committed_once(s3_endpoint, bucket, {"http://a.example/x"})


def test_manifest_write_landed_but_answer_lost_commits_once(
        s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    """Every attempt of the commit lands but answers 500: the store checks with a HEAD,
    finds its event and reports success; the retries rewrote the same key, not new ones."""
    bucket = s3server.new_bucket(s3_endpoint)
    fault_proxy.add(method="PUT", path=STEPS["manifest"], times=None, status=500,
                    code="InternalError", mode="after")
    committed = open_s3(fault_proxy.url, bucket).put(make_item())
    assert committed.new
    assert len(fault_proxy.requests("PUT", STEPS["manifest"])) == 2
    assert len(assert_invariant(s3_endpoint, bucket)) == 1
    assert_committed_once(s3_endpoint, bucket, {"http://a.example/x"})
    fault_proxy.clear()
    assert not open_s3(fault_proxy.url, bucket).put(make_item()).new
    assert_committed_once(s3_endpoint, bucket, {"http://a.example/x"})


def test_body_damaged_in_transit_is_refused(s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    fault_proxy.add(method="PUT", path=STEPS["content"], mode="corrupt")
    with pytest.raises(StoreError, match="does not match"):
        open_s3(fault_proxy.url, bucket).put(make_item())
    assert assert_invariant(s3_endpoint, bucket) == []
    store = open_s3(fault_proxy.url, bucket)
    committed = store.put(make_item())  # the damaged orphan fails its check: rewritten
    assert store.read(committed.content_path) == b"<html>x</html>"
    assert len(assert_invariant(s3_endpoint, bucket)) == 1


@pytest.mark.parametrize("step", ["tombstone", "objects"])
def test_failure_while_deleting_keeps_the_invariant(
        s3_endpoint: str, fault_proxy: FaultProxy, step: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    store = open_s3(fault_proxy.url, bucket)
    store.put(make_item())
    [entry] = store.entries()
    if step == "tombstone":
        fault_proxy.add(method="PUT", path=STEPS["manifest"], times=None, status=500,
                        code="InternalError")
    else:
        fault_proxy.add(method="DELETE", path=r"/items/", times=None, status=503,
                        code="ServiceUnavailable")
    with pytest.raises(StoreError):
        store.delete(entry, "deletion_requested")
    listed = assert_invariant(s3_endpoint, bucket)
    assert len(listed) == (1 if step == "tombstone" else 0)
    fault_proxy.clear()
    rerun = open_s3(fault_proxy.url, bucket)
    if step == "tombstone":
        rerun.delete(rerun.entries()[0], "deletion_requested")
        assert rerun.entries() == []
        assert [k for k in s3server.list_keys(s3_endpoint, bucket) if "/items/" in k] == []
    else:  # deleted for readers; the leftover objects are reused if the item comes back
        assert rerun.put(make_item()).new
        assert len(assert_invariant(s3_endpoint, bucket)) == 1


# -- retries -----------------------------------------------------------------------------

TRANSIENT = {
    "slowdown-on-content": ({"method": "PUT", "path": STEPS["content"], "status": 503,
                             "code": "SlowDown", "times": 2}, {}),
    "500-on-sidecar": ({"method": "PUT", "path": STEPS["sidecar"], "status": 500,
                        "code": "InternalError", "times": 2}, {}),
    "dropped-sidecar": ({"method": "PUT", "path": STEPS["sidecar"], "mode": "drop",
                         "times": 1}, {}),
    "timeout-on-commit": ({"method": "PUT", "path": STEPS["manifest"], "mode": "hang",
                           "delay": 1.5, "times": 1}, {"read_timeout": 0.5}),
    "slowdown-adaptive": ({"method": "PUT", "path": STEPS["content"], "status": 503,
                           "code": "SlowDown", "times": 2}, {"retry_mode": "adaptive"}),
}


@pytest.mark.parametrize("case", TRANSIENT)
def test_transient_errors_are_retried(s3_endpoint: str, fault_proxy: FaultProxy,
                                      case: str) -> None:
    fault, options = TRANSIENT[case]
    bucket = s3server.new_bucket(s3_endpoint)
    made = fault_proxy.add(**fault)
    store = open_s3(fault_proxy.url, bucket, max_attempts=3, **options)
    assert store.put(make_item()).new
    assert made.hits == fault["times"]
    path = fault["path"]
    assert len(fault_proxy.requests("PUT", path)) == fault["times"] + 1
    assert len(assert_invariant(s3_endpoint, bucket)) == 1
    assert_committed_once(s3_endpoint, bucket, {"http://a.example/x"})


def test_listing_errors_at_open_are_retried(s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    open_s3(s3_endpoint, bucket).put(make_item())
    made = fault_proxy.add(method="GET", path=rf"^/{bucket}/?$", status=503, code="SlowDown",
                           times=1)
    assert len(open_s3(fault_proxy.url, bucket).entries()) == 1
    assert made.hits == 1


def test_persistent_errors_become_store_errors_after_max_attempts(
        s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    fault_proxy.add(method="PUT", path=STEPS["content"], status=503, code="SlowDown",
                    times=None)
    with pytest.raises(StoreError, match=r"SlowDown \(HTTP 503, 3 attempt\(s\)\)"):
        open_s3(fault_proxy.url, bucket, max_attempts=3).put(make_item())
    assert len(fault_proxy.requests("PUT", STEPS["content"])) == 3


def test_access_denied_is_not_retried_and_names_no_secret(
        s3_endpoint: str, fault_proxy: FaultProxy, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bucket = s3server.new_bucket(s3_endpoint)
    fault_proxy.add(method="PUT", path=STEPS["content"], status=403, code="AccessDenied",
                    times=None)
    store = open_s3(fault_proxy.url, bucket, max_attempts=4)
    with pytest.raises(StoreError, match=r"AccessDenied \(HTTP 403, 1 attempt") as info:
        store.put(make_item())
    assert len(fault_proxy.requests("PUT", STEPS["content"])) == 1
    assert SECRET not in str(info.value) and SECRET not in caplog.text
    assert SECRET not in repr(store) and SECRET not in store.root


def test_missing_bucket_and_missing_credentials_fail_at_open(
        s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StoreError, match=r"cannot open S3 store.*NoSuchBucket"):
        open_s3(s3_endpoint, "no-such-bucket-here")
    bucket = s3server.new_bucket(s3_endpoint)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    with pytest.raises(StoreError, match="no AWS credentials"):
        open_s3(s3_endpoint, bucket)


# -- what is written ---------------------------------------------------------------------

def test_sse_s3_acl_metadata_and_content_type(s3_endpoint: str,
                                              fault_proxy: FaultProxy) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    url = "http://a.example/straße?q=ü&x=%41\r\nX-Evil: 1"
    store = open_s3(fault_proxy.url, bucket, sse="AES256", acl="private")
    committed = store.put(make_item(url=url))
    client = s3server.s3_client(s3_endpoint)
    head = client.head_object(Bucket=bucket, Key=f"{PREFIX}/{committed.content_path}")
    assert head["ContentType"] == "text/html"
    assert head["ServerSideEncryption"] == "AES256"
    meta = head["Metadata"]
    assert meta["sha256"] == hashlib.sha256(b"<html>x</html>").hexdigest()
    assert meta["source-url"].isascii() and unquote(meta["source-url"]) == url
    assert "\r" not in meta["source-url"] and "\n" not in meta["source-url"]
    assert meta["url-sha256"] == hashlib.sha256(url.encode()).hexdigest()
    assert meta["host"] == "a.example" and meta["role"] == "content"
    side = client.head_object(Bucket=bucket, Key=f"{PREFIX}/{committed.sidecar_path}")
    assert side["ContentType"] == "application/json; charset=utf-8"
    assert side["ServerSideEncryption"] == "AES256"
    assert side["Metadata"]["content-sha256"] == meta["sha256"]
    for key in s3server.list_keys(s3_endpoint, bucket, PREFIX):  # the manifest too
        assert client.head_object(Bucket=bucket, Key=key)["ServerSideEncryption"] == "AES256"
        grants = client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
        assert grants[0]["Grantee"]["Type"] == "CanonicalUser"
    puts = fault_proxy.requests("PUT")
    assert len(puts) == 4  # the store marker, content, sidecar, commit event
    assert puts[0].path.endswith("/store.json")
    for seen in puts:
        assert seen.headers["x-amz-acl"] == "private"
        assert seen.headers["x-amz-server-side-encryption"] == "AES256"
        assert "x-amz-checksum-sha256" in seen.headers and "content-md5" in seen.headers


def test_sse_kms_with_key_id(s3_endpoint: str) -> None:
    key_id = boto3.client("kms", endpoint_url=s3_endpoint).create_key()["KeyMetadata"]["KeyId"]
    bucket = s3server.new_bucket(s3_endpoint)
    store = open_s3(s3_endpoint, bucket, kms_key_id=key_id)
    committed = store.put(make_item())
    client = s3server.s3_client(s3_endpoint)
    for key in s3server.list_keys(s3_endpoint, bucket, PREFIX):
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert key_id in head["SSEKMSKeyId"]
    assert store.read(committed.content_path) == b"<html>x</html>"
    assert not open_s3(s3_endpoint, bucket, kms_key_id=key_id).put(make_item()).new


def test_hostile_content_type_and_long_url_give_safe_headers(s3_endpoint: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    url = "http://a.example/" + "é" * 3000
    store = open_s3(s3_endpoint, bucket)
    committed = store.put(make_item(url=url, content_type="text/html\r\nX-Evil: 1"))
    assert committed.content_path.endswith("/content.bin")
    head = s3server.s3_client(s3_endpoint).head_object(
        Bucket=bucket, Key=f"{PREFIX}/{committed.content_path}")
    assert head["ContentType"] == "application/octet-stream"
    source = head["Metadata"]["source-url"]
    assert len(source) <= 1024 and source.isascii()
    assert url.startswith(unquote(source))  # cut cleanly, between escapes
    assert store.entries()[0]["url"] == url  # the manifest keeps it whole


def test_content_that_does_not_match_its_hash_is_refused(s3_endpoint: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    item = make_item()
    forged = dataclasses.replace(item, sha256="../../" + "0" * 58)
    other = dataclasses.replace(item, sha256=hashlib.sha256(b"other").hexdigest())
    store = open_s3(s3_endpoint, bucket)
    for bad in (forged, other):
        with pytest.raises(StoreError, match="does not match its sha256"):
            store.put(bad)
    assert s3server.list_keys(s3_endpoint, bucket) == ["corpus/s3/store.json"]


def test_manifest_extras_cannot_redirect_paths(s3_endpoint: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    item = make_item()
    hostile = dataclasses.replace(item, manifest_extra={
        "content": "../../elsewhere", "event": "delete", "spdx": "CC-BY-4.0"})
    store = open_s3(s3_endpoint, bucket)
    committed = store.put(hostile)
    [entry] = store.entries()
    assert entry["content"] == committed.content_path and entry["spdx"] == "CC-BY-4.0"


def test_malformed_manifest_event_fails_closed(s3_endpoint: str) -> None:
    """A delete event nobody can read must not leave its item listed."""
    bucket = s3server.new_bucket(s3_endpoint)
    open_s3(s3_endpoint, bucket).put(make_item())
    client = s3server.s3_client(s3_endpoint)
    client.put_object(Bucket=bucket, Key=f"{PREFIX}/manifest/events/README.txt", Body=b"x")
    assert len(open_s3(s3_endpoint, bucket).entries()) == 1  # foreign names are ignored
    client.put_object(Bucket=bucket, Body=b'{"event": "delete", "url"',
                      Key=f"{PREFIX}/manifest/events/29991231T235959.999999Z-{'f' * 32}.json")
    with pytest.raises(StoreError, match="malformed manifest event"):
        open_s3(s3_endpoint, bucket)


def test_event_names_sort_in_write_order(s3_endpoint: str) -> None:
    store = open_s3(s3_endpoint, s3server.new_bucket(s3_endpoint))
    names = [store._event_name() for _ in range(2000)]
    assert names == sorted(names) and len(set(names)) == len(names)


# -- concurrency and compaction ----------------------------------------------------------

def test_concurrent_writers_and_compaction_lose_no_record(s3_endpoint: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        store = open_s3(s3_endpoint, bucket)  # each worker its own store, as in a cluster
        try:
            for n in range(12):
                store.put(make_item(f"http://a.example/{worker}/{n}", f"{worker}-{n}".encode()))
        except BaseException as exc:
            errors.append(exc)

    def compactor() -> None:
        store = open_s3(s3_endpoint, bucket)
        try:
            while not stop.is_set():
                store.compact()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    compacting = [threading.Thread(target=compactor) for _ in range(2)]
    for thread in threads + compacting:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    for thread in compacting:
        thread.join(timeout=120)
    assert errors == []
    urls = {f"http://a.example/{w}/{n}" for w in range(3) for n in range(12)}
    assert {e["url"] for e in assert_invariant(s3_endpoint, bucket)} == urls
    open_s3(s3_endpoint, bucket).compact()
    assert s3server.list_keys(s3_endpoint, bucket, f"{PREFIX}/manifest/events/") == []
    assert len(s3server.list_keys(s3_endpoint, bucket, f"{PREFIX}/manifest/snapshots/")) == 1
    assert {e["url"] for e in assert_invariant(s3_endpoint, bucket)} == urls


@pytest.mark.parametrize("interrupt", ["snapshot-write", "deletes"])
def test_compaction_keeps_the_view_even_when_interrupted(
        s3_endpoint: str, fault_proxy: FaultProxy, interrupt: str) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    store = open_s3(fault_proxy.url, bucket)
    for n in range(4):
        store.put(make_item(f"http://a.example/{n}", f"{n}".encode()))
    store.put(make_item("http://a.example/0", b"zero, v2"))
    store.delete(store.entries()[1], "deletion_requested")

    def view() -> list[tuple[str, str, bool]]:
        return [(e["url"], e["sha256"], e["current"])
                for e in open_s3(s3_endpoint, bucket).entries()]

    before = view()
    assert len(before) == 4
    if interrupt == "deletes":  # the snapshot is written, the folded objects stay
        fault_proxy.add(method="POST", path=".", status=500, code="InternalError", times=None)
    else:
        fault_proxy.add(method="PUT", path="/manifest/snapshots/", status=500,
                        code="InternalError", times=None)
    with pytest.raises(StoreError):
        store.compact()
    assert view() == before
    fault_proxy.clear()
    folded = store.compact()
    assert folded == (7 if interrupt == "deletes" else 6)  # 6 events (+ the first snapshot)
    assert view() == before
    assert s3server.list_keys(s3_endpoint, bucket, f"{PREFIX}/manifest/events/") == []
    assert not store.put(make_item("http://a.example/0", b"zero, v2")).new
    assert store.put(make_item("http://a.example/9", b"nine")).new
    assert view() == [*before, ("http://a.example/9", hashlib.sha256(b"nine").hexdigest(), True)]


def test_reader_racing_a_compaction_sees_every_record(
        s3_endpoint: str, fault_proxy: FaultProxy) -> None:
    """A compaction runs right after the reader's first manifest listing: events listed
    first, snapshots second means whatever the compaction moved is still found."""
    bucket = s3server.new_bucket(s3_endpoint)
    writer = open_s3(s3_endpoint, bucket)
    for n in range(3):
        writer.put(make_item(f"http://a.example/{n}", f"{n}".encode()))
    reader = open_s3(fault_proxy.url, bucket)
    writer.put(make_item("http://a.example/3", b"3"))  # one event the reader has not read
    race = fault_proxy.add(method="GET", path=rf"^/{bucket}/?$", query="/manifest/",
                           mode="call", action=open_s3(s3_endpoint, bucket).compact)
    assert sorted(e["url"] for e in reader.entries()) == [
        f"http://a.example/{n}" for n in range(4)]
    assert race.hits == 1
    assert s3server.list_keys(s3_endpoint, bucket, f"{PREFIX}/manifest/events/") == []


# -- open_store ----------------------------------------------------------------------------

def test_open_store_selects_s3_with_endpoint_from_environment(
        s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = s3server.new_bucket(s3_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    store = open_store(f"s3://{bucket}/{PREFIX}/", sse="AES256", acl=None, kms_key_id=None,
                       max_attempts=2)
    assert isinstance(store, S3Store) and store.root == f"s3://{bucket}/{PREFIX}"
    committed = store.put(make_item())
    head = s3server.s3_client(s3_endpoint).head_object(
        Bucket=bucket, Key=f"{PREFIX}/{committed.content_path}")
    assert head["ServerSideEncryption"] == "AES256"
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.put(make_item())


@pytest.mark.parametrize("uri", ["s3://AKIAXXX:topsecret@bucket/x", "s3://Bad_Bucket/x",
                                 "s3://bucket/../x", "s3://bucket/a/./b", "s3://bucket/x?y=1",
                                 "s3://b/x", "s3://bucket/a\x00b"])
def test_open_store_refuses_bad_s3_uris_without_echoing_secrets(uri: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(uri)
    assert "topsecret" not in str(info.value)


@pytest.mark.parametrize("options", [{"acl": "public-read"}, {"sse": "rot13"},
                                     {"sse": "AES256", "kms_key_id": "k"},
                                     {"retry_mode": "legacy"}, {"max_attempts": 0},
                                     {"no_such_option": 1}])
def test_open_store_refuses_bad_s3_options(options: dict[str, Any]) -> None:
    with pytest.raises(StoreError):
        open_store("s3://bucket/prefix", **options)


def test_open_store_local_ignores_unset_and_refuses_set_s3_options(tmp_path: Any) -> None:
    assert isinstance(open_store(str(tmp_path / "a"), sse=None, acl=None), LocalStore)
    with pytest.raises(StoreError, match="local store"):
        open_store(str(tmp_path / "b"), sse="AES256")
    with pytest.raises(StoreError, match="scheme 'gs'"):
        open_store("gs://bucket/x")
