"""Train and evaluate the technique model on PTC splits (SemEval-2020 Task 11).

``train_model(train_dir)`` fits the SI token tagger and the TC span classifier on
the train split, seeded; ``evaluate_split(model, split_dir)`` predicts a split and
scores it with :mod:`slant.techniques.scorer`. Parsed Docs are cached on disk
(:mod:`slant.techniques.cache`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit

from ..nlp import doc_text
from ..normalize import Normalized, normalize
from .cache import parse_cached
from .data import PTCArticle, TechniqueSpan, load_split
from .features import (DocView, dense_span_features, dense_token_features, dense_unit_features, hash_rows,
                       make_hasher, sentence_units, span_features, token_features)
from .model import TechniqueModel
from .scorer import si_score, tc_score

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "si_features": 2**20,
    "tc_features": 2**18,
    "si_alpha": 1e-4,
    "si_epochs": 10,
    "tc_alpha": 3e-4,
    "tc_epochs": 30,
    "lex_smoothing": 5.0,
    "lex_min_count": 2,
    "lex_folds": 5,
    "si_threshold": 0.3,
    "sent_features": 2**18,
    "sent_alpha": 1e-4,
    "sent_epochs": 30,
    "sent_threshold": 0.8,
    "si_dense": 0.03,
    "si_window": 2,
    "tc_dense": 0.0,
    "tc_context": 0,
    "tc_average": False,
    "tc_loss": "log_loss",
    "sent_dense": 0.0,
    "seed": 13,
}


@dataclass
class Prepared:
    """One article ready for the model: gold spans in normalised offsets and its DocView."""

    article: PTCArticle
    normalized: Normalized
    view: DocView

    def to_norm(self, start: int, end: int) -> tuple[int, int]:
        m = self.normalized.offsets
        return m.to_normalized(start), m.to_normalized(end)


def prepare(articles: list[PTCArticle], nlp: Any = None, *, cache_dir: str | Path | None = None) -> list[Prepared]:
    """Normalise, parse (cached) and view each article."""
    from ..nlp import get_nlp

    nlp = nlp or get_nlp()
    norms = [normalize(a.text) for a in articles]
    docs = parse_cached([n.text for n in norms], nlp, cache_dir=cache_dir)
    return [Prepared(a, n, DocView(d)) for a, n, d in zip(articles, norms, docs)]


def si_gold(items: list[Prepared]) -> list[list[TechniqueSpan]]:
    """The SI gold spans of each of ``items`` (ORIGINAL offsets), in order: the articles' SI
    labels; only when none of them has one (a split with TC labels only) their TC spans. An
    article without SI spans among articles that have them has no SI gold, never its TC spans
    (no PTC train or dev article has TC spans and no SI span, so training reads the same)."""
    has_si = any(p.article.si for p in items)
    return [p.article.si if has_si else p.article.tc for p in items]


def _token_labels(p: Prepared, spans: list[TechniqueSpan]) -> np.ndarray:
    """1 for each token of ``p`` inside one of the gold ``spans`` (ORIGINAL offsets), else 0."""
    y = np.zeros(p.view.n, dtype=np.int8)
    for sp in spans:
        s, e = p.to_norm(sp.start, sp.end)
        i = np.searchsorted(p.view.ends, s, side="right")
        j = np.searchsorted(p.view.starts, e, side="left")
        y[i:j] = 1
    return y


def sentence_matrix(items: list[Prepared], logits: list[np.ndarray], n_features: int,
                    lexicons: list[tuple[dict[str, float], float]] | None = None, *, dense: bool = False
                    ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray | None]:
    """Sentence features (from OUT-OF-FOLD token logits and lexicons), labels (does the
    sentence overlap gold?) and (``dense``) pooled tok2vec features of each sentence."""
    from .features import sentence_features

    hasher = make_hasher(n_features)
    rows, labels, Ds = [], [], []
    for k, (p, z, spans) in enumerate(zip(items, logits, si_gold(items))):
        gold = _merge([p.to_norm(s.start, s.end) for s in spans])
        units = sentence_units(p.view)
        lex, prior = lexicons[k] if lexicons else (None, 0.15)
        rows += sentence_features(p.view, expit(z), units, lex, prior)  # as TechniqueModel.sentence_proba
        labels += [int(any(min(b, e) - max(a, s) > 0 for s, e in gold)) for _, _, a, b in units]
        if dense and units:
            Ds.append(dense_unit_features(p.view, units))
    return hash_rows(hasher, rows), np.array(labels), (np.vstack(Ds) if Ds else None)


def learn_lexicon(items: list[Prepared], *, smoothing: float = 5.0, min_count: int = 2) -> tuple[dict[str, float], float]:
    """Word lexicon of SI: lowercased word -> smoothed share of its occurrences inside gold spans.

    Returns:
        ``(lexicon, prior)``: words seen at least ``min_count`` times, and the overall
        in-span share of tokens (the score of unseen words).
    """
    from collections import Counter

    total: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for p, spans in zip(items, si_gold(items)):
        y = _token_labels(p, spans)
        for w, lab, sp in zip(p.view.lower, y, p.view.is_space):
            if not sp:
                total[w] += 1
                inside[w] += int(lab)
    n = sum(total.values())
    prior = sum(inside.values()) / max(1, n)
    lex = {w: round((inside[w] + smoothing * prior) / (c + smoothing), 4) for w, c in total.items() if c >= min_count}
    return lex, round(prior, 4)


def si_matrix(items: list[Prepared], n_features: int, lexicons: list[tuple[dict[str, float], float]] | None = None,
              *, window: int | None = None) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray | None]:
    """Hashed token features, in-span labels and (when ``window`` is given) dense tok2vec
    features (:func:`~slant.techniques.features.dense_token_features`) of every token of ``items``.

    Args:
        lexicons: one ``(lexicon, prior)`` per item (out-of-fold on train), or None.
        window: the dense features' context window, or None for no dense features.
    """
    hasher = make_hasher(n_features)
    Xs, ys, Ds = [], [], []
    for k, (p, spans) in enumerate(zip(items, si_gold(items))):
        lex, prior = lexicons[k] if lexicons else (None, 0.15)
        Xs.append(hash_rows(hasher, token_features(p.view, lex, prior)))
        ys.append(_token_labels(p, spans))
        if window is not None:
            Ds.append(dense_token_features(p.view, window))
    return sparse.vstack(Xs).tocsr(), np.concatenate(ys), (np.vstack(Ds) if Ds else None)


def oof_lexicons(items: list[Prepared], cfg: dict[str, Any]) -> list[tuple[dict[str, float], float]]:
    """Out-of-fold lexicons: each train article sees the lexicon of the other folds."""
    k = cfg["lex_folds"]
    out: list[Any] = [None] * len(items)
    for f in range(k):
        rest = [p for i, p in enumerate(items) if i % k != f]
        lex = learn_lexicon(rest, smoothing=cfg["lex_smoothing"], min_count=cfg["lex_min_count"])
        for i in range(f, len(items), k):
            out[i] = lex
    return out


def tc_matrix(items: list[Prepared], n_features: int, *, dense: bool = False, context: int = 0
              ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray | None]:
    """Hashed span features, technique labels and (``dense``) dense tok2vec span features
    of every gold TC span of ``items``."""
    hasher = make_hasher(n_features)
    rows, labels, Ds = [], [], []
    for p in items:
        text = doc_text(p.view.doc)
        spans = [p.to_norm(sp.start, sp.end) for sp in p.article.tc]
        for (s, e), sp in zip(spans, p.article.tc):
            rows.append(span_features(p.view, s, e, text, context))
            labels.append(sp.technique)
        if dense and spans:
            Ds.append(dense_span_features(p.view, spans))
    return hash_rows(hasher, rows), np.array(labels), (np.vstack(Ds) if Ds else None)


def dense_stats(D: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """``(mu, scale)`` standardising the columns of dense features ``D`` (n, d) to mean 0
    and standard deviation ``weight`` (the dense block's weight against the 0/1 hashed
    features), float64 (d,) each."""
    mu = D.mean(axis=0, dtype=np.float64)
    sd = D.std(axis=0, dtype=np.float64)
    return mu, weight / np.maximum(sd, 1e-6)


def with_dense(X: sparse.csr_matrix, D: np.ndarray | None, mu: np.ndarray | None, scale: np.ndarray | None
               ) -> sparse.csr_matrix:
    """``X`` with the standardised dense block ``(D - mu) * scale`` appended (as columns)."""
    if D is None or mu is None:
        return X
    Z = ((D - mu) * scale).astype(np.float32)
    return sparse.hstack([X, sparse.csr_matrix(Z)], format="csr", dtype=np.float32)


def _fit_sgd(X: Any, y: np.ndarray, alpha: float, epochs: int, seed: int, average: bool = False,
             loss: str = "log_loss") -> Any:
    """Logistic regression (or another ``loss``) by SGD (one-vs-rest when multiclass), seeded
    and deterministic; ``average`` returns the averaged weights (ASGD)."""
    from sklearn.linear_model import SGDClassifier

    clf = SGDClassifier(loss=loss, alpha=alpha, max_iter=epochs, tol=None, random_state=seed,
                        average=average)
    return clf.fit(X, y)


def _platt(items: list[Prepared], logits: list[np.ndarray], model: TechniqueModel) -> list[float]:
    """Fit [a, b] so sigmoid(a * mean_logit + b) ~ share of a decoded run's chars inside gold.

    Args:
        items: train articles.
        logits: OUT-OF-FOLD token logits of each article (so the map is honest).
        model: supplies the decoder.
    """
    xs, ys = [], []
    for p, z, spans in zip(items, logits, si_gold(items)):
        gold = _merge([p.to_norm(s.start, s.end) for s in spans])
        for c in model.decode(p.view, z):
            inside = sum(max(0, min(c.end, e) - max(c.start, s)) for s, e in gold)
            xs.append(z[c.tok_start : c.tok_end].mean())
            ys.append(inside / max(1, c.end - c.start))
    if len(xs) < 10:
        return [1.0, 0.0]
    from sklearn.linear_model import LogisticRegression

    x = np.array(xs)[:, None]
    y = np.array(ys)
    # fractional targets: each run once as positive and once as negative, weighted by its share
    lr = LogisticRegression(C=100.0).fit(np.vstack([x, x]), np.r_[np.ones(len(y)), np.zeros(len(y))],
                                         sample_weight=np.r_[y, 1 - y] + 1e-6)
    return [round(float(lr.coef_[0, 0]), 6), round(float(lr.intercept_[0]), 6)]


def oof_logits(X: sparse.csr_matrix, y: np.ndarray, sizes: np.ndarray, cfg: dict[str, Any], part: str = "si"
               ) -> np.ndarray:
    """Out-of-fold logits of the ``part`` classifier (``"si"``: tokens, ``"sent"``: sentences),
    the rows of article i predicted by a fit without the articles of fold i % k.

    Args:
        X: rows of all articles, stacked in article order; ``sizes[i]`` rows for article i.
        y: 0/1 labels, shape (n_rows,).
        cfg: settings (``lex_folds``, ``<part>_alpha``, ``<part>_epochs``, ``seed``).
    Returns:
        float array (n_rows,).
    """
    k = cfg["lex_folds"]
    fold = np.repeat(np.arange(len(sizes)) % k, sizes)
    z = np.zeros(X.shape[0])
    for f in range(k):
        clf = _fit_sgd(X[fold != f], y[fold != f], cfg[part + "_alpha"], cfg[part + "_epochs"], cfg["seed"])
        z[fold == f] = X[fold == f] @ clf.coef_[0] + clf.intercept_[0]
    return z


def _platt_binary(z: np.ndarray, y: np.ndarray) -> list[float]:
    """[a, b] with sigmoid(a * z + b) ~ P(y = 1), fitted on out-of-fold logits ``z``."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=100.0).fit(z[:, None], y)
    return [round(float(lr.coef_[0, 0]), 6), round(float(lr.intercept_[0]), 6)]


