"""Build the corpus item for a response: what the gates judge and the store keeps.

Own spiders can yield :func:`corpus_item` directly, or yield their own items (dicts, Scrapy
``Item``s, dataclass or attrs objects): those are judged through the corpus item of the
response they came from, and the store keeps that response with its sidecar.
"""

from __future__ import annotations

from scrapy.http import Response, TextResponse

from crawler.items import CorpusItem
from crawler.jsonl import utcnow
from crawler.scrapy_adapters import meta
from crawler.signals.attribution import page_attribution


def response_headers(response: Response) -> dict[str, list[str]]:
    """A response's headers as the pure signal code takes them: name → list of values."""
    return {k.decode("latin-1"): [v.decode("latin-1") for v in values]
            for k, values in response.headers.items()}


def corpus_item(response: Response, kind: str | None = None) -> CorpusItem:
    """The corpus item for ``response``: a ``page``, or an ``image`` when the request was
    made for one or the response is ``image/*`` (``kind`` overrides)."""
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    if kind is None:
        is_image = (response.meta.get(meta.KIND) == "image"
                    or content_type.lower().startswith("image/"))
        kind = "image" if is_image else "page"
    title = creator = ""
    if kind == "page" and isinstance(response, TextResponse):
        title, creator = page_attribution(response.selector)
    elif kind == "image":
        title = response.meta.get("alt", "")
    return CorpusItem(kind=kind, url=response.url, status=response.status,
                      content_type=content_type, body=response.body,
                      headers=response_headers(response), fetched_at=utcnow(), title=title,
                      creator=creator,
                      page_url=response.meta.get("page_url") if kind == "image" else None,
                      robots=response.meta.get(meta.ROBOTS),
                      revalidated="revalidated" in response.flags,
                      headers_updated="headers_updated" in response.flags,
                      decisions=list(response.meta.get(meta.DECISIONS, [])))
