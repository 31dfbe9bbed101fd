"""Corpus runs: many documents -> one JSON Lines file or one Parquet dataset; multi-core, resumable.

:func:`run_batch` streams a corpus (:func:`slant.ingest.iter_documents`: a directory, CSV,
JSONL or Parquet), sends chunks of documents to worker processes that each load the
spaCy pipeline once, and appends every finished chunk to the output durably:

* **JSON Lines** (``OUT.jsonl``): each chunk's rows are appended, flushed and fsync'd.
  A run killed mid-write leaves at most one partial last line, which the next run
  cuts off before it appends.
* **Parquet** (``OUT.parquet``, a *dataset directory*): rows are committed as part files
  ``part-NNNNNN-<uuid>.parquet``, each written to a hidden ``.tmp`` file, fsync'd and
  renamed into place (atomic on POSIX), so a reader never sees half a file and a
  SIGKILL loses only rows not yet committed (at most ``commit_rows`` rows, by default
  256, or 30 s of work). pyarrow, pandas, DuckDB and Spark read the directory as one
  table and ignore the hidden temporary files.

One row per article (see :data:`SUMMARY_COLUMNS` and :func:`row_schema`): ``id`` (the
corpus row id, ``meta.id``, or the file path), ``source``, ``sha256`` (of the text; it is
``Analysis.id``), ``group`` (publisher / source dataset, when the corpus has one),
``error`` (null unless the document failed), flat summary columns, and ``analysis``:
the whole :class:`~slant.schema.Analysis` with its nested spans. In Parquet
``analysis`` is a struct column derived from the pydantic model (lists of structs for
spans, a map for ``voices.techniques``); only ``analysis.meta``, whose keys differ per
corpus, is a JSON string. A struct keeps the contract queryable column by column
(``analysis.techniques.technique``) without parsing JSON; the flat columns make the
common filters cheap.

Resume: rows are keyed by ``(id, sha256)``; a rerun skips every key already in OUT,
failure rows included (a document that failed once is not retried), unless it is run with
``retry_failed`` (``slant batch --retry-failed``), which first removes the failure rows
(:func:`drop_failures`) so that those documents are analysed again. The failure rows a rerun
skips still count: its exit code is that of a run with failures (1; 3 when OUT holds no
analysis) while OUT holds any (:attr:`BatchStats.earlier_failed`). Memory stays flat as the
corpus grows: at most ``2 x jobs`` chunks are in flight, and nothing but the set of done keys
is kept per document.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import time
import types
import typing
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .document import Document, text_id
from .errors import InputError, MissingExtraError, ModelNotFoundError, SlantError
from .options import SETTINGS_KEY, Options

logger = logging.getLogger(__name__)

Format = Literal["jsonl", "parquet"]

#: candidate corpus columns naming the publisher / source, tried in order per row
DEFAULT_GROUP_COLUMNS = ("publisher", "source_dataset", "site", "outlet", "domain")

#: flat per-article columns written next to ``analysis`` (name -> Python type)
SUMMARY_COLUMNS: dict[str, type] = {
    "n_sentences": int,
    "n_entities": int,
    "n_quotations": int,
    "n_techniques": int,
    "n_claims": int,
    "techniques_outlet": int,
    "techniques_quoted": int,
    "propaganda_score": float,
    "credibility_score": float,
    "credibility_label": str,
}

#: worker processes' "commit every" default for Parquet, in rows
DEFAULT_COMMIT_ROWS = 256
#: a Parquet part is also committed when this many seconds passed since the last one
COMMIT_SECONDS = 30.0


#: OUT's suffix -> the format it names
_SUFFIX_FORMATS: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def output_format(path: str | Path, fmt: str | None = None) -> Format:
    """The output format: ``fmt`` when given, else from OUT's suffix (``.jsonl``/``.ndjson``, ``.parquet``).

    ``fmt`` may name the format of an OUT with another suffix (``out.data``), but not
    contradict a suffix that names a format (``out.jsonl`` with ``parquet``).

    Raises:
        InputError (E130): an empty path or ``-`` (batch output is a file or a dataset
            directory, never stdout); an unknown ``fmt``; a ``fmt`` that contradicts OUT's
            suffix; or no ``fmt`` and any other suffix.
    """
    if str(path) in ("", "-"):
        raise InputError(f"[E130] {str(path)!r}: batch output must be a .jsonl file or a .parquet dataset "
                         "directory (it is read back to resume), not stdout or an empty path")
    suffix = Path(path).suffix.lower()
    if fmt is not None:
        if fmt not in ("jsonl", "parquet"):
            raise InputError(f"[E130] {path}: unknown output format {fmt!r}; use jsonl or parquet")
        named = _SUFFIX_FORMATS.get(suffix)
        if named is not None and named != fmt:
            raise InputError(
                f"[E130] {path}: --format {fmt} contradicts the suffix {Path(path).suffix}, which means {named}; "
                f"drop --format, or name the output {Path(path).with_suffix('.' + fmt).name}"
            )
        return fmt  # type: ignore[return-value]
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    raise InputError(f"[E130] {path}: output must end in .jsonl, .ndjson or .parquet (a Parquet dataset directory)")


# --------------------------------------------------------------------------- schema


def arrow_type(annotation: Any):
    """The Arrow type of a pydantic field annotation (used for Parquet and, via Arrow, Spark).

    ``BaseModel`` -> struct, ``list[X]`` -> list, ``dict[str, X]`` -> map (``dict[str, Any]``
    -> JSON string), ``Literal``/``str`` -> string, ``int`` -> int64, ``float`` -> float64,
    ``X | None`` -> nullable X. Every Arrow field is nullable.

    Raises:
        TypeError: an annotation with no Arrow equivalent.
    """
    import pyarrow as pa
    from pydantic import BaseModel

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"no Arrow type for union {annotation!r}")
        return arrow_type(rest[0])
    if origin is Literal:
        return pa.string()
    if origin is list:
        return pa.list_(arrow_type(args[0]))
    if origin is dict:
        if args and args[1] is not Any:
            return pa.map_(pa.string(), arrow_type(args[1]))
        return pa.string()  # free-form: JSON text
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([pa.field(n, arrow_type(f.annotation)) for n, f in annotation.model_fields.items()])
    simple = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_(), Any: pa.string()}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"no Arrow type for {annotation!r}")


def analysis_arrow_type():
    """Arrow struct type of :class:`~slant.schema.Analysis` (``meta`` as a JSON string)."""
    from .schema import Analysis

    return arrow_type(Analysis)


def row_schema():
    """Arrow schema of one batch output row: key columns, summary columns, ``analysis`` struct."""
    import pyarrow as pa

    fields = [pa.field(n, pa.string()) for n in ("id", "source", "sha256", "group", "error")]
    fields += [pa.field(n, arrow_type(t)) for n, t in SUMMARY_COLUMNS.items()]
    fields.append(pa.field("analysis", analysis_arrow_type()))
    return pa.schema(fields)


# --------------------------------------------------------------------------- rows


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SlantError):
        return str(exc).replace("\n", " ")
    return f"[E900] internal error: {type(exc).__name__}: {exc}".replace("\n", " ")


def _voice_kind(voice: str | None) -> str:
    if voice is None:
        return "unattributed"
    return "outlet" if voice == "outlet" else "quoted"


def analysis_summary(analysis, uses: list) -> dict[str, Any]:
    """The flat :data:`SUMMARY_COLUMNS` of one Analysis, whose technique uses
    (:func:`slant.schema.technique_uses`) are ``uses``."""
    kinds = Counter(_voice_kind(t.voice) for t in uses)
    return {
        "n_sentences": len(analysis.sentences),
        "n_entities": len(analysis.entities),
        "n_quotations": len(analysis.quotations),
        "n_techniques": len(uses),
        "n_claims": len(analysis.claims),
        "techniques_outlet": kinds["outlet"],
        "techniques_quoted": kinds["quoted"],
        "propaganda_score": analysis.propaganda.score if analysis.propaganda else None,
        "credibility_score": analysis.credibility.score if analysis.credibility else None,
        "credibility_label": analysis.credibility.label if analysis.credibility else None,
    }


def _key_row(doc_id: str, source: str, sha256: str, group: str | None, error: str | None) -> dict[str, Any]:
    return {"id": doc_id, "source": source, "sha256": sha256, "group": group, "error": error}


def failure_row(doc_id: str, source: str, sha256: str, group: str | None, error: str) -> dict[str, Any]:
    """A failure row: key columns and ``error``; summary columns and ``analysis`` null."""
    row = _key_row(doc_id, source, sha256, group, error)
    row.update(dict.fromkeys(SUMMARY_COLUMNS))
    row["analysis"] = None
    return row


def _jsonl_line(row: dict[str, Any], analysis_json: str | None = None) -> str:
    if analysis_json is None:
        return json.dumps(row, ensure_ascii=False) + "\n"
    head = json.dumps({k: v for k, v in row.items() if k != "analysis"}, ensure_ascii=False)
    return head[:-1] + ',"analysis":' + analysis_json + "}\n"


def _parquet_analysis(analysis) -> dict[str, Any]:
    data = analysis.model_dump(mode="json")
    data["meta"] = json.dumps(data["meta"], ensure_ascii=False)
    return data


@dataclass(frozen=True)
class RowInfo:
    """What the main process keeps of a written row, for the summary (small on purpose)."""

    id: str
    group: str | None
    error: str | None
    techniques: tuple[tuple[str, str], ...] = ()  # (technique, outlet|quoted|unattributed)
    credibility: float | None = None
    chars: int = 0


@dataclass
class ChunkResult:
    """A worker's answer for one chunk: the rows ready to write and what the summary needs."""

    payload: Any  # list[str] JSON lines, or a pyarrow.RecordBatch
    rows: list[RowInfo]
    pid: int
    rss: int  # bytes resident now
    peak_rss: int  # bytes, peak of this process so far
    cpu: float = 0.0  # CPU seconds (user + system) this process spent since its pipeline loaded


