"""A small synchronous HTTP client for ``crawler policy new``: one GET at a time, bounded,
polite, and only to checked addresses.

``policy new`` is the one command that contacts a host without a policy, so each request
keeps the crawl's network rules without Scrapy's reactor (a one-shot survey of at most a
dozen URLs needs none). :class:`GuardedFetcher` is built on urllib3 (already installed with
botocore and trafilatura):

* the host name is resolved once (``getaddrinfo``), every address is checked with
  :func:`crawler.policy.hosts.address_problem` (private, loopback, link-local, unique-local
  and metadata ranges refused unless the operator allows private networks; metadata
  addresses always), and the connection goes to a checked address, never to a second DNS
  answer; the connected socket's peer address is checked again before anything is sent;
* names that are private by themselves (``localhost``, ``*.internal``, single labels) are
  refused like in a policy (:func:`crawler.policy.hosts.check_public_host`);
* at most one request per :attr:`GuardedFetcher.gap` seconds (1 s or more), counted from
  the end of the previous answer, so the site never sees two closer than that;
* every answer is cut at :data:`MAX_ANSWER_BYTES` (decoded), and a watchdog closes the
  socket at :data:`TOTAL_TIMEOUT`, so a server that drips bytes cannot hold the command;
* no redirect is followed here (the survey decides which ones to follow), no cookie, no
  proxy from the environment, and nothing is stored.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from w3lib.url import safe_url_string

from crawler.policy.hosts import address_problem, check_public_host, normalize_host, url_port

#: largest answer read (decoded); the rest is not read and the answer is marked truncated
MAX_ANSWER_BYTES = 2 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
#: seconds one read may wait for bytes
READ_TIMEOUT = 15.0
#: seconds one request may take in all, headers and body
TOTAL_TIMEOUT = 30.0
#: the fewest seconds between two requests
MIN_GAP = 1.0
#: addresses tried per request when the first ones do not answer
MAX_ADDRESSES = 3

Resolver = Callable[[str, int], Sequence[str]]
#: errors after which nothing was sent: the next address may be tried
_NOT_CONNECTED = ("connection refused", "connect timeout", "connect failed")


class AddressRefused(Exception):
    """The host is not one the crawler may contact (no request was sent)."""


@dataclass(frozen=True)
class Answer:
    """One GET: the status and headers, or why there were none."""

    url: str
    status: int | None = None
    #: header name (as sent) -> its values
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    #: the body was longer than the limit and was cut there
    truncated: bool = False
    #: why there is no (complete) answer: timeout, connection refused, ...
    error: str | None = None
    #: the address connected to
    address: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, values in self.headers.items():
            if key.lower() == lname and values:
                return values[0]
        return None

    def summary(self) -> str:
        """``200, 1234 bytes`` / ``timeout`` (for the draft's comments and the log)."""
        if self.status is None:
            return self.error or "no answer"
        text = f"{self.status}, {len(self.body)} bytes"
        if self.truncated:
            text += " (cut at the size limit)"
        if self.error:
            text += f" ({self.error})"
        return text


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _GuardMixin:
    """Checks the peer of every new socket and hands the socket to the request's watchdog."""

    allow_private: ClassVar[bool] = False
    sockets: ClassVar[list[socket.socket]]

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        peer = str(sock.getpeername()[0]).split("%", 1)[0]
        problem = address_problem(ipaddress.ip_address(peer), self.allow_private)
        if problem is not None:
            sock.close()
            raise AddressRefused(problem)
        self.sockets.append(sock)
        return sock


def _connection_classes(allow_private: bool) -> tuple[type[HTTPConnection], type[HTTPConnection],
                                                      list[socket.socket]]:
    sockets: list[socket.socket] = []
    attrs: dict[str, Any] = {"allow_private": allow_private, "sockets": sockets}
    plain = type("GuardedHTTPConnection", (_GuardMixin, HTTPConnection), attrs)
    tls = type("GuardedHTTPSConnection", (_GuardMixin, HTTPSConnection), attrs)
    return plain, tls, sockets


def _host_header(host: str, port: int, scheme: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == {"http": 80, "https": 443}[scheme] else f"{shown}:{port}"


class GuardedFetcher:
    """GET one URL at a time, to checked addresses, at most one request per :attr:`gap`."""

    def __init__(self, user_agent: str, *, allow_private: bool = False,
                 resolve: Resolver = _system_resolve, max_bytes: int = MAX_ANSWER_BYTES,
                 total_timeout: float = TOTAL_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 observer: Callable[[Answer], None] | None = None):
        self.user_agent = user_agent
        self.allow_private = allow_private
        self.resolve = resolve
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        #: seconds between the end of one answer and the next request (never below 1)
        self.gap = MIN_GAP
        self.clock = clock
        self.sleep = sleep
        self._last_end: float | None = None
        #: every request sent, in order
        self.sent: list[Answer] = []
        #: told of every answer as it comes (the command shows progress with it)
        self.observer = observer

    def set_gap(self, seconds: float) -> None:
        """Slow down (a robots.txt Crawl-delay); never below :data:`MIN_GAP`."""
        self.gap = max(MIN_GAP, self.gap, seconds)

    def addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses that may be contacted; raise :class:`AddressRefused` when
        none may (or the name itself is private)."""
        try:
            ipaddress.ip_address(host)
            literal = True
        except ValueError:
            literal = False
        if not literal and not self.allow_private:
            problem = check_public_host(host)
            if problem is not None:
                raise AddressRefused(f"{problem}: refused unless the operator allows private "
                                     "networks (--allow-private-networks)")
        try:
            found = [host] if literal else list(self.resolve(host, port))
        except (OSError, UnicodeError) as exc:
            raise AddressRefused(f"{host}: cannot resolve: {exc}") from None
        allowed, why = [], []
        for address in found:
            problem = address_problem(ipaddress.ip_address(address.split("%", 1)[0]),
                                      self.allow_private)
            (why if problem else allowed).append(problem or address)
        if not allowed:
            hint = "" if self.allow_private else (
                ": refused unless the operator allows private networks "
                "(--allow-private-networks)")
            raise AddressRefused(f"{host}: {'; '.join(why) or 'no address'}{hint}")
        return allowed[:MAX_ADDRESSES]

    def _wait(self) -> None:
        if self._last_end is not None:
            remaining = self._last_end + self.gap - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def get(self, url: str) -> Answer:
        """GET ``url`` (no redirect followed). Raises :class:`AddressRefused` before sending
        anything when the host may not be contacted; any other failure is in the answer."""
        try:
            url = safe_url_string(url)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return Answer(url, error="not an http(s) URL")
            host = normalize_host(parts.hostname)
        except ValueError as exc:  # http://[x/, a host IDNA cannot encode
            return Answer(url, error=f"not a valid URL: {exc}")
        port = url_port(url)
        if port is None:
            return Answer(url, error="invalid port")
        addresses = self.addresses(host, port)
        self._wait()
        try:
            answer = self._get(url, parts.scheme, host, port, addresses)
        finally:
            self._last_end = self.clock()
        self.sent.append(answer)
        if self.observer is not None:
            self.observer(answer)
        return answer

    def _get(self, url: str, scheme: str, host: str, port: int,
             addresses: list[str]) -> Answer:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": _host_header(host, port, scheme), "User-Agent": self.user_agent,
                   "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                             "text/plain;q=0.8,*/*;q=0.5",
                   "Accept-Encoding": "gzip, deflate", "Connection": "close"}
        last = Answer(url, error="no address answered")
        for address in addresses:
            last = self._get_from(url, scheme, host, port, address, target, headers)
            if last.status is not None or not (last.error or "").startswith(_NOT_CONNECTED):
                break  # only a connection that never opened is tried at the next address
        return last

    def _get_from(self, url: str, scheme: str, host: str, port: int, address: str,
                  target: str, headers: dict[str, str]) -> Answer:
        plain, tls, sockets = _connection_classes(self.allow_private)
        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1,
                cert_reqs="CERT_REQUIRED", server_hostname=host, assert_hostname=host)
            pool.ConnectionCls = tls  # type: ignore[assignment]
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False,
                                              maxsize=1)
            pool.ConnectionCls = plain
        deadline = self.clock() + self.total_timeout
        expired = threading.Event()

        def cut_off() -> None:  # the watchdog: a blocked read ends when its socket closes
            expired.set()
            for sock in sockets:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(self.total_timeout, cut_off)
        watchdog.daemon = True
        watchdog.start()
        try:
            response = pool.urlopen("GET", target, headers=headers, redirect=False,
                                    retries=False, preload_content=False,
                                    assert_same_host=False, release_conn=False)
            try:
                return self._read(url, response, address, deadline, expired)
            finally:
                response.close()
        except AddressRefused as exc:
            return Answer(url, error=f"address refused: {exc}", address=address)
        except urllib3.exceptions.HTTPError as exc:
            why = "timeout" if expired.is_set() else _error_text(exc)
            return Answer(url, error=why, address=address)
        except OSError as exc:
            return Answer(url, error="timeout" if expired.is_set() else str(exc),
                          address=address)
        finally:
            watchdog.cancel()
            pool.close()

    def _read(self, url: str, response: Any, address: str, deadline: float,
              expired: threading.Event) -> Answer:
        headers: dict[str, list[str]] = {}
        for name, value in response.headers.iteritems():
            headers.setdefault(name, []).append(value)
        status = int(response.status)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return Answer(url, status, headers, b"", True,
                          f"declared {declared} bytes, more than the limit of "
                          f"{self.max_bytes}", address)
        chunks: list[bytes] = []
        size = 0
        error = None
        truncated = False
        try:
            while True:
                if self.clock() > deadline or expired.is_set():
                    error = "timeout"
                    break
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    truncated = True
                    break
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            error = "timeout" if expired.is_set() else _error_text(exc)
        body = b"".join(chunks)[:self.max_bytes]
        return Answer(url, status, headers, body, truncated, error, address)


def _error_text(exc: BaseException) -> str:
    """A short reason: ``connection refused``, ``read timeout``, ``TLS: ...``."""
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "connect timeout"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "read timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS: {exc}"[:200]
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        text = str(exc)
        return "connection refused" if "refused" in text.lower() else f"connect failed: {text}"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return f"connection error: {exc}"[:200]
    return f"{type(exc).__name__}: {exc}"[:200]
