"""Main text of an HTML page, extracted with trafilatura (nav, footer, comments dropped)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InputError

logger = logging.getLogger(__name__)

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


#: a whole page's structure: a fragment (pasted ``<p>``/``<article>`` markup) has none of these tags
_PAGE_TAG = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)


class _ToDebug(logging.Handler):
    """Passes trafilatura's records on to slant's log at DEBUG (``slant -v`` does not show them)."""

    def emit(self, record: logging.LogRecord) -> None:
        logger.debug("trafilatura (%s): %s", record.name, record.getMessage())


_quiet_lock = threading.Lock()
_quiet_users = 0  # extractions running now (threads of `slant serve`)
_quiet_handler = _ToDebug()
_saved_propagate = True


@contextmanager
def _quiet_trafilatura() -> Iterator[None]:
    """While trafilatura extracts, keep its log records off stderr (it logs ``ERROR`` for a page
    it cannot parse, e.g. ``empty HTML tree``): they go to slant's DEBUG log instead, and the
    user gets slant's one E105 line. Safe for several threads: the first to enter redirects
    the ``trafilatura`` logger, the last to leave restores it."""
    global _quiet_users, _saved_propagate
    log = logging.getLogger("trafilatura")
    with _quiet_lock:
        if _quiet_users == 0:
            _saved_propagate = log.propagate
            log.addHandler(_quiet_handler)
            log.propagate = False
        _quiet_users += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_users -= 1
            if _quiet_users == 0:
                log.removeHandler(_quiet_handler)
                log.propagate = _saved_propagate


def extract_html(html: str, source: str, *, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """Extract the article text and metadata from an HTML page.

    A fragment (markup without ``<html>``/``<head>``/``<body>``, as pasted or piped:
    ``<p>The rate fell.</p>``) that trafilatura cannot read as it is (it refuses a tree of one
    element without children) is read again inside ``<html><body>``: its text is the article.
    E105 stays for markup with no article text (an empty page, only boilerplate that
    trafilatura drops). trafilatura's own log records go to slant's DEBUG log
    (:func:`_quiet_trafilatura`), never to stderr: the user gets slant's one E105 line.

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

    def extract(page: str) -> str | None:
        return trafilatura.extract(
            page, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
        )

    fragment = False
    with _quiet_trafilatura():
        text = extract(html)
        if (not text or not text.strip()) and not _PAGE_TAG.search(html):
            fragment = True
            html = f"<html><body>{html}</body></html>"
            text = extract(html)
    if not text or not text.strip():
        raise InputError(f"[E105] {source}: no article text found in the HTML")
    # trafilatura puts each block (headline, paragraph, list item) on its own line; a blank
    # line between them makes each block end its sentence (slant.paragraphs), so a
    # headline is not read as the start of the first paragraph's sentence
    text = "\n\n".join(line for line in text.split("\n") if line.strip())
    meta: dict[str, Any] = {}
    with _quiet_trafilatura():
        # a fragment has no page metadata; the extensive search would take "in 2019" for its date
        md = trafilatura.extract_metadata(html, default_url=url, extensive=not fragment)
    if md is not None:
        for key in ("title", "author", "date", "url", "sitename"):
            value = getattr(md, key, None)
            if value:
                meta[key] = value
    if url:
        meta["url"] = url
    return text, meta
