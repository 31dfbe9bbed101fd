"""Alembic environment: runs on the connection :mod:`slant.store` passes in
``config.attributes["connection"]``, or on ``-x url=...`` / ``$SLANT_DATABASE_URL``
when Alembic's own command line is used."""

from __future__ import annotations

from alembic import context

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # alembic CLI
    from slant.store import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
