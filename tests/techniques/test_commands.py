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
