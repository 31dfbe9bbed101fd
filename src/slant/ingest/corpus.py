"""Corpus readers: CSV, JSON Lines and Parquet with a text column, one Document per row.

A bad row becomes a :class:`~slant.ingest.Failure` naming the file and row; the other
rows are still read.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputError
from .files import path_text

#: columns never copied into ``meta`` (large or internal)
_SKIP_META = frozenset({"extra"})


def _row_document(
    row: dict[str, Any], *, path: Path, rownum: int, text_column: str, id_column: str | None, title_column: str | None
):
    from . import Failure

    source = path_text(path)
    rid = row.get(id_column) if id_column else None
    rid = rid if rid not in (None, "") else str(rownum)
    where = f"{source} row {rownum} (id {rid})"
    # the row's other columns go into meta, failures included: batch keys and groups a
    # failure row by them (its publisher) like any other row
    meta: dict[str, Any] = {"source": source, "id": rid, "row": rownum}
    for key, value in row.items():
        if key in (text_column, id_column) or key in _SKIP_META or value in (None, ""):
            continue
        if isinstance(value, float) and value != value:  # NaN: an empty Parquet/CSV cell
            continue
        meta[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    text = row.get(text_column)
    if text is None or (isinstance(text, float) and text != text):
        return Failure(where, InputError(f"[E111] {where}: empty text in column {text_column!r}"), meta=meta)
    if not isinstance(text, str):
        return Failure(
            where, InputError(f"[E111] {where}: column {text_column!r} holds {type(text).__name__}, not text"), meta=meta
        )
    if not text.strip():
        return Failure(where, InputError(f"[E111] {where}: empty text in column {text_column!r}"), meta=meta)
    if title_column and row.get(title_column):
        meta["title"] = row[title_column]
    return Document(text, meta)


def _check_column(columns: list[str], text_column: str, path: Path, id_column: str | None = None,
                  title_column: str | None = None) -> None:
    """Raise E110 when the text column, or an id/title column the user named, is not in ``columns``."""
    for name, option in ((text_column, "--text-column"), (id_column, "--id-column"), (title_column, "--title-column")):
        if name is not None and name not in columns:
            raise InputError(
                f"[E110] {path_text(path)}: no column {name!r} (given with {option}); columns are: "
                f"{', '.join(columns) or '(none)'}; choose one with {option}"
            )


def _defaults(columns: list[str], id_column: str | None, title_column: str | None) -> tuple[str | None, str | None]:
    """The id and title columns when not named: ``id`` / ``title`` in any case (``Title``, ``ID``),
    when exactly one column is so named."""
    def named(name: str) -> str | None:
        found = [c for c in columns if str(c).strip().casefold() == name]
        return found[0] if len(found) == 1 else (name if name in columns else None)

    if id_column is None:
        id_column = named("id")
    if title_column is None:
        title_column = named("title")
    return id_column, title_column


class _Lines:
    """The lines of an open file, remembering whether the CSV reader ran past the last one.

    ``csv`` (non-strict) returns a row that the end of the file cut inside a quoted field as
    if it were complete; a reader that asked for a line after the last one while building a
    row is exactly that case.
    """

    def __init__(self, f: Any) -> None:
        self._f = f
        self.eof = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        try:
            return next(self._f)
        except StopIteration:
            self.eof = True
            raise


def read_csv(path: Path, *, text_column: str = "text", id_column: str | None = None, title_column: str | None = None) -> Iterator:
    """Rows of a CSV file (RFC 4180, header row, UTF-8) as Documents or Failures.

    Raises:
        InputError: unreadable file (E106) or no text column (E110).
    """
    name = path_text(path)
    csv.field_size_limit(sys.maxsize)
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"[E106] {name}: cannot read: {exc.strerror or exc}") from None
    with f:
        lines = _Lines(f)
        reader = csv.DictReader(lines)
        try:
            columns = list(reader.fieldnames or [])
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"[E107] {name}: not a readable CSV file: {exc}") from None
        _check_column(columns, text_column, path, id_column, title_column)
        id_column, title_column = _defaults(columns, id_column, title_column)
        rownum = 0
        while True:
            rownum += 1
            first_line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                from . import Failure

                yield Failure(f"{name} row {rownum}", InputError(f"[E107] {name} row {rownum}: unreadable CSV row: {exc}"))
                return
            if lines.eof:
                # The reader asked for more lines while inside a quoted field and met the end of
                # the file: an opening quote was never closed, and every later line was read into
                # this one field. Those rows are lost, so say so instead of analysing the mash.
                from . import Failure

                rid = row.get(id_column) if id_column else None
                yield Failure(
                    f"{name} row {rownum}",
                    InputError(
                        f"[E107] {name} row {rownum} (id {rid or rownum}, line {first_line}): a quoted field is never "
                        f"closed, so lines {first_line}-{reader.line_num} (the rest of the file) were read as one "
                        f"row; close the quote (a literal quote inside a quoted field is written \"\")"
                    ),
                    meta={"source": name, "id": rid or str(rownum)},
                )
                return
            yield _row_document(row, path=path, rownum=rownum, text_column=text_column, id_column=id_column, title_column=title_column)


def read_jsonl(path: Path, *, text_column: str = "text", id_column: str | None = None, title_column: str | None = None) -> Iterator:
    """Lines of a JSON Lines file (one object per line) as Documents or Failures.

    Raises:
        InputError: unreadable file (E106).
    """
    from . import Failure

    name = path_text(path)

    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"[E106] {name}: cannot read: {exc.strerror or exc}") from None
    with f:
        for rownum, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Failure(f"{name} line {rownum}", InputError(f"[E108] {name} line {rownum}: invalid JSON: {exc.msg}"))
                continue
            if not isinstance(row, dict):
                yield Failure(f"{name} line {rownum}", InputError(f"[E108] {name} line {rownum}: expected a JSON object"))
                continue
            if text_column not in row:
                yield Failure(
                    f"{name} line {rownum}",
                    InputError(f"[E110] {name} line {rownum}: no text field {text_column!r}; fields are: {', '.join(row)}"),
                )
                continue
            ic, tc = _defaults(list(row), id_column, title_column)
            yield _row_document(row, path=path, rownum=rownum, text_column=text_column, id_column=ic, title_column=tc)


def read_parquet(path: Path, *, text_column: str = "text", id_column: str | None = None, title_column: str | None = None) -> Iterator:
    """Rows of a Parquet file, streamed in record batches, as Documents or Failures.

    Raises:
        InputError: not a Parquet file (E109) or no text column (E110).
    """
    import pyarrow.parquet as pq

    name = path_text(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"[E109] {name}: not a readable Parquet file: {exc}") from None
    columns = pf.schema_arrow.names
    _check_column(columns, text_column, path, id_column, title_column)
    id_column, title_column = _defaults(columns, id_column, title_column)
    rownum = 0
    for batch in pf.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            rownum += 1
            yield _row_document(row, path=path, rownum=rownum, text_column=text_column, id_column=id_column, title_column=title_column)
