"""Small HTTP server for local sites on loopback addresses: the demo's sites, the
test suite's sites and the benchmark's site. It records every request it receives
(arrival time, host, path, headers), so tests can assert what a site actually saw. Like a
static file server, it sends an ETag with each 200 and answers a conditional request for
an unchanged body with 304 Not Modified."""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str | list[str]] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


#: a route may be computed per request (e.g. to change answers between two crawls)
Handler = Route | Callable[[], Route]


@dataclass(frozen=True)
class Hit:
    time: float
    address: str
    port: int
    method: str
    path: str
    headers: dict[str, str]
    #: the client's port: requests with the same one came over the same connection
    client_port: int = 0


def site_from_directory(root: Path) -> dict[str, Handler]:
    """Files under ``root`` become routes; ``_routes.yaml`` may set status and headers:
    ``{"/path": {"status": 404, "headers": {"Link": "<...>; rel=license"}}}``."""
    routes: dict[str, Handler] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "_routes.yaml":
            rel = "/" + path.relative_to(root).as_posix()
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if ctype.startswith("text/"):
                ctype += "; charset=utf-8"
            routes[rel] = Route(path.read_bytes(), content_type=ctype)
            if rel.endswith("/index.html"):
                routes[rel.removesuffix("index.html")] = routes[rel]
    overrides = root / "_routes.yaml"
    if overrides.exists():
        for rel, spec in (yaml.safe_load(overrides.read_text()) or {}).items():
            base = routes.get(rel)
            route = base if isinstance(base, Route) else Route()
            routes[rel] = Route(spec.get("body", route.body).encode()
                                if isinstance(spec.get("body"), str) else route.body,
                                spec.get("status", route.status),
                                {**route.headers, **spec.get("headers", {})},
                                spec.get("content_type", route.content_type))
    return routes


def _not_modified(request: Any, headers: dict[str, str | list[str]]) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) decides; without it,
    If-Modified-Since against the route's own Last-Modified."""
    etag = headers.get("ETag")
    asked = request.get("If-None-Match")
    if asked is not None:
        tags = {t.strip().removeprefix("W/") for t in asked.split(",")}
        return "*" in tags or (isinstance(etag, str) and etag.removeprefix("W/") in tags)
    since, modified = request.get("If-Modified-Since"), headers.get("Last-Modified")
    if since is None or not isinstance(modified, str):
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], routes: dict[str, Handler],
                 hits: list[Hit], lock: threading.Lock):
        self.routes, self.hits, self.lock = routes, hits, lock
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one buffered write per response and no Nagle: headers and body sent in two small
    # writes on a keep-alive connection would wait for the client's delayed ACK (~40 ms)
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        host, port = self.server.server_address[:2]
        with self.server.lock:
            self.server.hits.append(Hit(time.monotonic(), str(host), int(port), "GET",
                                        self.path, dict(self.headers.items()),
                                        int(self.client_address[1])))
        handler = self.server.routes.get(self.path.split("#")[0])
        route = handler() if callable(handler) else handler
        if route is None:
            route = Route(b"<html><body>not found</body></html>", 404)
        headers = dict(route.headers)
        if route.status == 200:  # a strong validator, as a static file server sends
            headers.setdefault("ETag", f'"{hashlib.sha256(route.body).hexdigest()[:20]}"')
        not_modified = route.status == 200 and _not_modified(self.headers, headers)
        if not_modified:
            self.send_response(304)  # the route's other headers update the stored ones
        else:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
        for name, value in headers.items():
            for v in value if isinstance(value, list) else [value]:
                self.send_header(name, v)
        self.end_headers()
        if not not_modified:
            self.wfile.write(route.body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class SiteServer:
    """Serves one route table per loopback address, all on one port."""

    def __init__(self, sites: dict[str, dict[str, Handler]], port: int = 0):
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._servers: list[_Server] = []
        self.port = port
        for address, routes in sites.items():
            server = _Server((address, self.port), routes, self.hits, self._lock)
            self.port = server.server_address[1]
            self._servers.append(server)
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                             daemon=True).start()

    def routes(self, address: str) -> dict[str, Handler]:
        """The live route table of one address: tests add routes that need the port."""
        [server] = [s for s in self._servers if s.server_address[0] == address]
        return server.routes

    def url(self, address: str, path: str = "/") -> str:
        return f"http://{address}:{self.port}{path}"

    def hits_for(self, address: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.address == address]

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Hit]:
        return iter(list(self.hits))
