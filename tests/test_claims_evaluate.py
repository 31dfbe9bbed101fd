"""``slant evaluate claims``: what it reports about its input (tester's findings on ``--data`` CSVs
and the default run). Every test is fast: small CSVs in ``tmp_path``, never the full default run;
a default run here reads a tiny claims folder given as ``$SLANT_SHARED``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.cli import app

SOURCES = ("claimbuster", "checkthat2019_t1_en", "checkthat2021_t1b_en", "checkthat2021_t1a_en", "checkthat2022_t1a_en")
DEBATE_SOURCES = ("checkthat2019_t1_en", "checkthat2021_t1b_en")
CHECKWORTHY = ("The unemployment rate fell to {n} percent in 2019, the lowest in {n} years.",
               "The state spent ${n} billion on roads last year, twice what it promised.")
CHATTER = ("Thank you all for coming tonight, friend number {n}.",
           "What a wonderful crowd we have here, I count {n} of you.")


def evaluate(args: list[str], monkeypatch=None, shared: Path | None = None, cache: Path | None = None):
    if monkeypatch is not None and shared is not None:
        monkeypatch.setenv("SLANT_SHARED", str(shared))
    if monkeypatch is not None and cache is not None:
        monkeypatch.setenv("SLANT_CACHE", str(cache))
    return CliRunner().invoke(app, ["evaluate", "claims", *args])


def error_line(result, code: str, *names: str) -> str:
    """The one ``error: [code] ...`` line (the last on stderr), naming ``names``; exit 3, no traceback."""
    assert result.exit_code == 3, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:] and errors[0].startswith(f"error: [{code}] "), result.stderr
    for name in names:
        assert str(name) in errors[0], (name, errors[0])
    return errors[0]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def tiny_claims_folder(root: Path) -> Path:
    """``root/data/claims`` with the five claims CSVs, 12 rows each (two debates per debate file,
    one in three rows check-worthy, every row its own ``dup_group``); returns ``root`` (for
    ``$SLANT_SHARED``)."""
    folder = root / "data" / "claims"
    folder.mkdir(parents=True)
    g = 0
    for s, src in enumerate(SOURCES):
        rows = []
        for i in range(12):
            n = 10 * s + i + 1
            worthy = i % 3 == 0
            text = (CHECKWORTHY if worthy else CHATTER)[i % 2].format(n=n)
            debate = f"{src}_debate{i % 2}" if src in DEBATE_SOURCES else ""
            rows.append({"id": f"{src}-{i}", "source_dataset": src, "text": text, "label": str(int(worthy)),
                         "dup_group": f"g{g:04d}", "debate": debate})
            g += 1
        write_csv(folder / f"{src}.csv", rows)
    return root


# ------------------------------------------------------- 1. rows the model was trained on


def test_evaluating_training_rows_warns_on_stderr_and_keeps_json_valid(tmp_path, monkeypatch):
    """``--data shared/data/claims/checkthat2021_t1a_en.csv`` reported AP 0.707 (0.529 on its held-out
    part) without a word that most rows were training rows: now a warning on stderr counts them."""
    import pandas as pd

    from slant.commands.claims import read_claims, split_claims

    shared = tiny_claims_folder(tmp_path / "shared")
    df = split_claims(read_claims(shared / "data" / "claims"))
    train = df[df["part"] == "train"].head(6)
    test = df[df["part"] == "test"].head(3)
    assert len(train) == 6 and len(test) == 3
    path = tmp_path / "mixed.csv"
    pd.concat([train, test])[["text", "label"]].to_csv(path, index=False)
    result = evaluate(["--data", str(path), "--format", "json"], monkeypatch, shared, tmp_path / "cache")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)  # stdout is still JSON only
    assert scores["n"] == 9
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert "6 of the 9 rows" in warnings[0] and str(path) in warnings[0] and "optimistic" in warnings[0]
    assert "without --data" in warnings[0]

    held_out = tmp_path / "held_out.csv"  # the held-out part is no training data: no warning
    test[["text", "label"]].to_csv(held_out, index=False)
    result = evaluate(["--data", str(held_out)], monkeypatch, shared, tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr


def test_training_rows_of_the_shared_data_are_counted(shared_data, tmp_path, monkeypatch):
    """The tester's case on the real split: the tweets of checkthat2021_t1a_en.csv that trained the
    model are counted, its held-out tweets are not."""
    import pandas as pd

    from slant.commands.claims import read_claims, split_claims, training_overlap

    df = split_claims(read_claims(shared_data / "claims"))
    tweets = df[df["source_dataset"] == "checkthat2021_t1a_en"]
    train, test = tweets[tweets["part"] == "train"].head(20), tweets[tweets["part"] == "test"].head(10)
    monkeypatch.setenv("SLANT_SHARED", str(shared_data.parent))
    n, folder = training_overlap(tmp_path / "x.csv", train)
    assert (n, folder) == (20, shared_data / "claims")
    assert training_overlap(tmp_path / "x.csv", test)[0] == 0
    path = tmp_path / "tweets.csv"
    pd.concat([train, test])[["text", "label"]].to_csv(path, index=False)
    result = evaluate(["--data", str(path), "--format", "json"], monkeypatch)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 30
    assert "warning: 20 of the 30 rows" in result.stderr


# ------------------------------------------------------- 2. empty text


@pytest.mark.parametrize("body,row", [(",1\nHello there friends.,0\n", 1),  # the tester's c_emptytext.csv
                                      ("Hello there friends.,0\n   ,1\n", 2)])
def test_a_row_with_empty_text_is_an_error_naming_the_row(tmp_path, body, row):
    """A row without text was scored as a non-claim (``slant analyze`` refuses an empty text)."""
    path = tmp_path / "c_emptytext.csv"
    path.write_text("text,label\n" + body, encoding="utf-8")
    line = error_line(evaluate(["--data", str(path)]), "E107", path)
    assert f"row {row}:" in line and "text is empty" in line


# ------------------------------------------------------- 3. more fields than the header


@pytest.mark.parametrize("body,where,fields", [
    ("La tasa de desempleo cayó al 3,5 por ciento en 2019.,1\nHola amigos.,0\n", "row 1 (line 2)", 3),  # c_spanish.csv
    ("The rate fell to 3.5 percent.,1,extra\nHello there.,0\n", "row 1 (line 2)", 3),  # c_extra.csv
    ('Hello there.,0\n"A text over\ntwo lines.",0\n\nThe rate fell to 3,5 percent, they said.,1\n', "row 3 (line 6)", 4),
])
def test_a_row_with_more_fields_than_the_header_is_named(tmp_path, body, where, fields):
    """pandas shifted such a row's columns, and the error blamed the label of another row."""
    path = tmp_path / "extra.csv"
    path.write_text("text,label\n" + body, encoding="utf-8")
    line = error_line(evaluate(["--data", str(path)]), "E107", path)
    assert f"{path} {where}: {fields} fields" in line and "header (text,label) has 2" in line


