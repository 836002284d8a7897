"""Store keys: derived from hashes and a sanitised host name only, so no URL or header
can steer a write outside the store root."""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^a-z0-9.-]+")
_MAX_HOST = 100

CONTENT_EXTENSIONS = {
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "txt",
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "image/svg+xml": "svg", "image/avif": "avif",
}


def safe_host(host: str) -> str:
    """A single path segment for a host: ``[a-z0-9.-]``, no dot runs, never ``.``/``..``."""
    cleaned = _UNSAFE.sub("_", host.lower())
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip(".") or "_"
    if len(cleaned) > _MAX_HOST:
        cleaned = cleaned[:64] + "-" + hashlib.sha256(host.encode()).hexdigest()[:16]
    return cleaned


def content_name(content_type: str) -> str:
    """The item's file name in its folder: ``content.<ext>`` (``bin`` for other types)."""
    ext = CONTENT_EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
    return f"content.{ext}"


def item_dir(host: str, url: str, content_sha256: str) -> str:
    """``items/<host>/<url hash>/<content hash>``: one folder per version of a URL."""
    url_hash = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"items/{safe_host(host)}/{url_hash}/{content_sha256}"
