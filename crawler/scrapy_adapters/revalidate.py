"""Conditional recrawls: a request for a URL whose current version is stored asks only for
a newer one (``If-None-Match``/``If-Modified-Since`` from the stored validators); a 304
becomes the stored response, its headers updated (RFC 9111 §4.3.4), so that the item gates
judge the stored body again under this run's robots.txt, site files and policy.

It sits between Scrapy's download stats (850: they count the 304 as it came) and the
decompression, redirect and retry middlewares (below 600). A stored copy that cannot be
read, or no longer matches its hash, is never used: the request goes again, unconditional.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import run_in_thread

from crawler.revalidation import conditional_headers, differ, updated_headers, validators
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.response_item import response_headers
from crawler.storage.base import StoreError

logger = logging.getLogger(__name__)
#: the flags of a response rebuilt from the store after a 304, and of one whose 304 changed
#: the stored headers (read by :func:`crawler.scrapy_adapters.response_item.corpus_item`)
REVALIDATED, HEADERS_UPDATED = "revalidated", "headers_updated"


class RevalidationMiddleware:
    def __init__(self, context: ComplianceContext):
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevalidationMiddleware:
        return cls(ComplianceContext.of(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.meta.pop(meta.REVALIDATING, None)
        if request.meta.get(meta.KIND, "page") not in ("page", "image"):
            return  # a control file or the terms page: read as it is now, always
        entry = self.context.effects.current.get(request.url)
        if entry is None or request.method != "GET" or request.meta.get(meta.UNCONDITIONAL):
            return
        asked = conditional_headers(validators(entry.get("headers") or {})
                                    or entry.get("validators") or {})
        if not asked:
            return
        for name, value in asked.items():
            request.headers.setdefault(name, value)
        request.meta[meta.REVALIDATING] = entry["sha256"]

    async def process_response(self, request: Request, response: Response,
                               spider: Any = None) -> Request | Response:
        sha256 = request.meta.get(meta.REVALIDATING)
        if response.status != 304 or sha256 is None:
            return response
        entry = self.context.effects.current.get(request.url)
        try:
            if entry is None or entry["sha256"] != sha256:
                raise StoreError("the stored version changed during the run")
            body, headers = await run_in_thread(self._stored, entry)
        except (StoreError, ValueError) as exc:
            logger.warning("304 for %s, but the stored copy cannot answer it (%s): fetching "
                           "it again without validators", request.url, exc)
            retry = request.replace(dont_filter=True)
            for name in ("If-None-Match", "If-Modified-Since"):
                retry.headers.pop(name, None)
            retry.meta[meta.UNCONDITIONAL] = True
            return retry
        updated = updated_headers(headers, response_headers(response))
        flags = [REVALIDATED, *([HEADERS_UPDATED] if differ(headers, updated) else [])]
        scrapy_headers = Headers(updated)
        cls = responsetypes.from_args(headers=scrapy_headers, url=response.url, body=body)
        return cls(url=response.url, status=200, headers=scrapy_headers, body=body,
                   request=request, flags=[*response.flags, *flags],
                   certificate=response.certificate, ip_address=response.ip_address,
                   protocol=response.protocol)

    def _stored(self, entry: dict[str, Any]) -> tuple[bytes, dict[str, list[str]]]:
        """The stored body (checked against its hash) and its headers as last updated."""
        store = self.context.effects.store
        body = store.read(entry["content"])
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            raise StoreError(f"{entry['content']} does not match its sha256")
        headers = entry.get("headers")
        if headers is None:
            headers = json.loads(store.read(entry["sidecar"])).get("headers") or {}
        return body, headers
