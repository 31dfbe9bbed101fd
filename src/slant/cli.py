"""The ``slant`` command line (typer). Thin: parses, runs the library, renders.

Exit codes (all commands):
    0  every document analysed
    1  some documents failed (each named on stderr; the others were analysed)
    2  usage error (bad option or argument)
    3  every document failed, or the input could not be read at all

Command groups ``train``, ``evaluate`` and the other commands of each capability
live in ``slant/commands/<area>.py``; each module there has
``register(app, train, evaluate)``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import pkgutil
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import __version__
from .commands import TechniqueEncoderFlag, nonempty_path

app = typer.Typer(
    name="slant",
    help="Read news articles and show their claims, speakers, persuasion techniques (by voice) and credibility.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Rebuild a shipped model from public data.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Print a model's scores (the figures in its card).", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")

err = Console(stderr=True)


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    geojson = "geojson"


#: output format -> "module:function(analysis, text) -> str" for the file formats
FORMATTERS = {
    "html": "slant.render.html:render_html",
    "geojson": "slant.render.geojson:render_geojson",
}


#: columns of the terminal view when it goes to a file or a pipe (``-o``, ``| less``)
NON_TERMINAL_WIDTH = 160


def _stderr_line(kind: str, message: str) -> None:
    """Print ``<kind>: <message>`` as one plain line on stderr (no wrapping, no markup); control
    characters (from a file name or an article) are shown as control pictures, never sent; a
    file name given on the command line that is not valid UTF-8 shows its bytes as ``\\xNN``,
    as :func:`slant.ingest.path_text` writes it in the output."""
    from .render.terminal import printable

    text = _SURROGATES.sub(_escape_surrogate, ' '.join(str(message).split()))
    print(f"{kind}: {printable(text)}", file=sys.stderr)


#: lone surrogates: the undecodable bytes of a command-line path (U+DC80-U+DCFF), or half a pair
_SURROGATES = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def error_line(message: str) -> None:
    """Print ``error: <message>`` on stderr (:func:`_stderr_line`): what stopped the run."""
    _stderr_line("error", message)


def warning_line(message: str) -> None:
    """Print ``warning: <message>`` on stderr (:func:`_stderr_line`): input that is read but is
    likely a mistake, or figures to read with care."""
    _stderr_line("warning", message)


def note_line(message: str) -> None:
    """Print ``note: <message>`` on stderr (:func:`_stderr_line`); for something the run does on the
    user's behalf, such as leaving its own output out of the input."""
    _stderr_line("note", message)


def note_outputs_left_out(source: str, output: Path | None, inside: bool) -> None:
    """The notes of ``slant analyze`` and ``slant batch`` for the files a run over ``source``
    leaves out: its own ``output`` when it exists inside the input (``inside``), slant's
    earlier outputs and the folder's documentation found there (:func:`slant.ingest.outputs_left_out`)."""
    from .ingest import outputs_left_out

    if inside and output is not None and output.exists():  # nothing to leave out before the first run
        note_line(f"leaving out {output}: it is this run's output, inside the input {source}")
    for path, why in outputs_left_out(source, exclude=(output,) if output is not None else ()):
        note_line(f"leaving out {path}: {why}")


