"""The HTTP API and web page of ``slant serve`` (FastAPI).

Routes::

    GET  /                          the web page: paste text or a link, read the report, search
    POST /v1/analyze                {"text": ...} or {"url": ...}, optional "force", "title"
    GET  /v1/analyses               search: technique=, speaker=, entity=, q=, limit=, offset=
    GET  /v1/analyses/{id}          one stored analysis (+ its original text)
    GET  /v1/analyses/{id}/report   its HTML report (``?fragment=true``: the embeddable part)
    GET  /healthz                   liveness + database check
    GET  /docs, /openapi.json       OpenAPI (Swagger UI served locally from swagger-ui-bundle)

Refusals are JSON ``{"error": {"status", "code", "message"}}``: 413 request or text
too large, 422 invalid input (including a refused URL, a text or query holding a NUL
character, E102 as ``slant analyze`` says it, an unknown technique, an ``offset`` over
:data:`slant.store.MAX_SEARCH_OFFSET`), 429 too many analyses
running or queued, 504 analysis over its time limit, 502 the linked page could not
be fetched, 404 unknown id.

Concurrency: requests are handled in a thread pool of ``max_concurrent`` workers; a
semaphore of ``max_concurrent + max_queued`` permits admits requests (429 when none
is free) and is released when the worker finishes, even after a 504, so timed-out
work never piles up beyond the limit. The spaCy model loads once per process
(:func:`slant.nlp.get_nlp` is cached; the app warms it at start-up) and is shared, so
the analysis itself (parse and stages) runs one at a time under
:data:`slant.nlp.PIPELINE_LOCK`: spaCy's Vocab is not thread-safe for writes and each
analysis's memory zone evicts the strings of the whole Vocab when it ends. Workers
overlap only in store reads and writes. (A pipeline per worker thread was measured
instead: no faster on CPython, whose GIL the stages hold, and about 60 MB more each.)

URL safety: only http(s); the host is resolved and EVERY address must be global
(no private, loopback, link-local, multicast, reserved or cloud-metadata address)
unless ``allow_private_urls``; redirects are followed by hand (5 at most) and each
hop is checked again. Remaining gap: a DNS answer that changes between the check
and httpx's own lookup (rebinding) is not pinned.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .document import Document, text_id
from .errors import InputError, LimitError, ModelNotFoundError
from .options import SETTINGS_KEY, Options
from .schema import Analysis
from .store import MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET, Store, check_no_nul

logger = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 2_000_000
DEFAULT_ANALYSIS_TIMEOUT_S = 120.0
DEFAULT_MAX_CONCURRENT = 2
DEFAULT_MAX_QUEUED = 16
DEFAULT_FETCH_TIMEOUT_S = 15.0
DEFAULT_MAX_FETCH_BYTES = 5_000_000
MAX_REDIRECTS = 5
WARM_UP_TEXT = ("Officials in Paris said on Monday that the talks would go on. "
                "\u201cWe will never accept this shameful deal,\u201d said John Smith, a spokesman.")
#: cloud metadata endpoints, refused even though most are also non-global
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)


class ApiError(Exception):
    """An HTTP refusal with a JSON body ``{"error": {"status", "code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message, **extra}}, status, headers=headers)


class AnalyzeRequest(BaseModel):
    """Body of ``POST /v1/analyze``: exactly one of ``text`` and ``url``."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, description="the article text (UTF-8)")
    url: str | None = Field(default=None, max_length=2048, description="an http(s) link, fetched by the server")
    title: str | None = Field(default=None, max_length=1000, description="stored as meta.title")
    force: bool = Field(default=False, description="analyse again even if this text is stored")

    @model_validator(mode="after")
    def _one_source(self) -> "AnalyzeRequest":
        if (self.text is None) == (self.url is None):
            raise ValueError("give exactly one of 'text' and 'url'")
        if self.text is not None and not self.text.strip():
            raise ValueError("'text' is empty")
        return self


class AnalyzeResponse(BaseModel):
    id: str = Field(description="sha256 hex of the text; GET /v1/analyses/{id}")
    cached: bool = Field(description="true: the stored analysis of this text was returned")
    analysis: Analysis
    text: str = Field(description="the text analysed (what every span indexes)")
    report_url: str


class StoredResponse(BaseModel):
    id: str
    created_at: str
    updated_at: str
    analysis: Analysis
    text: str


class SearchResponse(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: str
    revision: str | None
    model_loaded: bool
    running: int


def refuse_nul(value: str | None, source: str, code: str = "invalid_input") -> None:
    """422 for a value holding a NUL character, before any backend sees it (PostgreSQL
    cannot store one, SQLite would): the E102 of :func:`slant.store.check_no_nul`.

    Raises:
        ApiError: 422 ``code`` with the E102 message naming ``source``.
    """
    try:
        check_no_nul(value, source)
    except InputError as exc:
        raise ApiError(422, code, str(exc)) from None


def _technique_key(name: str) -> str:
    """``Loaded_Language``, ``Loaded Language`` and ``name calling, labeling`` alike."""
    return " ".join(name.replace("_", " ").replace(",", ", ").split()).casefold()


def resolve_technique(name: str) -> str:
    """The technique label (``Loaded_Language``) a search names, by its label or by the
    display name the reports and the web page show (``Loaded Language``,
    ``Name Calling, Labeling``), case-insensitively.

    Returns:
        One of the 14 labels of :data:`slant.techniques.data.TECHNIQUES`.
    Raises:
        ApiError: 422 ``invalid_technique`` listing the labels, for any other name.
    """
    from .techniques.data import TECHNIQUES

    labels = {_technique_key(t): t for t in TECHNIQUES}
    label = labels.get(_technique_key(name))
    if label is None:
        raise ApiError(422, "invalid_technique",
                       f"unknown technique {name!r}; give one of: {'; '.join(TECHNIQUES)} "
                       "(or its name as reports show it, e.g. 'Loaded Language')")
    return label


def json_error_message(error: dict[str, Any], body: Any) -> str:
    """A user's message for FastAPI's ``json_invalid`` validation error.

    Args:
        error: the error (``loc`` ``("body", position)``, ``ctx.error`` the decoder's reason).
        body: the request body as FastAPI decoded it (``RequestValidationError.body``).
    Returns:
        e.g. ``request body is not valid JSON: Expecting value at line 1 column 10``
        (``at character N`` when the body is not at hand).
    """
    why = str((error.get("ctx") or {}).get("error") or "it cannot be parsed")
    why = why.removesuffix(" at")  # json's "Unterminated string starting at": the position follows
    loc = error.get("loc") or ()
    pos = loc[-1] if loc and isinstance(loc[-1], int) else None
    if pos is None:
        return f"request body is not valid JSON: {why}"
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", errors="replace")
    if isinstance(body, str) and 0 <= pos <= len(body):
        where = json.JSONDecodeError(why, body, pos)  # counts the line and column as json does
        return f"request body is not valid JSON: {why} at line {where.lineno} column {where.colno}"
    return f"request body is not valid JSON: {why} at character {pos + 1}"


def body_decode_error(body: bytes) -> str | None:
    """Why a JSON request body cannot be read as text, or None when it is UTF-8.

    FastAPI answers a body that is not UTF-8 with a bare 400 "There was an error parsing
    the body"; JSON text exchanged between systems must be UTF-8 (RFC 8259, section 8.1).
    Returns:
        e.g. ``request body is not UTF-8 (byte 0xe9 at position 12); send JSON as UTF-8``.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"request body is not UTF-8 (byte 0x{body[exc.start]:02x} at position {exc.start}); "
                "send JSON as UTF-8 (RFC 8259)")
    return None


# ---- request size ---------------------------------------------------------------------
class BodySizeLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` (by Content-Length, or counted
    while buffering chunked bodies) before any endpoint parses them."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = _error(413, "request_too_large", f"request body over the limit of {self.max_bytes:,} bytes")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _error(400, "bad_request", "invalid Content-Length")(scope, receive, send)
                return
            if declared > self.max_bytes:
                await too_big(scope, receive, send)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await too_big(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        payload = b"".join(chunks)
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# ---- URL fetching -----------------------------------------------------------------------
def _refused_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for name in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return f"a {name.replace('_', '-')} address"
    if not ip.is_global:
        return "not a global address"
    return None


async def check_public_host(host: str, port: int) -> list[str]:
    """Resolve ``host`` and refuse it unless every address is public.

    Returns:
        The resolved addresses.
    Raises:
        ApiError: 422 ``url_refused`` (a non-public address) or ``url_unresolvable``.
    """
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ApiError(422, "url_unresolvable", f"cannot resolve host {host!r}: {exc}") from None
    addresses = sorted({info[4][0] for info in infos})
    for addr in addresses:
        why = _refused_address(ipaddress.ip_address(addr.split("%")[0]))
        if why:
            raise ApiError(422, "url_refused", f"refusing to fetch {host!r}: it resolves to {addr}, {why}")
    if not addresses:
        raise ApiError(422, "url_unresolvable", f"cannot resolve host {host!r}")
    return addresses


def page_text(data: bytes, source: str, declared_charset: str | None = None) -> str:
    """The text of a fetched page, checked and decoded as ``slant analyze`` reads a file
    (:func:`slant.ingest.files.decode_bytes`): binary, empty and undecodable pages are refused.

    Args:
        data: the page's bytes.
        source: its URL, for messages.
        declared_charset: the charset of its Content-Type header; it wins over the detected
            encoding when the bytes decode in it.
    Returns:
        The text (str, without a byte-order mark).
    Raises:
        ApiError: 422 ``invalid_text`` with the message of E101 (empty), E102 (binary) or
            E104 (no encoding detected).
    """
    import codecs

    from .ingest.files import decode_bytes

    try:
        text = decode_bytes(data, source)
    except InputError as exc:
        raise ApiError(422, "invalid_text", str(exc)) from None
    if declared_charset:
        try:
            if codecs.lookup(declared_charset).name != "utf-8":  # UTF-8 (BOM or not): decode_bytes read it
                text = data.decode(declared_charset)
        except (LookupError, UnicodeDecodeError):  # an unknown or wrong label: keep the detected reading
            pass
    refuse_nul(text, source, "invalid_text")  # decode_bytes looks for NUL in the first 64 KiB only
    return text


async def fetch_article(
    url: str, *, allow_private: bool = False, timeout_s: float = DEFAULT_FETCH_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_FETCH_BYTES,
) -> tuple[str, dict[str, Any]]:
    """Fetch a web page and extract its article text with trafilatura.

    Returns:
        ``(text, meta)`` as :func:`slant.ingest.html.extract_html` gives them (plain-text
        pages are taken whole).
    Raises:
        ApiError: 422 bad or refused URL, no article text, or a page that is not text
            (binary, empty or undecodable: E102, E101, E104, as for a file; see
            :func:`page_text`); 413 page over ``max_bytes``; 502 the page could not be fetched.
    """
    import httpx

    from .ingest.html import extract_html

    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ApiError(422, "invalid_url", f"invalid URL {url!r}: {exc}") from None
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, trust_env=False,
                                 headers={"User-Agent": f"slant/{__version__}"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if current.scheme not in ("http", "https") or not current.host:
                raise ApiError(422, "invalid_url", f"only http(s) links with a host are fetched, not {str(current)!r}")
            if not allow_private:
                await check_public_host(current.host, current.port or (443 if current.scheme == "https" else 80))
            try:
                async with client.stream("GET", current) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        current = current.join(resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise ApiError(502, "fetch_failed", f"{current} answered HTTP {resp.status_code}")
                    body = bytearray()
                    async for chunk in resp.aiter_bytes():
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            raise ApiError(413, "page_too_large", f"{current} is over {max_bytes:,} bytes")
                    content_type = resp.headers.get("content-type", "").lower()
                    declared = resp.charset_encoding
            except httpx.HTTPError as exc:
                raise ApiError(502, "fetch_failed", f"could not fetch {current}: {type(exc).__name__}: {exc}") from None
            break
        else:
            raise ApiError(502, "fetch_failed", f"more than {MAX_REDIRECTS} redirects from {url}")
    page = await run_in_threadpool(page_text, bytes(body), str(current), declared)
    if content_type.startswith("text/plain"):
        return page, {"url": str(current)}
    try:
        return await run_in_threadpool(extract_html, page, str(current), url=str(current))
    except InputError as exc:
        raise ApiError(422, "no_text", str(exc)) from None


# ---- the analysis service -----------------------------------------------------------------
@dataclass
class _Job:
    text: str
    meta: dict[str, Any]
    force: bool
    abandoned: threading.Event = field(default_factory=threading.Event)
    #: requests waiting on this job (the one that submitted it and any identical text that joined)
    waiters: int = 1


class AnalysisService:
    """Runs analyses in a bounded thread pool and stores them.

    Args:
        store: where analyses are kept.
        options: analysis options.
        max_concurrent: requests worked on at once (pool threads); their analyses take
            :data:`slant.nlp.PIPELINE_LOCK` in turn, their store reads and writes overlap.
        max_queued: further requests allowed to wait for a thread; beyond that, 429.
        timeout_s: seconds one request waits (queue + analysis) before a 504.
    """

    def __init__(self, store: Store, *, options: Options, max_concurrent: int, max_queued: int, timeout_s: float) -> None:
        if max_concurrent < 1 or max_queued < 0 or timeout_s <= 0:
            raise ValueError("max_concurrent >= 1, max_queued >= 0 and timeout_s > 0 are required")
        self.store, self.options, self.timeout_s = store, options, timeout_s
        self.max_concurrent = max_concurrent
        self.executor = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="slant-analyze")
        self.permits = threading.BoundedSemaphore(max_concurrent + max_queued)
        self._lock = threading.Lock()
        self.in_flight = 0
        #: text id -> (job, future) of analyses queued or running, so that the same text
        #: posted again meanwhile waits for that analysis instead of running a second one
        self._pending: dict[str, tuple[_Job, Future]] = {}

    def _work(self, job: _Job) -> tuple[Analysis, bool]:
        if job.abandoned.is_set():  # its request already got a 504; do not spend a thread on it
            raise TimeoutError("abandoned")
        settings = self.options.fingerprint()
        stale = False
        if not job.force:
            stored = self.store.get(text_id(job.text))
            # reused only when made under this server's settings: a store shared by a server
            # with technique_encoder = true and one without returned the other's analyses
            if stored is not None and stored.analysis.meta.get(SETTINGS_KEY) == settings:
                return stored.analysis, True
            stale = stored is not None
        from .analysis import analyze
        from .nlp import PIPELINE_LOCK

        with PIPELINE_LOCK:  # one analysis at a time on the shared spaCy pipeline (see PIPELINE_LOCK)
            if job.abandoned.is_set():  # its request got a 504 while it waited for the pipeline
                raise TimeoutError("abandoned")
            analysis = analyze(Document(job.text, {**job.meta, SETTINGS_KEY: settings}), options=self.options)
        self.store.put(analysis, job.text, replace=job.force or stale)
        return analysis, False

    def _release(self, _future: Future) -> None:
        with self._lock:
            self.in_flight -= 1
        self.permits.release()

    async def analyze(self, text: str, meta: dict[str, Any], *, force: bool) -> tuple[Analysis, bool]:
        """Analyse and store ``text`` (or return its stored analysis); ``(analysis, cached)``.

        Raises:
            ApiError: 429 no permit free; 504 over ``timeout_s``; 422/413 bad or too long text.
        """
        key = text_id(text)
        with self._lock:
            pending = None if force else self._pending.get(key)
            if pending is not None and pending[0].abandoned.is_set():  # given up on: will not run
                pending = None
            if pending is not None:
                pending[0].waiters += 1
        if pending is not None:  # the same text is being analysed: share that analysis
            job, future = pending
            analysis, _ = await self._wait(job, future)
            return analysis, True
        if not self.permits.acquire(blocking=False):
            raise ApiError(429, "too_many_analyses",
                           f"{self.in_flight} analyses running or queued (limit {self.max_concurrent} running); retry shortly",
                           headers={"Retry-After": "2"})
        with self._lock:
            self.in_flight += 1
        job = _Job(text, meta, force)
        try:
            future = self.executor.submit(self._work, job)
        except RuntimeError:  # executor shut down
            self._release(None)  # type: ignore[arg-type]
            raise ApiError(503, "shutting_down", "the server is shutting down") from None
        future.add_done_callback(self._release)
        if not force:
            with self._lock:
                self._pending[key] = (job, future)
            future.add_done_callback(lambda f, key=key: self._forget(key, f))
        return await self._wait(job, future)

    def _forget(self, key: str, future: Future) -> None:
        with self._lock:
            if self._pending.get(key, (None, None))[1] is future:
                del self._pending[key]

    async def _wait(self, job: _Job, future: Future) -> tuple[Analysis, bool]:
        """Wait for ``future`` up to ``timeout_s``, mapping errors to :class:`ApiError`."""
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), self.timeout_s)
        except (asyncio.TimeoutError, TimeoutError):
            with self._lock:
                job.waiters -= 1
                if job.waiters <= 0:  # nobody waits any more: a job not started yet is skipped
                    job.abandoned.set()
            raise ApiError(504, "analysis_timeout",
                           f"the analysis took longer than {self.timeout_s:g} s; it is stored when it finishes, "
                           "so asking again later may return it") from None
        except LimitError as exc:
            raise ApiError(413, "text_too_long", str(exc)) from None
        except InputError as exc:
            raise ApiError(422, "invalid_text", str(exc)) from None
        except ModelNotFoundError as exc:
            raise ApiError(503, "model_missing", str(exc)) from None

    def warm_up(self) -> None:
        """Load the model and every stage's lazy resources with one small analysis, in one
        thread, before requests arrive (first-use loading is then never raced by workers).
        A failing stage is logged, not raised: requests will report it."""
        from .analysis import analyze
        from .nlp import PIPELINE_LOCK, get_nlp

        with PIPELINE_LOCK:  # another app in this process may be serving already
            get_nlp()
            try:
                analyze(WARM_UP_TEXT, options=self.options, meta={"source": "warm-up"})
            except Exception as exc:
                logger.warning("warm-up analysis failed: %s: %s", type(exc).__name__, exc)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _mount_docs(app: FastAPI) -> None:
    """``/docs`` with Swagger UI served from the ``swagger-ui-bundle`` package (works offline);
    FastAPI's CDN-hosted page when that package is absent."""
    from fastapi.openapi.docs import get_swagger_ui_html

    try:
        import swagger_ui_bundle
        from starlette.staticfiles import StaticFiles

        app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
        assets = {"swagger_js_url": "/static/swagger-ui/swagger-ui-bundle.js",
                  "swagger_css_url": "/static/swagger-ui/swagger-ui.css",
                  "swagger_favicon_url": "/static/swagger-ui/favicon-32x32.png"}
    except ImportError:  # pragma: no cover - swagger-ui-bundle is a dependency
        assets = {}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="slant API", **assets)


def create_app(
    database_url: str | None = None,
    *,
    allow_private_urls: bool = False,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    analysis_timeout_s: float = DEFAULT_ANALYSIS_TIMEOUT_S,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    max_queued: int = DEFAULT_MAX_QUEUED,
    options: Options | None = None,
    store: Store | None = None,
    preload_model: bool = True,
) -> FastAPI:
    """Make the slant API + web page application.

    Args:
        database_url: store URL (see :func:`slant.store.resolve_database_url`); the
            store is migrated to the newest revision at start-up.
        allow_private_urls: let ``{"url": ...}`` reach private/loopback/link-local hosts
            (for local testing only).
        max_request_bytes: largest request body; bigger ones get 413.
        analysis_timeout_s: seconds a request waits for its analysis (queue included); then 504.
        max_concurrent: requests worked on at once (the analyses themselves run one at a
            time on the shared spaCy pipeline; see the module docstring).
        max_queued: requests waiting for a free analysis thread; more get 429.
        options: analysis options (default: ``defaults.toml``).
        store: an open :class:`~slant.store.Store` to use instead of ``database_url``.
        preload_model: load the spaCy model at start-up rather than on the first request.
    Returns:
        The FastAPI app (run it with uvicorn, or ``slant serve``).
    """
    store = store or Store(database_url)
    service = AnalysisService(store, options=options or Options(), max_concurrent=max_concurrent,
                              max_queued=max_queued, timeout_s=analysis_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(store.upgrade)
        if preload_model:
            await run_in_threadpool(service.warm_up)
        yield
        service.close()

    app = FastAPI(
        title="slant",
        version=__version__,
        description="Read a news article and show, with checkable evidence, its claims, speakers, "
                    "persuasion techniques (by voice) and credibility. Every span is a half-open "
                    "[start, end) character offset into the text that was analysed.",
        lifespan=lifespan,
        docs_url=None,
    )
    _mount_docs(app)
    app.state.store, app.state.service = store, service
    app.add_middleware(BodySizeLimit, max_bytes=max_request_bytes)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        errors = exc.errors()
        if errors and errors[0].get("type") == "json_invalid":
            return _error(422, "invalid_input", json_error_message(errors[0], exc.body), details=details)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p != "body") or "request"
        return _error(422, "invalid_input", f"{where}: {first['msg']}", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and request.method == "POST":  # FastAPI's bare "error parsing the body"
            why = body_decode_error(await request.body())
            if why:
                return _error(422, "invalid_input", why)
        return _error(exc.status_code, "http_error", str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("internal error")
        return _error(500, "internal_error", f"[E900] internal error: {type(exc).__name__}")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        from .render.html import render_app_page

        html, csp = render_app_page()
        return HTMLResponse(html, headers={"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff"})

    @app.post("/v1/analyze", response_model=AnalyzeResponse,
              responses={413: {}, 422: {}, 429: {}, 502: {}, 504: {}})
    async def analyze_endpoint(body: AnalyzeRequest) -> AnalyzeResponse:
        """Analyse a text, or the article at a link; return the stored analysis when the text was seen before."""
        refuse_nul(body.title, "title")
        if body.text is not None:
            refuse_nul(body.text, "text", "invalid_text")
            text, meta = body.text, {"source": "api"}
        else:
            text, meta = await fetch_article(body.url or "", allow_private=allow_private_urls)
            meta = {"source": body.url, **meta}
            refuse_nul(text, str(meta.get("url") or body.url), "invalid_text")
        if body.title:
            meta["title"] = body.title
        analysis, cached = await service.analyze(text, meta, force=body.force)
        return AnalyzeResponse(id=analysis.id, cached=cached, analysis=analysis, text=text,
                               report_url=f"/v1/analyses/{analysis.id}/report")

    @app.get("/v1/analyses", response_model=SearchResponse)
    async def search(
        technique: str | None = Query(None, max_length=200,
                                      description="technique label or its display name, e.g. Loaded_Language "
                                                  "or Loaded Language"),
        speaker: str | None = Query(None, max_length=300, description="part of a quoted speaker's name"),
        entity: str | None = Query(None, max_length=300, description="part of an entity's name"),
        q: str | None = Query(None, max_length=500, description="words in the text or title"),
        limit: int = Query(20, ge=1, le=MAX_SEARCH_LIMIT),
        offset: int = Query(0, ge=0, le=MAX_SEARCH_OFFSET),
    ) -> SearchResponse:
        """Search stored analyses (all filters must match), newest first, paginated."""
        for name, value in (("technique", technique), ("speaker", speaker), ("entity", entity), ("q", q)):
            refuse_nul(value, name)
        technique = resolve_technique(technique) if technique and technique.strip() else None
        page = await run_in_threadpool(store.search, technique=technique, speaker=speaker, entity=entity, q=q,
                                       limit=limit, offset=offset)
        return SearchResponse(total=page.total, limit=page.limit, offset=page.offset, items=page.items)

    async def _stored(analysis_id: str):
        if len(analysis_id) != 64 or any(ch not in "0123456789abcdef" for ch in analysis_id):
            raise ApiError(422, "invalid_id", "an analysis id is 64 lowercase hex characters (sha256 of the text)")
        stored = await run_in_threadpool(store.get, analysis_id)
        if stored is None:
            raise ApiError(404, "not_found", f"no stored analysis {analysis_id}")
        return stored

    @app.get("/v1/analyses/{analysis_id}", response_model=StoredResponse, responses={404: {}})
    async def get_analysis(analysis_id: str) -> StoredResponse:
        """One stored analysis and the text it indexes."""
        s = await _stored(analysis_id)
        return StoredResponse(id=analysis_id, created_at=s.created_at.isoformat(), updated_at=s.updated_at.isoformat(),
                              analysis=s.analysis, text=s.text)

    @app.get("/v1/analyses/{analysis_id}/report", response_class=HTMLResponse, responses={404: {}})
    async def get_report(analysis_id: str, fragment: bool = False) -> HTMLResponse:
        """The HTML report of a stored analysis (``fragment=true``: only the embeddable report)."""
        from .render.html import render_html, render_report

        s = await _stored(analysis_id)
        html = render_report(s.analysis, s.text) if fragment else render_html(s.analysis, s.text)
        return HTMLResponse(html, headers={"X-Content-Type-Options": "nosniff"})

    @app.get("/healthz", response_model=HealthResponse)
    async def healthz() -> HealthResponse:
        """Liveness: the database answers and is migrated."""
        from .nlp import get_nlp

        try:
            revision = await run_in_threadpool(store.current_revision)
            database = "ok"
        except Exception as exc:  # report, do not crash the probe
            revision, database = None, f"error: {type(exc).__name__}"
        return HealthResponse(status="ok" if database == "ok" else "degraded", version=__version__,
                              database=database, revision=revision,
                              model_loaded=get_nlp.cache_info().currsize > 0, running=service.in_flight)

    return app


class ServerThread:
    """Run an app with uvicorn on a free loopback port in a background thread.

    For tests, the browser test and ``benchmarks/serve_load.py``::

        with ServerThread(create_app(url)) as base_url:
            httpx.get(f"{base_url}/healthz")

    Raises:
        RuntimeError: the server did not start within ``start_timeout_s``.
    """

    def __init__(self, app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, start_timeout_s: float = 60.0) -> None:
        import uvicorn

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.host, self.port, self.start_timeout_s = host, port, start_timeout_s
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="slant-uvicorn", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> str:
        import time

        self.thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                raise RuntimeError(f"uvicorn did not start on {self.base_url}")
            time.sleep(0.02)
        return self.base_url

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
