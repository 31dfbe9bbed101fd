"""``slant db init|upgrade|stats``: the analysis store (see :mod:`slant.store`)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

db_app = typer.Typer(help="Create, migrate and inspect the analysis store.", no_args_is_help=True)

DatabaseUrl = Annotated[Optional[str], typer.Option(
    "--database-url", envvar="SLANT_DATABASE_URL",
    help="sqlite:///path.db or postgresql+psycopg://user:pw@host/db (default ~/.slant/slant.db).",
)]


def _store(database_url: str | None):
    from ..cli import fail
    from ..store import Store

    try:
        return Store(database_url)
    except Exception as exc:
        raise fail(f"cannot open the store: {type(exc).__name__}: {exc}", 2)


def _migrate(database_url: str | None, revision: str) -> None:
    from ..cli import fail
    from ..store import redact

    store = _store(database_url)
    try:
        before = store.current_revision()
        after = store.upgrade(revision)
    except Exception as exc:
        raise fail(f"{redact(store.url)}: migration failed: {type(exc).__name__}: {exc}", 3)
    finally:
        store.close()
    typer.echo(f"{redact(store.url)}: revision {before or '(empty)'} -> {after}")


@db_app.command("init")
def init(database_url: DatabaseUrl = None) -> None:
    """Create the store (tables and indexes) at the newest revision; safe to repeat."""
    _migrate(database_url, "head")


@db_app.command("upgrade")
def upgrade(
    database_url: DatabaseUrl = None,
    revision: Annotated[str, typer.Option(help="Alembic revision to migrate to.")] = "head",
) -> None:
    """Apply the schema migrations up to REVISION (default: the newest)."""
    _migrate(database_url, revision)


@db_app.command("stats")
def stats(
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print how many analyses are stored, the index rows and the most frequent techniques."""
    from ..cli import fail
    from ..store import redact

    store = _store(database_url)
    try:
        if store.current_revision() is None:
            raise fail(f"{redact(store.url)}: not initialised; run `slant db init`", 3)
        data = store.stats()
    except typer.Exit:
        raise
    except Exception as exc:
        raise fail(f"{redact(store.url)}: {type(exc).__name__}: {exc}", 3)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(f"store      {data['database_url']}")
    typer.echo(f"revision   {data['revision']} (newest {data['head']})")
    typer.echo(f"analyses   {data['analyses']:,} ({data['characters']:,} characters)")
    typer.echo(f"index rows {data['technique_rows']:,} technique, {data['speaker_rows']:,} speaker, "
               f"{data['entity_rows']:,} entity")
    for name, count in data["techniques"].items():
        typer.echo(f"  {count:6d}  {name}")


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add the ``slant db`` group to the CLI."""
    app.add_typer(db_app, name="db")
