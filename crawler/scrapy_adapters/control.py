"""Fetching a site's control files: robots.txt (and the RSL files it names), tdmrep.json,
ai.txt. They pass the allow-list gate like any request; redirects are followed here, hop by
hop, so that every hop is a request this module made.

Requests made here are listed in ``context.internal`` (a weak set of Request objects, which
no spider can forge, unlike a meta key): the robots and site-signal gates recognise them
there instead of waiting for the very files they are reading.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import sleep

from crawler.fleet.connect import FleetUnavailable
from crawler.fleet.shared_files import CLAIM_SECONDS, RawAnswer
from crawler.fleet.worker import FleetWorker
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext

#: RFC 9309 §2.3.1.2: follow at least five consecutive redirects
MAX_REDIRECTS = 5
PRIORITY = 1000
#: how often a worker waiting for another's reading of a file looks again
SHARED_WAIT_SECONDS = 0.05
#: what the request of a site file, a terms page or a license page is (ledger ``kind``)
SIGNAL_FILE = "signal-file"
#: RFC 9309 §2.5: a parser must read at least 500 KiB, and the robots parser reads the
#: first 500 KiB of a larger file; a control file over this limit (raw, or once
#: decompressed) is cancelled as a download error, which fails closed
MAX_SIZE = 1024 * 1024


async def fetch(crawler: Crawler, context: ComplianceContext, url: str, kind: str, *,
                timeout: float, internal: bool = True,
                redirects: int = MAX_REDIRECTS) -> Response:
    """The response for ``url`` after at most ``redirects`` redirects (a 3xx is returned
    when there are more). ``internal=False`` sends the request through every gate. In a
    fleet, an internal file is read once for every worker (:func:`_shared`)."""
    if context.fleet is not None and internal:
        return await _shared(crawler, context, context.fleet, url, kind, timeout, redirects)
    return await _hops(crawler, context, url, kind, timeout, internal, redirects)


async def _shared(crawler: Crawler, context: ComplianceContext, fleet: FleetWorker, url: str,
                  kind: str, timeout: float, redirects: int) -> Response:
    """The fleet's copy of ``url``: read from Redis, or fetched by this worker (which
    claims it) and shared; a worker that finds it claimed waits for the claimer."""
    files = fleet.files
    deadline = time.monotonic() + CLAIM_SECONDS
    if fleet.lost:
        raise FleetUnavailable(fleet.lost)
    try:
        while (answer := files.get(url)) is None and not files.claim(url):
            if time.monotonic() > deadline:  # the claimer is stuck: read it alone
                return await _hops(crawler, context, url, kind, timeout, True, redirects)
            await sleep(SHARED_WAIT_SECONDS)
        if answer is not None:
            return _response(answer)
        try:
            response = await _hops(crawler, context, url, kind, timeout, True, redirects)
        except BaseException:
            files.release(url)  # a failed fetch is not shared: each worker meets it
            raise
        files.put(url, RawAnswer(response.url, response.status, [
            (name, value) for name, values in response.headers.items() for value in values],
            response.body, time.time()))
        return response
    except redis.RedisError as exc:
        fleet.lose(exc)
        raise FleetUnavailable(f"the fleet's Redis is unavailable: {exc}") from None


def _response(answer: RawAnswer) -> Response:
    """A response rebuilt from the fleet's copy, of the class Scrapy would have made."""
    headers = Headers()
    for name, value in answer.headers:
        headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=answer.url, body=answer.body)
    return cls(url=answer.url, status=answer.status, headers=headers, body=answer.body,
               request=Request(answer.url, callback=NO_CALLBACK))


async def _hops(crawler: Crawler, context: ComplianceContext, url: str, kind: str,
                timeout: float, internal: bool, redirects: int) -> Response:
    response = await _one(crawler, context, url, kind, timeout, internal)
    for _ in range(redirects):
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            break
        response = await _one(crawler, context, urljoin(response.url,
                                                        location.decode("latin-1")),
                              kind, timeout, internal)
    return response


async def _one(crawler: Crawler, context: ComplianceContext, url: str, kind: str,
               timeout: float, internal: bool) -> Response:
    request = Request(url, priority=PRIORITY, dont_filter=True, callback=NO_CALLBACK,
                      meta={meta.KIND: kind, "dont_redirect": True, "dont_retry": True,
                            "download_timeout": timeout, "download_maxsize": MAX_SIZE})
    if internal:
        context.internal.add(request)
    return await crawler.engine.download_async(request)
