"""``slant evaluate techniques`` and ``slant train techniques`` from the command line."""

import json

import pytest
from typer.testing import CliRunner

from slant.cli import app


@pytest.mark.slow
def test_evaluate_techniques_json_has_the_contract_keys(shared_data):
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(shared_data / "ptc" / "dev"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= out["si"][key] <= 1.0
    assert 0.0 < out["tc"]["micro_f1"] <= 1.0
    assert "Loaded_Language" in out["tc"]["per_technique"]


def test_evaluate_techniques_si_only_needs_no_technique_labels(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels-si").mkdir()
    text = "Title\n\nThese corrupt traitors are destroying our great nation!\n"
    (tmp_path / "articles" / "article1.txt").write_text(text, encoding="utf-8")
    (tmp_path / "labels-si" / "article1.task-si.labels").write_text("1\t20\t28\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(tmp_path), "--si-only",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert "tc" not in out and out["si"]["n_gold"] == 1
    # without --si-only the split lacks technique labels: a one-line error, exit 3
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(tmp_path)])
    assert result.exit_code == 3
    assert "E110" in result.output


def test_evaluate_techniques_rejects_a_folder_that_is_not_a_split(tmp_path):
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(tmp_path)])
    assert result.exit_code == 3
    assert "not a PTC split" in result.output


TEXT_1 = "Title\n\nThese corrupt traitors are destroying our great nation!\n"
TEXT_2 = "Headline\n\nOnly a fool would doubt it. Wake up, America! Stand up for the flag!\n"


def tiny_split(root):
    """Two short articles with SI and TC gold (one span with two techniques)."""
    (root / "articles").mkdir(parents=True)
    (root / "labels-si").mkdir()
    (root / "labels-tc").mkdir()
    (root / "articles" / "article1.txt").write_text(TEXT_1, encoding="utf-8")
    (root / "articles" / "article2.txt").write_text(TEXT_2, encoding="utf-8")
    (root / "labels-si" / "article1.task-si.labels").write_text("1\t7\t28\n", encoding="utf-8")
    (root / "labels-tc" / "article1.task-flc-tc.labels").write_text(
        "1\tLoaded_Language\t15\t22\n1\tName_Calling,Labeling\t15\t28\n", encoding="utf-8")
    (root / "labels-si" / "article2.task-si.labels").write_text("2\t10\t21\n2\t38\t55\n", encoding="utf-8")
    (root / "labels-tc" / "article2.task-flc-tc.labels").write_text(
        "2\tName_Calling,Labeling\t17\t21\n2\tSlogans\t38\t55\n2\tFlag-Waving\t38\t55\n", encoding="utf-8")
    return root


def test_evaluate_techniques_writes_the_scored_predictions_in_the_semeval_formats(tmp_path):
    from slant.techniques.data import load_split
    from slant.techniques.scorer import si_score, tc_score

    split = tiny_split(tmp_path / "tiny")
    out = tmp_path / "preds" / "new"  # created, parents too
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--predictions", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)  # the "wrote" lines go to stderr
    si_file, tc_file = out / "tiny-predictions-task-si.labels", out / "tiny-predictions-task-flc-tc.labels"
    assert sorted(out.iterdir()) == [tc_file, si_file]
    assert str(si_file) in result.stderr and str(tc_file) in result.stderr
    # the files read back as a split (load_split reads combined files at a split's root) ...
    (out / "articles").symlink_to(split / "articles")
    pred = {a.id: a for a in load_split(out)}
    gold = {a.id: a for a in load_split(split)}
    # ... and score exactly what the command printed: they are the spans it scored
    si = si_score({k: [(s.start, s.end) for s in a.si] for k, a in pred.items()},
                  {k: [(s.start, s.end) for s in a.si] for k, a in gold.items()})
    assert si.as_dict() == scores["si"]
    tc = tc_score({k: [(s.start, s.end, s.technique) for s in a.tc] for k, a in pred.items()},
                  {k: [(s.start, s.end, s.technique) for s in a.tc] for k, a in gold.items()})
    assert tc.micro.f1 == scores["tc"]["micro_f1"]
    # TC predictions label the gold TC spans: one label per gold label, distinct on a span
    assert {k: sorted((s.start, s.end) for s in a.tc) for k, a in pred.items()} == \
           {k: sorted((s.start, s.end) for s in a.tc) for k, a in gold.items()}