def _merge(spans):
    from .scorer import merge_spans

    return merge_spans(spans)


def fit_model(items: list[Prepared], *, params: dict[str, Any] | None = None) -> TechniqueModel:
    """Fit SI and TC on prepared train articles (seeded, deterministic).

    Args:
        items: prepared train articles with gold SI and TC spans.
        params: overrides of :data:`DEFAULTS`.
    Returns:
        a :class:`TechniqueModel`, calibrated on its own training runs (see CARD.md).
    """
    cfg = dict(DEFAULTS, **(params or {}))
    t0 = time.time()
    lexicons = oof_lexicons(items, cfg)
    dense: dict[str, np.ndarray] = {}
    X, y, D = si_matrix(items, cfg["si_features"], lexicons, window=cfg["si_window"] if cfg["si_dense"] > 0 else None)
    if D is not None:
        dense["si_mu"], dense["si_scale"] = dense_stats(D, cfg["si_dense"])
        X = with_dense(X, D, dense["si_mu"], dense["si_scale"])
        del D
    si = _fit_sgd(X, y, cfg["si_alpha"], cfg["si_epochs"], cfg["seed"])
    sizes = np.array([p.view.n for p in items])
    z_oof = np.split(oof_logits(X, y, sizes, cfg), np.cumsum(sizes)[:-1])
    logger.info("SI fitted on %d tokens in %.1fs", X.shape[0], time.time() - t0)
    del X
    Xt, yt, Dt = tc_matrix(items, cfg["tc_features"], dense=cfg["tc_dense"] > 0, context=cfg["tc_context"])
    if Dt is not None:
        dense["tc_mu"], dense["tc_scale"] = dense_stats(Dt, cfg["tc_dense"])
        Xt = with_dense(Xt, Dt, dense["tc_mu"], dense["tc_scale"])
    tc = _fit_sgd(Xt, yt, cfg["tc_alpha"], cfg["tc_epochs"], cfg["seed"], cfg["tc_average"], cfg["tc_loss"])
    lexicon, prior = learn_lexicon(items, smoothing=cfg["lex_smoothing"], min_count=cfg["lex_min_count"])
    logger.info("TC fitted on %d spans in %.1fs", Xt.shape[0], time.time() - t0)
    classes = [str(c) for c in tc.classes_]
    import sklearn

    from .. import __version__

    meta = {
        "id": "techniques-v2",
        "si_threshold": cfg["si_threshold"],
        "si_window": cfg["si_window"],
        "tc_context": cfg["tc_context"],
        "lexicon_prior": prior,
        "sent_threshold": cfg["sent_threshold"],
        "tc_link": "ovr",
        "params": cfg,
        "trained_with": {"slant": __version__, "sklearn": sklearn.__version__},
    }
    nsi, ntc = cfg["si_features"], cfg["tc_features"]
    if "si_mu" in dense:
        dense["si_w"] = si.coef_[0, nsi:].astype(np.float64)
    if "tc_mu" in dense:
        dense["tc_w"] = tc.coef_[:, ntc:].astype(np.float64)
    model = TechniqueModel(
        si_coef=si.coef_[0, :nsi].astype(np.float64),
        si_intercept=float(si.intercept_[0]),
        tc_coef=tc.coef_[:, :ntc].astype(np.float64),
        tc_intercept=tc.intercept_.astype(np.float64),
        classes=classes,
        meta=meta,
        lexicon=lexicon,
        dense=dense,
    )
    model.meta["calibration"] = _platt(items, z_oof, model)
    Xs, ys, Ds = sentence_matrix(items, z_oof, cfg["sent_features"], lexicons, dense=cfg["sent_dense"] > 0)
    if Ds is not None:
        dense["sent_mu"], dense["sent_scale"] = dense_stats(Ds, cfg["sent_dense"])
        Xs = with_dense(Xs, Ds, dense["sent_mu"], dense["sent_scale"])
    sent = _fit_sgd(Xs, ys, cfg["sent_alpha"], cfg["sent_epochs"], cfg["seed"])
    # the sentence classifier's probabilities are over-confident (on PTC dev 0.99 -> 74 % of those
    # sentences hold a gold span): Platt-scale its out-of-fold logits on train, same folds as the tokens
    n_units = np.array([len(sentence_units(p.view)) for p in items])
    model.meta["sent_calibration"] = _platt_binary(oof_logits(Xs, ys, n_units, cfg, "sent"), ys)
    nse = cfg["sent_features"]
    if "sent_mu" in dense:
        dense["sent_w"] = sent.coef_[0, nse:].astype(np.float64)
    model.sent_coef = sent.coef_[0, :nse].astype(np.float64)
    model.sent_intercept = float(sent.intercept_[0])
    model.__post_init__()
    logger.info("calibration %s; done in %.1fs", model.meta["calibration"], time.time() - t0)
    return model


