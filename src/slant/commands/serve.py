"""``slant serve``: the HTTP API and web page (see :mod:`slant.server`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import nonempty_path


class StoreUnavailable(RuntimeError):
    """The store's database cannot be reached or migrated (E140)."""


def _store_error(exc: BaseException) -> str:
    """One line saying why the store cannot be opened: the driver's own words when
    SQLAlchemy wraps them (without its "Background on this error" link), else the error."""
    orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError: the driver's exception
    reason = str(orig) if orig is not None else str(exc)
    return " ".join(reason.split()) or type(exc).__name__


def open_store(database_url: Optional[str]):
    """Open the analysis store and migrate it to the newest revision, before serving.

    Args:
        database_url: ``--database-url`` (None: ``$SLANT_DATABASE_URL`` or ``~/.slant/slant.db``).
    Returns:
        the open :class:`slant.store.Store`.
    Raises:
        InputError: the URL is not one slant can use (E120, from :func:`slant.store.make_engine`).
        StoreUnavailable: the database cannot be reached or migrated (E140), e.g.
            ``[E140] postgresql+psycopg://u@127.0.0.1:1/db: cannot open the store: connection failed: ...``.
    """
    from ..store import Store, redact

    store = Store(database_url)
    try:
        store.upgrade()
    except Exception as exc:  # unreachable server, refused login, a newer schema...
        store.close()
        raise StoreUnavailable(f"[E140] {redact(store.url)}: cannot open the store: {_store_error(exc)}") from exc
    return store


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``slant serve`` to the CLI."""

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for all).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
        database_url: Annotated[Optional[str], typer.Option(
            "--database-url", envvar="SLANT_DATABASE_URL",
            help="Store URL: sqlite:///path.db or postgresql://user:pw@host/db (default ~/.slant/slant.db).",
        )] = None,
        allow_private_urls: Annotated[bool, typer.Option(
            help='Let {"url": ...} requests fetch from private, loopback and link-local hosts (local testing only).',
        )] = False,
        max_concurrent: Annotated[int, typer.Option(
            min=1, help="Requests handled at once (the analyses themselves run one at a time on the shared model).",
        )] = 2,
        max_queued: Annotated[int, typer.Option(min=0, help="Requests waiting for an analysis slot; more get 429.")] = 16,
        timeout: Annotated[float, typer.Option(min=0.1, help="Seconds a request waits for its analysis; then 504.")] = 120.0,
        max_request_bytes: Annotated[int, typer.Option(min=1024, help="Largest request body; bigger ones get 413.")] = 2_000_000,
        max_chars: Annotated[Optional[int], typer.Option(
            help="Longest text analysed, in characters (default 1,000,000); longer ones get 413. "
                 "The body must also fit --max-request-bytes.",
        )] = None,
        config: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="TOML file overriding slant/defaults.toml.")] = None,
    ) -> None:
        """Serve the API (/v1/analyze, /v1/analyses, /docs) and the web page (/) with uvicorn.

        The store is opened and migrated before the server starts: an unusable URL is
        E120 (exit 2), a database that cannot be reached or migrated E140 (exit 3).
        """
        import uvicorn

        from ..cli import fail
        from ..errors import SlantError
        from ..options import load_options
        from ..server import create_app
        from ..store import redact

        if database_url == "":  # click reads an empty SLANT_DATABASE_URL as unset, so this is the flag
            raise fail("--database-url is empty; give sqlite:///path.db, postgresql://..., or leave it out "
                       "for ~/.slant/slant.db", 2)
        try:
            options = load_options(config, max_chars=max_chars)
            store = open_store(database_url)
            application = create_app(
                store=store, allow_private_urls=allow_private_urls, max_request_bytes=max_request_bytes,
                analysis_timeout_s=timeout, max_concurrent=max_concurrent, max_queued=max_queued, options=options,
            )
        except StoreUnavailable as exc:
            raise fail(str(exc), 3)
        except (SlantError, ValueError) as exc:
            raise fail(str(exc), 2)
        except Exception as exc:  # anything else: still one line
            raise fail(f"cannot start: {type(exc).__name__}: {' '.join(str(exc).split())}", 3)
        typer.echo(f"slant serve: http://{host}:{port}/  (store: {redact(store.url)})", err=True)
        uvicorn.run(application, host=host, port=port, log_level="info")
