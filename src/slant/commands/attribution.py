"""``slant evaluate attribution``: quotation, cue and speaker scores on the annotated set.

The set is ``slant/evaluation/attribution/gold.jsonl`` (guideline: ``GUIDELINE.md`` next to
it): one line per article, naming the article by path (and corpus row id) under the
shared data folder plus the sha256 of its text, and listing the quotations with
ORIGINAL offsets, type, cue and speaker. Article texts are not in the repository.

In the same run, textacy's ``extract.triples.direct_quotations`` is scored on the same
spaCy Docs (of the normalised text, so both see the same quotation marks) as the
reference; an article where it raises (odd count of quotation marks) counts as no
output.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..evaluation import gold_file, shared_dir
from . import nonempty_path

DEFAULT_GOLD = gold_file("attribution", "gold.jsonl")
#: annotated without looking at the stage's output, after it was frozen (see GUIDELINE.md)
HELDOUT_GOLD = gold_file("attribution", "heldout.jsonl")


def register(app: typer.Typer, train: typer.Typer, evaluate: typer.Typer) -> None:
    """Add ``slant evaluate attribution``."""

    @evaluate.command("attribution")
    def evaluate_attribution(
        fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
        gold: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="gold JSONL (default: the shipped slant/evaluation/attribution/gold.jsonl and heldout.jsonl)")] = None,
        shared: Annotated[Optional[Path], typer.Option(parser=nonempty_path, metavar="<path>", help="folder holding data/ and examples/ (default: $SLANT_SHARED or ../shared)")] = None,
    ) -> None:
        """Score quotations (exact/overlap P/R/F1), cues, speakers and indirect recall; textacy as reference."""
        from rich.console import Console

        from ..cli import fail
        from ..errors import SlantError

        if fmt not in ("text", "json"):
            Console(stderr=True).print(f"error: --format must be text or json, not {fmt!r}", highlight=False)
            raise typer.Exit(2)
        try:
            import textacy  # noqa: F401  (the reference system, scored in the same run)
        except ImportError:
            Console(stderr=True).print("error: [E301] textacy is the reference system here: pip install 'slant[evaluate]'", highlight=False, markup=False)
            raise typer.Exit(3) from None
        golds = [gold] if gold else [DEFAULT_GOLD, HELDOUT_GOLD]
        shared = shared or shared_dir()
        reports = {}
        for path in golds:
            try:
                reports[path.name] = evaluate_set(path, shared)
            except SlantError as exc:  # E1xx naming the user's path (or E2xx, a missing model)
                raise fail(str(exc)) from None
        if fmt == "json":
            print(json.dumps(reports, indent=2))
        else:
            for report in reports.values():
                _print_report(report)


# ---------------------------------------------------------------- the set


def load_gold(gold: Path, shared: Path) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Read the gold JSONL and the article texts it names.

    Returns:
        ``(doc ref, original text, gold quotations)`` per article.
    Raises:
        InputError: the gold file or the shared folder is missing, empty, binary or malformed;
            an article is missing or its text differs from the annotated one (sha256) (E1xx,
            naming the path).
    """
    from slant.errors import InputError
    from slant.evaluation.inputs import need_dir, read_article, read_jsonl

    rows = read_jsonl(gold, ("doc", "sha256", "quotations"), "a gold JSONL file")
    need_dir(shared, "the folder holding data/ and examples/")
    rows_cache: dict[Path, dict[str, str]] = {}
    out = []
    for lineno, item in rows:
        ref = item["doc"]
        where = f"{gold} line {lineno}"
        text = read_article(shared, ref, where, rows_cache)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != item["sha256"]:
            raise InputError(f"[E106] {shared / ref}: text differs from the annotated version "
                             f"(sha256 mismatch with {where})")
        quotations = item["quotations"]
        if not isinstance(quotations, list) or not all(
            isinstance(q, dict) and {"start", "end", "type"} <= q.keys() for q in quotations
        ):
            raise InputError(f"[E108] {where}: 'quotations' must be a list of objects with start, end and type")
        out.append((ref, text, quotations))
    return out


# ---------------------------------------------------------------- scoring


def _key_words(name: str) -> list[str]:
    from slant.entities import name_key

    return name_key(name).split()


