"""``slant train techniques`` and ``slant evaluate techniques`` (PTC, SemEval-2020 Task 11)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from . import nonempty_path

if TYPE_CHECKING:
    from ..techniques.training import Predictions


def _default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "models" / "techniques"


def min_score_value(value: str) -> float:
    """Parser of ``--min-score``: a number from 0 to 1.

    Raises:
        typer.BadParameter: not a number, NaN (every comparison with NaN is false, so it would
            pass as no threshold at all), or outside [0, 1] (a usage error, exit 2).
    """
    try:
        score = float(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number; give a score in [0, 1]") from None
    if math.isnan(score):
        raise typer.BadParameter(f"{value!r} is not a number (NaN); give a score in [0, 1]")
    if not 0.0 <= score <= 1.0:
        raise typer.BadParameter(f"{value} is outside [0, 1]")
    return score


def prediction_files(data: Path, out_dir: Path, si_only: bool) -> list[Path]:
    """The files :func:`write_predictions` writes for the PTC split ``data`` into ``out_dir``:
    ``<split>-predictions-task-si.labels`` then, unless ``si_only``,
    ``<split>-predictions-task-flc-tc.labels`` (``<split>``: the name of ``data``)."""
    name = data.resolve().name or "split"
    tasks = ("si",) if si_only else ("si", "flc-tc")
    return [out_dir / f"{name}-predictions-task-{task}.labels" for task in tasks]


def check_predictions_dir(data: Path, out_dir: Path, si_only: bool) -> None:
    """Check, before a whole split is predicted, that :func:`write_predictions` can write into
    ``out_dir`` (created later, with its parents, when absent); creates nothing.

    Raises:
        InputError (E122): ``out_dir`` or the nearest of its parents that exists is not a
            folder, or is not writable; a file to write is a folder or is not writable.
    """
    from ..errors import InputError

    def cannot(path: Path, why: str) -> InputError:
        return InputError(f"[E122] {path}: cannot write the predictions: {why}")

    existing = out_dir
    while not os.path.lexists(existing) and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise cannot(out_dir, "not a folder" if existing == out_dir else f"{existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise cannot(existing, "permission denied")
    if existing == out_dir:
        for path in prediction_files(data, out_dir, si_only):
            if path.is_dir():
                raise cannot(path, "a folder, not a file")
            if path.exists() and not os.access(path, os.W_OK):
                raise cannot(path, "permission denied")


def write_predictions(predictions: Predictions, data: Path, out_dir: Path) -> list[tuple[Path, int]]:
    """Write the predictions that ``slant evaluate techniques`` scored on a PTC split, in the
    official SemEval-2020 combined formats (:func:`~slant.techniques.data.write_si`,
    :func:`~slant.techniques.data.write_tc`).

    Args:
        predictions: :func:`~slant.techniques.training.predict_items`'s ``(SI spans, TC labels
            or None)``: SI spans from :func:`~slant.techniques.training.predict_si` (decoded runs
            and sentences scored at least the evaluation's ``min_score``) and TC labels from
            :func:`~slant.techniques.training.predict_tc_gold`, which labels the GOLD TC spans
            only (a span with k gold labels gets its k most probable distinct techniques).
        data: the PTC split (folder); its name ``<split>`` prefixes the file names.
        out_dir: the folder to write to, created with its parents if absent.
    Returns:
        ``(path, number of lines)`` of each file written: ``<split>-predictions-task-si.labels``
        then, when there are TC labels, ``<split>-predictions-task-flc-tc.labels``; offsets are
        0-based half-open character offsets into the article files.
    Raises:
        InputError: ``out_dir`` or a file in it cannot be created or written (E122).
    """
    from ..errors import InputError
    from ..techniques.data import TechniqueSpan, write_si, write_tc

    si_pred, tc_pred = predictions
    paths = prediction_files(data, out_dir, si_only=tc_pred is None)
    si = {aid: [TechniqueSpan(s, e) for s, e in spans] for aid, spans in si_pred.items()}
    files: list[tuple[Path, Callable[..., None], dict[str, list[TechniqueSpan]], int]] = [
        (paths[0], write_si, si, sum(len(set(v)) for v in si.values()))]
    if tc_pred is not None:
        tc = {aid: [TechniqueSpan(s, e, t) for s, e, t in labels] for aid, labels in tc_pred.items()}
        files.append((paths[1], write_tc, tc, sum(len(v) for v in tc.values())))
    target = out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for target, write, spans, _ in files:
            write(target, spans)
    except OSError as exc:  # a file of that name, no permission, a full disk
        raise InputError(f"[E122] {target}: cannot write the predictions: {exc.strerror or exc}") from None
    return [(path, n) for path, _, _, n in files]


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add the techniques commands to the ``train`` and ``evaluate`` groups."""

    @train.command("techniques")
    def train_techniques(
        data: Annotated[Path, typer.Option("--data", parser=nonempty_path, metavar="<path>", help="PTC train split (articles/, labels-si/, labels-tc/).")],
        output: Annotated[Optional[Path], typer.Option("--output", "-o", parser=nonempty_path, metavar="<path>", help="Model folder (default: the shipped one).")] = None,
        seed: Annotated[int, typer.Option(help="Random seed of the SGD fits and the fine-tuning.")] = 13,
        encoder: Annotated[bool, typer.Option("--encoder/--no-encoder", help="Also fine-tune the transformer tagger and technique classifier (pip install 'slant\\[train]'; about 45 minutes on 2 cores).")] = True,
    ) -> None:
        """Rebuild the techniques model (SI tagger, TC classifier, transformer tagger and technique classifier) from a PTC split, seeded."""
        from ..cli import fail
        from ..errors import SlantError
        from ..techniques.training import train as run_train

        out = output or _default_model_dir()
        try:
            model = run_train(data, out, params={"seed": seed}, encoder=encoder,
                              log=lambda line: typer.echo(line, err=True))
        except SlantError as exc:
            raise fail(str(exc))
        except OSError as exc:
            raise fail(f"{data}: {exc}")
        typer.echo(f"wrote {out} ({model.meta['data']['articles']} articles, seed {seed})")

    @evaluate.command("techniques")
    def evaluate_techniques(
        data: Annotated[Path, typer.Option("--data", parser=nonempty_path, metavar="<path>", help="PTC split with gold labels, e.g. ptc/dev.")],
        format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        si_only: Annotated[bool, typer.Option("--si-only", help="Score span identification only (no labels-tc needed).")] = False,
        # min/max: shown by --help; min_score_value enforces them (and refuses NaN)
        min_score: Annotated[float, typer.Option(parser=min_score_value, min=0.0, max=1.0, metavar="<score>", help="Score SI spans with at least this calibrated score (0 = every decoded span).")] = 0.0,
        model_dir: Annotated[Optional[Path], typer.Option("--model", parser=nonempty_path, metavar="<path>", help="Model folder (default: the shipped one).")] = None,
        encoder: Annotated[Optional[bool], typer.Option("--encoder/--no-encoder", help="Mix the fine-tuned transformers into SI and TC (default: technique_encoder in the options, as slant analyze).")] = None,
        predictions: Annotated[Optional[Path], typer.Option("--predictions", parser=nonempty_path, metavar="<dir>", help="Also write the scored predictions in the official SemEval-2020 formats, one file per task for the whole split: <dir>/<split>-predictions-task-si.labels (ID, start, end: the decoded SI spans, at --min-score) and, unless --si-only, <dir>/<split>-predictions-task-flc-tc.labels (ID, technique, start, end: TC labels for the GOLD TC spans only, one per gold label, as SemEval TC scores them). <split> is the --data folder's name; <dir> (not the --data folder) is created if absent, and files of these names in it are replaced.")] = None,
    ) -> None:
        """Print SI P/R/F1, TC micro-F1 and per-technique F1 on a PTC split (SemEval-2020 measures).

        Gold labels come from labels-si/ and labels-tc/, or from combined *task-si.labels /
        *task-flc-tc.labels files at the split's root. With --predictions, also write the
        predictions it scored, in those combined formats.
        """
        from ..cli import fail, note_line, warning_line
        from ..errors import SlantError
        from ..techniques.data import load_split
        from ..techniques.model import TechniqueModel, load_model
        from ..techniques.training import evaluate as run_eval

        if format not in ("text", "json"):
            raise fail(f"--format must be text or json, not {format!r}", code=2)
        if predictions is not None and predictions.resolve() == data.resolve():
            raise fail(f"--predictions {predictions} must not be the --data folder"
                       " (a combined label file there would be read as gold)", code=2)
        try:
            # read the split and check where the predictions go before predicting (minutes with
            # the transformers): its errors, warnings and notes come first
            articles = load_split(data, warn=warning_line)
            if any(a.tc for a in articles) and not any(a.si for a in articles):
                note_line(f"{data}: no SI labels (labels-si/ or *task-si.labels): SI is scored against the TC spans")
            if predictions is not None:
                check_predictions_dir(data, predictions, si_only)
            if encoder is None:
                from ..options import load_options

                encoder = load_options().technique_encoder
            model = TechniqueModel.load(model_dir) if model_dir else load_model()
            written: list[tuple[Path, int]] = []
            # the predictions scored are the ones written: predicted once
            keep = (lambda preds: written.extend(write_predictions(preds, data, predictions))) if predictions else None
            result = run_eval(model, data, si_only=si_only, min_score=min_score, encoder=encoder, on_predictions=keep,
                              articles=articles)
        except SlantError as exc:
            raise fail(str(exc))
        except OSError as exc:
            raise fail(f"{data}: {exc}")
        for path, n in written:
            typer.echo(f"wrote {path} ({n} lines)", err=True)
        if format == "json":
            typer.echo(json.dumps(result, indent=2))
            return
        si = result["si"]
        typer.echo(f"{data}: {result['articles']} articles"
                   + (" (with the transformers)" if result["encoder"] else " (linear models alone, no transformer)"))
        typer.echo(f"SI  precision {si['precision']:.4f}  recall {si['recall']:.4f}  F1 {si['f1']:.4f}"
                   f"  ({int(si['n_pred'])} predicted, {int(si['n_gold'])} gold merged spans)")
        if "tc" in result:
            tc = result["tc"]
            typer.echo(f"TC  micro-F1 {tc['micro_f1']:.4f}  over {int(tc['n_spans'])} gold spans")
            for name, v in sorted(tc["per_technique"].items(), key=lambda kv: -kv[1]["n_gold"]):
                typer.echo(f"    {name:<40} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  (gold {int(v['n_gold'])})")