def predict_tc_gold(model: TechniqueModel, items: list[Prepared], *, encoder: bool = False
                    ) -> dict[str, list[tuple[int, int, str]]]:
    """TC over the gold spans of ``items`` (original offsets); with ``encoder``, the model's
    transformer technique classifier mixed in (:meth:`TechniqueModel.technique_proba`).

    A span given k times (k gold techniques) gets the k most probable distinct
    techniques, as the SemEval-2020 TC input lists it k times.
    """
    out: dict[str, list[tuple[int, int, str]]] = {}
    for p in items:
        groups: dict[tuple[int, int], int] = {}
        for sp in p.article.tc:
            groups[(sp.start, sp.end)] = groups.get((sp.start, sp.end), 0) + 1
        keys = list(groups)
        proba = model.technique_proba(p.view, [p.to_norm(s, e) for s, e in keys], encoder=encoder)
        preds = []
        for (s, e), row in zip(keys, proba):
            order = np.argsort(-row, kind="stable")
            for k in range(groups[(s, e)]):
                preds.append((s, e, model.classes[order[k % len(order)]]))
        out[p.article.id] = preds
    return out


def predict_si(model: TechniqueModel, items: list[Prepared], *, min_score: float = 0.0,
               threshold: float | None = None, sent_threshold: float | None = None,
               encoder: bool = False) -> dict[str, list[tuple[int, int]]]:
    """SI spans of ``items`` in ORIGINAL offsets, scored at least ``min_score``; runs decoded
    with the model's transformer mixed in when ``encoder`` (and the model has one)."""
    out = {}
    for p in items:
        logits = model.token_logits(p.view)
        spans = []
        runs, sents = model.decode_all(p.view, logits, threshold=threshold, sent_threshold=sent_threshold, encoder=encoder)
        for c in runs + sents:
            if c.score >= min_score:
                o = p.normalized.to_original(c.start, c.end)
                spans.append((o.start, o.end))
        out[p.article.id] = spans
    return out


