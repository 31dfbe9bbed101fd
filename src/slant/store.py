"""Stored analyses: an SQLite file by default, PostgreSQL by URL, migrated with Alembic.

An analysis is stored under its content hash (``Analysis.id``, sha256 of the
original text) together with that text, so storing the same article twice keeps
one row. Besides the JSON of the Analysis, three index tables hold what the
search filters on, one row per (analysis, key), so a search is one SQL query
(``EXISTS`` on an indexed column), never a scan of the stored JSON:

    analyses              id (sha256 hex, PK), text, analysis_json, title, source, url, created_at, ...
    analysis_techniques   (analysis_id, technique_key) -> technique, count
    analysis_speakers     (analysis_id, name_key)      -> name   (speaker names and their aliases)
    analysis_entities     (analysis_id, name_key, label) -> name, mentions

``analyses.n_techniques`` is the number of technique *uses*
(:func:`slant.schema.technique_uses`: a whole-sentence span and the phrase it is named
after are one use), as ``slant batch`` writes it and as the ``analysis_techniques`` counts
of the same analysis sum to. Rows written before this (by a build that stored
``len(analysis.techniques)``, the spans) keep that value: the column's type is unchanged,
so there is no migration; storing the text again with ``replace`` (the API's
``"force": true``) rewrites it. Rows of slant 0.1.0 already agree: its index counted every
span too, and none of its spans is a ``"sentence"`` span named after a phrase.

Text is refused with a NUL character (E102, as ``slant analyze`` refuses a file holding
one) on every backend, since PostgreSQL text cannot hold it; NULs are dropped from the
``title``, ``source`` and ``url`` columns (the stored JSON keeps the metadata as it was).

Where the database lives: the ``database_url`` argument, else ``$SLANT_DATABASE_URL``,
else the SQLite file ``~/.slant/slant.db`` (:data:`DEFAULT_SQLITE_PATH`).
``postgresql://`` URLs are read as ``postgresql+psycopg://`` (psycopg 3).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from .errors import InputError
from .schema import Analysis, technique_uses

logger = logging.getLogger(__name__)

#: where the default SQLite store lives (created on first use)
DEFAULT_SQLITE_PATH = Path("~/.slant/slant.db")
#: environment variable naming the database URL
DATABASE_URL_ENV = "SLANT_DATABASE_URL"
#: most rows one search returns
MAX_SEARCH_LIMIT = 100
#: largest ``offset`` a search takes (SQLite and PostgreSQL take 64-bit integers; no store
#: holds a billion analyses, so a bigger offset is a mistake, not a page)
MAX_SEARCH_OFFSET = 1_000_000_000
#: the databases the store (and its migrations) supports, as said in messages
SUPPORTED_DATABASES = "SQLite (sqlite:///path.db) and PostgreSQL (postgresql://user:pw@host/db)"
#: pip package of a database driver module SQLAlchemy imports (for "not installed" messages)
DRIVER_PACKAGES = {
    "MySQLdb": "mysqlclient", "pymysql": "PyMySQL", "psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary",
    "pg8000": "pg8000", "asyncpg": "asyncpg", "oracledb": "oracledb", "pyodbc": "pyodbc", "pymssql": "pymssql",
}

metadata = sa.MetaData()

analyses = sa.Table(
    "analyses",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("schema_version", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("text_length", sa.Integer, nullable=False),
    sa.Column("n_techniques", sa.Integer, nullable=False),
    sa.Column("propaganda_score", sa.Float),
    sa.Column("credibility_score", sa.Float),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("analysis_json", sa.Text, nullable=False),
)
analysis_techniques = sa.Table(
    "analysis_techniques",
    metadata,
    sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("technique_key", sa.String(200), primary_key=True),
    sa.Column("technique", sa.String(200), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)
analysis_speakers = sa.Table(
    "analysis_speakers",
    metadata,
    sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name_key", sa.String(300), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
)
analysis_entities = sa.Table(
    "analysis_entities",
    metadata,
    sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name_key", sa.String(300), primary_key=True),
    sa.Column("label", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("mentions", sa.Integer, nullable=False),
)
sa.Index("ix_analyses_created_at", analyses.c.created_at)
sa.Index("ix_analysis_techniques_key", analysis_techniques.c.technique_key)
sa.Index("ix_analysis_speakers_key", analysis_speakers.c.name_key)
sa.Index("ix_analysis_entities_key", analysis_entities.c.name_key)


def resolve_database_url(database_url: str | None = None) -> str:
    """The database URL to use: the argument, ``$SLANT_DATABASE_URL``, or ``~/.slant/slant.db``.

    A bare filesystem path is read as an SQLite file; ``postgresql://`` and
    ``postgres://`` become ``postgresql+psycopg://``.
    """
    url = database_url or os.environ.get(DATABASE_URL_ENV) or ""
    if not url:
        path = DEFAULT_SQLITE_PATH.expanduser()
        return f"sqlite:///{path}"
    if "://" not in url:  # a path
        return f"sqlite:///{Path(url).expanduser()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redact(url: str) -> str:
    """``url`` with its password hidden (for logs and ``slant db stats``)."""
    return make_url(url).render_as_string(hide_password=True)


def _parse_url(text: str):
    """``make_url(text)``, or E120 naming what is wrong with it."""
    try:
        url = make_url(text)
    except sa.exc.ArgumentError:
        shown = re.sub(r"(//[^/@]*?):[^/@]*@", r"\1:***@", text)  # hide a password, as redact() does
        raise InputError(f"[E120] database URL {shown!r}: not a database URL; "
                         f"the store supports {SUPPORTED_DATABASES}") from None
    return url


def _create_engine(url: Any, **kwargs: Any) -> Engine:
    """``sa.create_engine``, with an unknown database or a missing driver as one E120 line."""
    shown = url.render_as_string(hide_password=True)
    try:
        return sa.create_engine(url, **kwargs)
    except sa.exc.NoSuchModuleError:
        raise InputError(f"[E120] database URL {shown}: unknown database {url.drivername!r}; "
                         f"the store supports {SUPPORTED_DATABASES}") from None
    except ImportError as exc:
        module = exc.name or str(exc)
        package = DRIVER_PACKAGES.get(module.split(".")[0], module)
        if url.get_backend_name() in ("sqlite", "postgresql"):
            hint = f"; pip install {package!r}"
            if module != "psycopg":
                hint += ", or use postgresql://user:pw@host/db (psycopg, installed with slant)"
        else:
            hint = f", and the store supports only {SUPPORTED_DATABASES}"
        raise InputError(f"[E120] database URL {shown}: its driver package {package} (module {module}) "
                         f"is not installed{hint}") from None


def make_engine(database_url: str | None = None) -> Engine:
    """An SQLAlchemy engine for the store; creates the SQLite file's folder if needed.

    SQLite files use WAL journaling and a 30 s busy timeout so that the server's
    worker threads can write concurrently; foreign keys are switched on. Nothing is
    connected yet (see :meth:`Store.upgrade`).

    Raises:
        InputError: the URL cannot be parsed, names a database SQLAlchemy does not
            know, or its driver is not installed (E120; the message says which package,
            and that SQLite and PostgreSQL are supported).
    """
    url = _parse_url(resolve_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        db = url.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = _create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            if db and db != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return _create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: sa.Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("slant") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this slant."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class StoredAnalysis:
    """One stored analysis: the Analysis, the original text it indexes, and when it was stored."""

    analysis: Analysis
    text: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SearchPage:
    """One page of search results: ``items`` are summaries (dicts), ``total`` counts all matches."""

    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]] = field(default_factory=list)


def check_no_nul(value: str | None, source: str) -> None:
    """Refuse a NUL character in text meant for the store, as ``slant analyze`` refuses a
    file holding one (E102): SQLite would keep it, PostgreSQL cannot.

    Args:
        value: the text (None and "" pass).
        source: what it is, for the message (``text``, ``q``, a URL...).
    Raises:
        InputError: ``[E102] {source}: looks like a binary file (contains NUL bytes, the first
            at character N), not text``.
    """
    if value and "\x00" in value:
        raise InputError(f"[E102] {source}: looks like a binary file (contains NUL bytes, the first at character "
                         f"{value.index(chr(0)):,}), not text")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()[:300]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _speaker_names(analysis: Analysis) -> dict[str, str]:
    """name_key -> display name for every quoted speaker and the aliases of its entity."""
    entities = {e.id: e for e in analysis.entities}
    names: dict[str, str] = {}
    ids = set()
    for q in analysis.quotations:
        if q.speaker is None:
            continue
        if q.speaker.name:
            names.setdefault(_key(q.speaker.name), q.speaker.name)
        if q.speaker.entity_id:
            ids.add(q.speaker.entity_id)
    ids.update(v.id for v in analysis.voices if v.id != "outlet")
    for entity_id in ids:
        entity = entities.get(entity_id)
        if entity is None:
            continue
        for name in [entity.name, *entity.aliases]:
            names.setdefault(_key(name), name)
    for v in analysis.voices:
        if v.id != "outlet" and v.name:
            names.setdefault(_key(v.name), v.name)
    names.pop("", None)
    return names


def _index_rows(analysis: Analysis) -> tuple[list[dict], list[dict], list[dict]]:
    counts: dict[str, tuple[str, int]] = {}
    for t in technique_uses(analysis.techniques):
        key = _key(t.technique)
        name, n = counts.get(key, (t.technique, 0))
        counts[key] = (name, n + 1)
    techniques = [
        {"analysis_id": analysis.id, "technique_key": k, "technique": name, "count": n}
        for k, (name, n) in counts.items()
    ]
    speakers = [{"analysis_id": analysis.id, "name_key": k, "name": v} for k, v in _speaker_names(analysis).items()]
    entity_rows: dict[tuple[str, str], dict] = {}
    for e in analysis.entities:
        for name in [e.name, *e.aliases]:
            key = (_key(name), e.label)
            if not key[0]:
                continue
            row = entity_rows.setdefault(
                key, {"analysis_id": analysis.id, "name_key": key[0], "label": e.label, "name": name, "mentions": 0}
            )
            if name == e.name:
                row["mentions"] += len(e.mentions)
    return techniques, speakers, list(entity_rows.values())


def _summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "source": row.source,
        "url": row.url,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "text_length": row.text_length,
        "n_techniques": row.n_techniques,
        "propaganda_score": row.propaganda_score,
        "credibility_score": row.credibility_score,
        "techniques": {},
        "speakers": [],
    }


class Store:
    """Analyses persisted by content hash in SQLite or PostgreSQL.

    Args:
        database_url: SQLAlchemy URL (``sqlite:///path.db``,
            ``postgresql+psycopg://user:pw@host/db``), a bare file path, or None for
            ``$SLANT_DATABASE_URL`` / ``~/.slant/slant.db``.

    Thread-safe: each call checks a connection out of the engine's pool.
    Call :meth:`upgrade` once (``slant db init``) before the first use; the server does.

    Raises:
        InputError: the URL is unusable: unparseable, an unknown database or a driver
            that is not installed (E120, see :func:`make_engine`).
    """

    def __init__(self, database_url: str | None = None) -> None:
        self.url = resolve_database_url(database_url)
        self.engine = make_engine(self.url)

    # ---- schema -------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> str | None:
        """Apply the Alembic migrations up to ``revision``; returns the revision now current."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
        return self.current_revision()

    def current_revision(self) -> str | None:
        """The Alembic revision the database is at (None: never migrated)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # ---- read / write -------------------------------------------------------------
    def get(self, analysis_id: str) -> StoredAnalysis | None:
        """The stored analysis with this id (sha256 hex), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(analyses).where(analyses.c.id == analysis_id)).first()
        if row is None:
            return None
        return StoredAnalysis(
            analysis=Analysis.model_validate_json(row.analysis_json),
            text=row.text,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def put(self, analysis: Analysis, text: str, *, replace: bool = False) -> bool:
        """Store ``analysis`` of ``text``; keep the stored one if the id exists, unless ``replace``.

        Safe under concurrency: two writers of the same id leave one row (the loser's
        insert hits the primary key and is dropped, or replaces it when ``replace``).

        Returns:
            True when a row was written (new, or replaced), False when one existed.
        Raises:
            ValueError: ``analysis.text_length`` does not match ``text``.
            InputError: ``text`` holds a NUL character (E102; see :func:`check_no_nul`).
        """
        if analysis.text_length != len(text):
            raise ValueError(f"analysis {analysis.id} has text_length {analysis.text_length}, text has {len(text)}")
        meta = analysis.meta or {}
        check_no_nul(text, str(meta.get("source") or "text"))
        now = datetime.now(timezone.utc)
        row = {
            "id": analysis.id,
            "schema_version": analysis.schema_version,
            "created_at": now,
            "updated_at": now,
            "title": _str_or_none(meta.get("title")),
            "source": _str_or_none(meta.get("source")),
            "url": _str_or_none(meta.get("url")),
            "text_length": analysis.text_length,
            "n_techniques": len(technique_uses(analysis.techniques)),  # uses, as slant batch counts them
            "propaganda_score": analysis.propaganda.score if analysis.propaganda else None,
            "credibility_score": analysis.credibility.score if analysis.credibility else None,
            "text": text,
            "analysis_json": analysis.model_dump_json(),
        }
        techniques, speakers, entities = _index_rows(analysis)
        try:
            with self.engine.begin() as conn:
                exists = conn.execute(sa.select(analyses.c.id).where(analyses.c.id == analysis.id)).first()
                if exists and not replace:
                    return False
                if exists:
                    for table in (analysis_techniques, analysis_speakers, analysis_entities):
                        conn.execute(table.delete().where(table.c.analysis_id == analysis.id))
                    update = {k: v for k, v in row.items() if k not in ("id", "created_at")}
                    conn.execute(analyses.update().where(analyses.c.id == analysis.id).values(**update))
                else:
                    conn.execute(analyses.insert().values(**row))
                for table, rows in (
                    (analysis_techniques, techniques),
                    (analysis_speakers, speakers),
                    (analysis_entities, entities),
                ):
                    if rows:
                        conn.execute(table.insert(), rows)
        except IntegrityError:
            # a concurrent writer stored the same id first
            if replace:
                return self.put(analysis, text, replace=True)
            logger.debug("analysis %s stored concurrently by another writer", analysis.id)
            return False
        return True

    def delete(self, analysis_id: str) -> bool:
        """Remove one analysis and its index rows; True if it existed."""
        with self.engine.begin() as conn:
            for table in (analysis_techniques, analysis_speakers, analysis_entities):
                conn.execute(table.delete().where(table.c.analysis_id == analysis_id))
            return conn.execute(analyses.delete().where(analyses.c.id == analysis_id)).rowcount > 0

    # ---- search -------------------------------------------------------------------
    def search(
        self,
        *,
        technique: str | None = None,
        speaker: str | None = None,
        entity: str | None = None,
        q: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Stored analyses matching every given filter, newest first.

        Args:
            technique: a technique label (case-insensitive exact match, e.g. ``Loaded_Language``).
            speaker: part of a quoted speaker's name or alias (case-insensitive substring).
            entity: part of an entity's name or alias (case-insensitive substring).
            q: words in the article text or title (case-insensitive substring).
            limit: page size, 1..:data:`MAX_SEARCH_LIMIT`.
            offset: rows to skip, 0..:data:`MAX_SEARCH_OFFSET`.
        Returns:
            :class:`SearchPage` of summaries (id, title, source, url, created_at,
            text_length, n_techniques, propaganda_score, credibility_score, techniques
            {label: count}, speakers [names and aliases]).
        Raises:
            ValueError: limit or offset out of range.
            InputError: a filter holds a NUL character (E102; see :func:`check_no_nul`).
        """
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ValueError(f"limit must be in 1..{MAX_SEARCH_LIMIT}, got {limit}")
        if not 0 <= offset <= MAX_SEARCH_OFFSET:
            raise ValueError(f"offset must be in 0..{MAX_SEARCH_OFFSET}, got {offset}")
        for name, value in (("technique", technique), ("speaker", speaker), ("entity", entity), ("q", q)):
            check_no_nul(value, name)
        conds = []
        if technique:
            t = analysis_techniques
            conds.append(sa.exists().where(t.c.analysis_id == analyses.c.id, t.c.technique_key == _key(technique)))
        if speaker and _key(speaker):
            s = analysis_speakers
            pattern = f"%{_like_escape(_key(speaker))}%"
            conds.append(sa.exists().where(s.c.analysis_id == analyses.c.id, s.c.name_key.like(pattern, escape="\\")))
        if entity and _key(entity):
            e = analysis_entities
            pattern = f"%{_like_escape(_key(entity))}%"
            conds.append(sa.exists().where(e.c.analysis_id == analyses.c.id, e.c.name_key.like(pattern, escape="\\")))
        if q and q.strip():
            pattern = f"%{_like_escape(q.strip())}%"
            conds.append(
                sa.or_(analyses.c.text.ilike(pattern, escape="\\"), analyses.c.title.ilike(pattern, escape="\\"))
            )
        cols = [
            analyses.c.id, analyses.c.title, analyses.c.source, analyses.c.url, analyses.c.created_at,
            analyses.c.text_length, analyses.c.n_techniques, analyses.c.propaganda_score,
            analyses.c.credibility_score,
        ]
        where = sa.and_(sa.true(), *conds)
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(analyses).where(where)).scalar_one()
            rows = conn.execute(
                sa.select(*cols).where(where).order_by(analyses.c.created_at.desc(), analyses.c.id)
                .limit(limit).offset(offset)
            ).all()
            items = [_summary(r) for r in rows]
            ids = [item["id"] for item in items]
            if ids:
                for aid, name, n in conn.execute(
                    sa.select(analysis_techniques.c.analysis_id, analysis_techniques.c.technique,
                              analysis_techniques.c.count).where(analysis_techniques.c.analysis_id.in_(ids))
                    .order_by(analysis_techniques.c.count.desc(), analysis_techniques.c.technique)
                ):
                    items[ids.index(aid)]["techniques"][name] = n
                for aid, name in conn.execute(
                    sa.select(analysis_speakers.c.analysis_id, analysis_speakers.c.name)
                    .where(analysis_speakers.c.analysis_id.in_(ids)).order_by(analysis_speakers.c.name)
                ):
                    items[ids.index(aid)]["speakers"].append(name)
        return SearchPage(total=total, limit=limit, offset=offset, items=items)

    def stats(self) -> dict[str, Any]:
        """Counts for ``slant db stats``: analyses, index rows, top techniques, revision."""
        with self.engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(analyses)).scalar_one()
            top = conn.execute(
                sa.select(analysis_techniques.c.technique, sa.func.sum(analysis_techniques.c.count).label("n"))
                .group_by(analysis_techniques.c.technique).order_by(sa.desc("n")).limit(20)
            ).all()
            counts = {
                name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for name, t in (
                    ("technique_rows", analysis_techniques),
                    ("speaker_rows", analysis_speakers),
                    ("entity_rows", analysis_entities),
                )
            }
            chars = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(analyses.c.text_length), 0))).scalar_one()
        return {
            "database_url": redact(self.url),
            "revision": self.current_revision(),
            "head": head_revision(),
            "analyses": n,
            "characters": int(chars),
            **counts,
            "techniques": {name: int(count) for name, count in top},
        }


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text.replace("\x00", "")  # PostgreSQL text cannot hold NUL; the JSON keeps it escaped