def speaker_matches(gold: str | None, names: list[str]) -> bool:
    """Whether any predicted speaker name denotes the gold speaker.

    Same entity when the last word (surname or head noun) of one appears in the other,
    or the longest words are near-identical spellings (ratio >= 0.75, as the entity
    clustering uses).
    """
    if not gold:
        return not names
    g = _key_words(gold)
    for name in names:
        p = _key_words(name)
        if not p or not g:
            continue
        if p[-1] in g or g[-1] in p:
            return True
        lg, lp = max(g, key=len), max(p, key=len)
        if min(len(lg), len(lp)) >= 5 and difflib.SequenceMatcher(None, lg, lp).ratio() >= 0.75:
            return True
    return False


def _match(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> dict[int, int]:
    """One-to-one overlap matching, largest overlaps first. Returns gold index -> pred index."""
    cands = []
    for i, (gs, ge) in enumerate(gold):
        for j, (ps, pe) in enumerate(pred):
            ov = min(ge, pe) - max(gs, ps)
            if ov > 0:
                cands.append((ov, i, j))
    cands.sort(reverse=True)
    used_g, used_p, out = set(), set(), {}
    for _, i, j in cands:
        if i not in used_g and j not in used_p:
            out[i] = j
            used_g.add(i)
            used_p.add(j)
    return out


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "n_pred": n_pred, "n_gold": n_gold}


class _Tally:
    def __init__(self) -> None:
        self.n_gold = self.n_pred = self.exact = self.overlap = 0
        self.cue_gold = self.cue_pred = self.cue_tp = 0
        self.spk_n = self.spk_ok = 0

    def add(self, gold: list[dict], pred: list[dict], *, scope: set[str] | None = None) -> dict[int, int]:
        g = [q for q in gold if scope is None or q["type"] in scope]
        if scope is not None:
            # a prediction that overlaps only gold items outside the scope (e.g. a mixed
            # quotation when scoring direct ones) is judged there, not counted as a false positive
            def _hits(q: dict, items: list[dict]) -> bool:
                return any(q["start"] < o["end"] and o["start"] < q["end"] for o in items)

            others = [q for q in gold if q["type"] not in scope]
            pred = [p for p in pred if _hits(p, g) or not _hits(p, others)]
        gs = [(q["start"], q["end"]) for q in g]
        ps = [(q["start"], q["end"]) for q in pred]
        m = _match(gs, ps)
        self.n_gold += len(g)
        self.n_pred += len(pred)
        self.overlap += len(m)
        self.exact += len(set(gs) & set(ps))
        self.cue_gold += sum(1 for q in g if q.get("cue"))
        self.cue_pred += sum(1 for q in pred if q.get("cue"))
        for i, j in m.items():
            gq, pq = g[i], pred[j]
            if gq.get("cue") and pq.get("cue") and pq["cue"][0] < gq["cue"][1] and gq["cue"][0] < pq["cue"][1]:
                self.cue_tp += 1
            self.spk_n += 1
            self.spk_ok += speaker_matches(gq.get("speaker"), pq.get("speaker_names", []))
        return m

    def report(self) -> dict[str, Any]:
        return {
            "exact": _prf(self.exact, self.n_pred, self.exact, self.n_gold),
            "overlap": _prf(self.overlap, self.n_pred, self.overlap, self.n_gold),
            "cue": _prf(self.cue_tp, self.cue_pred, self.cue_tp, self.cue_gold),
            "speaker_accuracy": round(self.spk_ok / self.spk_n, 4) if self.spk_n else 0.0,
            "speaker_n": self.spk_n,
        }


def _slant_predictions(ctx) -> list[dict]:
    entities = {e.id: e for e in ctx.out.get("entities", [])}
    out = []
    for q in ctx.out.get("quotations", []):
        names: list[str] = []
        if q.speaker is not None:
            ent = entities.get(q.speaker.entity_id or "")
            if ent is not None:
                names = [ent.name, *ent.aliases]
            elif q.speaker.name:
                names = [q.speaker.name]
        out.append({"start": q.start, "end": q.end, "type": q.type, "cue": [q.cue.start, q.cue.end] if q.cue else None, "speaker_names": names})
    return out