def fail(message: str, code: int = 3) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    error_line(message)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        print(f"slant {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = None,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # trafilatura warns on pages it cannot parse; slant reports those as E105 itself
        logging.getLogger("trafilatura").setLevel(logging.ERROR)


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A .txt/.html file, a directory, a .csv/.jsonl/.parquet corpus, or - for stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", parser=nonempty_path, metavar="<path>", help="Write here instead of stdout (- is stdout).")] = None,
    text_column: Annotated[str, typer.Option(help="Corpus column holding the text.")] = "text",
    id_column: Annotated[Optional[str], typer.Option(help="Corpus column holding the row id (default: id).")] = None,
    title_column: Annotated[Optional[str], typer.Option(help="Corpus column holding the title (default: title).")] = None,
    max_chars: Annotated[Optional[int], typer.Option(help="Longest text analysed, in characters (default 1,000,000).")] = None,
    config: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="TOML file overriding slant/defaults.toml.")] = None,
    technique_encoder: TechniqueEncoderFlag = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Analyse at most this many documents.")] = None,
) -> None:
    """Analyse one article or many; print the terminal view, JSON (Lines), HTML or GeoJSON.

    ``-o -`` (or no ``-o``) prints to stdout, in every format. The output file is never read
    as input: inside the input directory it is left out (with a note on stderr); an output
    that is the input itself is refused (E133, exit 2) before anything is written.
    """
    from .analysis import analyze_documents
    from .errors import SlantError
    from .ingest import Failure, check_output_against_input, iter_documents
    from .options import load_options

    if output is not None and str(output) == "-":
        output = None  # stdout, as for every other format
    try:
        options = load_options(config, max_chars=max_chars, technique_encoder=technique_encoder)
    except SlantError as exc:
        raise fail(str(exc), 2)
    try:
        inside = output is not None and check_output_against_input(source, output)
    except SlantError as exc:
        raise fail(str(exc), 2)
    note_outputs_left_out(source, output, inside)
    try:
        items = iter_documents(
            source, text_column=text_column, id_column=id_column, title_column=title_column,
            exclude=(output,) if output is not None else (),
        )
        first = next(items, None)
        second = next(items, None) if first is not None else None
    except SlantError as exc:
        raise fail(str(exc))
    if first is None:
        raise fail(f"{source}: no documents")
    many = second is not None

    import itertools

    stream = itertools.chain([first], [second] if second is not None else [], items)
    if limit is not None:
        stream = itertools.islice(stream, limit)
    failures: list[tuple[str, str]] = []
    total = 0
    unread = 0  # documents that failed before analysis (unreadable files, bad rows)

    from .options import SETTINGS_KEY

    settings = options.fingerprint()

    def documents():
        nonlocal total, unread
        for item in stream:
            total += 1
            if isinstance(item, Failure):
                failures.append((item.source, str(item.error)))
                unread += 1
                continue
            # what produced it (slant version, stages, thresholds, technique_encoder), as
            # `slant batch` and `slant serve` record it: a reader can tell the runs apart
            item.meta[SETTINGS_KEY] = settings
            yield item

    if many and format == Format.html:
        raise fail(f"--format html takes one article; {source} holds several (use json, or geojson for a map)", 2)
    try:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        raise fail(f"[E122] {output}: cannot write the output: {exc.strerror or exc}", 2)
    # rich lays out a file or a pipe at 80 columns, which squeezed the tables' text columns to a
    # few characters; give such output the width of a wide terminal (COLUMNS still wins)
    wide = None if ("COLUMNS" in os.environ or (not output and sys.stdout.isatty())) else NON_TERMINAL_WIDTH
    console = Console(file=out, width=wide) if output else Console(width=wide)
    try:
        from .nlp import get_nlp

        try:
            nlp = get_nlp()
        except SlantError as exc:
            raise fail(str(exc))
        results = analyze_documents(documents(), options=options, nlp=nlp)
        if many:
            from .ingest import estimate_count

            total_docs = estimate_count(source, exclude=(output,) if output is not None else ())
            results = _with_progress(results, total_docs if limit is None else limit, skipped=lambda: unread)
        summary_rows = []
        features: list[dict] = []
        stopped: SlantError | None = None
        views = 0
        try:
            for result in results:
                if not result.ok:
                    failures.append((result.document.source, _one_line(result.error)))
                    continue
                analysis = result.analysis
                text = result.document.text
                if format == Format.json:
                    out.write(analysis.model_dump_json(exclude_none=False) + "\n")
                elif format == Format.text:
                    views += 1
                    if many:
                        summary_rows.append(analysis)
                    else:
                        from .render.terminal import print_analysis

                        print_analysis(analysis, text, console)
                elif format == Format.geojson and many:
                    features.extend(_corpus_features(analysis, text))
                else:
                    module, _, func = FORMATTERS[format.value].partition(":")
                    out.write(getattr(importlib.import_module(module), func)(analysis, text))
        except SlantError as exc:  # an error of the installation met while reading (E303): stop, say so
            stopped = exc
        if summary_rows:
            _print_summary(summary_rows, console)
        if format == Format.text and output and views:  # a file: say what it is (and mark it as slant's)
            from .render.terminal import footer

            console.print(footer(views), highlight=False, markup=False)
        if format == Format.geojson and many:
            out.write(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=2) + "\n")
    finally:
        if output:
            out.close()
    for src, msg in failures:
        error_line(msg if src in msg else f"{src}: {msg}")
    if stopped is not None:
        raise fail(str(stopped))
    if failures:
        ok = total - len(failures)
        print(f"{ok} of {total} documents analysed, {len(failures)} failed", file=sys.stderr)
        raise typer.Exit(3 if ok == 0 else 1)


def _corpus_features(analysis, text: str) -> list[dict]:
    """One document's GeoJSON features, each tagged with the document it came from."""
    module, _, func = FORMATTERS["geojson"].partition(":")
    collection = json.loads(getattr(importlib.import_module(module), func)(analysis, text))
    for feature in collection["features"]:
        feature["id"] = f"{analysis.id[:12]}:{feature.get('id')}"
        feature["properties"].update(analysis_id=analysis.id, source=analysis.meta.get("source"), document_id=analysis.meta.get("id"))
    return collection["features"]


def _one_line(exc: BaseException | None) -> str:
    from .errors import SlantError

    if isinstance(exc, SlantError):
        return str(exc)
    return f"[E900] internal error: {type(exc).__name__}: {exc}"


def _with_progress(results, total: int | None, skipped=lambda: 0):
    """Wrap a stream of results in a progress bar on stderr (count, rate, elapsed, ETA);
    ``skipped()`` counts the documents that failed before analysis, so that they advance
    the bar too."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]} docs/s"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err, transient=False,
    ) as progress:
        task = progress.add_task("analyse", total=total, rate="-")
        n = 0
        for n, result in enumerate(results, 1):
            elapsed = progress.tasks[0].elapsed or 1e-9
            progress.update(task, completed=n + skipped(), rate=f"{n / elapsed:.1f}")
            yield result
        progress.update(task, completed=n + skipped())  # failures after the last analysed document


def _print_summary(analyses, console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"{len(analyses)} documents")
    for col in ("document", "chars", "sentences", "entities", "quotations", "techniques", "propaganda", "credibility"):
        table.add_column(col)
    for a in analyses:
        name = str(a.meta.get("id") or a.meta.get("source") or a.id[:12])
        table.add_row(
            name[-40:], str(a.text_length), str(len(a.sentences)), str(len(a.entities)), str(len(a.quotations)),
            str(len(a.techniques)), f"{a.propaganda.score:.2f}" if a.propaganda else "-",
            f"{a.credibility.score:.2f}" if a.credibility else "-",
        )
    console.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the Analysis (the output contract)."""
    from .schema import Analysis

    print(json.dumps(Analysis.model_json_schema(), indent=2))


def _register_commands() -> None:
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app, train_app, evaluate_app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