#: what an evaluation scores: SI spans (:func:`predict_si`) and, unless SI only, the techniques
#: of the gold TC spans (:func:`predict_tc_gold`), both by article id in ORIGINAL offsets
Predictions = tuple[dict[str, list[tuple[int, int]]], "dict[str, list[tuple[int, int, str]]] | None"]


def predict_items(model: TechniqueModel, items: list[Prepared], *, si_only: bool = False,
                  min_score: float = 0.0, encoder: bool = False) -> Predictions:
    """The predictions :func:`evaluate_items` scores: ``(SI spans, TC labels or None when
    si_only)``, as :func:`predict_si` and :func:`predict_tc_gold` give them."""
    si = predict_si(model, items, min_score=min_score, encoder=encoder)
    return si, None if si_only else predict_tc_gold(model, items, encoder=encoder)


def evaluate_items(model: TechniqueModel, items: list[Prepared], *, si_only: bool = False,
                   min_score: float = 0.0, encoder: bool = False, predictions: Predictions | None = None
                   ) -> dict[str, Any]:
    """Score SI (and TC unless ``si_only``) on prepared articles; JSON-ready dict (``encoder``:
    whether the SI runs mix in the model's transformer, as :func:`predict_si`, and TC its
    technique classifier, as :func:`predict_tc_gold`). ``predictions``: those of
    :func:`predict_items` with the same arguments, when already made."""
    si_pred, tc_pred = predictions or predict_items(model, items, si_only=si_only, min_score=min_score, encoder=encoder)
    gold_si = {p.article.id: [(s.start, s.end) for s in spans] for p, spans in zip(items, si_gold(items))}
    si = si_score(si_pred, gold_si)
    result: dict[str, Any] = {"articles": len(items), "si": si.as_dict(),
                              "encoder": bool(encoder and model.has_encoder)}
    if not si_only:
        gold_tc = {p.article.id: [(s.start, s.end, s.technique) for s in p.article.tc] for p in items}
        tc = tc_score(tc_pred, gold_tc)
        result["tc"] = {
            "micro_f1": tc.micro.f1,
            "micro_precision": tc.micro.precision,
            "micro_recall": tc.micro.recall,
            "n_spans": tc.micro.n_gold,
            "per_technique": {t: v.as_dict() for t, v in tc.per_technique.items()},
        }
    return result


