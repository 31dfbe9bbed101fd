"""``slant serve``: the HTTP API and web page (see :mod:`slant.server`)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``slant serve`` to the CLI."""

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for all).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
        database_url: Annotated[Optional[str], typer.Option(
            "--database-url", envvar="SLANT_DATABASE_URL",
            help="Store URL: sqlite:///path.db or postgresql+psycopg://user:pw@host/db (default ~/.slant/slant.db).",
        )] = None,
        allow_private_urls: Annotated[bool, typer.Option(
            help="Let {url} requests reach private, loopback and link-local hosts (local testing only).")] = False,
        max_concurrent: Annotated[int, typer.Option(min=1, help="Analyses running at once.")] = 2,
        max_queued: Annotated[int, typer.Option(min=0, help="Requests waiting for an analysis slot; more get 429.")] = 16,
        timeout: Annotated[float, typer.Option(min=0.1, help="Seconds a request waits for its analysis; then 504.")] = 120.0,
        max_request_bytes: Annotated[int, typer.Option(min=1024, help="Largest request body; bigger ones get 413.")] = 2_000_000,
        config: Annotated[Optional[str], typer.Option(help="TOML file overriding slant/defaults.toml.")] = None,
    ) -> None:
        """Serve the API (/v1/analyze, /v1/analyses, /docs) and the web page (/) with uvicorn."""
        import uvicorn

        from ..cli import fail
        from ..errors import SlantError
        from ..options import load_options
        from ..server import create_app
        from ..store import redact, resolve_database_url

        try:
            options = load_options(config)
            url = resolve_database_url(database_url)
            application = create_app(
                url, allow_private_urls=allow_private_urls, max_request_bytes=max_request_bytes,
                analysis_timeout_s=timeout, max_concurrent=max_concurrent, max_queued=max_queued, options=options,
            )
        except (SlantError, ValueError) as exc:
            raise fail(str(exc), 2)
        except Exception as exc:  # e.g. a database URL SQLAlchemy cannot read
            raise fail(f"cannot start: {type(exc).__name__}: {exc}", 3)
        typer.echo(f"slant serve: http://{host}:{port}/  (store: {redact(url)})", err=True)
        uvicorn.run(application, host=host, port=port, log_level="info")
