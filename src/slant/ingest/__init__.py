"""Ingestion: strings, files, stdin, directories and corpora -> Documents.

``iter_documents(source)`` accepts:

* ``-``: standard input (bytes, decoded like a file; an HTML page, sniffed by its first
  tag as browsers do, is extracted like an ``.html`` file);
* a ``.txt`` (or any other text) file;
* an ``.html`` / ``.htm`` file: main text extracted with trafilatura;
* a ``.csv``, ``.jsonl`` / ``.ndjson`` or ``.parquet`` corpus with a text column;
* a directory: every file above inside it, recursively, in sorted order; hidden files
  (names starting with ``.``), the paths given in ``exclude`` (a run's own output) and the
  outputs of earlier ``slant batch`` and ``slant analyze -f json`` runs
  (:func:`is_slant_output`) are left out.

An empty path (``""``) is refused (E106); it is not the current directory.

It yields a :class:`~slant.document.Document` per article and a :class:`Failure`
per article that could not be read, so that one bad document never stops a batch.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputError
from .corpus import read_csv, read_jsonl, read_parquet
from .files import decode_bytes, path_text, read_text_file
from .html import extract_html, looks_like_html

__all__ = [
    "Failure", "iter_documents", "read_document", "estimate_count", "input_path", "output_relation",
    "check_output_against_input", "path_text",
    "CORPUS_SUFFIXES", "TEXT_SUFFIXES",
]

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


def input_path(source: str | Path) -> Path:
    """``source`` as a Path, refusing the empty string (``Path("")`` would be the current directory).

    Raises:
        InputError: ``source`` is empty (E106).
    """
    if isinstance(source, str) and source == "":
        raise InputError("[E106] '': empty path")
    return Path(source)


def _html_document(html: str, source: str, meta: dict[str, Any]) -> Document:
    """The article of an HTML page; ``meta`` gains title/author/... and ``text`` (what offsets index)."""
    text, extracted = extract_html(html, source)
    meta.update(extracted)
    meta["text"] = text
    return Document(text, meta)


def read_document(path: str | Path) -> Document:
    """Read one article file (text or HTML), or ``-`` for stdin.

    A ``.html``/``.htm`` file, or stdin that starts like an HTML page (:func:`looks_like_html`),
    is reduced to its main text (:func:`slant.ingest.html.extract_html`); ``meta["text"]``
    then holds that text, which every offset indexes.

    Raises:
        InputError: the path is empty or missing (E106); the file is empty, binary,
            undecodable, or has no article text (E101-E105).
    """
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        text = decode_bytes(data, "<stdin>")
        if looks_like_html(text):
            return _html_document(text, "<stdin>", {"source": "-"})
        return Document(text, {"source": "-"})
    path = input_path(path)
    name = path_text(path)  # the path as meta and messages carry it (undecodable bytes as \xNN)
    try:
        path.stat()
    except OSError as exc:  # missing, a symbolic link to nothing or in a loop, a folder we may not enter
        why = "no such file or directory" if isinstance(exc, FileNotFoundError) else f"cannot read: {exc.strerror or exc}"
        raise InputError(f"[E106] {name}: {why}{_link_target(path)}") from None
    if path.is_dir():
        raise InputError(f"[E106] {name}: is a directory; use iter_documents for many files")
    text = read_text_file(path)
    meta: dict[str, Any] = {"source": name}
    if path.suffix.lower() in HTML_SUFFIXES:
        return _html_document(text, name, meta)
    return Document(text, meta)


def _link_target(path: Path) -> str:
    """`` (a symbolic link to TARGET)`` when ``path`` is a symbolic link (one whose target is
    missing, for E106), else ``""``."""
    try:
        return f" (a symbolic link to {path_text(os.readlink(path))})" if path.is_symlink() else ""
    except OSError:
        return ""


def _iter_file(path: Path, columns: dict[str, Any]) -> Iterator[Document | Failure]:
    suffix = path.suffix.lower()
    readers = {".csv": read_csv, ".jsonl": read_jsonl, ".ndjson": read_jsonl, ".parquet": read_parquet}
    try:
        if suffix in readers:
            rows = 0
            for rows, item in enumerate(readers[suffix](path, **columns), 1):
                yield item
            if not rows:  # as an empty .txt is E101, not silently nothing
                raise InputError(f"[E101] {path}: corpus file holds no rows")
        else:
            yield read_document(path)
    except InputError as exc:
        name = path_text(path)
        yield Failure(name, exc, meta={"source": name, "id": name})


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare it as written
        return path.absolute()


def _is_within(path: Path, roots: list[Path]) -> bool:
    """Whether ``path`` (resolved) is one of ``roots`` (resolved) or inside one."""
    return any(path == root or path.is_relative_to(root) for root in roots)


#: the fields every row of a ``slant batch`` output has (JSONL keys, Parquet columns)
_OUTPUT_FIELDS = frozenset({"id", "source", "sha256", "error", "analysis"})
#: the fields every Analysis has (``slant analyze -f json`` writes one per line)
_ANALYSIS_FIELDS = frozenset({"schema_version", "id", "text_length"})


def _is_output_row(fields: Iterable[str]) -> bool:
    keys = set(fields)
    return "text" not in keys and (_OUTPUT_FIELDS <= keys or _ANALYSIS_FIELDS <= keys)


def is_slant_output(path: Path) -> bool:
    """Whether a ``.jsonl``/``.ndjson`` file or ``.parquet`` file is (part of) slant's own
    output: its first row (JSONL) or its schema (Parquet) has the fields of a ``slant
    batch`` row (``id``, ``source``, ``sha256``, ``error``, ``analysis``) or of an Analysis
    (``schema_version``, ``id``, ``text_length``; ``slant analyze -f json``), and no
    ``text`` field (slant's output never has one, a corpus does); or an ``.html``/``.htm``
    report of ``slant analyze -f html`` (its ``<meta name="generator" content="slant
    report">``), or a text view of ``slant analyze -o view.txt`` (its last line is
    :data:`slant.render.terminal.FOOTER`). Unreadable files are not."""
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:  # a text view: its footer, the last line
            from ..render.terminal import FOOTER_RE

            with open(path, "rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 512))
                lines = f.read().decode("utf-8", errors="replace").rstrip().splitlines()
            return bool(lines) and FOOTER_RE.match(lines[-1].strip()) is not None
        if suffix in HTML_SUFFIXES:  # `slant analyze -f html`: the report's generator tag, in its head
            from ..render.html import GENERATOR

            with open(path, "rb") as f:
                return f'<meta name="generator" content="{GENERATOR}">'.encode() in f.read(4096)
        if suffix in (".jsonl", ".ndjson"):
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        return isinstance(row, dict) and _is_output_row(row)
            return False
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return _is_output_row(pq.read_schema(path).names)
    except Exception:  # not JSON, not Parquet, unreadable: read it as input and report it there
        return False
    return False


#: names (any case, without the suffix) of a folder's own documentation, never an article
DOC_FILE_STEMS = frozenset({"README", "LICENSE", "LICENCE", "CHANGELOG", "CONTRIBUTING", "NOTICE", "AUTHORS", "COPYING"})


def is_doc_file(path: Path) -> bool:
    """Whether ``path`` is a folder's documentation (``README.md``, ``LICENSE``, ``CHANGELOG.txt``;
    :data:`DOC_FILE_STEMS` with a text suffix): a folder run leaves it out (a README among
    articles was analysed as one, and scored "unreliable")."""
    return path.suffix.lower() in TEXT_SUFFIXES and path.stem.upper() in DOC_FILE_STEMS


def _scan_dir(path: Path, exclude: Iterable[str | Path] = ()) -> tuple[list[Path], list[Path]]:
    """One walk of the directory ``path`` over the entries whose name ingest reads (a suffix of
    :data:`TEXT_SUFFIXES`, :data:`HTML_SUFFIXES` or :data:`CORPUS_SUFFIXES`, not hidden, not in
    ``exclude``), sorted, as ``(files, others)``: ``files`` are regular files and symbolic links
    that lead nowhere (a missing target, a loop: reading one is an E106 failure of that document,
    never a silent gap); ``others`` are neither files nor folders (a FIFO, a socket, a device),
    never read (reading a FIFO would wait for a writer)."""
    wanted = TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES
    files: list[Path] = []
    others: list[Path] = []
    for p in path.rglob("*"):
        if p.name.startswith(".") or p.suffix.lower() not in wanted:
            continue
        if p.is_file() or (p.is_symlink() and not p.exists()):
            files.append(p)
        elif not p.is_dir():
            others.append(p)
    roots = [_resolved(Path(e)) for e in exclude]
    if roots:
        files = [p for p in files if not _is_within(_resolved(p), roots)]
        others = [p for p in others if not _is_within(_resolved(p), roots)]
    return sorted(files), sorted(others)


def _dir_files(path: Path, exclude: Iterable[str | Path] = (), *, with_outputs: bool = False) -> list[Path]:
    """The files of a directory that ingest reads, sorted (:func:`_scan_dir`: broken symbolic
    links included, to be reported); hidden ones, ``exclude`` and (unless ``with_outputs``)
    slant's earlier outputs (:func:`is_slant_output`) and the folder's documentation
    (:func:`is_doc_file`) left out."""
    files, _ = _scan_dir(path, exclude)
    if not with_outputs:
        files = [p for p in files if not is_slant_output(p) and not is_doc_file(p)]
    return files


def outputs_left_out(source: str | Path, exclude: Iterable[str | Path] = ()) -> list[tuple[Path, str]]:
    """The files of the directory ``source`` that :func:`iter_documents` leaves out, with why, for
    a note to the user: slant's earlier outputs (:func:`is_slant_output`; a Parquet dataset
    folder once for all its parts), the folder's documentation (:func:`is_doc_file`) and entries
    that are not regular files (a FIFO, a socket, a device; :func:`_scan_dir`); [] when
    ``source`` is not a directory."""
    path = Path(source)
    if str(source) in ("", "-") or not path.is_dir():
        return []
    found: list[tuple[Path, str]] = []
    files, others = _scan_dir(path, exclude)
    for p in others:
        found.append((p, "it is not a regular file (a FIFO, socket or device)"))
    for p in files:
        if is_doc_file(p):
            found.append((p, "it is the folder's documentation, not an article"))
        elif is_slant_output(p):
            # a part of a Parquet dataset folder: name the folder once
            p = p.parent if p.parent.suffix.lower() == ".parquet" and p.parent != path else p
            if all(p != q for q, _ in found):
                found.append((p, "it is the output of an earlier slant run"))
    return found


def output_relation(source: str | Path, output: str | Path) -> str | None:
    """How a run's output path lies relative to its input, so that the output is never read.

    Returns:
        ``"input"`` when ``output`` is ``source`` or holds it (a dataset directory around
        it): such a run must be refused; ``"inside"`` when ``output`` lies in the
        directory ``source`` (it is left out of the input, :func:`iter_documents`'s
        ``exclude``); None otherwise (``-`` for stdin included). Paths are compared
        resolved (symlinks, ``..``), whether or not ``output`` exists yet, and existing
        files by device and inode (a hard link to the input is the input).
    """
    if str(source) in ("", "-") or str(output) in ("", "-"):
        return None
    src, out = _resolved(Path(source)), _resolved(Path(output))
    if _is_within(src, [out]):
        return "input"
    try:  # the same file under another name (a hard link)
        if Path(source).is_file() and Path(output).is_file() and os.path.samefile(source, output):
            return "input"
    except OSError:
        pass
    if Path(source).is_dir() and out.is_relative_to(src):
        return "inside"
    return None


def check_output_against_input(source: str | Path, output: str | Path) -> bool:
    """Make sure a run never reads (or overwrites) its own input through its output.

    Returns:
        True when ``output`` lies inside the input directory ``source``: the run leaves it
        out of the input (:func:`iter_documents`'s ``exclude``; the file, or the dataset
        directory with its part files and hidden temporaries), and the caller may say so;
        False when they are unrelated (see :func:`output_relation`).
    Raises:
        InputError: ``output`` is ``source`` itself, holds it (an input file inside a
            Parquet dataset directory) or is a hard link to it (E133).
    """
    relation = output_relation(source, output)
    if relation == "input":
        raise InputError(
            f"[E133] {output}: the output is the input {source} (or holds it); the run would read or "
            "overwrite it; choose an output outside the input"
        )
    return relation == "inside"


def iter_documents(
    source: str | Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    exclude: Iterable[str | Path] = (),
) -> Iterator[Document | Failure]:
    """Every article in ``source``, streamed.

    Args:
        source: ``-``, a file or a directory (see module docstring).
        text_column: corpus column with the article text.
        id_column: corpus column with the row id (default ``id`` when present, else the row number).
        title_column: corpus column with the title (default ``title`` when present).
        exclude: files or directories never read when ``source`` is a directory (a file equal
            to one, or anywhere under one, is left out), e.g. the run's own output (see
            :func:`output_relation`).
    Yields:
        Documents, and Failures for inputs that could not be read.
    Raises:
        InputError: ``source`` is empty or does not exist, or a directory holds no readable
            file (E106).
    """
    columns = {"text_column": text_column, "id_column": id_column, "title_column": title_column}
    if str(source) == "-":
        yield read_document("-")
        return
    path = input_path(source)
    if not path.exists():
        raise InputError(f"[E106] {path_text(path)}: no such file or directory{_link_target(path)}")
    if path.is_dir():
        files = _dir_files(path, exclude)
        if not files:
            kinds = ", ".join(sorted(s for s in TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES if s))
            raise InputError(f"[E106] {path_text(path)}: directory holds no file to analyse ({kinds})")
        for file in files:
            yield from _iter_file(file, columns)
    else:
        yield from _iter_file(path, columns)


def estimate_count(source: str | Path, exclude: Iterable[str | Path] = ()) -> int | None:
    """How many documents ``source`` holds, cheaply (for progress bars' ETA); None when unknown.

    Counts files in a directory (a corpus file inside counts as its rows; ``exclude`` as in
    :func:`iter_documents`), data rows of a CSV (parsed with the csv module, so quoted
    newlines are respected), non-empty lines of a JSONL file, and the row count in a Parquet
    footer; a file that cannot be counted, or a corpus file without rows, counts 1 (the
    reader reports it as a failure row). Never raises; None for ``-`` and for an empty or missing path.
    """
    path = Path(source)
    try:
        if str(source) in ("", "-") or not path.exists():
            return None
        files = _dir_files(path, exclude) if path.is_dir() else [path]
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
                    rows = max(0, sum(1 for _ in csv.reader(f)) - 1)
            elif suffix in (".jsonl", ".ndjson"):
                with open(file, "rb") as f:
                    rows = sum(1 for line in f if line.strip())
            elif suffix == ".parquet":
                import pyarrow.parquet as pq

                rows = pq.ParquetFile(file).metadata.num_rows
            else:
                rows = 1
        except Exception:  # an estimate must never stop a run
            rows = 1
        total += max(rows, 1)  # a corpus file with no rows is one failure row (E101)
    return total