#: weight of the transformer's logits in the fused SI logits, and the token probability the
#: fused runs are cut at; chosen on PTC dev (CARD.md, "Tuning discipline for v3"); weight of
#: the transformer technique classifier in the log-linear TC mix (CARD.md, v4)
ENCODER_MIX = {"alpha": 0.5, "threshold": 0.30, "tc_beta": 0.5}


def train(data_dir: str | Path, out_dir: str | Path, *, params: dict[str, Any] | None = None,
          cache_dir: str | Path | None = None, encoder: bool = True,
          log: Any = lambda message: None) -> TechniqueModel:
    """Rebuild the model from a PTC train split and write it to ``out_dir``.

    Args:
        data_dir: a PTC split with ``labels-si`` and ``labels-tc`` (e.g. ``ptc/train``).
        out_dir: folder for ``model.npz``, ``meta.json``, ``lexicon.json`` and, with
            ``encoder``, ``encoder.onnx`` and ``tokenizer.json``.
        encoder: also fine-tune the transformer tagger (needs the ``train`` extra; about
            25 minutes on 2 cores); False writes a model without one.
        log: called with progress lines.
    Returns:
        the fitted model.
    Raises:
        InputError: ``data_dir`` is not a PTC split or has no TC labels (E110).
        MissingExtraError: ``encoder`` without torch, transformers or the pretrained weights (E302).
    """
    import datetime
    import hashlib

    from ..errors import InputError

    articles = load_split(data_dir)
    if not any(a.tc for a in articles):
        raise InputError(f"[E110] {data_dir}: no TC labels (labels-tc/) to train on")
    if encoder:  # fail before the linear fit, not after it
        from .encoder_training import require_extras

        require_extras()
    items = prepare(articles, cache_dir=cache_dir)
    log(f"fitting the linear tagger and classifiers on {len(items)} articles")
    model = fit_model(items, params=params)
    ids = "\n".join(a.id for a in articles)
    model.meta["data"] = {
        "split": str(Path(data_dir).name),
        "articles": len(articles),
        "ids_sha256": hashlib.sha256(ids.encode()).hexdigest(),
    }
    model.meta["date"] = datetime.date.today().isoformat()
    out = Path(out_dir)
    if encoder:
        from .encoder_training import fine_tune, fine_tune_spans

        texts = [p.normalized.text for p in items]
        gold = [[p.to_norm(s.start, s.end) for s in spans] for p, spans in zip(items, si_gold(items))]
        seed = int((params or {}).get("seed", DEFAULTS["seed"]))
        settings = fine_tune(texts, gold, out, params={"seed": seed}, log=log)
        index = {c: k for k, c in enumerate(model.classes)}
        tc_gold = [[(*p.to_norm(s.start, s.end), index[s.technique]) for s in p.article.tc] for p in items]
        span_settings = fine_tune_spans(texts, tc_gold, len(model.classes), out, params={"seed": seed}, log=log)
        model.meta["encoder"] = {**ENCODER_MIX, "training": settings, "tc_training": span_settings}
        model.meta["id"] = "techniques-v4"
    else:
        from .encoder import FILES, SPAN_FILE

        for name in (*FILES, SPAN_FILE):
            (out / name).unlink(missing_ok=True)
    model.save(out)
    return model


