"""Text of a stored page, as exported: trafilatura's main text, never hand-written extraction."""

from __future__ import annotations

import trafilatura


def extract_text(content: bytes, url: str, content_type: str = "text/html") -> str | None:
    """Main text of a stored page: trafilatura for HTML, the decoded body for ``text/plain``.

    None when there is no text (an empty page, a page of navigation only)."""
    if content_type.split(";")[0].strip().lower() == "text/plain":
        text: str | None = content.decode("utf-8", errors="replace")
    else:
        text = trafilatura.extract(content, url=url, include_comments=False,
                                   favor_precision=True, include_tables=True,
                                   include_images=False, include_links=False,
                                   with_metadata=False, deduplicate=False, output_format="txt")
    text = (text or "").strip()
    return text or None
