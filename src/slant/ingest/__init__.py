"""Ingestion: strings, files, stdin, directories and corpora -> Documents.

``iter_documents(source)`` accepts:

* ``-``: standard input (bytes, decoded like a file);
* a ``.txt`` (or any other text) file;
* an ``.html`` / ``.htm`` file: main text extracted with trafilatura;
* a ``.csv``, ``.jsonl`` / ``.ndjson`` or ``.parquet`` corpus with a text column;
* a directory: every file above inside it, recursively, in sorted order.

It yields a :class:`~slant.document.Document` per article and a :class:`Failure`
per article that could not be read, so that one bad document never stops a batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputError
from .corpus import read_csv, read_jsonl, read_parquet
from .files import decode_bytes, read_text_file
from .html import extract_html

__all__ = ["Failure", "iter_documents", "read_document", "estimate_count", "CORPUS_SUFFIXES", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ""})
HTML_SUFFIXES = frozenset({".html", ".htm"})
CORPUS_SUFFIXES = frozenset({".csv", ".jsonl", ".ndjson", ".parquet"})


@dataclass(frozen=True)
class Failure:
    """An input that could not be read as an article.

    Attributes:
        source: the file (and row) it came from.
        error: the InputError saying what was wrong.
        meta: ``source`` and ``id`` where known, to key failure rows in batch output.
    """

    source: str
    error: Exception
    meta: dict[str, Any] = field(default_factory=dict)


def read_document(path: str | Path) -> Document:
    """Read one article file (text or HTML), or ``-`` for stdin.

    Raises:
        InputError: the file is missing, empty, binary, undecodable, or has no article text.
    """
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        return Document(decode_bytes(data, "<stdin>"), {"source": "-"})
    path = Path(path)
    if not path.exists():
        raise InputError(f"[E106] {path}: no such file or directory")
    if path.is_dir():
        raise InputError(f"[E106] {path}: is a directory; use iter_documents for many files")
    text = read_text_file(path)
    meta: dict[str, Any] = {"source": str(path)}
    if path.suffix.lower() in HTML_SUFFIXES:
        text, extracted = extract_html(text, str(path))
        meta.update(extracted)
        meta["text"] = text  # the extracted text, which every offset indexes
    return Document(text, meta)


def _iter_file(path: Path, columns: dict[str, Any]) -> Iterator[Document | Failure]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            yield from read_csv(path, **columns)
        elif suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(path, **columns)
        elif suffix == ".parquet":
            yield from read_parquet(path, **columns)
        else:
            yield read_document(path)
    except InputError as exc:
        yield Failure(str(path), exc, meta={"source": str(path), "id": str(path)})


def _dir_files(path: Path) -> list[Path]:
    wanted = TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES
    return sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith(".")
    )


def iter_documents(
    source: str | Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
) -> Iterator[Document | Failure]:
    """Every article in ``source``, streamed.

    Args:
        source: ``-``, a file or a directory (see module docstring).
        text_column: corpus column with the article text.
        id_column: corpus column with the row id (default ``id`` when present, else the row number).
        title_column: corpus column with the title (default ``title`` when present).
    Yields:
        Documents, and Failures for inputs that could not be read.
    Raises:
        InputError: ``source`` does not exist, or a directory holds no readable file (E106).
    """
    columns = {"text_column": text_column, "id_column": id_column, "title_column": title_column}
    if str(source) == "-":
        yield read_document("-")
        return
    path = Path(source)
    if not path.exists():
        raise InputError(f"[E106] {path}: no such file or directory")
    if path.is_dir():
        files = _dir_files(path)
        if not files:
            kinds = ", ".join(sorted(s for s in TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES if s))
            raise InputError(f"[E106] {path}: directory holds no file to analyse ({kinds})")
        for file in files:
            yield from _iter_file(file, columns)
    else:
        yield from _iter_file(path, columns)


def estimate_count(source: str | Path) -> int | None:
    """How many documents ``source`` holds, cheaply (for progress bars' ETA); None when unknown.

    Counts files in a directory (a corpus file inside counts as its rows), data rows
    of a CSV (parsed with the csv module, so quoted newlines are respected), non-empty
    lines of a JSONL file, and the row count in a Parquet footer; a file that cannot
    be counted counts 1 (the reader reports it as a failure anyway). Never raises.
    """
    path = Path(source)
    try:
        if str(source) == "-" or not path.exists():
            return None
        files = _dir_files(path) if path.is_dir() else [path]
    except OSError:
        return None
    total = 0
    for file in files:
        suffix = file.suffix.lower()
        try:
            if suffix == ".csv":
                import csv

                csv.field_size_limit(sys.maxsize)
                with open(file, encoding="utf-8-sig", errors="replace", newline="") as f:
                    total += max(0, sum(1 for _ in csv.reader(f)) - 1)
            elif suffix in (".jsonl", ".ndjson"):
                with open(file, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            elif suffix == ".parquet":
                import pyarrow.parquet as pq

                total += pq.ParquetFile(file).metadata.num_rows
            else:
                total += 1
        except Exception:  # an estimate must never stop a run
            total += 1
    return total
