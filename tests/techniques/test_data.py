"""The PTC loader and writers."""

import pytest

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
