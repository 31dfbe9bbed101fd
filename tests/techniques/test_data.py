"""The PTC loader and writers."""

import pytest

from slant.errors import InputError
from slant.techniques.data import TECHNIQUES, PTCArticle, TechniqueSpan, load_split, write_si, write_tc


@pytest.fixture(scope="module")
def dev(shared_data):
    return load_split(shared_data / "ptc" / "dev")


def test_load_split_reads_every_dev_article(dev):
    assert len(dev) == 75
    assert sum(len(a.si) for a in dev) == 940
    assert sum(len(a.tc) for a in dev) == 1063


def test_every_gold_span_lies_inside_its_article(dev):
    for a in dev:
        for span in a.si + a.tc:
            assert 0 <= span.start < span.end <= len(a.text), (a.id, span)


def test_tc_labels_are_the_14_semeval_classes(dev):
    assert {s.technique for a in dev for s in a.tc} == set(TECHNIQUES)


def test_offsets_count_raw_newlines(dev):
    # spans never start on whitespace in this corpus when read with newline=""
    starts = [a.text[s.start] for a in dev for s in a.tc]
    assert sum(c.isspace() for c in starts) / len(starts) < 0.01


def test_write_then_load_roundtrip(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels-si").mkdir()
    (tmp_path / "labels-tc").mkdir()
    text = "Title\r\n\r\nThese traitors lie.\n"
    with open(tmp_path / "articles" / "article7.txt", "w", encoding="utf-8", newline="") as f:
        f.write(text)
    spans = [TechniqueSpan(15, 23, "Name_Calling,Labeling"), TechniqueSpan(9, 28, "Doubt")]
    write_tc(tmp_path / "labels-tc" / "article7.task-flc-tc.labels", {"7": spans})
    write_si(tmp_path / "labels-si" / "article7.task-si.labels", {"7": [TechniqueSpan(9, 28)]})
    (art,) = load_split(tmp_path)
    assert isinstance(art, PTCArticle)
    assert art.text == text
    assert art.text[15:23] == "traitors"
    assert art.tc == sorted(spans)
    assert art.si == [TechniqueSpan(9, 28)]


def test_load_split_rejects_a_folder_without_articles(tmp_path):
    with pytest.raises(ValueError, match="E110"):
        load_split(tmp_path)
    with pytest.raises(ValueError, match=r"E106.*no such file"):
        load_split(tmp_path / "typo")


# ------------------------------------------------------------------ small splits in tmp_path

TEXT_1 = "Title\n\nThese corrupt traitors are destroying our great nation!\n"  # 62 chars
TEXT_2 = "Headline\n\nOnly a fool would doubt it. Wake up, America!\n"


def make_split(root, articles=None, files=None):
    """A PTC split at ``root``: ``articles`` id -> text, ``files`` relative path -> content (str or bytes)."""
    (root / "articles").mkdir(parents=True)
    for aid, text in (articles or {"1": TEXT_1}).items():
        with open(root / "articles" / f"article{aid}.txt", "w", encoding="utf-8", newline="") as f:
            f.write(text)
    for rel, content in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def one_line_error(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message.startswith("[E110] "), message
    return message


def test_load_split_reads_combined_label_files_at_the_root(tmp_path):
    # the official SemEval files: one file per task for the whole split, no labels-si/ or labels-tc/
    make_split(tmp_path, {"1": TEXT_1, "2": TEXT_2}, {
        "dev-task-si.labels": "1\t8\t28\n2\t20\t25\n",
        "dev-task-flc-tc.labels": "1\tName_Calling,Labeling\t16\t28\n1\tLoaded_Language\t8\t15\n"
                                  "2\tSlogans\t40\t55\n2\tName_Calling,Labeling\t40\t55\n",
    })
    a1, a2 = load_split(tmp_path)
    assert a1.si == [TechniqueSpan(8, 28)] and a2.si == [TechniqueSpan(20, 25)]
    assert a1.tc == [TechniqueSpan(8, 15, "Loaded_Language"), TechniqueSpan(16, 28, "Name_Calling,Labeling")]
    # the same span with two techniques is two labels, not a duplicate
    assert a2.tc == [TechniqueSpan(40, 55, "Name_Calling,Labeling"), TechniqueSpan(40, 55, "Slogans")]


def test_write_si_and_write_tc_round_trip_through_load_split(tmp_path):
    make_split(tmp_path, {"1": TEXT_1, "2": TEXT_2})
    si = {"1": [TechniqueSpan(16, 28), TechniqueSpan(8, 15)], "2": [TechniqueSpan(20, 25)]}
    tc = {"1": [TechniqueSpan(16, 28, "Name_Calling,Labeling"), TechniqueSpan(16, 28, "Loaded_Language")],
          "2": [TechniqueSpan(40, 55, "Slogans")]}
    write_si(tmp_path / "predictions-task-si.labels", si)
    write_tc(tmp_path / "predictions-task-flc-tc.labels", tc)
    a1, a2 = load_split(tmp_path)
    assert (a1.si, a2.si) == (sorted(si["1"]), si["2"])
    assert (a1.tc, a2.tc) == (sorted(tc["1"]), tc["2"])


def test_per_article_folders_win_over_combined_files(tmp_path):
    make_split(tmp_path, {"1": TEXT_1}, {
        "labels-si/article1.task-si.labels": "1\t8\t28\n",
        "labels-tc/article1.task-flc-tc.labels": "1\tDoubt\t8\t28\n",
        "x-task-si.labels": "1\t8\t28\n1\t30\t40\n",
        "x-task-flc-tc.labels": "1\tDoubt\t8\t28\n1\tSlogans\t30\t40\n",
    })
    (art,) = load_split(tmp_path)
    assert art.si == [TechniqueSpan(8, 28)] and art.tc == [TechniqueSpan(8, 28, "Doubt")]


def test_load_split_refuses_two_combined_files_of_one_task(tmp_path):
    make_split(tmp_path, {"1": TEXT_1}, {"a-task-si.labels": "1\t8\t28\n", "b-task-si.labels": "1\t8\t28\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert "a-task-si.labels" in message and "b-task-si.labels" in message


@pytest.mark.parametrize("split", ["train", "dev"])
def test_shared_combined_files_give_the_per_article_labels(shared_data, tmp_path, split):
    """The real splits read from their combined files alone equal the per-article folders; both
    load without error, so neither holds an exact duplicate line (checked: train and dev, SI and
    TC, per-article and combined files have none)."""
    src = shared_data / "ptc" / split
    (tmp_path / "articles").symlink_to(src / "articles")
    (tmp_path / "ids.txt").symlink_to(src / "ids.txt")
    for name in (f"{split}-task-si.labels", f"{split}-task-flc-tc.labels"):
        (tmp_path / name).symlink_to(src / name)
    per_article = load_split(src)
    combined = load_split(tmp_path)
    assert [(a.id, a.si, a.tc) for a in combined] == [(a.id, a.si, a.tc) for a in per_article]
    assert sum(len(a.si) for a in combined) == {"train": 4496, "dev": 940}[split]
    assert sum(len(a.tc) for a in combined) == {"train": 5047, "dev": 1063}[split]


@pytest.mark.parametrize("name, hint", [("Loaded Language", "Loaded_Language"), ("flag_waving", "Flag-Waving")])
@pytest.mark.parametrize("where", ["per-article", "combined"])
def test_unknown_technique_is_an_error_with_a_hint(tmp_path, name, hint, where):
    rel = "labels-tc/article1.task-flc-tc.labels" if where == "per-article" else "dev-task-flc-tc.labels"
    make_split(tmp_path, {"1": TEXT_1}, {rel: f"1\tDoubt\t8\t15\n1\t{name}\t16\t28\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert f"{tmp_path / rel}:2:" in message and repr(name) in message and repr(hint) in message


def test_label_file_of_an_article_not_in_the_split_is_an_error(tmp_path):
    make_split(tmp_path, {"1": TEXT_1}, {"labels-si/article999.task-si.labels": "999\t8\t28\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert str(tmp_path / "labels-si" / "article999.task-si.labels") in message and "999" in message


def test_combined_line_of_an_unknown_article_is_an_error(tmp_path):
    make_split(tmp_path, {"1": TEXT_1}, {"dev-task-flc-tc.labels": "1\tDoubt\t8\t28\n999\tDoubt\t8\t28\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert f"{tmp_path / 'dev-task-flc-tc.labels'}:2:" in message and "999" in message


@pytest.mark.parametrize("rel, line", [("labels-si/article1.task-si.labels", "1\t8\t28"),
                                       ("labels-tc/article1.task-flc-tc.labels", "1\tDoubt\t8\t28"),
                                       ("dev-task-si.labels", "1\t8\t28")])
def test_exact_duplicate_label_line_is_an_error(tmp_path, rel, line):
    make_split(tmp_path, {"1": TEXT_1}, {rel: f"{line}\n1{line[1:].replace('8', '9', 1)}\n{line}\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert f"{tmp_path / rel}:3:" in message and "line 1" in message


def test_span_past_the_end_reports_the_line_as_written(tmp_path):
    n = len(TEXT_1)
    make_split(tmp_path, {"1": TEXT_1}, {"labels-si/article1.task-si.labels": f"1\t8\t28\n1\t3000\t3100\n"})
    with pytest.raises(ValueError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert ":2:" in message and "[3000, 3100)" in message and f"{n} chars" in message
    assert f"[3000, {n})" not in message


@pytest.mark.parametrize("rel, line", [("labels-tc/article1.task-flc-tc.labels", "1\tSlogans\t40\t{end}"),
                                       ("labels-si/article1.task-si.labels", "1\t40\t{end}"),
                                       ("x-task-si.labels", "1\t40\t{end}")])
def test_span_ending_past_the_article_is_an_error(tmp_path, rel, line):
    """A span ending past its article was clipped to it silently, so a wrong label file scored
    like a right one (tester's finding); a span ending exactly at the end is read."""
    n = len(TEXT_1)
    make_split(tmp_path, {"1": TEXT_1}, {rel: line.format(end=n) + "\n" + line.format(end=n + 69) + "\n"})
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert f"{tmp_path / rel}:2:" in message and f"[40, {n + 69})" in message
    assert "ends past the end of article 1" in message and f"end {n + 69}" in message and f"{n} chars" in message
    (tmp_path / rel).write_text(line.format(end=n) + "\n", encoding="utf-8")
    (art,) = load_split(tmp_path)
    assert (art.si + art.tc)[0].end == n


@pytest.mark.parametrize("split", ["train", "dev"])
def test_the_real_splits_load_with_every_span_inside_its_article(shared_data, split):
    """Past-the-end spans are errors: no gold span of the released train and dev splits is one,
    offsets counting the characters of the file read as UTF-8 with newline="" (the data README):
    the byte-order mark that two train articles start with is a character."""
    articles = load_split(shared_data / "ptc" / split)
    assert len(articles) == {"train": 297, "dev": 75}[split]
    assert sum(len(a.si) for a in articles) == {"train": 4496, "dev": 940}[split]
    assert sum(len(a.tc) for a in articles) == {"train": 5047, "dev": 1063}[split]
    for a in articles:
        assert all(0 <= s.start < s.end <= len(a.text) for s in a.si + a.tc), a.id
    if split == "train":
        assert [a.id for a in articles if a.text.startswith("\ufeff")] == ["705409419", "712382330"]
        (bom,) = [a for a in articles if a.id == "705409419"]
        assert bom.text[bom.si[0].start:bom.si[0].end] == "a devastating letter"


@pytest.mark.parametrize("stray", ["copy_article9.txt", "article9.txt.bak", "article9.TXT", "my-article9.txt"])
def test_articles_are_recognised_by_their_whole_name(tmp_path, stray):
    """A stray copy_article9.txt in articles/ stopped the load with "articles/article9.txt: no
    such file", a file the user never had (tester's finding): like label files, article files
    are named article<ID>.txt as a whole, and other files are left out."""
    make_split(tmp_path, {"1": TEXT_1}, {"labels-si/article1.task-si.labels": "1\t8\t28\n",
                                         "labels-si/copy_article9.task-si.labels": "9\t8\t28\n"})
    (tmp_path / "articles" / stray).write_text(TEXT_2, encoding="utf-8")
    (art,) = load_split(tmp_path)
    assert art.id == "1" and art.si == [TechniqueSpan(8, 28)]


def test_articles_folder_with_no_article_file_names_what_it_wants(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "copy_article9.txt").write_text(TEXT_1, encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    message = one_line_error(excinfo)
    assert "no articles" in message and "article<ID>.txt" in message and "article9.txt:" not in message


@pytest.mark.parametrize("text, what", [("", "no text"), ("  \r\n\n\t ", "only whitespace, 7 chars")])
def test_empty_articles_are_loaded_with_a_warning_naming_the_file(tmp_path, text, what):
    """Empty or whitespace-only article files were accepted silently (tester's finding)."""
    make_split(tmp_path, {"1": TEXT_1, "2": text}, {"labels-si/article1.task-si.labels": "1\t8\t28\n"})
    warnings = []
    a1, a2 = load_split(tmp_path, warn=warnings.append)
    assert (a2.id, a2.text, a2.si) == ("2", text, [])
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{tmp_path / 'articles' / 'article2.txt'}: empty article ({what})")
    assert "\n" not in warnings[0]
    assert load_split(tmp_path) == [a1, a2]  # no warn: the same split, nothing said


def test_no_warning_for_articles_with_text_or_a_split_that_fails(tmp_path):
    make_split(tmp_path, {"1": TEXT_1, "2": ""}, {"labels-si/article1.task-si.labels": "1\t8\t28\n"})
    (tmp_path / "articles" / "article2.txt").unlink()
    warnings = []
    load_split(tmp_path, warn=warnings.append)
    assert warnings == []
    make_split(tmp_path / "bad", {"1": TEXT_1, "2": ""}, {"labels-si/article1.task-si.labels": "1\t8\t999\n"})
    with pytest.raises(InputError):
        load_split(tmp_path / "bad", warn=warnings.append)
    assert warnings == []  # an error alone, not warnings and then an error


def test_label_files_may_start_with_a_bom(tmp_path):
    bom = "\ufeff".encode()
    make_split(tmp_path, {"1": TEXT_1}, {
        "labels-si/article1.task-si.labels": bom + b"1\t8\t28\n",
        "labels-tc/article1.task-flc-tc.labels": bom + b"1\tDoubt\t8\t28\n",
    })
    (art,) = load_split(tmp_path)
    assert art.si == [TechniqueSpan(8, 28)] and art.tc == [TechniqueSpan(8, 28, "Doubt")]
    make_split(tmp_path / "combined", {"1": TEXT_1}, {"dev-task-si.labels": bom + b"1\t8\t28\n"})
    assert load_split(tmp_path / "combined")[0].si == [TechniqueSpan(8, 28)]


def test_writers_never_write_a_line_that_load_split_refuses(tmp_path):
    # write_si writes a repeated span once (the SI measure merges overlaps: no score changes)
    make_split(tmp_path, {"1": TEXT_1})
    write_si(tmp_path / "p-task-si.labels", {"1": [TechniqueSpan(8, 28), TechniqueSpan(8, 28, "Doubt")]})
    assert (tmp_path / "p-task-si.labels").read_text(encoding="utf-8") == "1\t8\t28\n"
    assert load_split(tmp_path)[0].si == [TechniqueSpan(8, 28)]
    # write_tc refuses the same technique twice on one span (TC would count it twice)
    with pytest.raises(ValueError, match="given twice"):
        write_tc(tmp_path / "q-task-flc-tc.labels", {"1": [TechniqueSpan(8, 28, "Doubt")] * 2})
    assert not (tmp_path / "q-task-flc-tc.labels").exists()


# ------------------------------------------------------------------ second break-test round


@pytest.mark.parametrize("line", ["1\t8\t28\textra", "1\t8\t28\t", "1\t1_2\t28", "1\t\uff11\uff12\t28", "1\t 8\t28"])
def test_si_lines_must_be_three_fields_of_ascii_digits(tmp_path, line):
    """An SI line with an extra column or a trailing tab was read (a TC one was not), and int()
    read "1_2" and fullwidth digits as 12 (tester's findings)."""
    make_split(tmp_path, files={"x-task-si.labels": line + "\n"})
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    assert "not a PTC label line" in one_line_error(excinfo)


@pytest.mark.parametrize("content", [b"Caf\xe9 au lait\n", bytes(range(256)) * 8])
def test_an_article_that_is_not_utf8_is_a_one_line_error(tmp_path, content):
    make_split(tmp_path, {"1": TEXT_1})
    (tmp_path / "articles" / "article1.txt").write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    message = str(excinfo.value)
    assert message.startswith("[E104] ") and "article1.txt" in message and "\n" not in message


def test_ids_txt_naming_a_missing_article_is_e110(tmp_path):
    make_split(tmp_path, {"1": TEXT_1}, {"ids.txt": "1\n999\n"})
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    assert "ids.txt: id 2 ('999') has no file" in one_line_error(excinfo)


def test_an_empty_per_article_folder_gives_way_to_the_combined_file(tmp_path):
    """An empty labels-si/ next to a combined SI file hid the file, and SI was then scored
    against the TC spans (tester's finding)."""
    make_split(tmp_path, {"1": TEXT_1}, {"x-task-si.labels": "1\t8\t28\n"})
    (tmp_path / "labels-si").mkdir()
    (art,) = load_split(tmp_path)
    assert art.si == [TechniqueSpan(8, 28)]
    (tmp_path / "y-task-flc-tc.labels").mkdir()
    with pytest.raises(InputError) as excinfo:
        load_split(tmp_path)
    assert "a folder, not a combined label file" in one_line_error(excinfo)


def test_si_gold_never_borrows_tc_spans_in_a_split_that_has_si_labels(tmp_path):
    """Re-scoring slant's own --predictions gave SI F1 0.9972, not 1: articles with no predicted
    SI span took their TC lines as SI gold (tester's finding)."""
    from slant.techniques.training import evaluate_items, prepare
    from slant.techniques.model import load_model

    make_split(tmp_path, {"1": TEXT_1, "2": TEXT_2}, {
        "x-task-si.labels": "1\t8\t28\n",
        "x-task-flc-tc.labels": "1\tLoaded_Language\t8\t28\n2\tSlogans\t40\t55\n",
    })
    items = prepare(load_split(tmp_path))
    result = evaluate_items(load_model(), items)
    assert result["si"]["n_gold"] == 1  # article 2 has no SI gold, not its TC span


def test_a_binary_article_and_an_empty_ids_file_are_named(tmp_path):
    """Second break-test: an article holding NUL bytes was scored, and an empty ids.txt gave "no file
    named article<ID>.txt" although the articles were there."""
    import pytest

    from slant.errors import InputError
    from slant.techniques.data import load_split

    root = tmp_path / "split"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "article1.txt").write_text("A plain article.\n", encoding="utf-8")
    (root / "ids.txt").write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"E110.*ids\.txt: lists no article id"):
        load_split(root)
    (root / "ids.txt").unlink()
    assert [a.id for a in load_split(root)] == ["1"]
    (root / "articles" / "article2.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match=r"E102.*article2\.txt.*NUL"):
        load_split(root)
