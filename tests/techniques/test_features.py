"""Features and offset handling of the detector, on real and hand-made text."""

import pytest

from slant.normalize import normalize
from slant.techniques.data import load_split
from slant.techniques.features import DocView, sentence_units, span_features, token_features, token_range


def test_dev_gold_spans_survive_the_normalisation_round_trip(shared_data):
    for a in load_split(shared_data / "ptc" / "dev"):
        n = normalize(a.text)
        for s in a.tc:
            back = n.to_original(n.offsets.to_normalized(s.start), n.offsets.to_normalized(s.end))
            assert (back.start, back.end) == (s.start, s.end), (a.id, s)


@pytest.fixture(scope="module")
def view(nlp):
    text = "“They are traitors,” he said. Traitors! The traitors will pay.\n\nA calm closing line."
    return DocView(nlp(normalize(text).text))


def test_docview_marks_quotation_tokens(view):
    inside = [w for w, q in zip(view.lower, view.in_quote) if q]
    assert "traitors" in inside and "said" not in inside


def test_token_features_one_row_per_token(view):
    rows = token_features(view, {"traitors": 0.9}, 0.1)
    assert len(rows) == view.n
    k = view.lower.index("traitors")
    assert "w=traitors" in rows[k] and "lx=9" in rows[k]


def test_token_range_covers_the_char_span(view):
    text = view.doc.text
    s = text.index("traitors will")
    i, j = token_range(view, s, s + len("traitors will"))
    assert view.lower[i:j] == ["traitors", "will"]


def test_span_features_count_repetition(view):
    text = view.doc.text
    s = text.rindex("traitors")
    f = span_features(view, s, s + len("traitors"), text)
    assert "occ=3" in f and "ob=2" in f and "oa=0" in f


def test_sentence_units_trim_spaces(view):
    text = view.doc.text
    for _, _, a, b in sentence_units(view):
        assert text[a:b] == text[a:b].strip() and b > a
