"""Fetching a site's control files: robots.txt (and the RSL files it names), tdmrep.json,
ai.txt. They pass the allow-list gate like any request; redirects are followed here, hop by
hop, so that every hop is a request this module made.

Requests made here are listed in ``context.internal`` (a weak set of Request objects, which
no spider can forge, unlike a meta key): the robots and site-signal gates recognise them
there instead of waiting for the very files they are reading.
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK

from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext

#: RFC 9309 §2.3.1.2: follow at least five consecutive redirects
MAX_REDIRECTS = 5
PRIORITY = 1000
#: RFC 9309 §2.5: a parser must read at least 500 KiB, and the robots parser reads the
#: first 500 KiB of a larger file; a control file over this limit (raw, or once
#: decompressed) is cancelled as a download error, which fails closed
MAX_SIZE = 1024 * 1024


async def fetch(crawler: Crawler, context: ComplianceContext, url: str, kind: str, *,
                timeout: float, internal: bool = True,
                redirects: int = MAX_REDIRECTS) -> Response:
    """The response for ``url`` after at most ``redirects`` redirects (a 3xx is returned
    when there are more). ``internal=False`` sends the request through every gate."""
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
