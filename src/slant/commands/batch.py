"""``slant batch INPUT -o OUT``: analyse a corpus into JSON Lines or a Parquet dataset.

Multi-core (``--jobs``), resumable (rerun to finish an interrupted run), with a progress
bar (rate and ETA) on stderr and a summary at the end. See :mod:`slant.batch`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import TechniqueEncoderFlag, nonempty_path


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add the ``batch`` command to the slant CLI."""
    app.command("batch")(batch)


def batch(
    source: Annotated[str, typer.Argument(help="A directory, or a .csv/.jsonl/.parquet corpus.")],
    output: Annotated[Path, typer.Option("--output", "-o", parser=nonempty_path, metavar="<path>", help="OUT.jsonl (JSON Lines) or OUT.parquet (a Parquet dataset directory); the format follows the suffix.")],
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="jsonl or parquet (default: from OUT's suffix).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes, each loading the pipeline once (default: the cores available).")] = None,
    text_column: Annotated[str, typer.Option(help="Corpus column holding the text.")] = "text",
    id_column: Annotated[Optional[str], typer.Option(help="Corpus column holding the row id (default: id; else the row number / file path).")] = None,
    title_column: Annotated[Optional[str], typer.Option(help="Corpus column holding the title (default: title).")] = None,
    source_column: Annotated[Optional[str], typer.Option(help="Corpus column naming the publisher/source, for the per-source summary (default: publisher, else source_dataset).")] = None,
    chunk_size: Annotated[Optional[int], typer.Option(min=1, help="Documents per worker task (default: batch_size in the options, 32, with one job; 8 with several).")] = None,
    commit_every: Annotated[int, typer.Option(min=1, help="Parquet: rows per committed part file (a killed run loses at most these).")] = 256,
    limit: Annotated[Optional[int], typer.Option(min=0, help="Read at most this many input documents.")] = None,
    max_chars: Annotated[Optional[int], typer.Option(help="Longest text analysed, in characters (default 1,000,000).")] = None,
    config: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="TOML file overriding slant/defaults.toml.")] = None,
    technique_encoder: TechniqueEncoderFlag = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress bar on stderr.")] = True,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Analyse again the documents whose rows in OUT are failures (their failure rows are removed first); by default a rerun skips them.")] = False,
) -> None:
    """Analyse a corpus, one row per article; rerun the same command to resume.

    A rerun skips every document already in OUT, failures included; --retry-failed
    analyses the failures again.

    OUT is never read as input: inside the input directory it is left out, with a note on
    stderr; OUT that is the input, or holds it, is refused (E133). Rows record the settings
    they were made with; resuming OUT under other ones is refused (E134).

    Exit codes: 0 every document analysed; 1 some failed (failure rows in OUT);
    2 usage (bad OUT suffix, a --format that contradicts it, OUT that is the input, bad
    --config, OUT written with other settings: E134); 3 every document failed, the input could not be read, or a model is
    missing; 130 interrupted (rerun to resume).
    """
    from rich.console import Console

    from ..batch import check_settings, output_format, run_batch
    from ..ingest import check_output_against_input
    from ..ingest import estimate_count
    from ..cli import error_line, fail, note_outputs_left_out
    from ..errors import SlantError
    from ..options import load_options

    err = Console(stderr=True)
    try:
        output_format(output, format)
        inside = check_output_against_input(source, output)
    except SlantError as exc:
        raise fail(str(exc), 2)
    try:
        options = load_options(config, max_chars=max_chars, technique_encoder=technique_encoder)
        check_settings(output, format, options)  # a usage error, before the run: E134
    except SlantError as exc:
        raise fail(str(exc), 2)
    note_outputs_left_out(source, output, inside)
    total = estimate_count(source, exclude=(output,)) if progress else None
    if total is not None and limit is not None:
        total = min(total, limit)
    bar = _progress_bar(err) if progress else None
    try:
        on_progress = None
        if bar is not None:
            task = bar.add_task("analysing", total=total)  # the clock runs from now, start-up included

            def on_progress(n: int) -> None:
                if not bar.live.is_started:  # start the bar (a thread) after the workers are forked
                    bar.start()
                bar.advance(task, n)
        stats = run_batch(
            source, output, fmt=format, jobs=jobs, text_column=text_column, id_column=id_column, title_column=title_column,
            source_column=source_column, options=options, limit=limit, chunk_size=chunk_size, commit_rows=commit_every,
            on_progress=on_progress, retry_failed=retry_failed,
        )
    except SlantError as exc:
        if bar is not None:
            bar.stop()
        raise fail(str(exc))
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        print(f"interrupted; finished rows are in {output}; rerun the same command to resume", file=sys.stderr)
        raise typer.Exit(130)
    finally:
        if bar is not None:
            bar.stop()
    _print_summary(stats, Console())
    for doc_id, message in stats.failure_examples[:10]:
        # one plain line each, as `slant analyze` prints them: the ids and messages come from
        # the input, so no rich markup (a "[/]" in a file name raised MarkupError) and no wrapping
        error_line(message if doc_id in message else f"{doc_id}: {message}")
    if stats.failed > 10:
        print(f"... {stats.failed - 10:,} more failures: see the error column in {output}", file=sys.stderr)
    raise typer.Exit(stats.exit_code)