def evaluate(model: TechniqueModel, data_dir: str | Path, *, si_only: bool = False, min_score: float = 0.0,
             cache_dir: str | Path | None = None, encoder: bool = False,
             on_predictions: Any = None, articles: list[PTCArticle] | None = None) -> dict[str, Any]:
    """Score ``model`` on a PTC split; keys ``si.precision``, ``si.recall``, ``si.f1``,
    ``tc.micro_f1``, ``tc.per_technique`` (TC left out when ``si_only``).

    Args:
        on_predictions: called with the :data:`Predictions` scored (e.g. to write them), once,
            before scoring.
        articles: the split as :func:`~slant.techniques.data.load_split` read it from
            ``data_dir``, when the caller already did (it is not read again).
    Raises:
        InputError: not a PTC split, or no gold labels of the kind asked for (E110); whatever
            ``on_predictions`` raises.
    """
    from ..errors import InputError

    articles = load_split(data_dir) if articles is None else articles
    if not any(a.si or a.tc for a in articles):
        raise InputError(f"[E110] {data_dir}: no gold spans (labels-si/ or labels-tc/)")
    if not si_only and not any(a.tc for a in articles):
        raise InputError(f"[E110] {data_dir}: no technique labels (labels-tc/); use --si-only")
    items = prepare(articles, cache_dir=cache_dir)
    predictions = predict_items(model, items, si_only=si_only, min_score=min_score, encoder=encoder)
    if on_predictions is not None:
        on_predictions(predictions)
    result = evaluate_items(model, items, si_only=si_only, min_score=min_score, encoder=encoder, predictions=predictions)
    result["split"] = str(data_dir)
    result["min_score"] = min_score
    return result
