"""Connecting to the fleet's Redis, with an operator's error when it cannot be reached."""

from __future__ import annotations

import redis

#: a heartbeat lives this long unless renewed; a worker renews it every third of it
HEARTBEAT_SECONDS = 10.0


class FleetUnavailable(Exception):
    """The fleet's Redis cannot be reached (at the start, or lost during the run)."""


def connect(url: str) -> redis.Redis:
    """A client for ``url`` (``redis://HOST:PORT/DB``), checked with a PING."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5,
                                      health_check_interval=30)
    except ValueError as exc:
        raise FleetUnavailable(f"bad Redis URL {url!r}: {exc}") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FleetUnavailable(f"cannot reach Redis at {url}: {exc}") from None
    return client
