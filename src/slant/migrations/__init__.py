"""Alembic migrations of the analysis store (see :mod:`slant.store`).

Run them with ``slant db upgrade`` (or :meth:`slant.store.Store.upgrade`); add one
with ``alembic -x url=sqlite:///dev.db revision -m "why"`` after pointing
``script_location`` here.
"""
