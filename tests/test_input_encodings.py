"""Legacy encodings: Western text saved as Windows-1252 reads back exactly, other scripts and
code pages are still recognised, and the same decoding serves .html files and stdin."""

from __future__ import annotations

import io
import sys

import pytest

from slant.ingest import read_document
from slant.ingest.files import decode_bytes

from .conftest import EXAMPLES

#: a real article (curly quotes, an em dash) plus an accented French sentence
FRENCH = " Le ministre a déclaré : « Le café était très bon, et l’économie va mieux. »"


@pytest.fixture(scope="module")
def western_articles() -> list[str]:
    """Every bundled example article, with an accented sentence; cp1252 encodes all of them."""
    texts = [p.read_text(encoding="utf-8") + FRENCH for p in sorted(EXAMPLES.glob("*.txt"))]
    assert texts and all("’" in t or "“" in t or "—" in t for t in texts[:1])
    return texts


def test_short_french_sentence_in_cp1252_is_not_read_as_cp1250():
    # charset-normalizer ranks mac_latin2 first: 'Le cafť ťtait trŤs bon.'
    assert decode_bytes("Le café était très bon.".encode("cp1252"), "x") == "Le café était très bon."


def test_english_article_with_curly_quotes_in_cp1252_keeps_its_quotation_marks(western_articles):
    # the example alone was detected as mac_iceland: every “ became another letter and the
    # quotations were lost to attribution
    for text in western_articles:
        assert decode_bytes(text.encode("cp1252"), "article.txt") == text


def test_cp1252_article_file_keeps_quotes_and_accents(tmp_path, western_articles):
    p = tmp_path / "article.txt"
    p.write_bytes(western_articles[0].encode("cp1252"))
    text = read_document(p).text
    assert text == western_articles[0]
    assert "“Those who said" in text and "très bon" in text


def test_cp1252_html_file_is_decoded_the_same_way(tmp_path):
    body = ("“We will not back down,” the senator said on Tuesday. Le café était très bon, "
            "the mayor’s office added in a statement to reporters. ") * 3
    p = tmp_path / "page.html"
    p.write_bytes(f"<html><head><title>Senate</title></head><body><article><p>{body}</p></article></body></html>"
                  .encode("cp1252"))
    text = read_document(p).text
    assert "“We will not back down,” the senator said" in text and "très bon" in text


def test_cp1252_stdin_is_decoded_the_same_way(monkeypatch):
    text = "“We will not back down,” the senator said. Le café était très bon."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("cp1252"))))
    assert read_document("-").text == text


RUSSIAN = ("Премьер-министр заявил в понедельник, что экономика страны находится в тяжелом кризисе, "
           "и правительство примет меры. Министр финансов Антон Силуанов согласился с ним.")
POLISH = ("Premier Donald Tusk powiedział w środę, że rząd przygotuje nową ustawę. Opozycja skrytykowała "
          "ten pomysł, a minister finansów zapowiedział, że budżet będzie większy niż w zeszłym roku.")


@pytest.mark.parametrize(
    "text,codec",
    [
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        ("日本の首相は記者会見で、経済は深刻な危機にあり政府は対策を講じると述べた。", "shift_jis"),
        ("Ο πρωθυπουργός δήλωσε ότι η οικονομία βρίσκεται σε σοβαρή κρίση και η κυβέρνηση θα δράσει.", "cp1253"),
        (POLISH, "cp1250"),
    ],
)
def test_other_scripts_and_code_pages_are_still_detected(text, codec):
    assert decode_bytes(text.encode(codec), "x") == text


def test_short_polish_sentence_in_cp1250_does_not_crash():
    got = decode_bytes("Minister powiedział, że gospodarka jest w kryzysie.".encode("cp1250"), "x")
    assert got.startswith("Minister powiedzia") and got.endswith("jest w kryzysie.")


@pytest.mark.parametrize("prefix,codec", [(b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8"), (b"", "utf-16"), (b"", "utf-32")])
def test_unicode_with_and_without_byte_order_mark_is_unchanged(western_articles, prefix, codec):
    text = western_articles[0]
    assert decode_bytes(prefix + text.encode(codec), "x") == text


def test_a_spanish_superscript_does_not_flip_the_code_page():
    text = "El ministro dijo: «¿Qué pasará?» La economía está en crisis; 5 km² perdidos."
    assert decode_bytes(text.encode("cp1252"), "x") == text


def test_high_byte_noise_is_still_undecodable():
    import random

    rng = random.Random(3)
    allowed = [b for b in range(128, 256) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]  # all valid cp1252
    with pytest.raises(Exception, match=r"\[E104\]"):
        decode_bytes(bytes(rng.choice(allowed) for _ in range(500)), "noise")


def test_utf8_with_a_stray_cp1252_byte_keeps_its_utf8_and_reads_the_byte_as_cp1252():
    # a \x92 apostrophe pasted into a UTF-8 file: before, the whole file was read as Mac Roman
    from slant.ingest.files import decode_bytes

    data = "Café owners “agreed” that ".encode("utf-8") + b"it\x92s fine."
    assert decode_bytes(data, "x.txt") == "Café owners “agreed” that it’s fine."
    # many invalid bytes and no valid UTF-8 sequence: legacy text, cp1252
    assert decode_bytes("Le café était très “bon”.".encode("cp1252"), "y.txt") == "Le café était très “bon”."


def test_utf16_without_a_bom_is_named_as_such_not_binary():
    import pytest

    from slant.errors import InputError
    from slant.ingest.files import decode_bytes

    for codec in ("utf-16-le", "utf-16-be"):
        with pytest.raises(InputError, match=r"E104.*UTF-16 text without a byte-order mark"):
            decode_bytes("The senator said the bill would pass.".encode(codec), "u.txt")
    with pytest.raises(InputError, match=r"E102.*binary"):
        decode_bytes(bytes(range(256)) * 4, "b.bin")


def test_undecodable_bytes_full_of_controls_are_binary_for_every_entry_point(tmp_path):
    """Random bytes with no NUL in them: `slant analyze` and the evaluate commands both say
    E102 (binary), one check in decode_bytes, not E104 (an odd text encoding)."""
    import random

    import pytest

    from slant.errors import InputError
    from slant.evaluation.inputs import read_text
    from slant.ingest.files import decode_bytes

    rng = random.Random(5)
    data = bytes(rng.choice([b for b in range(1, 256)]) for _ in range(4000))
    with pytest.raises(InputError, match=r"\[E102\] r.bin: looks like a binary file \(\d+ control bytes, not UTF-8\)"):
        decode_bytes(data, "r.bin")
    path = tmp_path / "u.txt"
    path.write_bytes("The senator said the bill would pass.".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"E104.*UTF-16 text without a byte-order mark"):
        read_text(path)
    # a legacy text with an odd control byte or two is still text
    assert decode_bytes("Le café\x1a était “bon”.".encode("cp1252"), "c.txt") == "Le café\x1a était “bon”."
