"""JSON in place of scrapy-redis' default pickle for requests in the shared queue: a
worker never unpickles what another process wrote. A request's dict (``Request.to_dict``)
is plain JSON but for bytes (body, headers), which are tagged and base64-encoded.
Used as the module scrapy-redis' ``SCHEDULER_SERIALIZER`` names (``loads``/``dumps``)."""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES = "__bytes__"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):  # keys are tagged, so no key of a request is the tag
        return {_key(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bytes):  # header names; decoded back as bytes below
        return "b:" + base64.b64encode(key).decode("ascii")
    if not isinstance(key, str):
        raise TypeError(f"request dict keys must be str or bytes, not {type(key).__name__}")
    return "s:" + key


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {(base64.b64decode(k[2:]) if k.startswith("b:") else k[2:]): _decode(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(obj: dict[str, Any]) -> str:
    """``obj`` (a request's dict) as JSON; TypeError for anything JSON cannot carry."""
    return json.dumps(_encode(obj), separators=(",", ":"), allow_nan=False)


def loads(data: str | bytes) -> dict[str, Any]:
    return _decode(json.loads(data))