# ------------------------------------------------------- 4. figures that are undefined


def test_recall_and_f1_are_null_without_a_positive_label(tmp_path):
    """With no positive label (c_allneg.csv) recall was 0.0 and F1 0.0 beside a null average precision."""
    path = tmp_path / "c_allneg.csv"
    path.write_text("text,label\nThe rate fell to 3.5 percent.,0\nHello there friends.,0\n", encoding="utf-8")
    result = evaluate(["--data", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["positives"] == 0
    assert scores["recall"] is None and scores["f1"] is None and scores["average_precision"] is None
    result = evaluate(["--data", str(path)])
    header, row = result.stdout.splitlines()[:2]
    cells = dict(zip(header.split()[1:], row.split()[1:]))
    assert cells["recall"] == cells["f1"] == cells["average_precision"] == "-"


def test_scores_are_null_only_where_undefined():
    from slant.commands.claims import _scores

    none_predicted = _scores([1, 0, 0], [0.2, 0.1, 0.3])  # positives, none found: precision undefined
    assert none_predicted["precision"] is None and none_predicted["recall"] == 0.0 and none_predicted["f1"] == 0.0
    no_positive = _scores([0, 0], [0.9, 0.1])
    assert no_positive["precision"] == 0.0 and no_positive["recall"] is None and no_positive["f1"] is None
    both = _scores([1, 0], [0.9, 0.1])
    assert (both["precision"], both["recall"], both["f1"], both["average_precision"]) == (1.0, 1.0, 1.0, 1.0)


# ------------------------------------------------------- 5. progress of the default run


def test_the_default_run_reports_progress_on_stderr(tmp_path, monkeypatch):
    """The default run (the held-out part of shared/data/claims) was silent for minutes."""
    shared = tiny_claims_folder(tmp_path / "shared")
    result = evaluate(["--format", "json"], monkeypatch, shared, tmp_path / "cache")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"reading the claims CSVs in {shared / 'data' / 'claims'}"
    assert lines[1].startswith("parsing 60 sentences") and f"{scores['n']} of them are the held-out part" in lines[1]
    assert lines[-1] == f"scoring the {scores['n']} held-out rows"
    assert not [line for line in lines if line.startswith(("error:", "warning:"))]


def test_a_note_says_when_the_training_rows_could_not_be_checked(tmp_path, monkeypatch):
    """Second break-test: run away from the shared data, the check found no claims folder and said
    nothing, so optimistic figures came without a word."""
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "mine.csv", [{"text": "Crime fell 30 percent in 2023.", "label": "1"},
                                             {"text": "Thank you all for coming tonight.", "label": "0"}])
    result = evaluate(["--data", str(path), "--format", "json"], monkeypatch, tmp_path / "nowhere", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 2
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: could not check")]
    assert len(notes) == 1 and str(path) in notes[0] and "SLANT_SHARED" in notes[0], result.stderr


# ------------------------------------------------------- 5. labels written as floats, a label column twice


def test_labels_written_as_floats_are_read_as_integers(tmp_path):
    """A label column saved from a float column reads "1.0" / "0.0"; it was refused as E107."""
    rows = "The unemployment rate fell to 3.5 percent in 2019.,{}\nHello there my friends.,{}\n"
    scores = []
    for pos, neg in (("1", "0"), ("1.0", "0.0"), (" 1", "0 ")):
        path = tmp_path / "floats.csv"
        path.write_text("text,label\n" + rows.format(pos, neg), encoding="utf-8")
        result = evaluate(["--data", str(path), "--format", "json"])
        assert result.exit_code == 0, result.output
        scores.append(json.loads(result.stdout))
    assert scores[0]["positives"] == 1 and scores[1] == scores[0] == scores[2]


@pytest.mark.parametrize("label", ["2.0", "0.5", "yes"])
def test_other_labels_are_still_refused(tmp_path, label):
    path = tmp_path / "bad.csv"
    path.write_text(f"text,label\nThe rate fell to 3.5 percent.,{label}\n", encoding="utf-8")
    line = error_line(evaluate(["--data", str(path)]), "E107", path)
    assert "row 1:" in line and repr(label) in line


def test_a_label_column_given_twice_is_an_error(tmp_path):
    """pandas renamed the second column "label.1" and the first one was scored without a word."""
    path = tmp_path / "twice.csv"
    path.write_text("text,label,label\nThe rate fell to 3.5 percent.,0,1\nHello there friends.,0,0\n",
                    encoding="utf-8")
    line = error_line(evaluate(["--data", str(path)]), "E107", path)
    assert "'label' appears more than once" in line
