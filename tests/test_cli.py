"""The slant command line: real runs, one-line errors, documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from slant.cli import app

from .conftest import EXAMPLE_000

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_cli_analyze_example_terminal_view():
    r = run("analyze", str(EXAMPLE_000))
    assert r.exit_code == 0, r.output
    assert "Almuhajer" in r.output and "Entities" in r.output


def test_cli_terminal_view_shows_markup_and_escape_codes_of_the_article_as_text():
    # article text is untrusted: rich markup in it used to crash the claims/quotations tables
    # ("[/]" -> MarkupError) or vanish from them ("[red]"), and ANSI escapes reached the terminal
    text = ('Nineteen people [/] were killed in the attack on Monday, police said. '
            'Officials said "this is [red]outrageous[/red] and terrible" on Tuesday. '
            'Critics called it \x1b[31mred\x1b[0m and the mayor resigned.\n')
    r = run("analyze", "-", input=text)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output  # CliRunner is no terminal: rich adds no codes of its own
    assert "\u241b[31mred" in r.output  # ESC shown as its control picture, one character for one
    assert r.output.count("[red]outrageous[/red]") >= 2  # the text panel and the quotations table
    assert "[/] were killed" in r.output


def test_cli_error_line_shows_escape_codes_of_a_file_name_as_text(tmp_path):
    # an error names what was wrong (here the file), and that name must not drive the terminal
    r = run("analyze", str(tmp_path / "no\x1b[31mred.txt"))
    assert r.exit_code != 0
    assert "\x1b" not in r.output and "no\u241b[31mred.txt" in r.output


def test_cli_technique_encoder_flag_switches_the_transformer_on_and_off(tmp_path):
    spans = {}
    for flag in ("--technique-encoder", "--no-technique-encoder"):
        r = run("analyze", str(EXAMPLE_000), "--format", "json", flag)
        assert r.exit_code == 0, r.output
        spans[flag] = [(t["start"], t["end"]) for t in json.loads(r.stdout)["techniques"]]
    assert spans["--technique-encoder"] != spans["--no-technique-encoder"]
    default = run("analyze", str(EXAMPLE_000), "--format", "json")
    assert [(t["start"], t["end"]) for t in json.loads(default.stdout)["techniques"]] == spans["--no-technique-encoder"]
    # a config file turns it on; the flag wins over the file
    cfg = tmp_path / "on.toml"
    cfg.write_text("[analysis]\ntechnique_encoder = true\n", encoding="utf-8")
    on = run("analyze", str(EXAMPLE_000), "--format", "json", "--config", str(cfg))
    assert [(t["start"], t["end"]) for t in json.loads(on.stdout)["techniques"]] == spans["--technique-encoder"]
    off = run("analyze", str(EXAMPLE_000), "--format", "json", "--config", str(cfg), "--no-technique-encoder")
    assert [(t["start"], t["end"]) for t in json.loads(off.stdout)["techniques"]] == spans["--no-technique-encoder"]
    # the output says which it was, as `slant batch` rows do (tester's finding: both read the same)
    assert json.loads(on.stdout)["meta"]["slant_settings"]["technique_encoder"] is True
    assert json.loads(off.stdout)["meta"]["slant_settings"]["technique_encoder"] is False


def test_cli_analyze_json_offsets_are_original(example_text):
    r = run("analyze", str(EXAMPLE_000), "--format", "json")
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    assert a["schema_version"] == "1.0" and a["text_length"] == len(example_text)
    assert a["meta"]["source"] == str(EXAMPLE_000)
    for s in a["sentences"]:
        assert example_text[s["start"] : s["end"]].strip() == example_text[s["start"] : s["end"]]
    for e in a["entities"]:
        for m in e["mentions"]:
            assert example_text[m["start"] : m["end"]] in e["aliases"]


def test_cli_analyze_stdin():
    r = run("analyze", "-", "--format", "json", input="The senator said the bill would pass. Critics disagreed.")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["meta"]["source"] == "-"


def test_cli_directory_with_a_bad_file_analyses_the_rest(tmp_path, example_text):
    (tmp_path / "a.txt").write_text(example_text, encoding="utf-8")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    (tmp_path / "c.txt").write_text("The mayor said the bridge would reopen in May.", encoding="utf-8")
    r = run("analyze", str(tmp_path), "--format", "json")
    assert r.exit_code == 1
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == 2
    assert "b.txt: file is empty" in r.stderr and "2 of 3 documents analysed, 1 failed" in r.stderr


def test_cli_csv_without_text_column(tmp_path):
    p = tmp_path / "corpus.csv"
    p.write_text("id,body\n1,Some text.\n", encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 3
    assert "[E110]" in r.stderr and "corpus.csv" in r.stderr and "Traceback" not in r.output


def test_cli_csv_row_with_empty_text(tmp_path):
    p = tmp_path / "corpus.csv"
    p.write_text('id,text\na,"The mayor said the bridge would reopen."\nb,""\n', encoding="utf-8")
    r = run("analyze", str(p), "--format", "json")
    assert r.exit_code == 1
    assert "corpus.csv row 2 (id b)" in r.stderr and "[E111]" in r.stderr
    assert len(r.stdout.strip().splitlines()) == 1


def test_cli_five_megabyte_text_gets_a_clear_limit(tmp_path):
    p = tmp_path / "huge.txt"
    p.write_text(("The committee met again on Tuesday to discuss the budget. " * 90_000)[:5_000_000], encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 3
    assert "[E103]" in r.stderr and "huge.txt" in r.stderr and "--max-chars" in r.stderr


@pytest.mark.parametrize(
    "name,data,code",
    [("empty.txt", b"", "E101"), ("binary.txt", b"\x00\x01\x02\xffPNG" * 20, "E102")],
)
def test_cli_bad_single_file_is_one_line_no_traceback(tmp_path, name, data, code):
    p = tmp_path / name
    p.write_bytes(data)
    proc = subprocess.run([sys.executable, "-m", "slant.cli", "analyze", str(p)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert f"[{code}]" in proc.stderr and name in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2


def test_cli_missing_path(tmp_path):
    r = run("analyze", str(tmp_path / "missing.txt"))
    assert r.exit_code == 3 and "missing.txt: no such file" in r.stderr


def test_cli_schema_is_json_schema():
    r = run("schema")
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "Analysis" and "techniques" in schema["properties"]


@pytest.mark.slow
def test_cli_analyses_all_ptc_dev_articles(shared_data):
    dev = shared_data / "ptc" / "dev" / "articles"
    r = run("analyze", str(dev), "--format", "json")
    assert r.exit_code == 0, r.stderr[-2000:]
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == 75
    for row in rows:
        text = (dev / row["meta"]["source"].rsplit("/", 1)[-1]).read_text(encoding="utf-8")
        assert row["text_length"] == len(text)


def test_cli_unwritable_output_is_a_usage_error(tmp_path):
    r = run("analyze", str(EXAMPLE_000), "-f", "json", "-o", str(tmp_path / "missing-dir" / "out.json"))
    assert r.exit_code == 2 and "[E122]" in r.stderr and "out.json" in r.stderr


def test_cli_unknown_stage_in_config_is_a_usage_error(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[analysis]\nstages = ["sentences", "bogus"]\n', encoding="utf-8")
    r = run("analyze", str(EXAMPLE_000), "--config", str(cfg))
    assert r.exit_code == 2 and "[E121]" in r.stderr and "'bogus'" in r.stderr


def test_cli_slant_config_environment_variable(tmp_path, monkeypatch):
    cfg = tmp_path / "only-sentences.toml"
    cfg.write_text('[analysis]\nstages = ["sentences"]\n', encoding="utf-8")
    monkeypatch.setenv("SLANT_CONFIG", str(cfg))
    r = run("analyze", "-", "--format", "json", input="The senator said the bill would pass. Critics disagreed.")
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    assert len(a["sentences"]) == 2 and a["propaganda"] is None and a["voices"] == []  # no later stage ran
    monkeypatch.setenv("SLANT_CONFIG", str(tmp_path / "missing.toml"))
    r = run("analyze", "-", input="The senator said the bill would pass.")
    assert r.exit_code == 2 and "[E120] SLANT_CONFIG=" in r.stderr and "missing.toml" in r.stderr
    cfg.write_text('[analysis]\nstages = "claims"\n', encoding="utf-8")  # a string, not a list
    monkeypatch.setenv("SLANT_CONFIG", str(cfg))
    r = run("analyze", "-", input="The senator said the bill would pass.")
    assert r.exit_code == 2 and "[E120] stages must be a list" in r.stderr


def test_cli_html_for_many_documents_is_refused_before_touching_the_output(tmp_path, example_text):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "in" / name).write_text(example_text, encoding="utf-8")
    keep = tmp_path / "keep.html"
    keep.write_text("precious", encoding="utf-8")
    r = run("analyze", str(tmp_path / "in"), "-f", "html", "-o", str(keep))
    assert r.exit_code == 2 and keep.read_text(encoding="utf-8") == "precious"


def test_cli_geojson_for_a_folder_is_one_feature_collection(tmp_path, example_text):
    cfg = tmp_path / "fast.toml"
    cfg.write_text('[analysis]\nstages = ["sentences", "entities", "places"]\n', encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(example_text, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Protesters marched through Cairo and Alexandria in Egypt on Friday.", encoding="utf-8")
    r = run("analyze", str(tmp_path / "in"), "-f", "geojson", "--config", str(cfg))
    assert r.exit_code == 0, r.stderr
    collection = json.loads(r.stdout)
    sources = {f["properties"]["source"].rsplit("/", 1)[-1] for f in collection["features"]}
    assert collection["type"] == "FeatureCollection" and sources == {"a.txt", "b.txt"}
    names = {f["properties"]["name"] for f in collection["features"]}
    assert {"Mosul", "Homs", "Cairo"} <= names


@pytest.mark.parametrize("value", ["5", "-1"])
def test_cli_evaluate_techniques_min_score_outside_0_1_is_a_usage_error(tmp_path, value):
    r = run("evaluate", "techniques", "--data", str(tmp_path), "--min-score", value)
    assert r.exit_code == 2 and "--min-score" in r.output


def test_cli_terminal_view_written_to_a_file_is_wide_enough_to_read(tmp_path, monkeypatch):
    # at rich's 80 columns for non-terminals the techniques table cut its text to a few letters
    monkeypatch.delenv("COLUMNS", raising=False)
    out = tmp_path / "view.txt"
    r = run("analyze", str(EXAMPLE_000), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("│ 470-487")]
    assert rows and "infidel countries" in rows[0]
