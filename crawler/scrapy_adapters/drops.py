"""Ledger lines for drops that happen outside the gates, so the audit trail has no holes.

Scrapy drops requests and responses in several places that know nothing of the ledger:
download errors (DNS, timeout, refused connection, data loss, ``DOWNLOAD_MAXSIZE``), bodies
over ``DOWNLOAD_MAXSIZE`` once decompressed, its offsite filter, the depth and URL-length
limits, and unhandled HTTP statuses. Each such drop gets one ledger line with the URL and
a reason code here. Duplicate-filter drops are not decisions about a URL (the first
request for it has its own lines): Scrapy counts them in its stats (``dupefilter/filtered``).

Drops made by the gates themselves raise :class:`~crawler.scrapy_adapters.context.Refused`,
which is already recorded, and are passed over.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.spidermiddlewares.httperror import HttpError, HttpErrorMiddleware
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

from crawler.fleet.connect import FleetUnavailable
from crawler.gates.decision import Decision
from crawler.scrapy_adapters import meta
from crawler.scrapy_adapters.context import ComplianceContext, ContextComponent, Refused
from crawler.scrapy_adapters.politeness import AddressRefused

GATE = "download"

#: exception class -> reason code (first match wins; subclasses before their bases)
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (AddressRefused, "address_refused"),
    (FleetUnavailable, "fleet_unavailable"),
    (CannotResolveHostError, "dns_error"),
    (DownloadTimeoutError, "timeout"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (ResponseDataLossError, "data_loss"),
    (DownloadFailedError, "connection_error"),
    (UnsupportedURLSchemeError, "unsupported_scheme"),
    (TimeoutError, "timeout"),
    (ConnectionError, "connection_error"),
)


def reason_for(exc: BaseException) -> str:
    """The ledger reason code for an exception that ended a download."""
    if isinstance(exc, DownloadCancelledError):
        return "size_limit" if "max size" in str(exc) else "download_cancelled"
    if isinstance(exc, IgnoreRequest):
        # HttpCompressionMiddleware: "... exceeded DOWNLOAD_MAXSIZE (...) during decompression"
        return ("offsite" if "offsite" in str(exc)
                else "size_limit" if "DOWNLOAD_MAXSIZE" in str(exc) else "ignored")
    for cls, reason in _REASONS:
        if isinstance(exc, cls):
            return reason
    return "download_error"


def _kind(request: Request) -> str:
    return str(request.meta.get(meta.KIND, "page"))


class DownloadDropsMiddleware(ContextComponent):
    """Downloader middleware, outermost: sees every exception that no other middleware
    (the retry middleware included) turned into a response or a new request."""

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, Refused) or request in self.context.internal:
            return  # recorded by the gate that refused, or a control file its gate records
        self.context.effects.record(request.url, Decision.deny(
            GATE, reason_for(exception), f"Dropped: {type(exception).__name__}: {exception}"),
            kind=_kind(request))
        if isinstance(exception, FleetUnavailable):  # said once by the fleet, not per request
            raise IgnoreRequest(str(exception))


class _Ledgered:
    """Mixin for Scrapy's own spider middlewares: the crawl's context, for ledger lines."""

    context: ComplianceContext

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        mw = super().from_crawler(crawler)  # type: ignore[misc]
        mw.context = ComplianceContext.of(crawler)
        return mw


class LedgeredHttpCompressionMiddleware(_Ledgered, HttpCompressionMiddleware):
    """Scrapy's decompression, with a ledger line per response it drops. A body over
    ``DOWNLOAD_MAXSIZE`` once decompressed raises ``IgnoreRequest`` from
    ``process_response``, which no ``process_exception`` sees (and which the scraper
    drops silently), so :class:`DownloadDropsMiddleware` never would record it."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if request not in self.context.internal:  # a control file: its gate records it
                self.context.effects.record(request.url, Decision.deny(
                    GATE, reason_for(exc), f"Dropped: {exc}"), kind=_kind(request))
            raise


class _LedgeredRequestFilter(_Ledgered):
    """For middlewares that drop a request by returning None from
    ``get_processed_request``: one ledger line per dropped request."""

    reason = ""

    def limit(self) -> str:
        raise NotImplementedError

    def get_processed_request(self, request: Request,
                              response: Response | None) -> Request | None:
        kept = super().get_processed_request(request, response)  # type: ignore[misc]
        if kept is None:
            self.context.effects.record(
                request.url, Decision.deny("spider", self.reason, self.limit()),
                kind=_kind(request))
        return kept


class LedgeredDepthMiddleware(_LedgeredRequestFilter, DepthMiddleware):
    """Scrapy's ``DEPTH_LIMIT``, with a ledger line per request it drops."""

    reason = "depth_limit"

    def limit(self) -> str:
        return f"Deeper than DEPTH_LIMIT {self.maxdepth}."


class LedgeredUrlLengthMiddleware(_LedgeredRequestFilter, UrlLengthMiddleware):
    """Scrapy's ``URLLENGTH_LIMIT``, with a ledger line per request it drops."""

    reason = "url_too_long"

    def limit(self) -> str:
        return f"URL longer than URLLENGTH_LIMIT {self.maxlength}."


class LedgeredHttpErrorMiddleware(_Ledgered, HttpErrorMiddleware):
    """Scrapy's handling of unhandled HTTP statuses, with a ledger line per response it
    keeps from the spider (the spider never sees it, so no gate would record it)."""

    def process_spider_exception(self, response: Response, exception: Exception,
                                 spider: Any = None) -> Any:
        if isinstance(exception, HttpError):
            request = response.request
            self.context.effects.record(response.url, Decision.deny(
                "content", "http_error", f"The server answered HTTP {response.status}; "
                "the spider does not handle it."),
                kind=_kind(request) if request is not None else "page")
        return super().process_spider_exception(response, exception)
