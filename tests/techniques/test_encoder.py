"""The fine-tuned transformer tagger: windows, WordPiece-to-token mapping, fusion, options."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from slant.errors import InputError, MissingExtraError, ModelNotFoundError
from slant.techniques.encoder import NO_PIECE, WINDOW, Encoder, windows
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
    with pytest.raises(ModelNotFoundError, match="E202"):
        Encoder(tmp_path)


def test_training_without_the_pretrained_weights_is_E302(monkeypatch):
    from slant.techniques.encoder_training import base_model_dir

    monkeypatch.setitem(sys.modules, "all_minilm_l6_v2", None)  # import fails as if not installed
    with pytest.raises(MissingExtraError, match=r"E302.*slant\[train\]"):
        base_model_dir(__import__("pathlib").Path("."))


@pytest.fixture(scope="module")
def model():
    from slant.techniques.model import load_model

    m = load_model()
    assert m.encoder is not None and m.meta.get("encoder"), "the shipped techniques model has no encoder"
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
    with_enc, _, _, units, sp = detect(doc, model)
    without, _, _, units2, sp2 = detect(doc, model, encoder=False)
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

    assert Options().technique_encoder is True
    assert load_options(technique_encoder=False).technique_encoder is False
    with pytest.raises(InputError, match="E120.*technique_encoder"):
        Options(technique_encoder="yes")