def _textacy_predictions(ctx) -> tuple[list[dict], bool]:
    """textacy's direct quotations on the same Doc, content without its marks, ORIGINAL offsets."""
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(ctx.doc))
    except ValueError:
        return [], False
    out = []
    for t in triples:
        content = t.content
        toks = [tok for tok in content if not tok.is_quote]
        if not toks:
            continue
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1])
        cue = [ctx.original(min(c.idx for c in t.cue), max(c.idx + len(c) for c in t.cue))] if t.cue else []
        speaker = " ".join(tok.text for tok in t.speaker) if t.speaker else ""
        out.append({"start": ctx.original(s, e)[0], "end": ctx.original(s, e)[1], "type": "direct",
                    "cue": list(cue[0]) if cue else None, "speaker_names": [speaker] if speaker else []})
    return out, True


def evaluate_set(gold_path: Path, shared: Path) -> dict[str, Any]:
    """Run attribution and textacy on every article of the set and score both.

    Returns:
        JSON-ready dict: ``slant`` (all quotations; ``direct`` = gold direct quotations
        against our direct/mixed ones; ``indirect_recall``), ``textacy`` (direct), the
        number of articles and the seconds the attribution stage took.
    """
    from slant.analysis import Context, available_stages
    from slant.document import Document
    from slant.nlp import get_nlp
    from slant.normalize import normalize
    from slant.options import Options

    items = load_gold(gold_path, shared)
    nlp = get_nlp()
    options = Options()
    stages = dict(available_stages(["entities", "attribution"]))
    norms = [normalize(text) for _, text, _ in items]
    docs = nlp.pipe([n.text for n in norms], batch_size=16)
    all_q, direct, txc = _Tally(), _Tally(), _Tally()
    ind_gold = ind_found = 0
    raised = 0
    stage_s = 0.0
    per_doc = []
    for (ref, text, gold), norm, doc in zip(items, norms, docs):
        ctx = Context(Document(text, {"source": ref}), norm, doc, options)
        stages["entities"](ctx)
        t0 = time.perf_counter()
        stages["attribution"](ctx)
        stage_s += time.perf_counter() - t0
        pred = _slant_predictions(ctx)
        m = all_q.add(gold, pred)
        direct.add(gold, [p for p in pred if p["type"] in ("direct", "mixed")], scope={"direct"})
        for i, q in enumerate(gold):
            if q["type"] in ("indirect", "mixed"):
                ind_gold += 1
                ind_found += i in m
        tpred, ok = _textacy_predictions(ctx)
        raised += not ok
        txc.add(gold, tpred, scope={"direct"})
        per_doc.append({"doc": ref, "gold": len(gold), "pred": len(pred), "matched": len(m)})
    return {
        "set": str(gold_path),
        "articles": len(items),
        "slant": {**all_q.report(), "direct": direct.report(),
                  "indirect_recall": round(ind_found / ind_gold, 4) if ind_gold else 0.0, "indirect_n": ind_gold},
        "textacy": {**txc.report(), "articles_raised": raised},
        "attribution_stage_seconds": round(stage_s, 3),
        "per_doc": per_doc,
    }


def _print_report(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"attribution on {r['articles']} articles ({r['set']})")
    table = Table()
    for col in ("system", "scope", "exact P/R/F1", "overlap P/R/F1", "cue P/R/F1", "speaker acc."):
        table.add_column(col)

    def row(name: str, scope: str, s: dict) -> None:
        f = lambda d: f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f}"  # noqa: E731
        table.add_row(name, f"{scope} (gold {s['overlap']['n_gold']}, pred {s['overlap']['n_pred']})", f(s["exact"]), f(s["overlap"]),
                      f(s["cue"]), f"{s['speaker_accuracy']:.3f} (n={s['speaker_n']})")

    row("slant", "all quotations", r["slant"])
    row("slant", "direct", r["slant"]["direct"])
    row("textacy", "direct", r["textacy"])
    con.print(table)
    con.print(f"indirect+mixed recall (overlap): {r['slant']['indirect_recall']:.3f} of {r['slant']['indirect_n']}")
    con.print(f"textacy raised (odd quotation marks) on {r['textacy']['articles_raised']} articles, counted as no output")
    con.print(f"attribution stage time: {r['attribution_stage_seconds']:.2f} s for {r['articles']} articles")
