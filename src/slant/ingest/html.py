"""Main text of an HTML page, extracted with trafilatura (nav, footer, comments dropped)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError

#: the WHATWG MIME-sniffing patterns for text/html (mimesniff 7.1): after leading
#: whitespace, one of these tags (any case) followed by a space or ``>``, or a comment; plus
#: what pasted article markup starts with (an XHTML ``<?xml ...?>`` prolog before one of
#: them, ``<article>``, ``<section>``, ``<main>``, ``<header>``, ``<h2>``-``<h6>``, ``<span>``)
_HTML_START = re.compile(
    r"\A[\t\n\f\r ]*(?:<\?xml[^>]*\?>[\t\n\f\r ]*)?"
    r"(?:<!--|<(?:!doctype html|html|head|script|iframe|h[1-6]|div|font|table|a|style|title|b|body|br|p"
    r"|article|section|main|header|span)[ >\t\n\f\r])",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` (input with no file name, e.g. stdin) is an HTML page, sniffed the way
    browsers do (WHATWG mimesniff): it starts, after whitespace, with ``<!DOCTYPE html``,
    ``<html``, ``<head``, ``<body``, ``<p``, ``<div``... or an HTML comment; also after an
    XHTML ``<?xml ...?>`` prolog, and with ``<article``, ``<section``, ``<main``,
    ``<header``, ``<h2``-``<h6`` or ``<span`` (pasted article markup)."""
    return _HTML_START.match(text) is not None


def extract_html(html: str, source: str, *, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """Extract the article text and metadata from an HTML page.

    Returns:
        ``(text, meta)``: the text with one blank line between blocks (headline, paragraphs),
        ``meta`` holding ``title``, ``author``, ``date``, ``url`` when found.
    Raises:
        InputError: no article text could be extracted (E105).
        MissingExtraError: trafilatura or the HTML cleaner it needs (``lxml_html_clean``) is not
            installed (E303); an error of the installation, not of the page.
    """
    import importlib

    # trafilatura's jusText imports lxml_html_clean at extraction time; an old pip leaves it out
    for name in ("lxml_html_clean", "trafilatura"):
        try:
            importlib.import_module(name)
        except ImportError:
            from ..errors import MissingExtraError

            raise MissingExtraError(f"[E303] {source}: reading HTML needs the package {name}, which is not "
                                    f"installed: pip install {name} (an old pip skips it when installing slant)") from None
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
    )
    if not text or not text.strip():
        raise InputError(f"[E105] {source}: no article text found in the HTML")
    # trafilatura puts each block (headline, paragraph, list item) on its own line; a blank
    # line between them makes each block end its sentence (slant.paragraphs), so a
    # headline is not read as the start of the first paragraph's sentence
    text = "\n\n".join(line for line in text.split("\n") if line.strip())
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
