"""CPU time of each analysis stage against spaCy's own, on the same articles.

    python benchmarks/stages.py                # the first 30 PTC dev articles
    python benchmarks/stages.py --limit 75
    python benchmarks/stages.py --mix --limit 200   # throughput.py's articles (PTC + news)

Normalisation of every article, then spaCy over all of them in one ``nlp.pipe`` (batches
of ``batch_size``, as ``slant batch`` and the bare baseline of ``throughput.py`` run it),
then every stage of the default options on each article in order; each part timed with
``time.process_time()`` (CPU seconds of this process, less sensitive than wall time to
a shared machine). Prints each part's CPU seconds and its share of spaCy's; "all
stages" is everything but spaCy. Issue 8's target (full analysis at most 1.5 x bare
spaCy's time) means "all stages" <= 50 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data",
                    help="shared/data (default: %(default)s)")
    ap.add_argument("--limit", type=int, default=30, help="articles (default: %(default)s)")
    ap.add_argument("--mix", action="store_true",
                    help="throughput.py's articles (PTC train+dev and news, shuffled, seed 0) instead of PTC dev")
    args = ap.parse_args(argv)
    if args.mix:
        import random

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from throughput import load_articles

        mix = load_articles(args.data)
        random.Random(0).shuffle(mix)
        texts, label = [a["text"] for a in mix[: args.limit]], "articles of throughput.py's mix"
    else:
        paths = sorted((args.data / "ptc" / "dev" / "articles").glob("article*.txt"))[: args.limit]
        texts, label = [p.read_text(encoding="utf-8") for p in paths], "PTC dev articles"
    if not texts:
        print(f"error: no articles under {args.data}", file=sys.stderr)
        return 2

    from slant.analysis import Context, _finish, available_stages
    from slant.document import Document
    from slant.nlp import get_nlp
    from slant.normalize import normalize
    from slant.options import Options

    nlp, options = get_nlp(), Options()
    stages = available_stages(options.stages)
    docs = [Document(t) for t in texts]
    warm = normalize(docs[0].text)  # load every model before timing
    ctx = Context(docs[0], warm, nlp(warm.text), options)
    for _, stage in stages:
        stage(ctx)

    cpu: dict[str, float] = defaultdict(float)
    t = time.process_time()
    normalized = [normalize(doc.text) for doc in docs]
    cpu["normalize"] += time.process_time() - t
    t = time.process_time()
    spacy_docs = list(nlp.pipe((n.text for n in normalized), batch_size=options.batch_size))
    cpu["spacy"] += time.process_time() - t
    for doc, norm, spacy_doc in zip(docs, normalized, spacy_docs):
        ctx = Context(doc, norm, spacy_doc, options)
        for name, stage in stages:
            t = time.process_time()
            stage(ctx)
            cpu[name] += time.process_time() - t
        t = time.process_time()
        _finish(ctx)
        cpu["contract"] += time.process_time() - t

    words = sum(len(d.text.split()) for d in docs)
    print(f"# {len(docs)} {label}, {words:,} words; CPU seconds (process_time)")
    spacy_s = cpu["spacy"]
    for name, s in cpu.items():
        print(f"{name:<14}{s:>8.2f} s{100 * s / spacy_s:>8.1f} % of spaCy")
    rest = sum(cpu.values()) - spacy_s
    print(f"{'all stages':<14}{rest:>8.2f} s{100 * rest / spacy_s:>8.1f} % of spaCy  (target <= 50 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
