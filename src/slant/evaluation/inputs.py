"""Checked reading of the data given to ``slant evaluate`` and ``slant train``.

Every problem with a user's ``--data`` / ``--gold`` / ``--shared`` path is an
:class:`~slant.errors.InputError` whose message names that path, with the codes of
``slant analyze`` (README, "Errors and exit codes"):

* E106: the path does not exist, cannot be read, or is a file where a folder is
  expected (or the reverse); a file the data set needs is missing from its folder;
* E101 empty, E102 binary, E104 undecodable (as :func:`slant.ingest.files.decode_bytes`);
* E107: not a readable CSV, or a CSV row with a bad value; E108: a bad JSON Lines row;
* E110: a CSV (or JSON Lines row) without a column (field) the command needs.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError

def need_dir(path: Path, what: str) -> Path:
    """``path`` when it is an existing folder.

    Args:
        what: what the folder should be, for the message ("the folder of the news CSVs").
    Raises:
        InputError: missing, or not a folder (E106).
    """
    if not path.exists():
        raise InputError(f"[E106] {path}: no such file or directory")
    if not path.is_dir():
        raise InputError(f"[E106] {path}: not a directory; give {what}")
    return path


def need_file(path: Path, what: str) -> Path:
    """``path`` when it is an existing file (not a folder).

    Raises:
        InputError: missing, or a folder (E106).
    """
    if not path.exists():
        raise InputError(f"[E106] {path}: no such file or directory")
    if path.is_dir():
        raise InputError(f"[E106] {path}: is a directory; give {what}")
    return path


def need_files(folder: Path, names: Iterable[str], what: str) -> list[Path]:
    """The files ``names`` inside ``folder``, which must all exist.

    Raises:
        InputError: ``folder`` is missing or a file, or one of the files is missing or a folder (E106).
    """
    need_dir(folder, what)
    paths = [folder / name for name in names]
    for path in paths:
        if not path.exists():
            raise InputError(f"[E106] {path}: no such file or directory; {folder} should be {what} "
                             f"({', '.join(p.name for p in paths)})")
        need_file(path, "a file")
    return paths


def read_text(path: Path, what: str = "a file") -> str:
    """The text of file ``path``, decoded as ``slant analyze`` decodes an article.

    Raises:
        InputError: missing, a folder or unreadable (E106), empty (E101), binary (E102),
            undecodable (E104).
    """
    from ..ingest.files import read_text_file

    need_file(path, what)
    return read_text_file(path)


def read_csv(path: Path, columns: Iterable[str], what: str = "a CSV file") -> Any:
    """A CSV file as a pandas DataFrame of strings (``keep_default_na=False``).

    Args:
        columns: the columns the caller needs.
    Raises:
        InputError: see :func:`read_text`; not a CSV (E107); a needed column is missing
            (E110, listing the file's columns); no data row (E101).
    """
    import pandas as pd

    text = read_text(path, what)
    try:
        df = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    except pd.errors.EmptyDataError:
        raise InputError(f"[E101] {path}: file is empty (no header row)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"[E107] {path}: not a readable CSV file: {' '.join(str(exc).split())}") from None
    header = next(csv.reader(io.StringIO(text)), [])
    twice = sorted({c for c in columns if header.count(c) > 1})
    if twice:  # pandas would rename the second one "label.1" and read the first silently
        raise InputError(f"[E107] {path}: column {', '.join(repr(c) for c in twice)} appears more than once "
                         "in the header; which one holds the data is ambiguous")
    have = [str(c) for c in df.columns]
    missing = [c for c in columns if c not in have]
    if missing:
        raise InputError(f"[E110] {path}: no column {', '.join(repr(c) for c in missing)}; "
                         f"columns are: {', '.join(have) or '(none)'}")
    if df.empty:
        raise InputError(f"[E101] {path}: no data rows (only a header)")
    return df


def check_labels(df: Any, path: Path, column: str, allowed: Iterable[str] = ("0", "1")) -> None:
    """Every value of ``df[column]`` is one of ``allowed``, once written canonically (spaces
    around it dropped, ``1.0`` read as ``1``): ``df[column]`` is rewritten so.

    Raises:
        InputError: the first row with another value (E107; rows counted from 1 after the header).
    """
    allowed = tuple(allowed)

    def canonical(value: str) -> str:
        """``" 1"``, ``"1.0"`` (a float column written back by pandas or a spreadsheet) -> ``"1"``."""
        v = value.strip()
        if v in allowed:
            return v
        try:
            f = float(v)
        except ValueError:
            return value
        return str(int(f)) if f.is_integer() and str(int(f)) in allowed else value

    df[column] = df[column].map(canonical)
    bad = ~df[column].isin(allowed)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise InputError(f"[E107] {path} row {row + 1}: column {column} must hold "
                         f"{' or '.join(allowed)}, not {df[column].iat[row]!r}")


def read_jsonl(path: Path, fields: Iterable[str], what: str = "a JSON Lines file") -> list[tuple[int, dict]]:
    """The objects of a JSON Lines file (blank lines skipped), with their line numbers.

    Raises:
        InputError: see :func:`read_text`; a line that is not a JSON object (E108); an object
            without one of ``fields`` (E110); no object at all (E101).
    """
    text = read_text(path, what)
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"[E108] {path} line {lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(row, dict):
            raise InputError(f"[E108] {path} line {lineno}: not a JSON object")
        for name in fields:
            if name not in row:
                raise InputError(f"[E110] {path} line {lineno}: no field {name!r}; fields are: {', '.join(row)}")
        rows.append((lineno, row))
    if not rows:
        raise InputError(f"[E101] {path}: no JSON object in the file")
    return rows


def read_article(root: Path, ref: str, where: str, cache: dict[Path, dict[str, str]]) -> str:
    """The exact text of an annotated article: file ``root/path`` or row ``id`` of ``root/file.csv``
    for ``ref`` = ``path`` or ``file.csv#id`` (UTF-8 as stored, so its sha256 is the annotated one).

    Args:
        root: the data folder the user gave (or the default one).
        where: the annotation naming the article (``gold.jsonl line 3``), for the message.
        cache: rows of the CSVs read so far, by path.
    Raises:
        InputError: the file is missing or unreadable (E106), not UTF-8 (E104), a CSV
            without ``id``/``text`` columns (E110) or without that row (E107).
    """
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(f"[E108] {where}: field 'doc' must name an article, not {ref!r}")
    path, _, row_id = ref.partition("#")
    full = root / path
    if not full.is_file():
        why = "is a directory" if full.is_dir() else "no such file or directory"
        raise InputError(f"[E106] {full}: {why} (the article of {where}; is {root} the shared data folder?)")
    try:
        if not row_id:
            return full.read_bytes().decode("utf-8")
        if full not in cache:
            csv.field_size_limit(sys.maxsize)
            with full.open(encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                missing = [c for c in ("id", "text") if c not in (reader.fieldnames or [])]
                if missing:
                    raise InputError(f"[E110] {full}: no column {', '.join(repr(c) for c in missing)} "
                                     f"(needed by {where})")
                cache[full] = {r["id"]: r["text"] for r in reader}
    except OSError as exc:
        raise InputError(f"[E106] {full}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"[E104] {full}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"[E107] {full}: not a readable CSV file: {exc}") from None
    if row_id not in cache[full]:
        raise InputError(f"[E107] {full}: no row with id {row_id!r} (named by {where})")
    return cache[full][row_id]