def test_evaluate_techniques_si_only_writes_only_si_predictions(tmp_path):
    split = tiny_split(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder", "--si-only",
                                      "--predictions", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["tiny-predictions-task-si.labels"]


def test_evaluate_techniques_help_documents_predictions():
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--predictions" in result.output and "gold" in result.output


def test_evaluate_techniques_refuses_predictions_in_the_data_folder(tmp_path):
    split = tiny_split(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--predictions", str(split)])
    assert result.exit_code == 2 and "--predictions" in result.stderr and "must not be the --data folder" in result.stderr
    assert "Traceback" not in result.output
    assert not list(split.glob("*.labels"))


def test_evaluate_techniques_predictions_that_cannot_be_written_are_one_line_errors(tmp_path):
    split = tiny_split(tmp_path / "tiny")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--predictions", str(tmp_path / "taken")])
    assert str(tmp_path / "taken") in error_line(result, "E122")


@pytest.mark.parametrize("target", ["file", "under-a-file", "file-is-a-folder"])
def test_evaluate_techniques_checks_the_predictions_folder_before_predicting(tmp_path, monkeypatch, target):
    """--predictions naming a file failed with E122 only once the whole split was predicted
    (minutes with the transformers), and the scores were lost (tester's finding)."""
    import slant.techniques.training as training

    def evaluate(*args, **kwargs):
        raise AssertionError("predicted before checking --predictions")

    monkeypatch.setattr(training, "evaluate", evaluate)
    split = tiny_split(tmp_path / "tiny")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / "out" / "tiny-predictions-task-flc-tc.labels").mkdir(parents=True)
    out, named = {"file": (tmp_path / "taken", tmp_path / "taken"),
                  "under-a-file": (tmp_path / "taken" / "new", tmp_path / "taken"),
                  "file-is-a-folder": (tmp_path / "out", tmp_path / "out" / "tiny-predictions-task-flc-tc.labels"),
                  }[target]
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--predictions", str(out)])
    line = error_line(result, "E122")
    assert str(named) in line and "cannot write the predictions" in line
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file, not a folder"


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_evaluate_techniques_min_score_nan_is_a_clear_usage_error(tmp_path, value):
    """--min-score nan said "should be less than or equal to 1" (tester's finding)."""
    split = tiny_split(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--min-score", value])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "--min-score" in message and "not a number (NaN)" in message and "[0, 1]" in message
    assert "less than" not in message


@pytest.mark.parametrize("value, ok", [("0", True), ("1", True), ("0.5", True), ("1.5", False), ("inf", False),
                                       ("-0.1", False), ("half", False)])
def test_evaluate_techniques_min_score_must_lie_in_0_1(tmp_path, value, ok):
    split = tiny_split(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder", "--si-only",
                                      "--format", "json", "--min-score", value])
    if ok:
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["min_score"] == float(value)
    else:
        assert result.exit_code == 2 and "--min-score" in result.stderr and "Traceback" not in result.output


def test_evaluate_techniques_ignores_files_in_articles_that_are_not_articles(tmp_path):
    """copy_article9.txt in articles/ gave "articles/article9.txt: no such file" (tester's finding)."""
    split = tiny_split(tmp_path / "tiny")
    (split / "articles" / "copy_article9.txt").write_text(TEXT_1, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == 2 and result.stderr == ""


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_evaluate_techniques_warns_of_an_empty_article(tmp_path, text):
    """An empty or whitespace-only article was scored without a word (tester's finding): one
    warning line naming the file, on stderr (the JSON on stdout stays valid), and exit 0."""
    split = tiny_split(tmp_path / "tiny")
    (split / "articles" / "article3.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: {split / 'articles' / 'article3.txt'}: empty article")


def test_evaluate_techniques_says_when_si_gold_comes_from_the_tc_spans(tmp_path):
    """A split with TC labels and no SI labels was scored for SI against its TC spans without
    saying so (tester's finding): one note on stderr, the JSON on stdout stays valid."""
    split = tiny_split(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--format", "json"])
    assert result.exit_code == 0 and result.stderr == ""  # SI labels: nothing to say
    for path in (split / "labels-si").iterdir():
        path.unlink()
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["si"]["n_gold"] == 3  # the 5 TC spans, merged where they overlap
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"note: {split}: no SI labels"), lines
    assert "TC spans" in lines[0]


def error_line(result, code: str = "E110") -> str:
    """The one ``error: [code] ...`` line on stderr; exit 3, no traceback."""
    assert result.exit_code == 3, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: [{code}] "), result.stderr
    return lines[0]


@pytest.mark.parametrize("rel, content, names", [
    ("labels-tc/article1.task-flc-tc.labels", "1\tLoaded Language\t15\t22\n",
     [":1:", "'Loaded Language'", "'Loaded_Language'"]),
    ("labels-si/article999.task-si.labels", "999\t1\t5\n", ["article999.task-si.labels", "999"]),
    ("labels-si/article1.task-si.labels", "1\t7\t28\n1\t7\t28\n", [":2:", "duplicate of line 1"]),
    ("labels-si/article1.task-si.labels", "1\t7\t28\n1\t3000\t3100\n", [":2:", "[3000, 3100)", f"{len(TEXT_1)} chars"]),
    ("labels-tc/article1.task-flc-tc.labels", f"1\tSlogans\t40\t{len(TEXT_1) + 1}\n",
     [":1:", f"[40, {len(TEXT_1) + 1})", "ends past the end", f"end {len(TEXT_1) + 1}", f"{len(TEXT_1)} chars"]),
], ids=["unknown-technique", "unknown-article", "duplicate", "past-the-end", "ends-past-the-end"])
def test_evaluate_techniques_bad_labels_are_one_line_errors(tmp_path, rel, content, names):
    split = tiny_split(tmp_path / "tiny")
    (split / rel).write_text(content, encoding="utf-8")
    line = error_line(CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(split), "--no-encoder"]))
    for name in [str(split / rel), *names]:
        assert name in line, (name, line)