# --------------------------------------------------------------------------- workers

_WORKER: dict[str, Any] = {}


def _current_rss() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def _peak_rss() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _libc() -> Any:
    """glibc as a ``ctypes.CDLL`` on Linux, else None (macOS, or a libc without ``libc.so.6``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere: macOS, musl), called after every chunk.

    A chunk's large arrays (a long article's parse, feature matrices) are freed when it
    ends, but glibc keeps the freed heap: a worker's RSS then moves with the largest
    chunk it has seen, not with what it holds. Trimming returns the free pages to the OS.
    Measured on 1,600 articles (400 repeated, jobs 1, PTC + news, 2026-12-06): without it
    RSS swung between 696 and 840 MB from chunk to chunk after 1,000 documents; with it
    it stayed between 501 and 512 MB.
    """
    return getattr(_libc(), "malloc_trim", None)


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this worker when the main process dies (e.g. SIGKILL)."""
    libc = _libc()
    if libc is None:
        return
    try:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # best effort; without it orphans exit when their queue closes
        pass


def _init_worker(options: Options, fmt: Format, in_process: bool = False) -> None:
    """Load the pipeline once per worker process and keep it for every chunk."""
    if not in_process:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)  # one BLAS thread per worker; the workers are the parallelism
        except ImportError:
            pass
        os.environ.setdefault("SLANT_ENCODER_THREADS", "1")  # likewise for ONNX Runtime (techniques encoder)
    from .analysis import available_stages
    from .nlp import get_nlp

    try:
        _WORKER.update(nlp=get_nlp(), options=options, fmt=fmt, init_error=None, malloc_trim=_malloc_trim())
        available_stages(options.stages)  # import every stage module now, not on the first chunk
        if fmt == "parquet":
            _WORKER["schema"] = row_schema()
        _WORKER["cpu0"] = _cpu_seconds()
    except Exception as exc:
        if in_process:
            raise
        # a pool would only see a dead worker; keep the error and raise it with the first chunk
        _WORKER["init_error"] = exc


#: errors of the installation, not of a document: they stop the run (no failure row is
#: written, so a rerun after the fix analyses those documents)
_ENVIRONMENT_ERRORS = (ModelNotFoundError, MissingExtraError)


def _analyze_chunk(chunk: list[tuple[str, str, str | None, Document]]) -> ChunkResult:
    """Analyse one chunk of ``(id, sha256, group, Document)`` in a worker; never raises per document."""
    from .analysis import analyze_documents
    from .schema import technique_uses

    if _WORKER.get("init_error") is not None:
        raise _WORKER["init_error"]
    fmt = _WORKER["fmt"]
    settings = _WORKER["options"].fingerprint()
    for _, _, _, doc in chunk:  # every row records the settings it was made with (see recorded_settings)
        doc.meta[SETTINGS_KEY] = settings
    docs = (doc for _, _, _, doc in chunk)
    lines: list[str] = []
    records: list[dict[str, Any]] = []
    infos: list[RowInfo] = []
    results = analyze_documents(docs, options=_WORKER["options"], nlp=_WORKER["nlp"])
    for (doc_id, sha, group, doc), result in zip(chunk, results):
        source = doc.source
        if isinstance(result.error, _ENVIRONMENT_ERRORS):
            raise result.error  # not the document's fault: stop the run rather than mark it done
        if result.error is not None or result.analysis is None:
            message = _one_line(result.error or RuntimeError("no analysis"))
            row = failure_row(doc_id, source, sha, group, message)
            infos.append(RowInfo(doc_id, group, message, chars=len(doc.text)))
            if fmt == "jsonl":
                lines.append(_jsonl_line(row))
            else:
                records.append(row)
            continue
        analysis = result.analysis
        row = _key_row(doc_id, source, sha, group, None)
        uses = technique_uses(analysis.techniques)
        row.update(analysis_summary(analysis, uses))
        infos.append(
            RowInfo(
                doc_id, group, None, tuple((t.technique, _voice_kind(t.voice)) for t in uses),
                analysis.credibility.score if analysis.credibility else None, len(doc.text),
            )
        )
        if fmt == "jsonl":
            lines.append(_jsonl_line(row, analysis.model_dump_json()))
        else:
            row["analysis"] = _parquet_analysis(analysis)
            records.append(row)
    if fmt == "jsonl":
        payload: Any = lines
    else:
        import pyarrow as pa

        payload = pa.RecordBatch.from_pylist(records, schema=_WORKER["schema"])
    trim = _WORKER.get("malloc_trim")
    if trim is not None:
        trim(0)  # hand the chunk's freed heap back to the OS (see _malloc_trim)
    cpu = _cpu_seconds() - _WORKER.get("cpu0", 0.0)
    return ChunkResult(payload, infos, os.getpid(), _current_rss(), _peak_rss(), cpu)


# --------------------------------------------------------------------------- writers


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_JSONL_KEY = re.compile(r'^\{"id":\s*("(?:[^"\\]|\\.)*"),\s*"source":\s*(?:"(?:[^"\\]|\\.)*"|null),\s*"sha256":\s*"([0-9a-f]*)"')


class JsonlWriter:
    """Appends rows to a JSON Lines file; each :meth:`add` is flushed and fsync'd.

    On open, a partial last line (a run killed mid-write) is cut off.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _truncate_partial_line(path)
            self._f = open(path, "a", encoding="utf-8")
        except OSError as exc:  # a directory of that name, no permission, a full disk
            raise InputError(f"[E122] {path}: cannot write the output: {exc.strerror or exc}") from None

    def add(self, payload: list[str]) -> None:
        if not payload:
            return
        self._f.write("".join(payload))
        self._f.flush()
        os.fsync(self._f.fileno())

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        self.add([_jsonl_line(r) for r in rows])

    def commit(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()


def _truncate_partial_line(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return
        size = f.seek(0, os.SEEK_END)
        pos = size
        while pos > 0:  # find the last newline, reading backwards in blocks
            step = min(65536, pos)
            f.seek(pos - step)
            block = f.read(step)
            i = block.rfind(b"\n")
            if i >= 0:
                pos = pos - step + i + 1
                break
            pos -= step
        logger.warning("%s: cut off a partial last line (%d bytes) left by an interrupted run", path, size - pos)
        f.truncate(pos)
        f.flush()
        os.fsync(f.fileno())


class ParquetDatasetWriter:
    """Commits rows as atomically renamed part files of a Parquet dataset directory.

    Rows are buffered until ``commit_rows`` rows or :data:`COMMIT_SECONDS` seconds have
    gathered, then written as ``.part-...tmp``, fsync'd, and renamed to ``part-...parquet``.
    """

    def __init__(self, path: Path, *, commit_rows: int = DEFAULT_COMMIT_ROWS) -> None:
        import pyarrow as pa

        if path.exists() and not path.is_dir():
            raise InputError(f"[E131] {path}: exists and is not a directory; Parquet output is a dataset directory")
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob(".part-*.tmp"):  # left by a killed run; never renamed, so never counted
            stale.unlink(missing_ok=True)
        self.path = path
        self.schema = row_schema()
        self.commit_rows = max(1, commit_rows)
        self._buffer: list[pa.RecordBatch] = []
        self._rows = 0
        self._last = time.monotonic()
        self._seq = len(list(path.glob("part-*.parquet")))

    def add(self, batch) -> None:
        if batch.num_rows:
            self._buffer.append(batch)
            self._rows += batch.num_rows
        if self._rows >= self.commit_rows or (self._rows and time.monotonic() - self._last >= COMMIT_SECONDS):
            self.commit()

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        self.add(pa.RecordBatch.from_pylist(rows, schema=self.schema))

    def commit(self) -> None:
        """Write the buffered rows as one part file, atomically; no-op when empty."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._last = time.monotonic()
        if not self._rows:
            return
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        name = f"part-{self._seq:06d}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = self.path / f".{name}.tmp"
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path / name)
        _fsync_dir(self.path)
        self._seq += 1
        self._buffer.clear()
        self._rows = 0

    def close(self) -> None:
        self.commit()


def done_keys(path: str | Path, fmt: str | None = None) -> set[tuple[str, str]]:
    """The ``(id, sha256)`` keys of every row already in OUT (empty when OUT does not exist).

    Raises:
        InputError: OUT exists but cannot be read as batch output (E132).
    """
    return output_rows(path, fmt).keys


#: failure rows of OUT kept as examples by :func:`output_rows` (as BatchStats keeps this run's)
_EXAMPLES = 20


@dataclass
class OutputRows:
    """What a batch output holds, read once before a run resumes it (:func:`output_rows`)."""

    keys: set[tuple[str, str]] = field(default_factory=set)  # (id, sha256) of every row
    analysed: int = 0  # rows with an analysis
    failed: int = 0  # failure rows
    failure_examples: list[tuple[str, str]] = field(default_factory=list)  # (id, error), the first 20


def output_rows(path: str | Path, fmt: str | None = None) -> OutputRows:
    """The keys of every row already in OUT, and how many are analyses and failures (all zero
    when OUT does not exist). A resumed run skips those keys, and reports the failure rows
    (:attr:`BatchStats.earlier_failed`).

    Raises:
        InputError: OUT exists but cannot be read as batch output (E131, E132).
    """
    path = Path(path)
    held = OutputRows()
    if not path.exists():
        return held

    def count(doc_id: str, error: Any) -> None:
        if error is None:
            held.analysed += 1
            return
        held.failed += 1
        if len(held.failure_examples) < _EXAMPLES:
            held.failure_examples.append((doc_id, str(error)))

    fmt = output_format(path, fmt)
    if fmt == "jsonl":
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if not line.endswith("\n"):
                    break  # partial last line: not committed
                m = _JSONL_KEY.match(line)
                if m and _JSONL_OK.match(line):  # a success row: no need to parse its analysis
                    doc_id = json.loads(m.group(1))
                    held.keys.add((doc_id, m.group(2)))
                    count(doc_id, None)
                    continue
                try:
                    row = json.loads(line)
                    doc_id = str(row["id"])
                    held.keys.add((doc_id, str(row.get("sha256") or "")))
                    count(doc_id, row.get("error"))
                except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                    raise InputError(f"[E132] {path} line {n}: not a slant batch row; choose another output") from None
        return held
    import pyarrow.parquet as pq

    if not path.is_dir():
        raise InputError(f"[E131] {path}: exists and is not a directory; Parquet output is a dataset directory")
    foreign = sorted(e.name for e in path.iterdir()
                     if not (e.is_file() and (e.name.startswith("part-") and e.name.endswith(".parquet")
                                              or e.name.startswith(".part-") and e.name.endswith(".tmp"))))
    if foreign:  # readers would see slant's rows mixed with them, or behind their schema
        raise InputError(f"[E132] {path}: not a slant batch dataset (it holds {', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); choose another output")
    for part in sorted(path.glob("part-*.parquet")):
        try:
            table = pq.read_table(part, columns=["id", "sha256", "error"])
        except Exception as exc:  # pyarrow raises several types
            raise InputError(f"[E132] {part}: not a slant batch part file: {exc}") from None
        ids = table.column("id").to_pylist()
        held.keys.update(zip(ids, (s or "" for s in table.column("sha256").to_pylist())))
        for doc_id, error in zip(ids, table.column("error").to_pylist()):
            count(doc_id, error)
    return held


#: the head of a JSONL success row as :func:`_jsonl_line` writes it: key columns, then ``"error": null``
_JSONL_OK = re.compile(r'^\{"id":\s*"(?:[^"\\]|\\.)*",\s*"source":\s*(?:"(?:[^"\\]|\\.)*"|null),\s*'
                       r'"sha256":\s*"[0-9a-f]*",\s*"group":\s*(?:"(?:[^"\\]|\\.)*"|null),\s*"error":\s*null[,}]')


def _is_failure_line(line: str) -> bool:
    if _JSONL_OK.match(line):
        return False
    try:
        return json.loads(line).get("error") is not None
    except (json.JSONDecodeError, AttributeError):
        return False  # not ours to judge: done_keys reports it


def drop_failures(path: str | Path, fmt: str | None = None) -> int:
    """Remove the failure rows from a batch output, so that a rerun analyses those documents
    again (``slant batch --retry-failed``). Rows that succeeded are kept as they are.

    JSONL: the file is rewritten without them (a temporary file beside it, fsync'd, then
    renamed over it). Parquet: each part file holding one is rewritten the same way, or
    deleted when it holds nothing else. An interrupted call leaves each file either as it
    was or without its failure rows.

    Returns:
        the number of failure rows removed (0 when ``path`` does not exist).
    Raises:
        InputError: ``path`` exists but is not batch output (E131, E132).
    """
    path = Path(path)
    if not path.exists():
        return 0
    fmt = output_format(path, fmt)
    removed = 0
    if fmt == "jsonl":
        _truncate_partial_line(path)
        with open(path, encoding="utf-8", errors="surrogateescape") as src:
            if not any(_is_failure_line(line) for line in src):  # read once before rewriting
                return 0
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as src, \
                    open(tmp, "w", encoding="utf-8", errors="surrogateescape") as dst:
                for line in src:
                    if _is_failure_line(line):
                        removed += 1
                    else:
                        dst.write(line)
                dst.flush()
                os.fsync(dst.fileno())
            if removed:
                os.replace(tmp, path)
                _fsync_dir(path.parent)
        finally:
            tmp.unlink(missing_ok=True)
        return removed
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not path.is_dir():
        raise InputError(f"[E131] {path}: exists and is not a directory; Parquet output is a dataset directory")
    for part in sorted(path.glob("part-*.parquet")):
        try:
            errors = pq.read_table(part, columns=["error"]).column("error")
        except Exception as exc:  # pyarrow raises several types
            raise InputError(f"[E132] {part}: not a slant batch part file: {exc}") from None
        failed = errors.length() - errors.null_count
        if not failed:
            continue
        removed += failed
        if failed == errors.length():
            part.unlink()
            continue
        table = pq.read_table(part)
        tmp = path / f".{part.name}.tmp"
        pq.write_table(table.filter(pc.is_null(table.column("error"))), tmp, compression="zstd")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, part)
    if removed:
        _fsync_dir(path)
    return removed


def recorded_settings(path: str | Path, fmt: str | None = None) -> dict[str, Any] | None:
    """The settings (:meth:`slant.options.Options.fingerprint`) recorded in the first
    successful row of a batch output, or None: no output yet, no successful row, or rows
    written before slant recorded them. Reads one row.

    Raises:
        InputError: OUT exists but cannot be read as batch output (E131, E132).
    """
    path = Path(path)
    if not path.exists():
        return None
    if output_format(path, fmt) == "jsonl":
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.endswith("\n") and _JSONL_OK.match(line):
                    try:
                        analysis = json.loads(line).get("analysis") or {}
                    except json.JSONDecodeError:
                        return None
                    return (analysis.get("meta") or {}).get(SETTINGS_KEY)
        return None
    import pyarrow.parquet as pq

    if not path.is_dir():
        raise InputError(f"[E131] {path}: exists and is not a directory; Parquet output is a dataset directory")
    for part in sorted(path.glob("part-*.parquet")):
        try:
            column = pq.read_table(part, columns=["analysis"]).column("analysis").to_pylist()
        except Exception as exc:  # pyarrow raises several types
            raise InputError(f"[E132] {part}: not a slant batch part file: {exc}") from None
        for analysis in column:
            if analysis is not None:
                return json.loads(analysis["meta"] or "{}").get(SETTINGS_KEY)
    return None


def check_settings(path: str | Path, fmt: str | None, options: Options) -> None:
    """Refuse to resume a batch output under settings other than the ones it was written with.

    Raises:
        InputError: E134, naming each setting that differs (``technique_encoder: false in
            OUT, true now``); outputs without recorded settings pass.
    """
    recorded = recorded_settings(path, fmt)
    now = options.fingerprint()
    if recorded is None or recorded == now:
        return
    diffs = [f"{k}: {json.dumps(recorded.get(k))} in OUT, {json.dumps(now.get(k))} now"
             for k in sorted(set(recorded) | set(now)) if recorded.get(k) != now.get(k)]
    raise InputError(f"[E134] {path} was written with other settings ({'; '.join(diffs)}); resume it with "
                     "the options it started with, or write to a new output")


def read_rows(path: str | Path, fmt: str | None = None) -> list[dict[str, Any]]:
    """Every row of a batch output as dicts, ``analysis`` in the contract's shape (meta a dict).

    Meant for tests and small outputs; for large ones read the Parquet dataset with
    pyarrow/DuckDB/Spark directly.
    """
    path = Path(path)
    if output_format(path, fmt) == "jsonl":
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for part in sorted(path.glob("part-*.parquet")):
        for row in pq.read_table(part).to_pylist(maps_as_pydicts="strict"):
            if row["analysis"] is not None:
                row["analysis"]["meta"] = json.loads(row["analysis"]["meta"])
            rows.append(row)
    return rows


# --------------------------------------------------------------------------- the run


@dataclass
class GroupStats:
    """Per publisher / source: articles analysed, failures, techniques by voice, mean credibility."""

    articles: int = 0
    failures: int = 0
    techniques_outlet: int = 0
    techniques_quoted: int = 0
    credibility_sum: float = 0.0
    credibility_n: int = 0

    @property
    def credibility_mean(self) -> float | None:
        return self.credibility_sum / self.credibility_n if self.credibility_n else None


@dataclass
class BatchStats:
    """What a batch run did. Counts cover THIS run; ``skipped`` rows were already in OUT, which
    held ``earlier_analysed`` analyses and ``earlier_failed`` failure rows before it (after
    ``retry_failed`` removed those); :attr:`exit_code` counts both."""

    output: str = ""
    format: str = ""
    jobs: int = 1
    seen: int = 0
    skipped: int = 0
    retried: int = 0  # failure rows removed from OUT before this run (retry_failed)
    earlier_analysed: int = 0  # rows with an analysis OUT held before this run
    earlier_failed: int = 0  # failure rows OUT held before this run (kept and skipped unless retry_failed)
    analysed: int = 0
    failed: int = 0
    chars: int = 0
    seconds: float = 0.0
    failure_reasons: Counter = field(default_factory=Counter)  # error code -> count
    # (id, message), first 20: this run's, then OUT's earlier failure rows (their message says so)
    failure_examples: list[tuple[str, str]] = field(default_factory=list)
    techniques: Counter = field(default_factory=Counter)  # (technique, voice kind) -> count
    groups: dict[str, GroupStats] = field(default_factory=dict)
    group_column: str | None = None
    worker_peak_rss: dict[int, int] = field(default_factory=dict)  # pid -> bytes
    rss_trace: list[tuple[int, int, int]] = field(default_factory=list)  # (rows done, pid, rss bytes)
    worker_cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU s since its pipeline loaded
    main_cpu: float = 0.0  # CPU s of the main process in the run (reading, writing; jobs > 1 only)

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds of the whole run, pipeline loading left out (workers + main process)."""
        return sum(self.worker_cpu.values()) + (self.main_cpu if self.jobs > 1 else 0.0)

    @property
    def exit_code(self) -> int:
        """cli.py's codes for the output as a whole, this run and the earlier ones it resumes:
        0 every document analysed (no failure row in OUT), 1 some failed, 3 every one failed
        (OUT holds failure rows only). A rerun that skips earlier failure rows is not a clean
        run: they stay failures until ``--retry-failed`` analyses them again."""
        if not (self.failed or self.earlier_failed):
            return 0
        return 3 if self.analysed + self.earlier_analysed == 0 else 1

    def _add(self, info: RowInfo) -> None:
        group = self.groups.setdefault(info.group, GroupStats()) if info.group is not None else None
        if info.error is not None:
            self.failed += 1
            m = re.match(r"\[(E\d+)\]", info.error)
            self.failure_reasons[m.group(1) if m else "other"] += 1
            if len(self.failure_examples) < 20:
                self.failure_examples.append((info.id, info.error))
            if group:
                group.failures += 1
            return
        self.analysed += 1
        self.chars += info.chars
        self.techniques.update(info.techniques)
        if group:
            group.articles += 1
            group.techniques_outlet += sum(1 for _, v in info.techniques if v == "outlet")
            group.techniques_quoted += sum(1 for _, v in info.techniques if v == "quoted")
            if info.credibility is not None:
                group.credibility_sum += info.credibility
                group.credibility_n += 1


def default_jobs() -> int:
    """Cores this process may run on (``len(os.sched_getaffinity(0))``; ``os.cpu_count()`` elsewhere)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _group_of(meta: dict[str, Any], columns: tuple[str, ...]) -> tuple[str | None, str | None]:
    for column in columns:
        value = meta.get(column)
        if value not in (None, ""):
            return str(value), column
    return None, None


def _doc_id(meta: dict[str, Any], fallback: str) -> str:
    rid = meta.get("id")
    return str(rid) if rid not in (None, "") else str(meta.get("source") or fallback)


def _chunks(
    items: Iterable[Any], *, done: set[tuple[str, str]], chunk_size: int, group_columns: tuple[str, ...],
    stats: BatchStats, on_failure: Callable[[dict[str, Any], RowInfo], None], on_skip: Callable[[], None],
) -> Iterator[list[tuple[str, str, str | None, Document]]]:
    from .ingest import Failure

    chunk: list[tuple[str, str, str | None, Document]] = []
    for item in items:
        stats.seen += 1
        if isinstance(item, Failure):
            doc_id = _doc_id(item.meta, item.source)
            group, column = _group_of(item.meta, group_columns)
            if column and stats.group_column is None:
                stats.group_column = column
            if (doc_id, "") in done:
                on_skip()
                continue
            message = _one_line(item.error)
            on_failure(failure_row(doc_id, item.source, "", group, message), RowInfo(doc_id, group, message))
            continue
        doc_id = _doc_id(item.meta, item.source)
        sha = text_id(item.text) if isinstance(item.text, str) else ""
        if (doc_id, sha) in done:
            on_skip()
            continue
        group, column = _group_of(item.meta, group_columns)
        if column and stats.group_column is None:
            stats.group_column = column
        chunk.append((doc_id, sha, group, item))
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _InProcess:
    """The ``jobs=1`` executor: runs chunks in this process (no pickling, no pool start)."""

    def __init__(self, options: Options, fmt: Format) -> None:
        _init_worker(options, fmt, in_process=True)

    def submit(self, fn, chunk):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(chunk))
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def _terminate_workers(executor) -> None:
    """SIGTERM the pool's workers so an interrupted run exits at once (not after their chunks)."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except Exception:  # already gone
            pass


def _pool(jobs: int, options: Options, fmt: Format):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method),
        initializer=_init_worker, initargs=(options, fmt),
    )
    # with fork, the first submit launches every worker: do it now, before the caller's
    # progress bar starts a thread (forking a process with threads can deadlock the child);
    # the workers then load the pipeline while the main process reads the corpus
    pool.submit(int)
    return pool


