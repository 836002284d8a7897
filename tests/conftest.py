"""Shared fixtures: real HTTP servers on 127.0.0.x, policy files, crawls run as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.demo.server import Handler, Route, SiteServer
from crawler.jsonl import read_jsonl
from crawler.policy.hosts import url_port
from crawler.storage.base import READ, StoreError, manifest_view
from crawler.storage.local import LocalStore
from crawler.storage.packs import split_locator

#: one moto_server and one redis-server process per test process (fixtures moto_endpoint,
#: s3_endpoint, redis_server, ...)
pytest_plugins = ["s3server", "redisserver"]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _temporary_files_under_basetemp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Temporary files of the tests, and of the crawls and servers they start, go under
    pytest's base temp (which pytest prunes) instead of /tmp: a crawl a test kills with
    SIGKILL cannot remove its own temporary frontier or ledger spool."""
    directory = str(tmp_path_factory.mktemp("tmp"))
    patch = pytest.MonkeyPatch()
    patch.setenv("TMPDIR", directory)
    patch.setattr(tempfile, "tempdir", directory)
    yield
    patch.undo()
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
#: the operator's contact the test crawls send in their User-Agent
CONTACT = "mailto:crawler-tests@example.org"


def page(body: str = "", license_url: str | None = CC_BY, title: str = "A page",
         links: tuple[str, ...] = (), images: tuple[str, ...] = ()) -> Route:
    """An HTML page with optional rel=license link, links and images."""
    parts = [f"<html><head><title>{title}</title></head><body><p>{body}</p>"]
    parts += [f'<a href="{href}">link</a>' for href in links]
    parts += [f'<img src="{src}" alt="img">' for src in images]
    if license_url:
        parts.append(f'<a rel="license" href="{license_url}">license</a>')
    parts.append("</body></html>")
    return Route("".join(parts).encode())


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def image(headers: dict[str, str | list[str]] | None = None) -> Route:
    return Route(PNG, headers=headers or {}, content_type="image/png")


def write_policy(directory: Path, name: str, host: str, start_urls: list[str],
                 **fields: Any) -> Path:
    policy: dict[str, Any] = {
        "name": name, "hosts": [host],
        "tos": {"url": f"http://{host}/terms", "reviewed": "2026-11-01", "reviewer": "Test",
                "crawling": "allowed", "ai_training": "allowed"},
        "purposes": ["research", "commercial"], "start_urls": start_urls,
        "rate": {"requests_per_second": 50, "concurrency": 4},
        "licenses": {"accept": {"research": ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0"],
                                "commercial": ["CC-BY-4.0"]}},
        "retention_days": 30,
    }
    # the test servers listen on high ports, which a policy must list
    ports = sorted({url_port(url) for url in start_urls} - {None})
    if ports and "ports" not in fields:
        policy["ports"] = ports
    for key, value in fields.items():
        if isinstance(value, dict) and isinstance(policy.get(key), dict):
            policy[key] = {**policy[key], **value}
        else:
            policy[key] = value
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False))
    return path


def linked_pages(count: int) -> dict[str, Route]:
    """A home page linking ``count`` pages ``/p<i>.html``, and those pages."""
    pages = [f"/p{i}.html" for i in range(count)]
    return {"/": page("home", links=tuple(pages)), **{p: page(p) for p in pages}}


def stored_bytes(store: Path, path: str) -> bytes:
    """A stored file's bytes as a reader gets them (a pack range or a whole file)."""
    reader = LocalStore(store, mode=READ)
    try:
        return reader.read(path)
    finally:
        reader.close()


def is_stored(store: Path, path: str) -> bool:
    """Whether ``path`` is there with some bytes that are not all erased."""
    try:
        data = stored_bytes(store, path)
    except StoreError:
        return False
    return data.strip(b"\0") != b""


def overwrite_stored(store: Path, path: str, data: bytes) -> None:
    """Change a stored file's bytes in place (tampering, as a test sets it up)."""
    file, offset, length = split_locator(path)
    with (store / file).open("r+b") as fh:
        fh.seek(offset)
        fh.write(data if length is None else data.ljust(length, b" ")[:length])
        if length is None:
            fh.truncate()


def ledger_files(store: Path) -> list[Path]:
    """The run ledgers of a local store (``ledger/<run-id>/<writer>.jsonl``), oldest run
    first."""
    def started(file: Path) -> str:
        with file.open() as fh:
            return json.loads(fh.readline() or "{}").get("time", "")

    return sorted(store.glob("ledger/*/*.jsonl"), key=started)


def store_ledger(store: Path) -> list[dict[str, Any]]:
    """Every ledger line of a local store, run after run."""
    return [r for f in ledger_files(store) for r in read_jsonl(f)]


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    store: Path

    @property
    def ledger(self) -> list[dict[str, Any]]:
        return store_ledger(self.store)

    @property
    def manifest(self) -> list[dict[str, Any]]:
        """The manifest as readers see it: live versions only."""
        return manifest_view(read_jsonl(self.store / "manifest.jsonl"))

    def stored_urls(self) -> set[str]:
        return {e["url"] for e in self.manifest}

    def sidecar(self, url: str) -> dict[str, Any]:
        [entry] = [e for e in self.manifest if e["url"] == url]
        return json.loads(stored_bytes(self.store, entry["sidecar"]))

    def decisions(self, url: str) -> list[tuple[str, str]]:
        return [(r["gate"], r["reason"]) for r in self.ledger if r["url"] == url]


def run_cli(*args: str, timeout: float = 180,
            cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def crawl(policies: Path, store: Path | str, purpose: str = "research", *settings: str,
          expect: int = 0) -> CrawlResult:
    """Run ``crawler crawl`` as a user would; ``store`` may be a path or an s3:// URI."""
    args = ["crawl", "--policies", str(policies), "--store", str(store), "--purpose", purpose,
            "--allow-private-networks",  # the test sites are on loopback
            "--contact", CONTACT]
    for setting in settings:
        args += ["-s", setting]
    proc = run_cli(*args)
    assert proc.returncode == expect, proc.stderr[-3000:]
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, Path(store))


def refused_crawl(policies: Path, store: Path, *args: str) -> str:
    """Run ``crawler crawl`` expecting it not to start: exit 2 with no traceback. Returns
    its last line on stderr (the one a scheduler's log shows)."""
    proc = run_cli("crawl", "--policies", str(policies), "--store", str(store),
                   "--purpose", "research", "--allow-private-networks", *args)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return proc.stderr.strip().splitlines()[-1]


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start a SiteServer over {address: routes}; stopped at the end of the test."""
    servers: list[SiteServer] = []

    def start(sites: dict[str, dict[str, Handler]]) -> SiteServer:
        server = SiteServer(sites)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
