"""Where input comes from and where output goes: a run never reads its own output, an empty
path is not the current folder, ``-o -`` is stdout, HTML on stdin is extracted, and a
``--format`` that contradicts OUT's suffix is refused."""

from __future__ import annotations

import io
import os
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.batch import output_format, read_rows, run_batch
from slant.cli import app
from slant.errors import InputError
from slant.document import Document
from slant.ingest import iter_documents, read_document
from slant.options import Options

from .conftest import EXAMPLES

runner = CliRunner()

FAST_STAGES = ("sentences", "entities", "attribution")

ARTICLE = "The mayor said on Monday that the bridge would reopen in May. Critics called it a stunt."


@pytest.fixture(scope="module")
def fast_config(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("config") / "fast.toml"
    p.write_text(f"stages = {json.dumps(list(FAST_STAGES))}\n", encoding="utf-8")
    return p


@pytest.fixture
def article_dir(tmp_path) -> Path:
    """Real example articles as .txt files in a folder that will also hold the output."""
    d = tmp_path / "selfdir"
    d.mkdir()
    for p in sorted(EXAMPLES.glob("*.txt"))[:2]:
        (d / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return d


# ---------------------------------------------------------------- 1. output inside the input


def test_batch_rerun_with_jsonl_output_inside_the_input_folder_does_not_read_it(article_dir, fast_config):
    out = article_dir / "out.jsonl"
    args = ["batch", str(article_dir), "-o", str(out), "--jobs", "1", "--no-progress", "--config", str(fast_config),
            "--limit", "20"]  # the limit bounds the run that used to feed on its own rows forever
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    rows = out.read_text(encoding="utf-8")
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert out.read_text(encoding="utf-8") == rows  # nothing appended: both articles were skipped
    assert "2 skipped" in second.stdout
    assert f"note: leaving out {out}" in second.stderr
    assert sorted(r["source"] for r in read_rows(out)) == sorted(str(p) for p in article_dir.glob("*.txt"))


def test_batch_parquet_dataset_inside_the_input_folder_is_never_read(article_dir):
    out = article_dir / "out.parquet"
    options = Options(stages=FAST_STAGES)
    assert run_batch(article_dir, out, jobs=1, options=options).analysed == 2
    (out / ".part-000009-leftover.parquet.tmp").write_bytes(b"half a file")  # a killed commit
    again = run_batch(article_dir, out, jobs=1, options=options, limit=20)
    assert (again.seen, again.skipped, again.analysed, again.failed) == (2, 2, 0, 0)
    assert all(r["error"] is None for r in read_rows(out))


def test_earlier_runs_outputs_in_the_input_folder_are_left_out_with_a_note(article_dir, fast_config):
    """A second run into another OUT (out2.jsonl) used to read the first run's out.jsonl and
    Parquet parts as corpora: one E110 failure row per output row, exit 1."""
    options = Options(stages=FAST_STAGES)
    assert run_batch(article_dir, article_dir / "out.jsonl", jobs=1, options=options).analysed == 2
    assert run_batch(article_dir, article_dir / "p.parquet", jobs=1, options=options).analysed == 2
    corpus = article_dir / "mine.jsonl"  # a user's corpus in the same folder is still read
    corpus.write_text(json.dumps({"id": "c1", "text": ARTICLE}) + "\n", encoding="utf-8")
    out2 = article_dir / "out2.jsonl"
    r = runner.invoke(app, ["batch", str(article_dir), "-o", str(out2), "--jobs", "1", "--no-progress",
                            "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    rows = list(read_rows(out2))
    assert all(row["error"] is None for row in rows)
    assert sorted(row["source"] for row in rows) == sorted([f"{corpus}#c1"] + [str(p) for p in article_dir.glob("*.txt")])
    assert f"note: leaving out {article_dir / 'out.jsonl'}: it is the output of an earlier slant run" in r.stderr
    assert r.stderr.count("p.parquet") == 1 and "mine.jsonl" not in r.stderr
    from slant.ingest import is_slant_output

    assert is_slant_output(out2) and not is_slant_output(corpus)
    # a corpus that happens to carry the same fields, and its text, is a corpus
    lookalike = article_dir / "user.jsonl"
    lookalike.write_text(json.dumps({"id": "u", "source": "s", "sha256": "", "error": None, "analysis": None,
                                     "text": ARTICLE}) + "\n", encoding="utf-8")
    assert not is_slant_output(lookalike)


def test_analyze_json_lines_in_the_input_folder_are_left_out_on_the_next_run(tmp_path, fast_config):
    """`slant analyze DIR -f json -o DIR/an.jsonl`, then again into an2.jsonl: the first
    run's Analysis rows were read as four corpora rows without a text (E110, exit 1)."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Police said two people were hurt in the crash on Monday.", encoding="utf-8")
    first = runner.invoke(app, ["analyze", str(tmp_path), "-f", "json", "-o", str(tmp_path / "an.jsonl"),
                                "--config", str(fast_config)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["analyze", str(tmp_path), "-f", "json", "-o", str(tmp_path / "an2.jsonl"),
                                 "--config", str(fast_config)])
    assert second.exit_code == 0, second.output
    assert f"note: leaving out {tmp_path / 'an.jsonl'}" in second.stderr
    assert len((tmp_path / "an2.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_batch_output_that_is_the_input_is_a_usage_error(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    before = corpus.read_bytes()
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(corpus), "--jobs", "1"])
    assert r.exit_code == 2 and "[E133]" in r.stderr and "Traceback" not in r.output
    assert corpus.read_bytes() == before
    dataset = tmp_path / "d.parquet"
    dataset.mkdir()
    with pytest.raises(InputError, match=r"\[E133\]"):
        run_batch(dataset / "part-0.parquet", dataset, jobs=1)


def test_output_relation_compares_resolved_paths(tmp_path):
    from slant.ingest import output_relation

    (tmp_path / "in").mkdir()
    assert output_relation(tmp_path / "in", tmp_path / "in" / ".." / "in" / "o.jsonl") == "inside"
    assert output_relation(tmp_path / "in", tmp_path / "in") == "input"
    assert output_relation(tmp_path / "in" / "a.csv", tmp_path / "o.jsonl") is None
    assert output_relation("-", tmp_path / "o.jsonl") is None


def test_iter_documents_exclude_leaves_out_files_and_folders(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "out.jsonl").write_text(json.dumps({"id": "x", "text": ARTICLE}) + "\n", encoding="utf-8")
    (tmp_path / "ds.parquet").mkdir()
    (tmp_path / "ds.parquet" / "part-0.txt").write_text(ARTICLE, encoding="utf-8")
    got = [d.meta["source"] for d in iter_documents(tmp_path, exclude=[tmp_path / "out.jsonl", tmp_path / "ds.parquet"])]
    assert got == [str(tmp_path / "a.txt")]


def test_analyze_output_inside_the_input_folder_is_left_out(tmp_path, fast_config):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Police said two people were hurt in the crash on Monday.", encoding="utf-8")
    out = tmp_path / "0-out.jsonl"  # listed first, so it was read before anything was written
    args = ["analyze", str(tmp_path), "-f", "json", "-o", str(out), "--config", str(fast_config)]
    assert runner.invoke(app, args).exit_code == 0
    r = runner.invoke(app, args)  # the output exists now: it is not a corpus of this run
    assert r.exit_code == 0, r.output
    assert "error:" not in r.stderr and f"note: leaving out {out}" in r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_analyze_output_that_is_the_input_is_refused_before_it_is_overwritten(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    r = runner.invoke(app, ["analyze", str(p), "-f", "json", "-o", str(p)])
    assert r.exit_code == 2 and "[E133]" in r.stderr
    assert p.read_text(encoding="utf-8") == ARTICLE


# ---------------------------------------------------------------- 2. empty path


def test_empty_path_is_e106_not_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")  # what "" used to analyse
    with pytest.raises(InputError, match=r"^\[E106\] '': empty path$"):
        list(iter_documents(""))
    with pytest.raises(InputError, match=r"^\[E106\] '': empty path$"):
        read_document("")
    r = runner.invoke(app, ["analyze", ""])
    assert r.exit_code == 3 and "[E106] '': empty path" in r.stderr
    r = runner.invoke(app, ["batch", "", "-o", "x.jsonl", "--jobs", "1"])
    assert r.exit_code == 3 and "[E106] '': empty path" in r.stderr
    assert not (tmp_path / "x.jsonl").exists()


# ---------------------------------------------------------------- 4. -o - is stdout


@pytest.mark.parametrize("fmt", ["html", "json", "geojson", "text"])
def test_analyze_dash_output_is_stdout_for_every_format(tmp_path, monkeypatch, fast_config, fmt):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    r = runner.invoke(app, ["analyze", str(src), "-f", fmt, "-o", "-", "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    assert {"html": "<html", "json": '"schema_version"', "geojson": "FeatureCollection", "text": "mayor"}[fmt] in r.stdout


# ---------------------------------------------------------------- 5. HTML on stdin


PAGE = """<!DOCTYPE html><html><head><title>Bridge to reopen</title></head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<article><h1>Bridge to reopen</h1><p>{body}</p><p>{body}</p></article>
<footer>Copyright 2016 Example News. All rights reserved.</footer></body></html>"""


def test_html_on_stdin_is_extracted_like_an_html_file(tmp_path, monkeypatch):
    page = PAGE.format(body=" ".join([ARTICLE] * 4))
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    from_file = read_document(tmp_path / "page.html")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page.encode("utf-8"))))
    from_stdin = read_document("-")
    assert isinstance(from_stdin, Document)
    assert from_stdin.text == from_file.text and "<" not in from_stdin.text
    assert from_stdin.meta["title"] == "Bridge to reopen" and from_stdin.meta["text"] == from_stdin.text
    assert from_stdin.meta["source"] == "-"


def test_cli_stdin_html_page(fast_config):
    page = PAGE.format(body=" ".join([ARTICLE] * 4))
    r = runner.invoke(app, ["analyze", "-", "-f", "json", "--config", str(fast_config)], input=page)
    assert r.exit_code == 0, r.output
    analysis = json.loads(r.stdout)
    assert analysis["meta"]["title"] == "Bridge to reopen"
    assert "All rights reserved" not in analysis["meta"]["text"] and "<article>" not in analysis["meta"]["text"]


def test_stdin_xhtml_and_article_markup_are_html(monkeypatch):
    """An XHTML page (``<?xml ...?>`` prolog) or pasted ``<article>`` markup on stdin was analysed
    as raw markup, attribute quotes and all (tester's finding)."""
    from slant.ingest.html import looks_like_html

    body = " ".join([ARTICLE] * 4)
    xhtml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
             f"<head><title>Bridge</title></head><body><article><h1>Bridge to reopen</h1><p>{body}</p></article>"
             "</body></html>")
    fragment = f'<article class="story"><h2>Bridge to reopen</h2><p>{body}</p></article>'
    for page in (xhtml, fragment):
        assert looks_like_html(page)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page.encode("utf-8"))))
        doc = read_document("-")
        assert "<" not in doc.text and ARTICLE.split(".")[0] in doc.text
    assert not looks_like_html("<?xml version='1.0'?><rss><channel></channel></rss>")
    assert not looks_like_html("<articles> are what we write, the editor said.")


def test_stdin_text_that_mentions_a_tag_stays_text(monkeypatch):
    text = "The <b> tag was misused, the editor said. " + ARTICLE
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert read_document("-").text == text


# ---------------------------------------------------------------- 6. --format against OUT's suffix


def test_batch_format_contradicting_the_suffix_is_a_usage_error(tmp_path):
    corpus = tmp_path / "c.csv"
    corpus.write_text(f'id,text\na,"{ARTICLE}"\n', encoding="utf-8")
    r = runner.invoke(app, ["batch", str(corpus), "-o", str(tmp_path / "f.jsonl"), "--format", "parquet"])
    assert r.exit_code == 2, r.output
    assert "[E130]" in r.stderr and "--format parquet" in r.stderr and ".jsonl" in r.stderr
    assert not (tmp_path / "f.jsonl").exists()
    assert output_format("f.data", "parquet") == "parquet" and output_format("f.parquet", "parquet") == "parquet"
    with pytest.raises(InputError, match=r"\[E130\]"):
        output_format("f.parquet", "jsonl")
    r = runner.invoke(app, ["batch", str(corpus), "-o", "-", "--format", "jsonl"])
    assert r.exit_code == 2 and "[E130]" in r.stderr


def test_analyze_refuses_an_output_that_is_a_hard_link_to_the_input(tmp_path):
    from typer.testing import CliRunner

    from slant.cli import app

    a = tmp_path / "a.txt"
    a.write_text("The senator spoke at length about the bill on Tuesday.\n", encoding="utf-8")
    h = tmp_path / "h.txt"
    os.link(a, h)
    r = CliRunner().invoke(app, ["analyze", str(h), "-o", str(a)])
    assert r.exit_code == 2 and "E133" in r.output
    assert a.read_text(encoding="utf-8").startswith("The senator spoke")


@pytest.mark.parametrize("args", [
    ["evaluate", "claims", "--data", ""],
    ["evaluate", "credibility", "--data", ""],
    ["evaluate", "techniques", "--data", ""],
    ["train", "techniques", "--data", "", "--no-encoder"],
    ["evaluate", "attribution", "--gold", ""],
    ["analyze", "README.md", "--config", ""],
    ["batch", "README.md", "-o", ""],
], ids=lambda a: " ".join(a[:2]))
def test_an_empty_path_option_is_a_usage_error_not_the_current_folder(args):
    """``--data ""`` used to become Path("") == ".", and the error named the current folder."""
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert "empty path" in r.output and "Traceback" not in r.output


def test_an_empty_corpus_file_is_E101_like_an_empty_text_file(tmp_path):
    """An empty .jsonl (or a CSV with only its header) was skipped silently in a folder,
    'no documents' without a code alone, and E106 in batch."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "header.csv").write_text("id,text\n", encoding="utf-8")
    items = list(iter_documents(tmp_path))
    failures = {str(i.error) for i in items if not isinstance(i, Document)}
    assert failures == {f"[E101] {tmp_path / 'empty.jsonl'}: corpus file holds no rows",
                        f"[E101] {tmp_path / 'header.csv'}: corpus file holds no rows"}
    assert [d.meta["source"] for d in items if isinstance(d, Document)] == [str(tmp_path / "a.txt")]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_resuming_a_batch_output_under_other_settings_is_E134(article_dir, tmp_path, suffix):
    """A run resumed without --technique-encoder used to add default rows to an encoder run."""
    out = tmp_path / f"out{suffix}"
    options = Options(stages=FAST_STAGES)
    assert run_batch(article_dir, out, jobs=1, options=options, limit=1).analysed == 1
    assert read_rows(out)[0]["analysis"]["meta"]["slant_settings"] == options.fingerprint()
    before = sorted(p.name for p in out.parent.rglob("*"))
    with pytest.raises(InputError, match=r"\[E134\] .*technique_encoder: false in OUT, true now"):
        run_batch(article_dir, out, jobs=1, options=options.replace(technique_encoder=True))
    assert sorted(p.name for p in out.parent.rglob("*")) == before
    again = run_batch(article_dir, out, jobs=1, options=options)  # the same settings resume
    assert (again.skipped, again.analysed) == (1, 1)


def test_an_html_report_in_the_input_folder_is_left_out_on_the_next_run(tmp_path, fast_config):
    """`slant analyze a.txt -f html -o DIR/report.html`, then `slant batch DIR`: the report was
    analysed as an article (4 technique spans found in slant's own page)."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    page = tmp_path / "report.html"
    r = runner.invoke(app, ["analyze", str(tmp_path / "a.txt"), "-f", "html", "-o", str(page), "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    (tmp_path / "article.html").write_text("<html><head><meta name='generator' content='WordPress'></head><body><p>"
                                           + ARTICLE + "</p></body></html>", encoding="utf-8")
    from slant.ingest import is_slant_output

    assert is_slant_output(page) and not is_slant_output(tmp_path / "article.html")
    sources = [d.meta["source"] for d in iter_documents(tmp_path)]
    assert sources == [str(tmp_path / "a.txt"), str(tmp_path / "article.html")]


def test_a_terminal_view_in_the_input_folder_is_left_out_on_the_next_run(tmp_path, fast_config):
    """`slant analyze DIR -o DIR/view.txt`, then again: the first run's view was read as an
    article. A view written to a file ends with a footer naming slant, for one document (the
    article in a panel) and for several (a summary table) alike; an article that merely looks
    like a view (a box-drawing border on its first line) is still an article."""
    one, many = tmp_path / "one", tmp_path / "many"
    for d, n in ((one, 1), (many, 2)):
        d.mkdir()
        for i in range(n):
            (d / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    (many / "box.txt").write_text("╭── Special report ──╮\n" + ARTICLE, encoding="utf-8")
    from slant.ingest import is_slant_output

    for d, n in ((one, 1), (many, 3)):
        view = d / "view.txt"
        r = runner.invoke(app, ["analyze", str(d), "-o", str(view), "--config", str(fast_config)])
        assert r.exit_code == 0, r.output
        last = view.read_text(encoding="utf-8").rstrip().splitlines()[-1]
        assert last.startswith("written by slant ") and last.endswith(f": text view of {n} document" + ("s" if n > 1 else ""))
        assert is_slant_output(view)
        r = runner.invoke(app, ["analyze", str(d), "-f", "json", "-o", str(d / "an.jsonl"), "--config", str(fast_config)])
        assert r.exit_code == 0, r.output
        assert f"note: leaving out {view}: it is the output of an earlier slant run" in r.stderr
        sources = [json.loads(line)["meta"]["source"] for line in (d / "an.jsonl").read_text().splitlines()]
        assert sources == sorted(str(p) for p in d.glob("*.txt") if p.name != "view.txt")
    assert not is_slant_output(many / "box.txt") and not is_slant_output(many / "a0.txt")
    # printed to the terminal, the view has no footer
    r = runner.invoke(app, ["analyze", str(one / "a0.txt"), "--config", str(fast_config)])
    assert r.exit_code == 0 and "written by slant" not in r.output


def test_html_input_without_its_html_cleaner_is_one_line_error_e303(tmp_path, monkeypatch, fast_config):
    """pip < 24 installs trafilatura without lxml's html_clean extra; reading an .html file then
    raised ImportError deep in jusText, a traceback, and a folder run lost every other document
    with it. Now: E303 naming the missing package, exit 3, in analyze and batch alike."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><h1>A headline</h1><p>" + ARTICLE + "</p></body></html>",
                                     encoding="utf-8")
    monkeypatch.setitem(sys.modules, "lxml_html_clean", None)  # import fails, as when not installed
    for args in (["analyze", str(tmp_path / "b.html")],
                 ["analyze", str(tmp_path), "-f", "json", "-o", str(tmp_path / "out.jsonl")],
                 ["batch", str(tmp_path), "-o", str(tmp_path / "rows.jsonl"), "--jobs", "1", "--no-progress"]):
        r = runner.invoke(app, [*args, "--config", str(fast_config)])
        assert r.exit_code == 3, (args, r.output)
        assert "Traceback" not in r.output
        assert (f"[E303] {tmp_path / 'b.html'}: reading HTML needs the package lxml_html_clean, which is not "
                "installed: pip install lxml_html_clean") in r.stderr


def test_progress_bar_counts_documents_that_failed_before_analysis(tmp_path, monkeypatch, fast_config):
    """A folder with 2 articles and 3 unreadable files: the bar ended at 2/5."""
    for i in range(2):
        (tmp_path / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    for i in range(3):
        (tmp_path / f"bad{i}.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    from slant import cli

    ends = []
    real = cli._with_progress

    def spy(results, total, skipped=lambda: 0):
        n = 0
        for n, result in enumerate(real(results, total, skipped), 1):
            yield result
        ends.append((total, n + skipped()))

    monkeypatch.setattr(cli, "_with_progress", spy)
    r = runner.invoke(app, ["analyze", str(tmp_path), "-f", "json", "-o", str(tmp_path / "o.jsonl"),
                            "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    assert ends == [(5, 5)]
    assert "5/5" in r.stderr
    # a corpus file with only a header is one failure row, so one document of the total (it showed 4/3)
    (tmp_path / "empty.csv").write_text("id,text\n", encoding="utf-8")
    from slant.ingest import estimate_count

    assert estimate_count(tmp_path, exclude=[tmp_path / "o.jsonl"]) == 6


def test_a_folders_readme_and_licence_are_left_out_with_a_note(article_dir, fast_config):
    """A tester ran `slant analyze examples/`: the folder's README.md was analysed as an article
    (7 technique spans, credibility "unreliable"). Named on its own, such a file is still read."""
    (article_dir / "README.md").write_text("# Articles\n\nTwo example articles from the news corpora.\n", encoding="utf-8")
    (article_dir / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (article_dir / "readme_of_a_story.txt").write_text(ARTICLE, encoding="utf-8")  # only the whole stem counts
    out = article_dir.parent / "out.jsonl"
    r = runner.invoke(app, ["analyze", str(article_dir), "--format", "json", "-o", str(out), "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    sources = sorted(Path(row["meta"]["source"]).name for row in map(json.loads, out.read_text().splitlines()))
    assert sources == sorted([p.name for p in article_dir.glob("*.txt")])
    assert "readme_of_a_story.txt" in sources and "README.md" not in sources
    assert f"note: leaving out {article_dir / 'README.md'}: it is the folder's documentation, not an article" in r.stderr
    assert f"note: leaving out {article_dir / 'LICENSE'}" in r.stderr
    assert len(list(iter_documents(article_dir / "README.md"))) == 1


# ---------------------------------------------------------------- 7. names and entries a folder run used to trip on


def _bad_name(folder: Path) -> Path:
    """A file ``bad\\xffname.txt`` (a Latin-1 byte in a UTF-8 system's name) with a fine text, or skip
    where the file system refuses such names (macOS)."""
    try:
        with open(os.path.join(os.fsencode(folder), b"bad\xffname.txt"), "wb") as f:
            f.write(b"The corrupt elites are traitors, he said.")
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    return folder / os.fsdecode(b"bad\xffname.txt")


def test_a_file_name_that_is_not_utf8_is_analysed_and_written_escaped(tmp_path, fast_config):
    """A tester's folder with ``bad\\xffname.txt`` beside an article: every run ended in a
    PydanticSerializationError traceback (the name's surrogate \\udcff cannot be written as
    UTF-8), exit 1, and the good article was lost too. The name is now ``bad\\xffname.txt``
    (backslash, x, f, f) wherever slant writes it."""
    d = tmp_path / "w"
    d.mkdir()
    (d / "good.txt").write_text(ARTICLE, encoding="utf-8")
    bad = _bad_name(d)
    shown = str(d / "bad\\xffname.txt")
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["analyze", str(d), "-f", "json", "-o", str(out), "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    sources = sorted(json.loads(line)["meta"]["source"] for line in out.read_text(encoding="utf-8").splitlines())
    assert sources == sorted([shown, str(d / "good.txt")])
    r = runner.invoke(app, ["batch", str(d), "-o", str(tmp_path / "b.jsonl"), "--jobs", "1", "--no-progress",
                            "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    rows = {row["id"]: row for row in read_rows(tmp_path / "b.jsonl")}
    assert set(rows) == {shown, str(d / "good.txt")} and rows[shown]["source"] == shown
    assert rows[shown]["error"] is None and rows[shown]["analysis"]["text_length"] == 41
    # the file alone, in every format
    r = runner.invoke(app, ["analyze", str(bad), "-f", "json", "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["meta"]["source"] == shown
    r = runner.invoke(app, ["analyze", str(bad), "-f", "html", "-o", str(tmp_path / "r.html"), "--config", str(fast_config)])
    assert r.exit_code == 0, r.output
    assert "bad\\xffname.txt" in (tmp_path / "r.html").read_text(encoding="utf-8")
    r = runner.invoke(app, ["analyze", str(bad), "--config", str(fast_config)])
    assert r.exit_code == 0 and "bad\\xffname.txt" in r.stdout, r.output
    # an error about such a file names it the same way, on one line
    os.truncate(bad, 0)
    r = runner.invoke(app, ["analyze", str(d), "-f", "json", "-o", str(out), "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    assert f"error: [E101] {shown}: file is empty" in r.stderr and "Traceback" not in r.output


def test_a_broken_symlink_in_a_folder_is_an_e106_failure_not_a_silent_gap(tmp_path, fast_config):
    """`ln -s /nonexistent mix/broken.txt; slant batch mix`: no row and no word about broken.txt,
    while `slant analyze mix/broken.txt` said E106. Now it is that document's E106 failure; a
    FIFO is left out with a note (reading it would wait for a writer)."""
    d = tmp_path / "mix"
    d.mkdir()
    (d / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (d / "broken.txt").symlink_to(tmp_path / "nonexistent")
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "pipe.txt")
    message = f"[E106] {d / 'broken.txt'}: no such file or directory (a symbolic link to {tmp_path / 'nonexistent'})"
    out = tmp_path / "m.jsonl"
    r = runner.invoke(app, ["batch", str(d), "-o", str(out), "--jobs", "1", "--no-progress", "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    rows = {row["id"]: row for row in read_rows(out)}
    assert set(rows) == {str(d / "good.txt"), str(d / "broken.txt")}
    assert rows[str(d / "broken.txt")]["error"] == message and rows[str(d / "good.txt")]["error"] is None
    assert f"error: {message}" in r.stderr
    r = runner.invoke(app, ["analyze", str(d), "-f", "json", "-o", str(tmp_path / "a.jsonl"), "--config", str(fast_config)])
    assert r.exit_code == 1, r.output
    assert f"error: {message}" in r.stderr and "1 of 2 documents analysed, 1 failed" in r.stderr
    assert len((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    if hasattr(os, "mkfifo"):
        assert f"note: leaving out {d / 'pipe.txt'}: it is not a regular file" in r.stderr
    r = runner.invoke(app, ["analyze", str(d / "broken.txt")])  # alone, as before
    assert r.exit_code == 3 and r.stderr.strip() == f"error: {message}"
    (d / "good.txt").unlink()  # only the broken link left: every document failed
    r = runner.invoke(app, ["analyze", str(d), "-f", "json", "-o", str(tmp_path / "a2.jsonl")])
    assert r.exit_code == 3 and f"error: {message}" in r.stderr, r.output


def test_an_html_fragment_on_stdin_is_analysed_without_library_log_lines(fast_config, caplog):
    """`printf '<p>The unemployment rate fell to 3.5 percent in 2019.</p>' | slant analyze -`
    printed two `ERROR trafilatura...` lines and refused the text (E105): trafilatura cannot
    parse a one-element fragment. Its text is the article; the date is not guessed from it."""
    sentence = "The unemployment rate fell to 3.5 percent in 2019."
    with caplog.at_level(logging.DEBUG):
        r = runner.invoke(app, ["analyze", "-", "-f", "json", "--config", str(fast_config)], input=f"<p>{sentence}</p>")
    assert r.exit_code == 0, r.output
    analysis = json.loads(r.stdout)
    assert analysis["meta"]["text"] == sentence and analysis["text_length"] == len(sentence)
    assert "date" not in analysis["meta"]
    assert not [rec for rec in caplog.records if rec.name.startswith("trafilatura")]  # none reached a handler
    assert r.stderr == ""


@pytest.mark.parametrize("markup", ["<p></p>", "<p>   </p>", "<html><body><script>var a = 1;</script></body></html>"])
def test_html_without_text_is_one_e105_line_and_no_library_log(markup):
    proc = subprocess.run([sys.executable, "-m", "slant.cli", "analyze", "-"], input=markup, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines() == ["error: [E105] <stdin>: no article text found in the HTML"]