def run_batch(
    source: str | Path,
    output: str | Path,
    *,
    fmt: str | None = None,
    jobs: int | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    source_column: str | None = None,
    options: Options | None = None,
    limit: int | None = None,
    chunk_size: int | None = None,
    commit_rows: int = DEFAULT_COMMIT_ROWS,
    on_progress: Callable[[int], None] | None = None,
    retry_failed: bool = False,
) -> BatchStats:
    """Analyse every document of ``source`` into ``output``, skipping those already there.

    Args:
        source: a directory, a ``.csv``/``.jsonl``/``.parquet`` corpus or a file (see
            :func:`slant.ingest.iter_documents`).
        output: ``*.jsonl`` (JSON Lines file) or ``*.parquet`` (dataset directory).
        fmt: ``"jsonl"`` or ``"parquet"``; default: from ``output``'s suffix.
        jobs: worker processes, each loading the pipeline once (default: the cores
            available, :func:`default_jobs`); 1 runs in this process.
        text_column, id_column, title_column: corpus columns (as in ``iter_documents``).
        source_column: corpus column naming the publisher/source for ``group`` and the
            per-group summary (default: the first non-empty of :data:`DEFAULT_GROUP_COLUMNS`).
        options: analysis options; ``options.batch_size`` is also the chunk size.
        limit: read at most this many input documents (skipped ones included).
        chunk_size: documents per worker task (default: ``options.batch_size`` with one
            job; with several, 8, so that the last tasks of a run keep every worker busy:
            on 160 BuzzFeed-Webis articles ``--jobs 2`` ran 1.82x ``--jobs 1`` with 8, and
            at most 1.67x is possible with 32 on 150 articles).
        commit_rows: Parquet only: rows per committed part file.
        on_progress: called with the number of documents just finished (written or skipped).
        retry_failed: first remove OUT's failure rows (:func:`drop_failures`), so that their
            documents are analysed again; by default a failure row counts as done (it is not
            analysed again), and as a failure (:attr:`BatchStats.earlier_failed`, exit code).
    The output is never read as input: when it lies inside the input directory it is left
    out (the JSONL file, or the dataset directory with its part files; hidden temporaries
    such as ``.part-*.tmp`` and ``.out.jsonl.*.tmp`` are never read anyway), so a rerun
    resumes instead of analysing its own rows; an output that is the input, or holds it,
    is refused (E133). See :func:`slant.ingest.check_output_against_input`.

    Returns:
        :class:`BatchStats` for this run.
    Raises:
        InputError: unreadable source (E106...), bad output path (E130-E132), output that
            is the input (E133).
        ModelNotFoundError: the spaCy model or a stage's model is missing (E2xx); the
            rows finished before it are kept, and a rerun resumes after the fix.
        MissingExtraError: a stage needs an optional dependency that is not installed.
    """
    import itertools

    from .ingest import iter_documents

    fmt = output_format(output, fmt)
    output = Path(output)
    from .ingest import check_output_against_input

    check_output_against_input(source, output)
    options = options or Options()
    jobs = jobs or default_jobs()
    chunk_size = chunk_size or (options.batch_size if jobs == 1 else min(8, options.batch_size))
    group_columns = (source_column,) if source_column else DEFAULT_GROUP_COLUMNS
    stats = BatchStats(output=str(output), format=fmt, jobs=jobs)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    progress = on_progress or (lambda n: None)

    check_settings(output, fmt, options)  # before anything in OUT changes
    if retry_failed:
        stats.retried = drop_failures(output, fmt)
    held = output_rows(output, fmt)
    done = held.keys
    stats.earlier_analysed, stats.earlier_failed = held.analysed, held.failed
    items: Iterable[Any] = iter_documents(
        source, text_column=text_column, id_column=id_column, title_column=title_column, exclude=(output,)
    )
    first = next(iter(items), None)  # raise InputError for a bad source before starting workers
    if first is None:
        raise InputError(f"[E106] {source}: no documents")
    items = itertools.chain([first], items)
    if limit is not None:
        items = itertools.islice(items, limit)
    writer: JsonlWriter | ParquetDatasetWriter = (
        JsonlWriter(output) if fmt == "jsonl" else ParquetDatasetWriter(output, commit_rows=commit_rows)
    )

    def on_failure(row: dict[str, Any], info: RowInfo) -> None:
        writer.add_rows([row])
        stats._add(info)
        progress(1)

    def on_skip() -> None:
        stats.skipped += 1
        progress(1)

    def handle(result: ChunkResult) -> None:
        writer.add(result.payload)
        for info in result.rows:
            stats._add(info)
        stats.worker_peak_rss[result.pid] = max(result.peak_rss, stats.worker_peak_rss.get(result.pid, 0))
        stats.rss_trace.append((stats.analysed + stats.failed, result.pid, result.rss))
        stats.worker_cpu[result.pid] = max(result.cpu, stats.worker_cpu.get(result.pid, 0.0))
        progress(len(result.rows))

    executor = _InProcess(options, fmt) if jobs == 1 else _pool(jobs, options, fmt)
    inflight: deque = deque()  # (future, chunk), oldest first: rows are written in input order

    def collect() -> None:
        nonlocal executor
        future, chunk = inflight.popleft()
        try:
            handle(future.result())
        except BrokenProcessPool:
            # a worker died (killed, segfault, out of memory): redo the chunks in flight one
            # document at a time in a fresh pool; a document that kills it again is a failure row
            lost = [chunk] + [c for _, c in inflight]
            inflight.clear()
            executor.shutdown(wait=False, cancel_futures=True)
            executor = _pool(jobs, options, fmt)
            for item in (item for c in lost for item in c):
                try:
                    handle(executor.submit(_analyze_chunk, [item]).result())
                except BrokenProcessPool:
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = _pool(jobs, options, fmt)
                    doc_id, sha, group, doc = item
                    message = f"[E901] {doc.source}: the worker process died analysing this document (crash or out of memory)"
                    on_failure(failure_row(doc_id, doc.source, sha, group, message), RowInfo(doc_id, group, message))

    try:
        chunks = _chunks(
            items, done=done, chunk_size=chunk_size, group_columns=group_columns, stats=stats,
            on_failure=on_failure, on_skip=on_skip,
        )
        # a pool keeps two chunks per worker queued so none waits for work; in-process
        # (jobs 1) a chunk is done when submit returns: write it before the next starts,
        # so the progress bar is not a chunk behind and an interrupt loses no finished rows
        window = 2 * jobs if jobs > 1 else 1
        for chunk in chunks:
            inflight.append((executor.submit(_analyze_chunk, chunk), chunk))
            while len(inflight) >= window:
                collect()
        while inflight:
            collect()
    except BaseException:  # Ctrl-C, a missing model, a bad output: stop the workers now
        _terminate_workers(executor)
        raise
    finally:
        for future, _ in inflight:
            future.cancel()
        executor.shutdown(wait=not inflight, cancel_futures=True)
        writer.close()  # commits what finished, also on Ctrl-C
        stats.seconds = time.perf_counter() - started
        stats.main_cpu = _cpu_seconds() - cpu_started
    for doc_id, message in held.failure_examples[: max(0, _EXAMPLES - len(stats.failure_examples))]:
        stats.failure_examples.append(
            (doc_id, f"{message} (a failure row in {output} from an earlier run; --retry-failed analyses it again)")
        )
    return stats