def test_evaluate_techniques_reads_a_split_with_combined_label_files(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "article1.txt").write_text(TEXT_1, encoding="utf-8")
    (tmp_path / "x-task-si.labels").write_text("\ufeff1\t7\t28\n", encoding="utf-8")  # with a BOM
    result = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(tmp_path), "--si-only",
                                      "--no-encoder", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["si"]["n_gold"] == 1


@pytest.mark.slow
def test_benchmark_limit_reports_quality_on_the_timed_articles(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "techniques.py"
    spec = importlib.util.spec_from_file_location("techniques_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    split = tiny_split(tmp_path / "tiny")
    result = bench.main(["--data", str(split), "--limit", "1", "--repeat", "1"])
    printed = capsys.readouterr().out
    assert result["articles"] == 1 and "the first 1 of 2 articles" in printed
    # the quality figures are those of article 1 alone, as `slant evaluate techniques` gives them
    alone = tmp_path / "alone"
    for folder, name in (("articles", "article1.txt"), ("labels-si", "article1.task-si.labels"),
                         ("labels-tc", "article1.task-flc-tc.labels")):
        (alone / folder).mkdir(parents=True)
        (alone / folder / name).write_bytes((split / folder / name).read_bytes())
    for encoder, got in (("--encoder", result), ("--no-encoder", result["linear"])):
        cli = CliRunner().invoke(app, ["evaluate", "techniques", "--data", str(alone), encoder, "--format", "json"])
        assert cli.exit_code == 0, cli.output
        want = json.loads(cli.stdout)
        assert got["si"]["f1"] == want["si"]["f1"] and got["tc_micro_f1"] == want["tc"]["micro_f1"]
