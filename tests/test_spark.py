"""slant.spark.analyze in Spark local mode on a few real articles: one session per test run."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys

import pytest

from slant.document import text_id
from slant.options import Options
from slant.schema import Analysis

pytestmark = pytest.mark.spark

IN_CI = bool(os.environ.get("CI"))


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must run the Spark test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for the whole test run (start-up takes several seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _skip_or_fail("needs pyspark: pip install 'slant[spark]'")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        _skip_or_fail("needs Java 17+ for Spark (no java on PATH, no JAVA_HOME)")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("slant-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def articles(shared_data) -> list[dict[str, str]]:
    """Six real BuzzFeed-Webis articles, plus one row with no text."""
    csv.field_size_limit(sys.maxsize)
    rows = []
    with open(shared_data / "news" / "buzzfeed_webis_2016.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["text"].strip() and len(row["text"]) < 5000:
                rows.append({"id": row["id"], "text": row["text"], "publisher": row["publisher"]})
            if len(rows) == 6:
                break
    rows.append({"id": "no-text", "text": None, "publisher": "none"})
    return rows


@pytest.fixture(scope="module")
def analysed(spark, articles):
    """The articles analysed once (cached), shared by the tests below."""
    from slant.spark import analyze

    df = spark.createDataFrame(articles, "id string, text string, publisher string").repartition(2)
    out = analyze(df, text_col="text", id_col="id", options=Options(stages=("sentences", "entities", "attribution")))
    return out.cache()


def test_spark_analyze_adds_a_struct_per_the_contract(analysed, articles):
    from slant.spark import ERROR_COL, analysis_schema

    assert analysed.schema["analysis"].dataType == analysis_schema()
    assert analysed.columns == ["id", "text", "publisher", "analysis", ERROR_COL]
    rows = {r["id"]: r for r in analysed.collect()}
    assert set(rows) == {a["id"] for a in articles}
    assert rows["no-text"]["analysis"] is None and rows["no-text"][ERROR_COL].startswith("[E111]")
    for article in articles[:-1]:
        row = rows[article["id"]]
        assert row[ERROR_COL] is None
        data = row["analysis"].asDict(recursive=True)
        data["meta"] = json.loads(data["meta"])
        analysis = Analysis.model_validate(data)  # the struct round-trips to the contract
        text = article["text"]
        assert analysis.id == text_id(text)
        assert analysis.meta["id"] == article["id"] and analysis.text_length == len(text)
        assert analysis.sentences and analysis.entities
        for entity in analysis.entities:
            for m in entity.mentions:
                assert text[m.start : m.end] in entity.aliases


def test_spark_nested_spans_are_queryable_in_sql(analysed):
    from pyspark.sql import functions as F

    mentions = (
        analysed.select("id", F.explode("analysis.entities").alias("e"))
        .select("id", F.explode("e.mentions").alias("m"))
        .groupBy("id")
        .count()
        .collect()
    )
    assert len(mentions) == 6 and all(r["count"] > 0 for r in mentions)


def test_spark_missing_text_column_is_an_input_error(spark):
    from slant.errors import InputError
    from slant.spark import analyze

    df = spark.createDataFrame([("1", "x")], "id string, body string")
    with pytest.raises(InputError, match="E110"):
        analyze(df)


def test_spark_without_pyspark_names_the_extra(monkeypatch):
    from slant.errors import MissingExtraError
    from slant.spark import analysis_schema

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'slant\[spark\]'"):
        analysis_schema()
