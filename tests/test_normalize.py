"""Normalisation repairs scraped text and its offset map always points back into the original."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.normalize import CLOSE_DQ, OPEN_DQ, normalize

# Alphabet biased towards the characters the normaliser touches.
_SPECIAL = list(" \t\r\n\u00a0\u2009\u200b\u00ad\ufeff\"\u201c\u201d\u201e\u00ab\u00bb'\u2019`\u00b4-\u2014\u2013()[]{}") + ["--", "   ", " \u2014   "]
_TEXT = st.lists(st.one_of(st.sampled_from(_SPECIAL), st.text(min_size=1, max_size=4)), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_normalize_map_is_monotone_and_in_bounds(text):
    n = normalize(text)
    m = n.offsets
    starts = [m.start_to_original(i) for i in range(len(n.text) + 1)]
    ends = [m.end_to_original(i) for i in range(len(n.text) + 1)]
    assert starts == sorted(starts)
    assert ends == sorted(ends)
    assert all(0 <= x <= len(text) for x in starts + ends)
    back = [m.to_normalized(i) for i in range(len(text) + 1)]
    assert back == sorted(back)
    assert all(0 <= x <= len(n.text) for x in back)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.data())
def test_normalize_every_span_maps_inside_the_original(text, data):
    n = normalize(text)
    s = data.draw(st.integers(0, len(n.text)))
    e = data.draw(st.integers(s, len(n.text)))
    span = n.to_original(s, e)
    assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalize_arbitrary_unicode_words_survive(text):
    """Every run of word characters in the repaired text maps to the same characters."""
    n = normalize(text)
    for m in re.finditer(r"[^\W_]+", n.text):
        span = n.to_original(*m.span())
        original = text[span.start : span.end]
        # words are copied verbatim except inner apostrophes, which only change form
        assert original.replace("\u2019", "'").replace("`", "'").replace("\u00b4", "'").replace("\u02bc", "'") == m.group() or "\u00ad" in original or any(c in original for c in "\u200b\u200c\u200d\u2060\ufeff")


def test_normalize_text_without_artifacts_is_unchanged():
    text = "The minister said the plan would cost $4 billion.\nIt was approved."
    assert normalize(text).text == text


def _roundtrip(text: str, needle: str) -> str:
    n = normalize(text)
    i = n.text.index(needle)
    span = n.to_original(i, i + len(needle))
    return text[span.start : span.end]


def test_normalize_runs_of_spaces_from_dropped_hyphenated_words():
    text = "A   jihadi said he was encouraged. Turkey's   failure to take Elbab."
    n = normalize(text)
    assert "A jihadi said" in n.text and "Turkey's failure" in n.text
    assert _roundtrip(text, "jihadi") == "jihadi"
    assert _roundtrip(text, "Turkey's failure") == "Turkey's   failure"


def test_normalize_spaced_dashes():
    text = "What we see in Mosul  —   how the organization took back districts  —   and"
    n = normalize(text)
    assert "Mosul — how the organization" in n.text
    assert _roundtrip(text, "Mosul — how") == "Mosul  —   how"


def test_normalize_double_hyphen_becomes_dash():
    n = normalize("He left--for good.")
    assert n.text == "He left\u2014for good."
    assert _roundtrip("He left--for good.", "\u2014") == "--"


def test_normalize_mixed_curly_and_straight_quotes_become_directional():
    text = 'He said "We won," and then “they lost. ” Unlike "them", we stay.'
    n = normalize(text)
    assert n.text == f"He said {OPEN_DQ}We won,{CLOSE_DQ} and then {OPEN_DQ}they lost.{CLOSE_DQ} Unlike {OPEN_DQ}them{CLOSE_DQ}, we stay."
    assert not n.notices


def test_normalize_quote_closed_after_a_space(example_text):
    n = normalize(example_text)
    assert f"infidel countries.{CLOSE_DQ} Unlike" in n.text
    assert n.text.count(OPEN_DQ) == n.text.count(CLOSE_DQ)


def test_normalize_guillemets_and_low_quotes():
    assert normalize("«Nous gagnerons», a-t-il dit").text == f"{OPEN_DQ}Nous gagnerons{CLOSE_DQ}, a-t-il dit"
    assert normalize("„Wir siegen“, sagte er").text.startswith(OPEN_DQ)


def test_normalize_apostrophes_inside_words():
    text = "IS’ demise and Turkey’s failure; the Shi’ite fighters"
    n = normalize(text)
    assert n.text == "IS' demise and Turkey's failure; the Shi'ite fighters"
    assert _roundtrip(text, "Turkey's") == "Turkey’s"


def test_normalize_nbsp_and_zero_width_spaces():
    text = "Islamic\u00a0State fighters\u200b retook the\u00a0\u00a0town\ufeff."
    n = normalize(text)
    assert n.text == "Islamic State fighters retook the town."
    assert _roundtrip(text, "Islamic State") == "Islamic\u00a0State"
    assert _roundtrip(text, "town.") == "town\ufeff."


def test_normalize_crlf():
    text = "First line.\r\nSecond line.\rThird."
    n = normalize(text)
    assert n.text == "First line.\nSecond line.\nThird."
    assert _roundtrip(text, "Second line.") == "Second line."


def test_normalize_stray_bracket_is_kept_and_reported(example_text):
    n = normalize(example_text)
    (notice,) = [x for x in n.notices if x.code == "W201"]
    assert example_text[notice.start : notice.end] == "["
    assert n.text[n.offsets.to_normalized(notice.start)] == "["


def test_normalize_unbalanced_quote_is_reported():
    text = 'He said "we will win. Nobody believed him.'
    n = normalize(text)
    (notice,) = [x for x in n.notices if x.code == "W202"]
    assert text[notice.start] == '"'


@pytest.mark.parametrize(
    "needle",
    ["Abu Baker Almuhajer", "Almujaher", "Elbab", "Mosul", "Shi", "wishful thinking of", "ritzy palaces."],
)
def test_normalize_example_spans_map_to_the_original_characters(example_text, needle):
    n = normalize(example_text)
    i = n.text.index(needle)
    span = n.to_original(i, i + len(needle))
    assert " ".join(example_text[span.start : span.end].split()) == " ".join(needle.split())
