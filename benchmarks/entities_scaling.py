"""How the entities + places stages scale with text length, on real PTC articles.

Concatenates 10 and then 40 PTC train articles into one document each, runs the
entities and places stages on the (already parsed) Doc, and prints CPU ms per
10,000 characters for both sizes and their ratio (near 1.0 = linear; the clustering
once grew faster than the text). Usage::

    python benchmarks/entities_scaling.py [--data ../shared/data/ptc/train/articles]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import slant
from slant.analysis import Context, available_stages
from slant.nlp import get_nlp
from slant.normalize import normalize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ptc/train/articles"))
    args = parser.parse_args()
    files = sorted(args.data.glob("article*.txt"))
    if len(files) < 40:
        raise SystemExit(f"need 40 articles in {args.data}")
    nlp = get_nlp()
    stages = available_stages(["entities", "places"])
    warm = Context(slant.Document("Reporters met in Mosul."), normalize("Reporters met in Mosul."), nlp("Reporters met in Mosul."), slant.Options())
    for _, stage in stages:  # load the gazetteer before timing
        stage(warm)
    rows = []
    for n in (10, 40):
        text = "\n\n".join(f.read_text(encoding="utf-8") for f in files[:n])
        norm = normalize(text)
        doc = nlp(norm.text)
        ctx = Context(slant.Document(text), norm, doc, slant.Options())
        t = time.process_time()
        for _, stage in stages:
            stage(ctx)
        cpu = time.process_time() - t
        rows.append((n, len(text), cpu, cpu * 1000 / (len(text) / 10_000)))
    print(f"{'articles':>8} {'chars':>9} {'CPU s':>7} {'ms/10k chars':>13}")
    for n, chars, cpu, per in rows:
        print(f"{n:>8} {chars:>9,} {cpu:>7.2f} {per:>13.1f}")
    print(f"ratio of ms/10k chars, 40 vs 10 articles: {rows[1][3] / rows[0][3]:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
