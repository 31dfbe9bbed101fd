"""``slant train techniques`` and ``slant evaluate techniques`` (PTC, SemEval-2020 Task 11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from . import nonempty_path


def _default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "models" / "techniques"


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
        min_score: Annotated[float, typer.Option(min=0.0, max=1.0, help="Score SI spans with at least this calibrated score (0 = every decoded span).")] = 0.0,
        model_dir: Annotated[Optional[Path], typer.Option("--model", parser=nonempty_path, metavar="<path>", help="Model folder (default: the shipped one).")] = None,
        encoder: Annotated[Optional[bool], typer.Option("--encoder/--no-encoder", help="Mix the fine-tuned transformers into SI and TC (default: technique_encoder in the options, as slant analyze).")] = None,
    ) -> None:
        """Print SI P/R/F1, TC micro-F1 and per-technique F1 on a PTC split (SemEval-2020 measures)."""
        from ..cli import fail
        from ..errors import SlantError
        from ..techniques.model import TechniqueModel, load_model
        from ..techniques.training import evaluate as run_eval

        if format not in ("text", "json"):
            raise fail(f"--format must be text or json, not {format!r}", code=2)
        try:
            if encoder is None:
                from ..options import load_options

                encoder = load_options().technique_encoder
            model = TechniqueModel.load(model_dir) if model_dir else load_model()
            result = run_eval(model, data, si_only=si_only, min_score=min_score, encoder=encoder)
        except SlantError as exc:
            raise fail(str(exc))
        except OSError as exc:
            raise fail(f"{data}: {exc}")
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
