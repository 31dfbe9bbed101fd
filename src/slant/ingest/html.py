"""Main text of an HTML page, extracted with trafilatura (nav, footer, comments dropped)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError


def extract_html(html: str, source: str, *, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """Extract the article text and metadata from an HTML page.

    Returns:
        ``(text, meta)`` with ``meta`` holding ``title``, ``author``, ``date``, ``url`` when found.
    Raises:
        InputError: no article text could be extracted (E105).
    """
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
    )
    if not text or not text.strip():
        raise InputError(f"[E105] {source}: no article text found in the HTML")
    meta: dict[str, Any] = {}
    md = trafilatura.extract_metadata(html, default_url=url)
    if md is not None:
        for key in ("title", "author", "date", "url", "sitename"):
            value = getattr(md, key, None)
            if value:
                meta[key] = value
    if url:
        meta["url"] = url
    return text, meta
