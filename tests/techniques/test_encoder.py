"""The fine-tuned transformer tagger: windows, WordPiece-to-token mapping, fusion, options."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from slant.errors import InputError, MissingExtraError, ModelNotFoundError
from slant.techniques.encoder import NO_PIECE, WINDOW, Encoder, encoder_text, windows
from slant.techniques.encoder_training import piece_labels


def test_windows_cover_every_piece_with_half_overlap():
    assert windows(0) == [] and windows(1) == [(0, 1)] and windows(WINDOW) == [(0, WINDOW)]
    for n in (WINDOW + 1, 600, 1000):
        w = windows(n)
        assert w[0][0] == 0 and w[-1][1] == n
        assert all(e - s <= WINDOW for s, e in w)
        assert all(b[0] == a[0] + WINDOW // 2 for a, b in zip(w, w[1:]))
        covered = np.zeros(n, bool)
        for s, e in w:
            covered[s:e] = True
        assert covered.all()
    assert windows(10, 4, 3) == [(0, 4), (3, 7), (6, 10)]


def test_piece_labels_mark_pieces_overlapping_a_span():
    offsets = np.array([[0, 3], [4, 9], [10, 12], [12, 13]])
    assert piece_labels(offsets, [(5, 8)]).tolist() == [0, 1, 0, 0]
    assert piece_labels(offsets, [(3, 4)]).tolist() == [0, 0, 0, 0]  # touching is not overlapping
    assert piece_labels(offsets, [(2, 11), (12, 13)]).tolist() == [1, 1, 1, 1]


def test_an_encoder_folder_without_its_files_is_E202(tmp_path):
    with pytest.raises(ModelNotFoundError, match="E202.*slant train techniques"):
        Encoder(tmp_path)


def test_a_corrupt_encoder_file_is_E202_and_bad_thread_counts_are_E120(tmp_path, monkeypatch):
    from importlib.resources import files

    shipped = files("slant") / "models" / "techniques"
    (tmp_path / "tokenizer.json").write_bytes((shipped / "tokenizer.json").read_bytes())
    (tmp_path / "encoder.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelNotFoundError, match="E202.*encoder at"):
        Encoder(tmp_path)
    monkeypatch.setenv("SLANT_ENCODER_THREADS", "abc")
    with pytest.raises(InputError, match="E120.*SLANT_ENCODER_THREADS"):
        Encoder(shipped)


def test_encoder_text_blanks_what_the_vocabulary_cannot_hold_and_keeps_offsets():
    s = "human\U0001F1FA\U0001F1F8 rights \U0001F468\u200d\U0001F469\u200d\U0001F467 \u00a92019 caf\u00e9 \u05e9\u200f"
    t = encoder_text(s)
    assert len(t) == len(s)
    assert t.startswith("human   rights") and "2019 caf\u00e9 \u05e9 " in t
    assert encoder_text("plain ASCII [text]!") == "plain ASCII [text]!"


def test_a_word_with_an_emoji_attached_keeps_its_pieces(model):
    ids, offs = model.encoder.encode("fundamental human\U0001F1FA\U0001F1F8 rights")
    pieces = model.encoder.tokenizer.decode(ids.tolist())
    assert "human" in pieces and "[UNK]" not in pieces
    sep = model.encoder.tokenizer.token_to_id("[SEP]")
    ids, _ = model.encoder.encode("a [SEP] b [CLS] c")
    assert sep not in ids.tolist()  # written in an article, they are text


def test_a_model_used_without_its_encoder_never_reads_the_encoder_files(tmp_path, nlp):
    from slant.techniques.detector import detect
    from slant.techniques.model import TechniqueModel, load_model

    load_model().save(tmp_path)
    (tmp_path / "encoder.onnx").unlink()
    m = TechniqueModel.load(tmp_path)
    doc = nlp("These corrupt traitors are destroying our great nation, critics said on Monday.")
    assert detect(doc, m)[0] is not None  # technique_encoder = false: no encoder needed
    with pytest.raises(ModelNotFoundError, match="E202"):
        detect(doc, m, encoder=True)


@pytest.mark.parametrize("encoder", [False, True])
def test_runs_never_start_or_end_on_an_emoji(encoder):
    import unicodedata

    import slant

    text = ("The corrupt \U0001F467 elites are destroying\U0001F1FA\U0001F1F8 our great nation "
            "\U0001F468\u200d\U0001F469\u200d\U0001F467! These treasonous\U0001F3FD traitors and "
            "radical\u2764\ufe0f thugs must be stopped \U0001F525\U0001F525 before they ruin "
            "everything. Shameful \U0001F621 lies from a disgraceful\U0001F1EC\U0001F1E7 media!\n") * 3
    a = slant.analyze(text, options=slant.Options(stages=("sentences", "techniques"), technique_encoder=encoder))
    assert a.techniques
    for t in a.techniques:
        span = text[t.start:t.end]
        assert any(c.isalnum() for c in span), span
        for c in (span[0], span[-1]):
            assert unicodedata.category(c) not in ("So", "Sk", "Cf") and c != "\ufe0f", (t, span)


def test_training_without_the_pretrained_weights_is_E302(monkeypatch):
    from slant.techniques.encoder_training import base_model_dir

    monkeypatch.setitem(sys.modules, "all_minilm_l6_v2", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"E302.*slant\[train\]"):
        base_model_dir(__import__("pathlib").Path("."))


@pytest.fixture(scope="module")
def model():
    from slant.techniques.model import load_model

    m = load_model()
    assert m.has_encoder and m.encoder is not None, "the shipped techniques model has no encoder"
    return m


def test_token_logits_map_pieces_to_char_ranges(model):
    text = "These corrupt traitors  are destroying our nation!"
    starts = np.array([0, 6, 14, 22, 24, 28, 39, 43, 49])
    ends = np.array([5, 13, 22, 23, 27, 38, 42, 49, 50])
    z = model.encoder.token_logits(text, starts, ends)
    assert z.shape == (9,) and np.isfinite(z).all()
    assert z[3] == NO_PIECE  # a space: no WordPiece overlaps it
    assert (z[np.arange(9) != 3] != NO_PIECE).all()
    ids, offs = model.encoder.encode(text)
    full = model.encoder.logits(ids)[:, 0]
    # "destroying" is split into pieces: its logit is the highest of theirs
    inside = (offs[:, 0] < 38) & (offs[:, 1] > 28)
    assert inside.sum() >= 1 and z[5] == pytest.approx(full[inside].max())
    assert model.encoder.token_logits("", np.array([], int), np.array([], int)).shape == (0,)


def test_long_text_is_read_in_windows_and_pieces_keep_their_logits(model):
    sentence = "The radical mob wants to destroy everything we hold dear. "
    text = sentence * 60  # 660 pieces: several windows
    ids, _ = model.encoder.encode(text)
    assert len(ids) > 2 * WINDOW
    z = model.encoder.logits(ids)
    assert z.shape[0] == len(ids) and np.isfinite(z).all()
    # the same words in the middle of the text get about the same logits wherever they fall
    n = len(model.encoder.encode(sentence)[0])
    mid = z[10 * n:11 * n, 0], z[20 * n:21 * n, 0]
    assert np.corrcoef(*mid)[0, 1] > 0.8


def test_fused_logits_mix_the_tagger_and_the_encoder(model, nlp):
    from slant.techniques.features import DocView

    doc = nlp("Critics say the corrupt, lying politicians betrayed the people. The vote is on Monday.")
    view = DocView(doc)
    lin = model.token_logits(view)
    tx = model.encoder.token_logits(doc.text, view.starts, view.ends)
    alpha = model.meta["encoder"]["alpha"]
    assert np.allclose(model.fused_logits(view, lin), (1 - alpha) * lin + alpha * tx)


@pytest.mark.slow
def test_encoder_ranks_gold_propaganda_pieces_above_the_rest_on_dev(model, shared_data):
    from slant.techniques.data import load_split

    inside, outside = [], []
    for a in load_split(shared_data / "ptc" / "dev")[:15]:
        ids, offs = model.encoder.encode(a.text)
        p = 1 / (1 + np.exp(-model.encoder.logits(ids)[:, 0]))
        y = piece_labels(offs, [(s.start, s.end) for s in a.si]).astype(bool)
        inside.append(p[y])
        outside.append(p[~y])
    assert np.concatenate(inside).mean() > np.concatenate(outside).mean() + 0.15


def test_detect_with_and_without_the_encoder(model, nlp, example_text):
    from slant.normalize import normalize
    from slant.techniques.detector import detect
    from slant.techniques.features import DocView

    doc = nlp(normalize(example_text).text)
    with_enc, _, _, units, sp = detect(doc, model, encoder=True)
    without, _, _, units2, sp2 = detect(doc, model)  # default: technique_encoder = false
    view = DocView(doc)
    lin = model.token_logits(view)
    runs_lin = model.decode(view, lin)
    assert [(c.start, c.end) for c in without[:len(runs_lin)]] == [(c.start, c.end) for c in runs_lin]
    runs_fused = model.decode(view, model.fused_logits(view, lin), model.encoder_threshold)
    assert [(c.start, c.end) for c in with_enc[:len(runs_fused)]] == [(c.start, c.end) for c in runs_fused]
    assert runs_fused != runs_lin
    assert np.allclose(sp, sp2) and units == units2  # sentences read the linear tagger only


def test_technique_encoder_option_must_be_a_boolean():
    from slant.options import Options, load_options

    assert Options().technique_encoder is False  # defaults.toml: corpus runs keep their throughput
    assert load_options(technique_encoder=True).technique_encoder is True
    with pytest.raises(InputError, match="E120.*technique_encoder"):
        Options(technique_encoder="yes")


# ---------------------------------------------------------------- the technique classifier (TC)


def test_span_input_centres_the_marked_span_in_its_context():
    from slant.techniques.encoder import piece_range, span_input

    ids = np.arange(100, 120)  # 20 pieces, each 2 characters and a space: piece i is [3i, 3i + 2)
    offsets = np.array([[3 * i, 3 * i + 2] for i in range(20)])
    assert piece_range(offsets, 30, 38) == (10, 13) and piece_range(offsets, 2, 3) == (1, 1)
    x, t = span_input(ids, offsets, 30, 38, cls=1, sep=2, size=9)  # pieces 10-12 and 3 each side
    assert x.tolist() == [1, 107, 108, 109, 110, 111, 112, 113, 114, 115, 2]
    assert t.tolist() == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
    x, t = span_input(ids, offsets, 0, 5, cls=1, sep=2, size=9)  # at the start: the context moves right
    assert x[1:-1].tolist() == list(range(100, 109)) and t.tolist() == [0, 1, 1] + [0] * 8
    x, t = span_input(ids, offsets, 54, 59, cls=1, sep=2, size=9)  # at the end: it moves left
    assert x[1:-1].tolist() == list(range(111, 120)) and t[-3:].tolist() == [1, 1, 0]
    x, t = span_input(ids, offsets, 0, 59, cls=1, sep=2, size=9)  # longer than the window: its start
    assert x[1:-1].tolist() == list(range(100, 109)) and t[1:-1].all()
    x, t = span_input(ids, offsets, 0, 59, cls=1, sep=2, size=50)  # short text: all of it
    assert len(x) == 22 and t[1:-1].all() and t[0] == t[-1] == 0
    assert span_input(ids, offsets, 2, 3, cls=1, sep=2) is None  # a space between two pieces


def test_the_shipped_model_mixes_its_technique_classifier_into_tc_with_the_encoder(model, nlp):
    from slant.techniques.features import DocView

    assert model.has_span_classifier
    text = ("The corrupt, lying traitors in Washington want to destroy our great nation. "
            "Make America great again! Senator Smith said the bill was a good first step.")
    view = DocView(nlp(text))
    def at(words: str) -> tuple[int, int]:
        return text.index(words), text.index(words) + len(words)

    spans = [at("corrupt, lying traitors"), at("Make America great again!"), (0, text.index(".")), (75, 76)]
    assert text[75:76] == " "  # the last one: a space
    linear = model.technique_proba(view, spans)
    mixed = model.technique_proba(view, spans, encoder=True)
    q, found = model.span_classifier.proba(text, spans)
    assert found.tolist() == [True, True, True, False]
    assert np.allclose(mixed.sum(axis=1), 1) and np.allclose(q[found].sum(axis=1), 1)
    beta = model.meta["encoder"]["tc_beta"]
    z = (1 - beta) * np.log(linear[:3] + 1e-9) + beta * np.log(q[:3] + 1e-9)
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    assert np.allclose(mixed[:3], expected / expected.sum(axis=1, keepdims=True))
    assert np.allclose(mixed[3], linear[3])  # no WordPiece: the linear classifier alone
    classes = model.classes
    assert classes[int(q[0].argmax())] in ("Name_Calling,Labeling", "Loaded_Language")
    assert classes[int(q[1].argmax())] in ("Slogans", "Flag-Waving")


def test_a_corrupt_technique_classifier_file_is_E202(tmp_path):
    from importlib.resources import files

    from slant.techniques.encoder import SpanClassifier

    shipped = files("slant") / "models" / "techniques"
    (tmp_path / "tokenizer.json").write_bytes((shipped / "tokenizer.json").read_bytes())
    (tmp_path / "tc_encoder.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelNotFoundError, match="E202.*encoder at"):
        SpanClassifier(tmp_path)


def test_the_model_folder_stays_within_the_50_mb_budget():
    """Issue 3: the artifact in the repo stays <= 50 MB (the transformer files included)."""
    from importlib.resources import files

    folder = files("slant") / "models" / "techniques"
    size = sum(f.stat().st_size for f in __import__("pathlib").Path(str(folder)).iterdir() if f.is_file())
    assert size <= 50_000_000, f"{size / 1e6:.1f} MB"


def test_a_spans_technique_probabilities_depend_on_its_own_input_only(model, example_text):
    """The int8 network quantises activations per call: batched, a span's probabilities moved
    with its neighbours (up to 0.11; 5 of 64 top labels changed). Now each span is one call."""
    text = example_text
    found = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+(?: \w+){2}", text)]
    words = found[::max(1, len(found) // 40)]
    together, _ = model.span_classifier.proba(text, words)
    alone = np.vstack([model.span_classifier.proba(text, [w])[0] for w in words])
    assert np.array_equal(together, alone)
    # a note added at the start moves no span's probabilities when the span's context does not reach it
    note = "Note from the editor.\n\n"
    far = [(s, e) for s, e in words if s > 1200]
    assert far
    shifted, _ = model.span_classifier.proba(note + text, [(s + len(note), e + len(note)) for s, e in far])
    assert np.array_equal(shifted, model.span_classifier.proba(text, far)[0])
