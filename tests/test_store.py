"""The analysis store on SQLite and on a real PostgreSQL server (SLANT_TEST_POSTGRES_URL)."""

from __future__ import annotations

import json
import os
import threading

import pytest
import sqlalchemy as sa

from slant.document import text_id
from slant.schema import (
    Analysis, EntityOut, MentionOut, QuotationOut, SpanOut, SpeakerOut, TechniqueOut, VoiceOut,
)
from slant.store import Store, head_revision, resolve_database_url

POSTGRES_ENV = "SLANT_TEST_POSTGRES_URL"


def _url_from_setup_script() -> str | None:
    """The URL .ci/setup-postgres.sh wrote to .ci/postgres.env, if it ran here."""
    from .conftest import ROOT

    env_file = ROOT / ".ci" / "postgres.env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            if line.startswith(f"export {POSTGRES_ENV}="):
                return line.split("=", 1)[1].strip()
    return None


def postgres_url_or_skip() -> str:
    """The test PostgreSQL URL; skip (outside CI) or fail (in CI) when there is no server."""
    url = os.environ.get(POSTGRES_ENV) or _url_from_setup_script()
    in_ci = bool(os.environ.get("CI"))
    if not url:
        if in_ci:
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: run .ci/setup-postgres.sh and export its URL")
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV} (bash .ci/setup-postgres.sh prints it)")
    try:
        engine = sa.create_engine(resolve_database_url(url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if in_ci:
            pytest.fail(f"PostgreSQL at {POSTGRES_ENV} does not answer: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} does not answer: {type(exc).__name__}")
    return url


def reset_postgres(url: str) -> None:
    """Drop slant's tables (and Alembic's) so each test starts from an empty database."""
    engine = sa.create_engine(resolve_database_url(url))
    with engine.begin() as conn:
        for table in ("analysis_entities", "analysis_speakers", "analysis_techniques", "analyses", "alembic_version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'slant.db'}"
    url = postgres_url_or_skip()
    reset_postgres(url)
    return url


@pytest.fixture
def store(database_url):
    s = Store(database_url)
    s.upgrade()
    yield s
    s.close()


def make_analysis(text: str, *, speaker: str | None = None, alias: str | None = None,
                  techniques: tuple[str, ...] = (), title: str | None = None) -> Analysis:
    """A small hand-built Analysis of ``text`` (a quoted speaker, techniques on the first word)."""
    entities, quotations, voices = [], [], []
    if speaker:
        i = text.index(speaker)
        entities.append(EntityOut(id="e1", label="PERSON", name=speaker, aliases=[alias] if alias else [],
                                  mentions=[MentionOut(start=i, end=i + len(speaker))]))
        quotations.append(QuotationOut(start=0, end=5, speaker=SpeakerOut(entity_id="e1", name=speaker)))
        voices = [VoiceOut(id="outlet", name="outlet", segments=[SpanOut(start=5, end=len(text))]),
                  VoiceOut(id="e1", name=speaker, segments=[SpanOut(start=0, end=5)])]
    return Analysis(
        id=text_id(text), meta={"source": "test", "title": title}, text_length=len(text),
        entities=entities, quotations=quotations, voices=voices,
        techniques=[TechniqueOut(start=0, end=3, technique=t, score=0.9, voice="outlet") for t in techniques],
    )


def test_store_migrates_empty_database_to_head(database_url):
    s = Store(database_url)
    assert s.current_revision() is None
    assert s.upgrade() == head_revision()
    assert s.upgrade() == head_revision()  # idempotent
    tables = set(sa.inspect(s.engine).get_table_names())
    assert {"analyses", "analysis_techniques", "analysis_speakers", "analysis_entities", "alembic_version"} <= tables
    indexes = {ix["name"] for ix in sa.inspect(s.engine).get_indexes("analysis_speakers")}
    assert "ix_analysis_speakers_key" in indexes
    s.close()


def test_store_put_get_roundtrip_by_content_hash(store):
    text = "Hello world, said Ann Smith in Paris. \u201cQuotes\u201d and \u00e9t\u00e9 survive."
    a = make_analysis(text, speaker="Ann Smith", techniques=("Loaded_Language",))
    assert store.put(a, text) is True
    got = store.get(a.id)
    assert got is not None and got.analysis == a and got.text == text
    assert store.get("0" * 64) is None


def test_store_same_text_twice_keeps_one_row_unless_replaced(store):
    text = "The same article, stored twice."
    first = make_analysis(text, techniques=("Doubt",))
    assert store.put(first, text) is True
    assert store.put(make_analysis(text, techniques=("Slogans",)), text) is False
    assert store.get(first.id).analysis.techniques[0].technique == "Doubt"
    assert store.put(make_analysis(text, techniques=("Slogans",)), text, replace=True) is True
    assert store.get(first.id).analysis.techniques[0].technique == "Slogans"
    assert store.stats()["analyses"] == 1
    assert store.search(technique="Doubt").total == 0  # index rows replaced too
    assert store.search(technique="Slogans").total == 1


def test_store_rejects_analysis_of_another_text(store):
    with pytest.raises(ValueError):
        store.put(make_analysis("abc"), "abcd")


TEXTS = {text_id(t): t for t in (
    "\u201cWe won\u201d said Abu Baker Almuhajer.", "\u201cFine\u201d said Ann Smith about 100% of it.",
    "Nothing quoted here at all.")}


def test_store_search_filters_are_sql_and_combine(store):
    docs = {
        "almuhajer": make_analysis("\u201cWe won\u201d said Abu Baker Almuhajer.", speaker="Abu Baker Almuhajer",
                                   alias="Almujaher", techniques=("Loaded_Language", "Loaded_Language", "Doubt")),
        "smith": make_analysis("\u201cFine\u201d said Ann Smith about 100% of it.", speaker="Ann Smith",
                               techniques=("Doubt",), title="Budget talks"),
        "plain": make_analysis("Nothing quoted here at all."),
    }
    for a in docs.values():
        store.put(a, TEXTS[a.id])
    ids = {k: a.id for k, a in docs.items()}

    def found(**kw):
        return {item["id"] for item in store.search(**kw).items}

    assert found(speaker="almuhajer") == {ids["almuhajer"]}
    (item,) = store.search(speaker="almuhajer").items
    assert item["techniques"] == {"Loaded_Language": 2, "Doubt": 1}
    assert item["speakers"] == ["Abu Baker Almuhajer", "Almujaher"]
    assert found(speaker="ALMUJAHER") == {ids["almuhajer"]}  # an alias of the speaker
    assert found(speaker="smith") == {ids["smith"]}
    assert found(technique="loaded_language") == {ids["almuhajer"]}
    assert found(technique="Doubt") == {ids["almuhajer"], ids["smith"]}
    assert found(technique="Doubt", speaker="ann") == {ids["smith"]}
    assert found(entity="baker") == {ids["almuhajer"]}
    assert found(q="nothing QUOTED") == {ids["plain"]}
    assert found(q="budget") == {ids["smith"]}  # the title
    assert found(q="100%") == {ids["smith"]} and found(q="%") == {ids["smith"]}  # LIKE wildcards are literal
    assert found(q="_") == set()
    assert found() == set(ids.values())
    assert store.stats()["techniques"] == {"Doubt": 2, "Loaded_Language": 2}


def test_store_search_paginates_newest_first(store):
    texts = [f"Article number {i}." for i in range(7)]
    for t in texts:
        store.put(make_analysis(t), t)
    pages = [store.search(limit=3, offset=o) for o in (0, 3, 6)]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [len(p.items) for p in pages] == [3, 3, 1]
    seen = [item["id"] for p in pages for item in p.items]
    assert len(set(seen)) == 7
    with pytest.raises(ValueError):
        store.search(limit=0)
    with pytest.raises(ValueError):
        store.search(offset=-1)


def test_store_offset_is_bounded(store):
    """An offset past 64 bits was an OverflowError (SQLite) or "bigint out of range" (PostgreSQL)."""
    from slant.store import MAX_SEARCH_OFFSET

    assert store.search(offset=MAX_SEARCH_OFFSET).total == 0
    for offset in (MAX_SEARCH_OFFSET + 1, 2**63):
        with pytest.raises(ValueError, match=f"0..{MAX_SEARCH_OFFSET}"):
            store.search(offset=offset)


def test_store_n_techniques_counts_uses_as_batch_does(store):
    """A whole-sentence span named after the phrase inside it is one use, not two: the stored
    n_techniques was len(analysis.techniques) (spans) while the techniques counts and `slant
    batch` counted uses."""
    from slant.batch import analysis_summary
    from slant.schema import technique_uses

    text = "They are corrupt traitors. Nothing else happened today."
    a = make_analysis(text).model_copy(update={"techniques": [
        TechniqueOut(start=0, end=26, technique="Name_Calling,Labeling", score=0.8, voice="outlet", kind="sentence"),
        TechniqueOut(start=9, end=25, technique="Name_Calling,Labeling", score=0.9, voice="outlet"),
        TechniqueOut(start=9, end=16, technique="Loaded_Language", score=0.7, voice="outlet"),
    ]})
    uses = technique_uses(a.techniques)
    assert len(a.techniques) == 3 and len(uses) == 2
    store.put(a, text)
    (item,) = store.search().items
    assert item["n_techniques"] == 2 == sum(item["techniques"].values())
    assert item["n_techniques"] == analysis_summary(a, uses)["n_techniques"]


def test_store_refuses_nul_on_every_backend(store):
    """PostgreSQL text cannot hold NUL (a DataError, a 500 in the API) while SQLite kept it: both
    refuse it now as E102, the code `slant analyze` gives a file holding NUL bytes."""
    from slant.errors import InputError

    text = "abc \x00 def is a corrupt traitor who lies."
    with pytest.raises(InputError, match=r"^\[E102\] test: .*NUL.* at character 4"):
        store.put(make_analysis(text), text)
    assert store.stats()["analyses"] == 0
    for name in ("q", "speaker", "entity", "technique"):
        with pytest.raises(InputError, match=rf"^\[E102\] {name}: "):
            store.search(**{name: "a\x00b"})
    clean = "A clean text with an odd title."
    a = make_analysis(clean, title="odd\x00 title")
    assert store.put(a, clean) is True
    assert store.search(q="odd title").items[0]["title"] == "odd title"  # the column drops NUL
    assert store.get(a.id).analysis.meta["title"] == "odd\x00 title"  # the JSON keeps it


def test_store_concurrent_writers_of_one_text_leave_one_row(store):
    text = "Eight writers race to store this one article."
    a = make_analysis(text, techniques=("Repetition",))
    results, errors = [], []
    barrier = threading.Barrier(8)

    def write():
        try:
            barrier.wait()
            results.append(store.put(a, text))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results.count(True) == 1 and len(results) == 8
    assert store.stats()["analyses"] == 1 and store.stats()["technique_rows"] == 1


def test_store_default_url_is_sqlite_in_home(monkeypatch):
    monkeypatch.delenv("SLANT_DATABASE_URL", raising=False)
    assert resolve_database_url().endswith("/.slant/slant.db") and resolve_database_url().startswith("sqlite:///")
    monkeypatch.setenv("SLANT_DATABASE_URL", "postgresql://u:p@h/db")
    assert resolve_database_url() == "postgresql+psycopg://u:p@h/db"
    assert resolve_database_url("./x.db").startswith("sqlite:///") and resolve_database_url("./x.db").endswith("x.db")


def test_store_db_commands_init_upgrade_stats(tmp_path):
    from typer.testing import CliRunner

    from slant.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["db", "stats", "--database-url", url])
    assert result.exit_code == 3  # not initialised yet
    result = runner.invoke(app, ["db", "init", "--database-url", url])
    assert result.exit_code == 0 and f"-> {head_revision()}" in result.output
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    text = "A stored article."
    s = Store(url)
    s.put(make_analysis(text, techniques=("Doubt", "Doubt")), text)
    s.close()
    result = runner.invoke(app, ["db", "stats", "--json"], env={"SLANT_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["analyses"] == 1 and stats["techniques"] == {"Doubt": 2} and stats["revision"] == head_revision()
