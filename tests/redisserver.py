"""A real Redis for tests: a ``redis-server`` process (Debian's package, installed by
``make test``) on a free loopback port, with no persistence; it dies with pytest.

Use from a test module::

    from redisserver import RedisServer  # the redis_server fixture (a plugin of conftest)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from s3server import _die_with_parent, free_port

REDIS_SERVER = "/usr/bin/redis-server"


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_redis(port: int | None = None) -> RedisServer:
    """A fresh ``redis-server`` on 127.0.0.1 (a free port unless one is given)."""
    port = port or free_port()
    workdir = tempfile.mkdtemp(prefix="redis-test-")
    process = subprocess.Popen(
        [shutil.which("redis-server") or REDIS_SERVER, "--bind", "127.0.0.1", "--port",
         str(port), "--save", "", "--appendonly", "no", "--dir", workdir,
         "--protected-mode", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    server = RedisServer(port, process)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client().ping()
            return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def _redis_process() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture
def redis_server(_redis_process: RedisServer) -> RedisServer:
    """The session's Redis, emptied for this test."""
    _redis_process.client().flushall()
    return _redis_process