def _progress_bar(console):
    from rich.progress import (
        BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class _Rate(TextColumn):
        def render(self, task):  # docs/s over the whole run so far
            from rich.text import Text

            rate = task.completed / task.elapsed if task.elapsed else 0.0
            return Text(f"{rate:,.1f} docs/s")

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(), _Rate(""),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=False,
    )


def _print_summary(stats, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..render.terminal import plain

    done = stats.analysed + stats.failed
    console.print(
        f"[bold]{stats.analysed:,}[/] articles analysed, [bold]{stats.failed:,}[/] failed, "
        f"{stats.skipped:,} skipped (already in {escape(str(stats.output))}) in {stats.seconds:,.1f} s "
        f"({done / stats.seconds if stats.seconds else 0:,.1f} docs/s, jobs {stats.jobs})",
        highlight=False,
    )
    if stats.retried:
        console.print(f"{stats.retried:,} failure rows removed from {escape(str(stats.output))} to analyse their "
                      "documents again (--retry-failed)", highlight=False)
    if stats.earlier_failed:
        console.print(f"{stats.earlier_failed:,} failure rows in {escape(str(stats.output))} from earlier runs "
                      "(skipped; --retry-failed analyses them again)", highlight=False)
    if stats.failure_reasons:
        reasons = Table(title="failures by reason")
        reasons.add_column("code")
        reasons.add_column("documents", justify="right")
        reasons.add_column("example")
        examples = {}
        for _, message in stats.failure_examples:
            code = message[1:5] if message.startswith("[E") else "other"
            examples.setdefault(code, message)
        for code, n in stats.failure_reasons.most_common():
            reasons.add_row(plain(code), f"{n:,}", plain((examples.get(code) or "")[:100]))  # from the input
        console.print(reasons)
    if stats.techniques:
        table = Table(title="techniques per voice (this run)")
        for col in ("technique", "outlet", "quoted", "unattributed"):
            table.add_column(col, justify="left" if col == "technique" else "right")
        names = sorted({t for t, _ in stats.techniques}, key=lambda t: -sum(stats.techniques[(t, v)] for v in ("outlet", "quoted", "unattributed")))
        for name in names:
            table.add_row(name, *(f"{stats.techniques[(name, v)]:,}" for v in ("outlet", "quoted", "unattributed")))
        console.print(table)
    if stats.groups:
        table = Table(title=f"per {stats.group_column or 'source'} (this run)")
        for col in ("group", "articles", "failed", "techniques outlet", "techniques quoted", "mean credibility"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for name, g in sorted(stats.groups.items(), key=lambda kv: -kv[1].articles):
            mean = g.credibility_mean
            table.add_row(
                plain(name), f"{g.articles:,}", f"{g.failures:,}", f"{g.techniques_outlet:,}", f"{g.techniques_quoted:,}",
                "-" if mean is None else f"{mean:.2f}",
            )
        console.print(table)
