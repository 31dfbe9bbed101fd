"""Bad ``--data`` (and ``--gold`` / ``--shared``) of ``slant evaluate`` and ``slant train``: one line
``error: [E1xx] PATH: why`` naming the user's path, exit 3, never a traceback.

None of these runs a model or trains one: every case fails while reading the input.
``slant train`` is always given ``--out`` in a temporary folder, so that a case that
wrongly got through could never overwrite a shipped model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.cli import app

CLAIMS_FILES = ("claimbuster", "checkthat2019_t1_en", "checkthat2021_t1b_en", "checkthat2021_t1a_en", "checkthat2022_t1a_en")
NEWS_FILES = ("buzzfeed_webis_2016", "fakenewsnet_v1", "horne2017", "isot_sample5pct")
CLAIMS_HEADER = "id,source_dataset,text,label,dup_group,debate\n"
NEWS_HEADER = "id,source_dataset,label_binary,title,text,publisher,author,dup_group\n"
#: bytes that are no text: a NUL, and 0xe1 that is not UTF-8 (as the tester's file)
BINARY = bytes(range(256)) * 8
#: binary without a NUL byte (random or compressed data): no encoding decodes it
BINARY_NO_NUL = bytes(range(1, 256)) * 8


def run(args: list[str]):
    return CliRunner().invoke(app, args)


def assert_error(result, code: str, *names: str) -> str:
    """One ``error: [code] ...`` line, the last on stderr, naming every one of ``names``; exit 3, no traceback."""
    assert result.exit_code == 3, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    err = result.stderr
    assert "Traceback" not in result.output and "Errno" not in err
    lines = err.strip().splitlines()  # progress lines (credibility's row counts) may come first
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:] and errors[0].startswith(f"error: [{code}] "), err
    for name in names:
        assert str(name) in errors[0], (name, errors[0])
    return errors[0]


def make_folder(root: Path, names, header: str, row: str, odd: str | None = None, content: bytes | None = None) -> Path:
    """A folder with ``<name>.csv`` for each name (header + one row); ``odd`` gets ``content`` instead."""
    root.mkdir()
    for name in names:
        path = root / f"{name}.csv"
        if name == odd:
            path.write_bytes(content or b"")
        else:
            path.write_text(header + row, encoding="utf-8")
    return root


# ------------------------------------------------------- commands whose --data is a file


FILE_COMMANDS = {
    "evaluate claims --data": ["evaluate", "claims", "--data"],
    "evaluate entities --gold": ["evaluate", "entities", "--gold"],
    "evaluate attribution --gold": ["evaluate", "attribution", "--gold"],
}


@pytest.mark.parametrize("cmd", FILE_COMMANDS)
def test_missing_file_is_e106(cmd, tmp_path):
    path = tmp_path / "nowhere" / "data.csv"
    line = assert_error(run(FILE_COMMANDS[cmd] + [str(path)]), "E106", path)
    assert "no such file or directory" in line


@pytest.mark.parametrize("cmd", FILE_COMMANDS)
def test_empty_file_is_e101(cmd, tmp_path):
    path = tmp_path / "some_empty_file.txt"
    path.write_bytes(b"")
    assert_error(run(FILE_COMMANDS[cmd] + [str(path)]), "E101", path)


@pytest.mark.parametrize("cmd", FILE_COMMANDS)
@pytest.mark.parametrize("content", [BINARY, BINARY_NO_NUL], ids=["nul", "no-nul"])
def test_binary_file_is_e102(cmd, content, tmp_path):
    path = tmp_path / "binary_file.txt"
    path.write_bytes(content)
    assert_error(run(FILE_COMMANDS[cmd] + [str(path)]), "E102", path)


@pytest.mark.parametrize("cmd", FILE_COMMANDS)
def test_a_directory_for_a_file_is_e106(cmd, tmp_path):
    line = assert_error(run(FILE_COMMANDS[cmd] + [str(tmp_path)]), "E106", tmp_path)
    assert "is a directory" in line


def test_evaluate_claims_csv_without_the_columns_is_e110(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("sentence,gold\nThe rate fell to 4 percent.,1\n", encoding="utf-8")
    line = assert_error(run(["evaluate", "claims", "--data", str(path)]), "E110", path)
    assert "'text'" in line and "'label'" in line and "sentence, gold" in line


def test_evaluate_claims_csv_with_only_a_header_is_e101(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("text,label\n", encoding="utf-8")
    assert_error(run(["evaluate", "claims", "--data", str(path)]), "E101", path)


@pytest.mark.parametrize("cmd", ["evaluate entities --gold", "evaluate attribution --gold"])
def test_gold_that_is_not_json_lines_is_e108(cmd, tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("doc,sha256\n", encoding="utf-8")
    assert_error(run(FILE_COMMANDS[cmd] + [str(path)]), "E108", path)


@pytest.mark.parametrize("cmd", ["evaluate entities --gold", "evaluate attribution --gold"])
def test_gold_rows_without_the_fields_are_e110(cmd, tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"document": "x.txt"}) + "\n", encoding="utf-8")
    line = assert_error(run(FILE_COMMANDS[cmd] + [str(path)]), "E110", path)
    assert "'doc'" in line


# ------------------------------------------------------- commands whose --data is a folder


DIR_COMMANDS = {
    "evaluate credibility --data": ["evaluate", "credibility", "--data"],
    "train credibility --data": ["train", "credibility", "--out", "{out}", "--data"],
    "train claims --data": ["train", "claims", "--out", "{out}", "--data"],
    "evaluate entities --data": ["evaluate", "entities", "--data"],
    "evaluate attribution --shared": ["evaluate", "attribution", "--shared"],
}


def dir_args(cmd: str, tmp_path: Path, data: Path) -> list[str]:
    return [a.replace("{out}", str(tmp_path / "model-out")) for a in DIR_COMMANDS[cmd]] + [str(data)]


@pytest.mark.parametrize("cmd", DIR_COMMANDS)
def test_missing_folder_is_e106_naming_it(cmd, tmp_path):
    # before: entities and attribution blamed their package's annotation file, credibility said
    # "missing one of buzzfeed_webis_2016, ..." (exit 2); now as `slant evaluate techniques`
    line = assert_error(run(dir_args(cmd, tmp_path, Path("/nonexistent"))), "E106")
    assert line == "error: [E106] /nonexistent: no such file or directory"
    assert not (tmp_path / "model-out").exists()


@pytest.mark.parametrize("cmd", DIR_COMMANDS)
def test_a_file_for_a_folder_is_e106(cmd, tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(NEWS_HEADER, encoding="utf-8")
    line = assert_error(run(dir_args(cmd, tmp_path, path)), "E106", path)
    assert "not a directory" in line


@pytest.mark.parametrize("cmd", ["evaluate entities --data", "evaluate attribution --shared"])
def test_an_article_missing_from_the_folder_names_the_users_path(cmd, tmp_path):
    # before: "error: .../slant/evaluation/entities/annotations.jsonl: [Errno 2] ..." blamed the package's file
    line = assert_error(run(dir_args(cmd, tmp_path, tmp_path)), "E106")
    assert line.startswith(f"error: [E106] {tmp_path}/") and "no such file or directory" in line


CSV_FOLDERS = {
    "evaluate credibility --data": (NEWS_FILES, NEWS_HEADER, "n1,horne2017,0,T,Some text.,P,A,g1\n"),
    "train credibility --data": (NEWS_FILES, NEWS_HEADER, "n1,horne2017,0,T,Some text.,P,A,g1\n"),
    "train claims --data": (CLAIMS_FILES, CLAIMS_HEADER, "c1,claimbuster,The rate fell to 4 percent.,1,g1,\n"),
}


@pytest.mark.parametrize("cmd", CSV_FOLDERS)
def test_a_csv_missing_from_the_folder_is_e106_naming_it(cmd, tmp_path):
    names, header, row = CSV_FOLDERS[cmd]
    data = make_folder(tmp_path / "data", names[1:], header, row)
    assert_error(run(dir_args(cmd, tmp_path, data)), "E106", data / f"{names[0]}.csv")


@pytest.mark.parametrize("cmd", CSV_FOLDERS)
@pytest.mark.parametrize("content, code", [(b"", "E101"), (BINARY, "E102"), (b"a,b\n1,2\n", "E110")], ids=["empty", "binary", "columns"])
def test_a_bad_csv_in_the_folder_is_named(cmd, content, code, tmp_path):
    names, header, row = CSV_FOLDERS[cmd]
    data = make_folder(tmp_path / "data", names, header, row, odd=names[0], content=content)
    assert_error(run(dir_args(cmd, tmp_path, data)), code, data / f"{names[0]}.csv")
    assert not (tmp_path / "model-out").exists()


def test_train_claims_label_that_is_not_0_or_1_is_e107(tmp_path):
    data = make_folder(tmp_path / "data", CLAIMS_FILES, CLAIMS_HEADER, "c1,claimbuster,The rate fell.,yes,g1,\n")
    line = assert_error(run(dir_args("train claims --data", tmp_path, data)), "E107", data / "claimbuster.csv")
    assert "row 1" in line and "'yes'" in line
    assert not (tmp_path / "model-out").exists()


@pytest.mark.parametrize("cmd", ["evaluate credibility --data", "train credibility --data"])
def test_credibility_folder_without_usable_articles_is_e101(cmd, tmp_path):
    # the right files and columns, but every article under the 50-word minimum
    data = make_folder(tmp_path / "data", NEWS_FILES, NEWS_HEADER, "n1,horne2017,0,T,Too short to use.,P,A,g1\n")
    assert_error(run(dir_args(cmd, tmp_path, data)), "E101", data)
    assert not (tmp_path / "model-out").exists()
