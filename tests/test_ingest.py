"""Ingestion reads every supported input and names the file (and row) of every bad one."""

from __future__ import annotations

import json

import pytest

from slant.document import Document
from slant.errors import InputError
from slant.ingest import Failure, iter_documents, read_document
from slant.ingest.files import decode_bytes

ARTICLE = "The mayor said on Monday that the bridge would reopen in May. Critics called it a stunt."


def test_ingest_txt_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    doc = read_document(p)
    assert doc.text == ARTICLE and doc.meta["source"] == str(p)


def test_ingest_keeps_crlf_and_strips_only_the_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfLine one.\r\nLine two.")
    assert read_document(p).text == "Line one.\r\nLine two."


def test_ingest_empty_file_is_named(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"  \n")
    with pytest.raises(InputError, match=r"\[E101\] .*empty.txt: file is empty"):
        read_document(p)


def test_ingest_binary_file_is_refused(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match=r"\[E102\] .*image.txt: looks like a binary file"):
        read_document(p)


def test_ingest_non_utf8_file_is_decoded_by_detection(tmp_path):
    p = tmp_path / "latin1.txt"
    text = "Le ministre a déclaré à la presse que l'économie était en crise. « C'est grave », a-t-il ajouté."
    p.write_bytes(text.encode("cp1252"))
    assert read_document(p).text == text


def test_decode_bytes_refuses_undecodable_noise():
    import random

    rng = random.Random(1)
    noise = bytes(rng.randrange(128, 256) for _ in range(500))
    with pytest.raises(InputError, match=r"\[E104\] noise: not UTF-8"):
        decode_bytes(noise, "noise")


def test_ingest_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"\[E106\] .*nope.txt: no such file"):
        list(iter_documents(tmp_path / "nope.txt"))


