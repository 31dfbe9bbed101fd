"""Benchmark of the techniques detector on a PTC split: quality and speed.

Prints SI P/R/F1 and TC micro-F1 (SemEval-2020 Task 11 measures) of the shipped
model, then the speed of the full detector against the bare spaCy pipeline, all on
the same articles (the whole split, or its first N with ``--limit N``) in the same run:

* ``spacy``: ``nlp.pipe`` over the normalised texts (what every analysis pays);
* ``spacy+techniques``: the same, plus the techniques stage's work on each Doc
  (SI tagger, sentence classifier, TC, mapping back to the original text), with the
  fine-tuned transformers mixed in (``technique_encoder = true``: the tagger into SI, the
  technique classifier into TC);
* ``spacy+techniques, linear``: the same with ``technique_encoder = false`` (the default);
* ratio = time(spacy+techniques) / time(spacy); the issue's bar is <= 1.5.

Usage::

    python benchmarks/techniques.py [--data ../shared/data/ptc/dev] [--limit N] [--repeat 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ptc" / "dev"


def _stage_work(model, document, normalized, doc, encoder: bool) -> int:
    """What techniques_stage does for one Doc, minus the pydantic wrapping of results."""
    from slant.analysis import Context
    from slant.options import Options
    from slant.techniques.detector import techniques_stage

    ctx = Context(document, normalized, doc, Options(stages=("techniques",), min_technique_score=0.0,
                                                     technique_encoder=encoder))
    techniques_stage(ctx)
    return len(ctx.out["techniques"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N articles (by id), for quality and speed alike")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes; the fastest counts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, not {args.limit}")
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, not {args.repeat}")

    from slant.document import Document
    from slant.nlp import get_nlp
    from slant.normalize import normalize
    from slant.techniques.data import load_split
    from slant.techniques.model import load_model
    from slant.techniques.training import evaluate_items, prepare

    model = load_model()
    split = load_split(args.data)
    articles = split[: args.limit]
    # quality on the very articles that are timed (what `slant evaluate techniques` computes
    # on the whole split when there is no --limit)
    items = prepare(articles)
    quality = evaluate_items(model, items, encoder=True)
    linear = evaluate_items(model, items, encoder=False)
    nlp = get_nlp()
    documents = [Document(a.text, {"id": a.id}) for a in articles]
    norms = [normalize(d.text) for d in documents]
    texts = [n.text for n in norms]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:4]))  # warm up

    spacy_s, full_s, lin_s = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=32))
        t1 = time.perf_counter()
        for d, n, doc in zip(documents, norms, docs):
            _stage_work(model, d, n, doc, True)
        t2 = time.perf_counter()
        for d, n, doc in zip(documents, norms, docs):
            _stage_work(model, d, n, doc, False)
        t3 = time.perf_counter()
        spacy_s.append(t1 - t0)
        full_s.append(t2 - t0)
        lin_s.append((t1 - t0) + (t3 - t2))
    sp, fu, li = min(spacy_s), min(full_s), min(lin_s)
    result = {
        "split": str(args.data),
        "si": {k: quality["si"][k] for k in ("precision", "recall", "f1")},
        "tc_micro_f1": quality["tc"]["micro_f1"],
        "articles": len(articles),
        "split_articles": len(split),
        "words": words,
        "spacy_articles_per_s": len(articles) / sp,
        "full_articles_per_s": len(articles) / fu,
        "detector_ms_per_article": 1000 * (fu - sp) / len(articles),
        "ratio": fu / sp,
        "encoder": quality["encoder"],
        "linear": {"si": {k: linear["si"][k] for k in ("precision", "recall", "f1")},
                   "tc_micro_f1": linear["tc"]["micro_f1"],
                   "full_articles_per_s": len(articles) / li,
                   "detector_ms_per_article": 1000 * (li - sp) / len(articles), "ratio": li / sp},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        scope = "the whole split" if len(articles) == len(split) else f"the first {len(articles)} of {len(split)} articles"
        print(f"{args.data} ({len(articles)} articles, {words} words): quality and speed on {scope}")
        print(f"SI  P {result['si']['precision']:.4f}  R {result['si']['recall']:.4f}  F1 {result['si']['f1']:.4f}")
        print(f"TC  micro-F1 {result['tc_micro_f1']:.4f}")
        print(f"spaCy alone        {result['spacy_articles_per_s']:.2f} articles/s")
        print(f"spaCy + techniques {result['full_articles_per_s']:.2f} articles/s"
              f"  ({result['detector_ms_per_article']:.1f} ms/article for the detector)")
        print(f"ratio {result['ratio']:.3f} (bar: <= 1.5) with the transformer (technique_encoder = true)"
              + ("" if result["encoder"] else "  [model without transformer]"))
        lin = result["linear"]
        print(f"linear models alone (technique_encoder = false, the default): SI F1 {lin['si']['f1']:.4f},"
              f" TC micro-F1 {lin['tc_micro_f1']:.4f},"
              f" {lin['full_articles_per_s']:.2f} articles/s ({lin['detector_ms_per_article']:.1f} ms/article),"
              f" ratio {lin['ratio']:.3f}")
    return result


if __name__ == "__main__":
    main()
