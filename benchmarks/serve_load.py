"""Bounded load test of ``slant serve`` on loopback.

Starts ``slant serve`` as a subprocess on a free loopback port with a fresh SQLite
store (or ``--database-url``), sends ``--requests`` POST /v1/analyze requests from
``--clients`` concurrent clients, each the text of a real article (the PTC train
articles under ``--data``; ``--unique`` distinct ones, each sent several times, in
a seeded shuffle), then stops by itself and checks:

* no 5xx answer (and counts 4xx: 429 is retried after Retry-After, once per request);
* every answer's id is the sha256 of the text sent, and repeated texts got the same analysis;
* the store holds exactly one row per distinct text (none lost, none duplicated),
  and its technique index rows match the stored analyses.

Prints requests/s, p50/p95/max latency and the checks; exit code 0 when all pass.

    python benchmarks/serve_load.py                       # 300 requests, 8 clients, 100 articles
    python benchmarks/serve_load.py --requests 60 --unique 20 --stages sentences,entities,attribution
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("SLANT_SHARED", ROOT.parent / "shared")) / "data"


def load_articles(data: Path, n: int, max_chars: int) -> list[str]:
    """The first ``n`` PTC train articles (sorted by file name) of at most ``max_chars`` characters."""
    folder = data / "ptc" / "train" / "articles"
    if not folder.is_dir():
        sys.exit(f"error: no articles at {folder} (give --data)")
    texts = []
    for path in sorted(folder.glob("article*.txt")):
        text = path.read_text(encoding="utf-8")
        if text.strip() and len(text) <= max_chars:
            texts.append(text)
        if len(texts) == n:
            break
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, database_url: str, args: argparse.Namespace, workdir: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "slant.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--database-url", database_url, "--max-concurrent", str(args.max_concurrent),
           "--max-queued", str(args.max_queued), "--timeout", str(args.timeout)]
    if args.stages:
        config = workdir / "stages.toml"
        stages = ", ".join(json.dumps(s) for s in args.stages.split(","))
        config.write_text(f"[analysis]\nstages = [{stages}]\n", encoding="utf-8")
        cmd += ["--config", str(config)]
    log = open(workdir / "server.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"error: slant serve exited with {proc.returncode}; see {workdir / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    sys.exit("error: slant serve did not start within 120 s")


def run_load(base: str, schedule: list[str], clients: int, max_seconds: float) -> list[dict]:
    """Send every text in ``schedule`` from ``clients`` threads; stop early after ``max_seconds``."""
    results: list[dict] = []
    lock = threading.Lock()
    next_index = iter(range(len(schedule)))
    stop_at = time.monotonic() + max_seconds

    def client() -> None:
        with httpx.Client(base_url=base, timeout=max(60.0, max_seconds)) as http:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                text = schedule[i]
                t0 = time.perf_counter()
                retried = False
                while True:
                    try:
                        resp = http.post("/v1/analyze", json={"text": text})
                        status, body = resp.status_code, (resp.json() if resp.content else {})
                    except (httpx.HTTPError, ValueError) as exc:
                        status, body = 0, {"error": {"message": f"{type(exc).__name__}: {exc}"}}
                    if status == 429 and not retried:
                        retried = True
                        time.sleep(float(resp.headers.get("retry-after", "1")))
                        continue
                    break
                latency = time.perf_counter() - t0
                record = {"i": i, "status": status, "latency": latency, "retried": retried,
                          "id": body.get("id"), "cached": body.get("cached"),
                          "n_techniques": len(body.get("analysis", {}).get("techniques", [])) if status == 200 else None,
                          "digest": json.dumps(body.get("analysis"), sort_keys=True) if status == 200 else None,
                          "error": (body.get("error") or {}).get("message")}
                with lock:
                    results.append(record)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def check_store(database_url: str, sent: dict[str, str], ok_ids: set[str]) -> list[str]:
    """Problems found in the store: lost or duplicated analyses, mismatched index rows."""
    import sqlalchemy as sa

    from slant.store import Store, analyses, analysis_techniques

    problems = []
    store = Store(database_url)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(analyses.c.id, analyses.c.n_techniques, analyses.c.text)).all()
        technique_rows = conn.execute(
            sa.select(analysis_techniques.c.analysis_id, sa.func.sum(analysis_techniques.c.count))
            .group_by(analysis_techniques.c.analysis_id)).all()
    ids = Counter(r.id for r in rows)
    if any(n > 1 for n in ids.values()):
        problems.append(f"duplicated analyses: {[i for i, n in ids.items() if n > 1][:5]}")
    lost = ok_ids - set(ids)
    if lost:
        problems.append(f"{len(lost)} analyses answered 200 but not stored")
    extra = set(ids) - set(sent)
    if extra:
        problems.append(f"{len(extra)} stored analyses were never sent")
    for r in rows:
        if r.id in sent and r.text != sent[r.id]:
            problems.append(f"stored text of {r.id[:12]} differs from the text sent")
    per_analysis = {aid: int(n) for aid, n in technique_rows}
    for r in rows:
        if per_analysis.get(r.id, 0) != r.n_techniques:
            problems.append(f"technique index rows of {r.id[:12]}: {per_analysis.get(r.id, 0)} != {r.n_techniques}")
    store.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    from slant.document import text_id

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--unique", type=int, default=100, help="distinct articles (each sent requests/unique times)")
    ap.add_argument("--max-chars", type=int, default=8000, help="skip articles longer than this")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    ap.add_argument("--stages", default=None, help="comma-separated stages (default: all of defaults.toml)")
    ap.add_argument("--max-concurrent", type=int, default=2)
    ap.add_argument("--max-queued", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=300.0, help="server's per-request analysis timeout, s")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="stop sending after this long")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    texts = load_articles(args.data, args.unique, args.max_chars)
    schedule = [texts[i % len(texts)] for i in range(args.requests)]
    random.Random(args.seed).shuffle(schedule)
    sent = {text_id(t): t for t in texts}
    with tempfile.TemporaryDirectory(prefix="slant-load-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'load.db'}"
        if args.database_url:  # start from an empty store
            from slant.store import Store, analyses
            import sqlalchemy as sa

            store = Store(database_url)
            store.upgrade()
            with store.engine.begin() as conn:
                for table in ("analysis_entities", "analysis_speakers", "analysis_techniques"):
                    conn.execute(sa.text(f"DELETE FROM {table}"))
                conn.execute(analyses.delete())
            store.close()
        port = free_port()
        server = start_server(port, database_url, args, workdir)
        try:
            t0 = time.perf_counter()
            results = run_load(f"http://127.0.0.1:{port}", schedule, args.clients, args.max_seconds)
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=30)
        statuses = Counter(r["status"] for r in results)
        ok = [r for r in results if r["status"] == 200]
        problems = []
        fivexx = [r for r in results if r["status"] >= 500 or r["status"] == 0]
        if fivexx:
            examples = {f"{r['status']}: {r['error']}" for r in fivexx}
            problems.append(f"{len(fivexx)} 5xx/failed requests: {sorted(examples)[:5]}")
        if len(results) < len(schedule):
            problems.append(f"stopped after {args.max_seconds:g} s: {len(results)} of {len(schedule)} requests sent")
        digests: dict[str, set[str]] = {}
        for r in ok:
            expected = text_id(schedule[r["i"]])
            if r["id"] != expected:
                problems.append(f"request {r['i']}: id {r['id']} is not the sha256 of its text")
            digests.setdefault(r["id"], set()).add(r["digest"])
        differing = [i for i, d in digests.items() if len(d) > 1]
        if differing:
            problems.append(f"{len(differing)} texts got different analyses on different requests")
        problems += check_store(database_url, sent, {r["id"] for r in ok})
        lat = [r["latency"] for r in ok]
        analysed = sum(1 for r in ok if r["cached"] is False)
        print(f"slant serve load test: {len(results)} requests ({len(texts)} distinct PTC train articles, "
              f"<= {args.max_chars} chars), {args.clients} clients, server max_concurrent={args.max_concurrent}, "
              f"stages={args.stages or 'all'}")
        print(f"  status counts     {dict(sorted(statuses.items()))}  (429 retried: {sum(r['retried'] for r in results)})")
        print(f"  analysed / cached {analysed} / {len(ok) - analysed}")
        print(f"  wall time         {wall:.1f} s, {len(results) / wall:.2f} requests/s")
        print(f"  latency (200s)    p50 {percentile(lat, .5):.2f} s, p95 {percentile(lat, .95):.2f} s, max {max(lat, default=float('nan')):.2f} s")
        print(f"  technique spans   {sum(r['n_techniques'] or 0 for r in ok if r['cached'] is False)} in first answers")
        print(f"  stored analyses   {len(sent)} expected distinct; checks: {'PASS' if not problems else 'FAIL'}")
        for p in problems[:20]:
            print(f"    - {p}")
        if problems:
            log = (workdir / "server.log").read_text(encoding="utf-8", errors="replace")
            print("  server log (last 60 lines):\n" + "\n".join(log.splitlines()[-60:]))
        return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
