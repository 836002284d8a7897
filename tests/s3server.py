"""A real S3 endpoint for tests: a ``moto_server`` process, and a fault-injecting proxy.

Nothing here patches boto3 in-process: the store under test talks HTTP to a separate
``moto_server`` process, exactly as it would talk to AWS or MinIO. moto has no fault
injection of its own, so :class:`FaultProxy` sits between the client and moto and, for
requests matching a :class:`Fault`, answers an S3 error (500/503/SlowDown/AccessDenied),
drops the connection, hangs, forwards a corrupted body, or forwards the request and then
loses the response (the "did my write land?" case). Everything else is forwarded as is.

Use from a test module::

    from s3server import moto_endpoint, s3_endpoint  # fixtures

(``pytest_plugins = ["s3server"]`` in the root conftest would share one server process
between all modules.)
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-never-logged",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
# Never let a developer's real profile, config or endpoint leak into a test.
SCRUBBED_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS",
                "AWS_RETRY_MODE", "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                "https_proxy")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if pytest itself dies, so it never outlives the run."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _moto_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    if script.exists():
        return [str(script), "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/moto-api/")
        conn.getresponse().read()
        conn.close()
        return True
    except OSError:
        return False


class MotoServer:
    """One ``moto_server`` child process on a free loopback port."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> str:
        last_error = "not started"
        for _ in range(3):  # the free port may be taken between probe and bind: try again
            port = free_port()
            log = self.log_path.open("ab")
            preexec = _die_with_parent if sys.platform.startswith("linux") else None
            self.proc = subprocess.Popen(_moto_command(port), stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL, preexec_fn=preexec)
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = f"moto_server exited with {self.proc.returncode}"
                    break
                if _answers(port):
                    self.url = f"http://127.0.0.1:{port}"
                    return self.url
                time.sleep(0.1)
            else:
                last_error = f"moto_server did not answer within {timeout} s"
            self.stop()
        tail = self.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{last_error}; log tail:\n{tail}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real moto S3 server, stopped at the end of the session."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto_server.log")
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def s3_endpoint(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto endpoint, with dummy credentials (and nothing else AWS) in the environment."""
    for name in SCRUBBED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    missing = str(Path(os.devnull))
    monkeypatch.setenv("AWS_CONFIG_FILE", missing)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
    return moto_endpoint


def s3_client(endpoint: str) -> Any:
    """A plain boto3 client for setting up and inspecting buckets (not the store's)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def new_bucket(endpoint: str) -> str:
    name = f"test-{uuid.uuid4().hex[:20]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def list_keys(endpoint: str, bucket: str, prefix: str = "") -> list[str]:
    paginator = s3_client(endpoint).get_paginator("list_objects_v2")
    return [obj["Key"] for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
            for obj in page.get("Contents", [])]


# ---------------------------------------------------------------------------------------
# Fault-injecting HTTP proxy

MODES = ("reject", "after", "drop", "hang", "corrupt", "call")


@dataclass
class Fault:
    """Which requests to break, and how.

    ``mode``: ``reject`` answers the error without forwarding; ``after`` forwards (the write
    lands) then answers the error; ``drop`` closes the connection without an answer;
    ``hang`` waits ``delay`` seconds then closes (a read timeout); ``corrupt`` flips a byte
    of the body and forwards; ``call`` forwards, runs ``action`` (another client racing
    this one), then answers. ``times=None`` breaks every matching request.
    """

    method: str | None = None
    path: str = ""  # regex searched in the unquoted request path (``/bucket/key``)
    query: str = ""  # regex searched in the unquoted query string
    status: int = 503
    code: str = "SlowDown"
    mode: str = "reject"
    times: int | None = 1
    delay: float = 2.0
    action: Callable[[], Any] | None = None
    hits: int = 0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown fault mode {self.mode!r}")

    def matches(self, method: str, path: str, query: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and method != self.method:
            return False
        return re.search(self.path, path) is not None and re.search(self.query, query) is not None


@dataclass
class Seen:
    method: str
    path: str
    outcome: str  # "forwarded", or the fault mode applied
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0  # bytes of the request's body


_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "content-length", "expect"}


def _error_xml(code: str, status: int) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>injected {status} {code}</Message>"
            f"<RequestId>{uuid.uuid4().hex}</RequestId></Error>").encode()


class FaultProxy:
    """Forward S3 requests to ``upstream``, breaking those that match a :class:`Fault`."""

    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.upstream_url = upstream
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def add(self, **fault: Any) -> Fault:
        made = Fault(**fault)
        with self._lock:
            self.faults.append(made)
        return made

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def requests(self, method: str | None = None, path: str = "", since: int = 0) -> list[Seen]:
        """Requests seen (from the ``since``-th on) with this method and a matching path."""
        with self._lock:
            return [s for s in self.seen[since:] if (method is None or s.method == method)
                    and re.search(path, s.path)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _pick(self, method: str, path: str, query: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, query):
                    fault.hits += 1
                    return fault
        return None

    @staticmethod
    def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command
        target, _, query = handler.path.partition("?")
        path = unquote(target)
        body = self._read_body(handler)
        fault = self._pick(method, path, unquote(query))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.seen.append(Seen(method, path, fault.mode if fault else "forwarded", headers,
                                  len(body)))
        if fault is not None and fault.mode in ("drop", "hang"):
            if fault.mode == "hang":
                time.sleep(fault.delay)
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.mode == "reject":
            self._answer_error(handler, fault)
            return
        if fault is not None and fault.mode == "corrupt" and body:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        status, reason, out_headers, data = self._forward(handler, body)
        if fault is not None and fault.mode == "call" and fault.action is not None:
            fault.action()
        if fault is not None and fault.mode == "after":
            self._answer_error(handler, fault)
            return
        handler.send_response_only(status, reason)
        for name, value in out_headers:
            if name.lower() not in _HOP_BY_HOP:
                handler.send_header(name, value)
        if method == "HEAD":
            length = dict((k.lower(), v) for k, v in out_headers).get("content-length", "0")
            handler.send_header("Content-Length", length)
            handler.end_headers()
            return
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _forward(self, handler: BaseHTTPRequestHandler,
                 body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.putrequest(handler.command, handler.path, skip_host=True,
                            skip_accept_encoding=True)
            for name, value in handler.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    conn.putheader(name, value)
            if body or handler.command in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            conn.close()

    @staticmethod
    def _answer_error(handler: BaseHTTPRequestHandler, fault: Fault) -> None:
        data = _error_xml(fault.code, fault.status)
        handler.send_response_only(fault.status)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(data) if handler.command != "HEAD" else 0))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)


@pytest.fixture
def fault_proxy(s3_endpoint: str) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` in front of moto; point the store at ``fault_proxy.url``."""
    proxy = FaultProxy(s3_endpoint)
    try:
        yield proxy
    finally:
        proxy.close()