def test_ingest_html_main_text_is_extracted(tmp_path):
    body = " ".join([ARTICLE] * 4)
    html = f"""<html><head><title>Bridge to reopen</title></head><body>
    <nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
    <article><h1>Bridge to reopen</h1><p>{body}</p><p>{body}</p></article>
    <footer>Copyright 2016 Example News. All rights reserved.</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    doc = read_document(p)
    assert "bridge would reopen in May" in doc.text
    assert "All rights reserved" not in doc.text
    assert doc.meta["title"] == "Bridge to reopen"


def test_ingest_csv_with_default_columns(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text('id,title,text,publisher\nx1,T1,"Hello, world. It is fine.",ABC\nx2,T2,,CNN\nx3,T3,"Second, article.",CNN\n', encoding="utf-8")
    items = list(iter_documents(p))
    assert [type(i) for i in items] == [Document, Failure, Document]
    assert items[0].meta["id"] == "x1" and items[0].meta["title"] == "T1" and items[0].meta["publisher"] == "ABC"
    assert "row 2 (id x2)" in str(items[1].error) and "[E111]" in str(items[1].error)


def test_ingest_csv_without_text_column(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,body\n1,hello\n", encoding="utf-8")
    (item,) = list(iter_documents(p))
    assert isinstance(item, Failure)
    assert "[E110]" in str(item.error) and "c.csv" in str(item.error) and "body" in str(item.error)


def test_ingest_csv_with_other_columns(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("key,headline,body\nk1,H,Some text here.\n", encoding="utf-8")
    (doc,) = list(iter_documents(p, text_column="body", id_column="key", title_column="headline"))
    assert doc.text == "Some text here." and doc.meta["id"] == "k1" and doc.meta["title"] == "H"


def test_ingest_csv_unterminated_quote_is_a_failure_not_a_swallowed_article(tmp_path):
    # Row x2 opens a quote that is never closed: csv reads every later line into that one
    # field. The rows before it stay documents; the mash becomes a failure naming the line.
    p = tmp_path / "c.csv"
    p.write_text(
        'id,text,label\nx1,"First article, fine.",0\nx2,"Second article, the quote never closes.,1\n'
        "x3,Third article.,0\nx4,Fourth article.,1\n",
        encoding="utf-8",
    )
    items = list(iter_documents(p))
    assert [type(i) for i in items] == [Document, Failure]
    message = str(items[1].error)
    assert "[E107]" in message and "row 2" in message and "line 3" in message and "never closed" in message


def test_ingest_csv_multiline_quoted_last_row_is_still_a_document(tmp_path):
    # A quoted field over several lines that is closed at the very end (no final newline)
    # is a normal row, not an unterminated quote.
    p = tmp_path / "c.csv"
    p.write_text('id,text\nx1,"One line.\nTwo lines, closed."', encoding="utf-8")
    (doc,) = list(iter_documents(p))
    assert isinstance(doc, Document) and doc.text == "One line.\nTwo lines, closed."


def test_ingest_jsonl_with_a_bad_line(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n{not json\n" + json.dumps({"id": "c", "body": "x"}) + "\n", encoding="utf-8")
    items = list(iter_documents(p))
    assert isinstance(items[0], Document)
    assert isinstance(items[1], Failure) and "line 2" in str(items[1].error)
    assert isinstance(items[2], Failure) and "[E110]" in str(items[2].error)


def test_ingest_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [ARTICLE, ""]}), p)
    items = list(iter_documents(p))
    assert isinstance(items[0], Document) and isinstance(items[1], Failure)


def test_ingest_directory_reports_bad_files_and_reads_the_rest(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    items = list(iter_documents(tmp_path))
    assert [type(i).__name__ for i in items] == ["Document", "Failure", "Document"]
    assert "b.txt" in str(items[1].error)


def test_ingest_news_corpus_csv_as_it_is(shared_data):
    path = shared_data / "news" / "buzzfeed_webis_2016.csv"
    items = list(iter_documents(path))
    docs = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert len(items) == 1310
    assert len(failures) == 16  # the README's count of empty texts in this file
    assert all("[E111]" in str(f.error) for f in failures)
    assert all(d.meta["id"].startswith("bfw-") for d in docs)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_ingest_utf16_and_utf32_with_byte_order_mark(tmp_path, codec):
    p = tmp_path / "wide.txt"
    data = ARTICLE.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    p.write_bytes(data)
    assert read_document(p).text == ARTICLE


def test_ingest_jsonl_text_that_is_not_a_string(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": 2, "text": ["a", "b"]}) + "\n", encoding="utf-8")
    (item,) = list(iter_documents(p))
    assert isinstance(item, Failure) and "[E111]" in str(item.error) and "list" in str(item.error)


def test_ingest_html_meta_carries_the_text_offsets_index(tmp_path):
    body = " ".join([ARTICLE] * 4)
    p = tmp_path / "page.html"
    p.write_text(f"<html><body><article><p>{body}</p><p>{body}</p></article></body></html>", encoding="utf-8")
    doc = read_document(p)
    assert doc.meta["text"] == doc.text


@pytest.mark.parametrize("option,value", [("id_column", "nope"), ("title_column", "headline")])
def test_ingest_csv_named_id_or_title_column_must_exist(tmp_path, option, value):
    # --id-column nope used to be ignored silently: every row got its row number as id
    p = tmp_path / "c.csv"
    p.write_text("id,text\n1,hello there\n", encoding="utf-8")
    (item,) = list(iter_documents(p, **{option: value}))
    assert isinstance(item, Failure)
    flag = "--" + option.replace("_", "-")
    assert "[E110]" in str(item.error) and repr(value) in str(item.error) and flag in str(item.error)


def test_html_blocks_are_paragraphs_so_the_headline_is_its_own_sentence():
    import slant
    from slant.ingest.html import extract_html

    page = ("<html><body><article><h1>Senate Vote Delayed</h1><p>The senator said the bill would hurt "
            "families and that critics were wrong about it.</p><p>Critics disagreed strongly with him on "
            "Tuesday in the capital, calling the plan cruel.</p></article></body></html>")
    text, _ = extract_html(page, "page.html")
    assert "Senate Vote Delayed\n\nThe senator said" in text
    sents = [text[s.start:s.end] for s in slant.analyze(text, options=slant.Options(stages=["sentences"])).sentences]
    assert sents[0] == "Senate Vote Delayed"


def test_ingest_id_and_title_columns_are_found_in_any_case(tmp_path):
    """A CSV with `ID,Title,text` columns was read without its title and ids (tester's finding)."""
    p = tmp_path / "c.csv"
    p.write_text('ID,Title,text\nr1,Bridge to reopen,"The bridge will reopen on Monday, officials said."\n',
                 encoding="utf-8")
    (doc,) = list(iter_documents(p))
    assert doc.meta["id"] == "r1" and doc.meta["title"] == "Bridge to reopen"
    # two candidates for one role: the exact name wins
    p.write_text("title,Title,text\na,b,The bridge will reopen on Monday.\n", encoding="utf-8")
    (doc,) = list(iter_documents(p))
    assert doc.meta["title"] == "a"
