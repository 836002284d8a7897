"""Open a store by URI: one opener per URI scheme.

This is the one module that knows every store implementation. It lives apart from
:mod:`crawler.storage.base` because the stores import ``base`` for the interface: were
:func:`open_store` there, ``base`` and the stores would import each other.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from crawler.storage.base import CREATE, Store, StoreError
from crawler.storage.local import LocalStore
from crawler.storage.s3 import S3Store

#: S3 store options and the settings (or environment variables, for the CLI's purge and
#: export) that set them
S3_SETTINGS = {"sse": "COMPLIANCE_S3_SSE", "kms_key_id": "COMPLIANCE_S3_KMS_KEY_ID",
               "acl": "COMPLIANCE_S3_ACL"}

#: keyword options :func:`open_store` passes through to :class:`S3Store` (everything but
#: bucket and prefix, which come from the URI)
S3_OPTIONS = frozenset(inspect.signature(S3Store.__init__).parameters) - {
    "self", "bucket", "prefix"}

#: (URI, fsync, mode, the options that are set) -> the opened store
Opener = Callable[[str, bool, str, dict[str, Any]], Store]


def s3_options(get: Callable[[str], Any]) -> dict[str, Any]:
    """S3 options from a settings or environment lookup (``settings.get``, ``os.environ.get``)."""
    return {option: get(name) or None for option, name in S3_SETTINGS.items()}


def _open_local(uri: str, fsync: bool, mode: str, options: dict[str, Any]) -> Store:
    if options:
        raise StoreError(f"S3 options {sorted(options)} given for a local store")
    return LocalStore(uri.removeprefix("file://"), fsync=fsync, mode=mode)


def _open_s3(uri: str, fsync: bool, mode: str, options: dict[str, Any]) -> Store:
    unknown = sorted(set(options) - S3_OPTIONS)
    if unknown:
        raise StoreError(f"unknown S3 store option(s) {unknown}")
    return S3Store.from_uri(uri, mode=mode, **options)


#: URI scheme (lower case; ``""`` for a plain path) -> its opener
OPENERS: dict[str, Opener] = {"": _open_local, "file": _open_local, "s3": _open_s3}


def open_store(uri: str, fsync: bool = True, mode: str = CREATE, **s3_options: Any) -> Store:
    """``PATH`` or ``file://PATH`` → a local store; ``s3://BUCKET[/PREFIX]`` → an S3 store.

    ``mode`` (:data:`~crawler.storage.base.MODES`): a ``read`` store is never written, so
    ``export``, ``explain`` and ``purge --dry-run`` create nothing; ``read`` and ``write``
    refuse a missing store.

    ``s3_options`` are :class:`~crawler.storage.s3.S3Store` keyword options (``sse``,
    ``kms_key_id``, ``acl``, ``endpoint_url``, ``max_attempts``, ...); ``None`` values mean
    "not set". They are refused for a local store, so a request for encryption is never
    silently dropped. ``fsync`` only concerns the local store (an S3 PUT is durable when
    it returns). Error messages never repeat the URI: it could hold credentials.
    """
    options = {name: value for name, value in s3_options.items() if value is not None}
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    opener = OPENERS.get(scheme)
    if opener is None:
        raise StoreError(f"unsupported store URI scheme {scheme!r} (use a local path or s3://)")
    return opener(uri, fsync, mode, options)
