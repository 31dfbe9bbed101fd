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


def test_dense_features_come_from_the_tok2vec_tensor(view):
    import numpy as np

    from slant.techniques.features import dense_span_features, dense_token_features

    d = view.tensor.shape[1]
    assert d > 0 and view.tensor.shape[0] == view.n
    X = dense_token_features(view, 2)
    assert X.shape == (view.n, 3 * d)
    assert np.allclose(X[:, :d], view.tensor)
    assert np.allclose(X[0, d : 2 * d], view.tensor[:3].mean(axis=0), atol=1e-5)
    s = view.doc.text.index("traitors")
    S = dense_span_features(view, [(s, s + len("traitors"))])
    assert S.shape == (1, 3 * d)


def test_parse_cache_keeps_the_tensors(nlp, tmp_path):
    import numpy as np

    from slant.techniques.cache import parse_cached

    texts = ["They are traitors, he said.", "A calm line.\n\nAnother one."]
    first = parse_cached(texts, nlp, cache_dir=tmp_path)
    again = parse_cached(texts, nlp, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.tensor.npy"))) == 1
    for a, b in zip(first, again):
        assert b.tensor.shape == (len(b), a.tensor.shape[1])
        assert np.allclose(a.tensor, b.tensor)


def test_docview_recomputes_a_missing_tensor(nlp):
    import numpy as np
    from spacy.tokens import DocBin

    doc = nlp("They are traitors, he said.")
    (bare,) = DocBin(docs=[doc]).get_docs(nlp.vocab)
    assert bare.tensor.shape[0] != len(bare) or bare.tensor.size == 0
    assert np.allclose(DocView(bare).tensor, doc.tensor, atol=1e-4)
