"""The technique model: a token tagger for SI and a span classifier for TC.

Both are linear (logistic regression) over hashed feature strings
(:mod:`slant.techniques.features`); the shipped artifact is a compressed numpy
``model.npz`` (weights) plus ``meta.json`` (feature widths, classes, decoding
thresholds, calibration, provenance). No pickle is read.

SI decoding: tokens whose in-span probability reaches ``si_threshold`` form runs;
punctuation, determiners, conjunctions and tokens without a letter or digit (emoji) at
a run's edges are trimmed; each run is one candidate span whose score
is the calibrated probability (Platt scaling of the run's mean token logit) that
its characters lie in a gold span. TC: softmax over the 14 SemEval-2020 classes.

With an encoder (``encoder.onnx`` beside the weights and ``meta["encoder"]``), the runs
are decoded from the tagger's logits averaged with those of a fine-tuned transformer
(:mod:`slant.techniques.encoder`), weight ``meta["encoder"]["alpha"]``; the sentence
classifier and TC read the linear features only.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit, softmax
from spacy.lang.en.stop_words import STOP_WORDS

from ..errors import ModelNotFoundError
from ..modelfiles import read_model_files
from ..nlp import doc_text
from .features import (DocView, dense_span_features, dense_token_features, dense_unit_features, hash_rows,
                       make_hasher, sentence_features, sentence_units, span_features, token_features)

logger = logging.getLogger(__name__)

MODEL_ID = "techniques"
_EDGE_TRIM = frozenset({"PUNCT", "SPACE", "CCONJ", "DET"})
#: parts of speech trimmed off a span's end only (a preposition may open one: "for the people")
_END_TRIM = frozenset({"ADP", "SCONJ", "PART"})
#: tags trimmed off a span's end: possessives and relative words ("destroy our", "a disgrace that")
_END_TAGS = frozenset({"PRP$", "WDT", "WP", "WP$"})


#: parts of speech that never make a span on their own (a run of only "is", "our", "He")
_FUNCTION_POS = frozenset({"AUX", "PRON", "ADP", "PART", "DET", "CCONJ", "SCONJ", "PUNCT", "SPACE", "SYM", "X"})


def _whole_words(view: Any, a: int, b: int) -> tuple[int, int]:
    """Token range ``[a, b)`` grown to whole whitespace-delimited words: spaCy splits "didn't",
    "Trump's" and "re-elected", and a run kept "did", "'s failure" or "elected". A run grows
    over an attached token that holds a letter or digit, or over an attached hyphen or slash
    with such a token attached beyond it (not over other punctuation: "nation!")."""
    n = view.n

    def attached(i: int) -> bool:  # token i follows token i - 1 with no space between
        return 0 < i < n and view.starts[i] == view.ends[i - 1]

    def joins(k: int, beyond: int) -> bool:  # token k may join the run (seen from its outer side)
        if _wordlike(view.shape[k]):
            return True
        return view.lower[k] in _WORD_JOINERS and 0 <= beyond < n and _wordlike(view.shape[beyond])

    while 0 < a < b and attached(a) and joins(a - 1, a - 2) and (_wordlike(view.shape[a - 1]) or attached(a - 1)):
        a -= 1
    while a < b < n and attached(b) and joins(b, b + 1) and (_wordlike(view.shape[b]) or attached(b + 1)):
        b += 1
    return a, b


#: characters inside a word that spaCy makes tokens of their own ("re-elected", "and/or")
_WORD_JOINERS = frozenset({"-", "/", "\u2010", "\u2011"})


def _wordlike(shape: str) -> bool:
    """Whether a token (by its spaCy shape) holds a letter or a digit: runs never start or
    end on one that does not (an emoji, a lone skin tone or half of a flag)."""
    return any(c in "xXd" for c in shape)


@dataclass
class CandidateSpan:
    """A decoded SI span in NORMALISED char offsets with its token range, score and kind:
    ``"phrase"`` (a run of tokens the tagger marks) or ``"sentence"`` (a whole sentence the
    sentence classifier marks); a sentence span holding phrase spans is named after the
    strongest of them, ``phrase`` (see :func:`~slant.techniques.detector.detect`)."""

    start: int
    end: int
    tok_start: int
    tok_end: int
    score: float
    kind: str = "phrase"
    phrase: "CandidateSpan | None" = None


def trim_run(view: Any, a: int, b: int) -> tuple[int, int]:
    """Token range ``[a, b)`` of a span trimmed as every span is: punctuation, spaces,
    determiners, conjunctions and tokens without a letter or digit off its edges, and off its
    end a preposition, subordinator, particle, possessive or relative word left dangling ("hell
    for", "destroy our", "a disgrace that", "paid to"), then grown to whole words
    (:func:`_whole_words`); ``(a, a)`` when only function or stop words are left ("is", "our",
    "There is", "do")."""
    while a < b and (view.pos[a] in _EDGE_TRIM or not _wordlike(view.shape[a])):
        a += 1
    while b > a and (view.pos[b - 1] in _EDGE_TRIM or view.pos[b - 1] in _END_TRIM or view.tag[b - 1] in _END_TAGS
                     or not _wordlike(view.shape[b - 1])):
        b -= 1
    a, b = _whole_words(view, a, b)
    if b > a and all(view.pos[k] in _FUNCTION_POS or view.lower[k] in STOP_WORDS for k in range(a, b)):
        b = a
    return a, b


def split_span(view: Any, span: CandidateSpan, cuts: list[int]) -> list[CandidateSpan]:
    """``span`` cut at the NORMALISED char offsets ``cuts`` that fall inside it (where one voice
    ends and another begins), each piece trimmed by :func:`trim_run` and keeping the span's
    score and kind; pieces left without a word that is neither a function nor a stop word are
    dropped. A span no cut falls in is returned as it is.

    Args:
        view: the Doc's :class:`~slant.techniques.features.DocView`.
        span: a decoded span.
        cuts: sorted char offsets.
    Returns:
        the pieces, in text order (possibly none).
    """
    inner = [c for c in cuts if span.start < c < span.end]
    if not inner:
        return [span]
    pieces = []
    for c0, c1 in zip([span.start] + inner, inner + [span.end]):
        a = max(span.tok_start, int(np.searchsorted(view.ends, c0, side="right")))
        b = min(span.tok_end, int(np.searchsorted(view.starts, c1, side="left")))
        a, b = trim_run(view, a, b)
        if b > a:
            pieces.append(CandidateSpan(int(view.starts[a]), int(view.ends[b - 1]), a, b, span.score, span.kind))
    return pieces


@dataclass
class TechniqueModel:
    """Weights and settings of the detector (see the module docstring).

    Attributes:
        si_coef: float32 array (si_features,), token-tagger weights.
        si_intercept: float.
        tc_coef: float32 array (n_classes, tc_features), span-classifier weights.
        tc_intercept: float32 array (n_classes,).
        classes: technique names, order of ``tc_coef`` rows.
        meta: the rest of ``meta.json`` (``si_threshold``, ``calibration`` [a, b], ...).
        dense: weights of the dense tok2vec features of each part (``si``, ``tc``,
            ``sent``): ``<part>_mu`` (d,) and ``<part>_scale`` (d,) standardise them
            (``(x - mu) * scale``), ``<part>_w`` holds the weights, (d,) or (n_classes, d).
            Parts without them use only the hashed features.
        encoder_dir: the folder of the encoder's files (``encoder.onnx``, ``tokenizer.json``);
            the :attr:`encoder` is loaded from it on first use, so a model used with
            ``technique_encoder = false`` never reads them.
    """

    si_coef: np.ndarray
    si_intercept: float
    tc_coef: np.ndarray
    tc_intercept: np.ndarray
    classes: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    lexicon: dict[str, float] | None = None
    sent_coef: np.ndarray | None = None
    sent_intercept: float = 0.0
    dense: dict[str, np.ndarray] = field(default_factory=dict)
    encoder_dir: Any = None

    def __post_init__(self) -> None:
        self._si_hasher = make_hasher(self.si_coef.shape[0])
        self._tc_hasher = make_hasher(self.tc_coef.shape[1])
        # CSR @ dense wants a C-ordered right operand: with tc_coef.T (a Fortran-ordered view)
        # scipy copied all 14 x 2^18 weights at every call, 7.5 ms against 0.14 ms
        self._tc_coef_t = np.ascontiguousarray(self.tc_coef.T)
        self.tc_coef = self._tc_coef_t.T  # the same values as a view: one copy in memory, not two
        self._sent_hasher = make_hasher(self.sent_coef.shape[0]) if self.sent_coef is not None else None

    @property
    def has_encoder(self) -> bool:
        """Whether the model comes with a transformer tagger (``meta["encoder"]`` and its folder)."""
        return bool(self.meta.get("encoder")) and self.encoder_dir is not None

    @functools.cached_property
    def encoder(self) -> Any:
        """The :class:`~slant.techniques.encoder.Encoder`, loaded on first use; None without one.

        Raises:
            ModelNotFoundError: its files are missing or unreadable (E202).
        """
        if not self.has_encoder:
            return None
        from .encoder import Encoder

        return Encoder(self.encoder_dir)

    @property
    def has_span_classifier(self) -> bool:
        """Whether the model comes with a transformer technique classifier (``tc_encoder.onnx``
        and ``meta["encoder"]["tc_beta"]``), used for TC with the encoder."""
        return self.has_encoder and "tc_beta" in self.meta["encoder"]

    @functools.cached_property
    def span_classifier(self) -> Any:
        """The :class:`~slant.techniques.encoder.SpanClassifier`, loaded on first use; None
        without one.

        Raises:
            ModelNotFoundError: its files are missing or unreadable (E202).
        """
        if not self.has_span_classifier:
            return None
        from .encoder import SpanClassifier

        return SpanClassifier(self.encoder_dir)

    def _dense_term(self, part: str, make: Any) -> np.ndarray | float:
        """``(x - mu) * scale @ w.T`` of a part's dense features (``make()`` builds x), or 0."""
        w = self.dense.get(part + "_w")
        if w is None:
            return 0.0
        x = make()
        return ((x - self.dense[part + "_mu"]) * self.dense[part + "_scale"]) @ w.T

    def sentence_proba(self, view: DocView, logits: np.ndarray) -> tuple[list[tuple[int, int, int, int]], np.ndarray]:
        """Sentence units of ``view`` and P(sentence holds a propaganda span), shape (n_units,)."""
        units = sentence_units(view)
        if self._sent_hasher is None or not units:
            return units, np.zeros(len(units))
        prior = float(self.meta.get("lexicon_prior", 0.15))
        X = hash_rows(self._sent_hasher, sentence_features(view, expit(logits), units, self.lexicon, prior))
        z = X @ self.sent_coef + self.sent_intercept + self._dense_term("sent", lambda: dense_unit_features(view, units))
        return units, expit(z)

    def calibrate_sentences(self, proba: np.ndarray) -> np.ndarray:
        """Calibrated P(the sentence holds a propaganda span) of :meth:`sentence_proba`'s
        probabilities: the Platt map ``meta["sent_calibration"]`` [a, b] of their logits, fitted on
        out-of-fold train sentences (the classifier alone is over-confident); unchanged for a
        model without one. Float array, the shape of ``proba``."""
        if "sent_calibration" not in self.meta:
            return np.asarray(proba, dtype=np.float64)
        a, b = self.meta["sent_calibration"]
        p = np.clip(np.asarray(proba, dtype=np.float64), 1e-12, 1 - 1e-12)
        return expit(a * np.log(p / (1 - p)) + b)

    def sentence_spans(self, units: list[tuple[int, int, int, int]], proba: np.ndarray,
                       sent_threshold: float | None = None) -> list[CandidateSpan]:
        """Whole-sentence spans: the units whose :meth:`sentence_proba` probability reaches
        ``sent_threshold`` (default ``meta["sent_threshold"]``; over 1 = none), each scored with its
        calibrated probability (:meth:`calibrate_sentences`)."""
        ts = float(self.meta.get("sent_threshold", 2.0)) if sent_threshold is None else sent_threshold
        scores = self.calibrate_sentences(proba)
        return [CandidateSpan(a, b, s0, s1, float(q), "sentence")
                for (s0, s1, a, b), p, q in zip(units, proba, scores) if p >= ts]

    def decode_all(self, view: DocView, logits: np.ndarray, *, threshold: float | None = None,
                   sent_threshold: float | None = None, encoder: bool = False
                   ) -> tuple[list[CandidateSpan], list[CandidateSpan]]:
        """Token runs (:meth:`decode_runs`) and whole sentences over the sentence threshold
        (:meth:`sentence_spans`).

        Returns:
            ``(runs, sentences)``.
        """
        runs = self.decode_runs(view, logits, encoder=encoder, threshold=threshold)
        return runs, self.sentence_spans(*self.sentence_proba(view, logits), sent_threshold)

    def decode_runs(self, view: DocView, logits: np.ndarray, *, encoder: bool = False,
                    threshold: float | None = None) -> list[CandidateSpan]:
        """The SI runs: with ``encoder`` and a model that has one, :meth:`decode` of
        :meth:`fused_logits` at :attr:`encoder_threshold`; else of the tagger's ``logits`` at
        :attr:`si_threshold` (``threshold`` overrides either)."""
        if not (encoder and self.has_encoder):
            return self.decode(view, logits, threshold)
        fused = self.fused_logits(view, logits)
        return self.decode(view, fused, self.encoder_threshold if threshold is None else threshold)

    def fused_logits(self, view: DocView, logits: np.ndarray) -> np.ndarray:
        """``(1 - alpha) * logits + alpha * encoder logits`` per token, the in-span logits the
        runs are decoded from; ``logits`` itself when the model has no encoder.

        Args:
            view: the Doc's view.
            logits: :meth:`token_logits` of it, shape (n_tokens,).
        Returns:
            float64 array (n_tokens,).
        """
        if not self.has_encoder or view.n == 0:
            return logits
        alpha = float(self.meta["encoder"]["alpha"])
        tx = self.encoder.token_logits(doc_text(view.doc), view.starts, view.ends)
        return (1.0 - alpha) * logits + alpha * tx

    @property
    def si_threshold(self) -> float:
        """Token probability the linear tagger's runs are cut at."""
        return float(self.meta.get("si_threshold", 0.5))

    @property
    def encoder_threshold(self) -> float:
        """Token probability the fused runs (:meth:`fused_logits`) are cut at."""
        return float(self.meta.get("encoder", {}).get("threshold", self.si_threshold))

    # ---- SI
    def token_logits(self, view: DocView) -> np.ndarray:
        """In-span logit of every token, float64 array (n_tokens,)."""
        if view.n == 0:
            return np.zeros(0)
        prior = float(self.meta.get("lexicon_prior", 0.15))
        X = hash_rows(self._si_hasher, token_features(view, self.lexicon, prior))
        return X @ self.si_coef + self.si_intercept + self._dense_term(
            "si", lambda: dense_token_features(view, int(self.meta.get("si_window", 2))))

    def calibrate(self, mean_logit: np.ndarray | float) -> np.ndarray:
        """Platt map of a span's mean token logit to P(its characters are in a gold span)."""
        a, b = self.meta.get("calibration", [1.0, 0.0])
        return expit(a * np.asarray(mean_logit, dtype=np.float64) + b)

    def decode(self, view: DocView, logits: np.ndarray, threshold: float | None = None) -> list[CandidateSpan]:
        """Runs of tokens at or over the threshold probability, edges trimmed, scored.

        Args:
            view: the Doc's view.
            logits: :meth:`token_logits` of it.
            threshold: token probability threshold (default ``si_threshold``).
        Returns:
            candidate spans in document order, normalised offsets.
        """
        th = self.si_threshold if threshold is None else threshold
        cut = float(np.log(th / (1 - th)))
        on = (logits >= cut) & ~np.asarray(view.is_space, dtype=bool)
        out: list[CandidateSpan] = []
        i, n = 0, view.n
        while i < n:
            if not on[i]:
                i += 1
                continue
            j = i
            while j < n and on[j] and view.sent_id[j] == view.sent_id[i]:
                j += 1
            a, b = trim_run(view, i, j)
            if b > a and out and a < out[-1].tok_end:
                a = out.pop().tok_start  # grown into the previous run ("pro-abortion/anti-family"): one span
            if b > a:
                score = float(self.calibrate(logits[a:b].mean()))
                out.append(CandidateSpan(int(view.starts[a]), int(view.ends[b - 1]), a, b, score))
            i = j
        return out

    # ---- TC
    def technique_proba(self, view: DocView, spans: list[tuple[int, int]], *, encoder: bool = False) -> np.ndarray:
        """Class probabilities of normalised char spans, float array (n_spans, n_classes).

        With ``encoder`` and a model that has a :attr:`span_classifier`, the linear
        classifier's probabilities ``p`` and the transformer's ``q`` are mixed log-linearly,
        ``p ** (1 - beta) * q ** beta`` renormalised (``beta`` = ``meta["encoder"]["tc_beta"]``);
        a span no WordPiece overlaps keeps ``p``.
        """
        if not spans:
            return np.zeros((0, len(self.classes)))
        p = self._linear_technique_proba(view, spans)
        if not (encoder and self.has_span_classifier):
            return p
        q, found = self.span_classifier.proba(doc_text(view.doc), spans)
        if q.shape[1] != p.shape[1]:
            raise ModelNotFoundError(f"[E202] techniques model at {self.encoder_dir}: tc_encoder.onnx gives "
                                     f"{q.shape[1]} classes, the model has {p.shape[1]}")
        beta = float(self.meta["encoder"]["tc_beta"])
        z = (1.0 - beta) * np.log(p[found] + 1e-9) + beta * np.log(q[found] + 1e-9)
        p[found] = softmax(z, axis=1)
        return p

    def _linear_technique_proba(self, view: DocView, spans: list[tuple[int, int]]) -> np.ndarray:
        """The linear span classifier's probabilities, float array (n_spans, n_classes)."""
        text = doc_text(view.doc)
        ctx = int(self.meta.get("tc_context", 0))
        X = hash_rows(self._tc_hasher, [span_features(view, s, e, text, ctx) for s, e in spans])
        z = np.asarray(X @ self._tc_coef_t) + self.tc_intercept + self._dense_term(
            "tc", lambda: dense_span_features(view, spans))
        if self.meta.get("tc_link") == "ovr":  # as SGDClassifier.predict_proba: sigmoids, normalised
            p = expit(z)
            return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        return softmax(z, axis=1)

    # ---- files
    def save(self, directory: str | Path) -> None:
        """Write ``model.npz`` and ``meta.json`` (and the encoder's files, when the model has
        one) into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if self.has_encoder:  # the files only: no need to load the network to copy it
            from .encoder import copy_files

            copy_files(self.encoder_dir, d)
        np.savez_compressed(
            d / "model.npz",
            si_coef=self.si_coef.astype(np.float32),
            si_intercept=np.array([self.si_intercept], dtype=np.float32),
            tc_coef=np.ascontiguousarray(self.tc_coef, dtype=np.float32),  # C order: files as before
            tc_intercept=self.tc_intercept.astype(np.float32),
            **({} if self.sent_coef is None else {
                "sent_coef": self.sent_coef.astype(np.float32),
                "sent_intercept": np.array([self.sent_intercept], dtype=np.float32)}),
            **{"dense_" + k: v.astype(np.float32) for k, v in sorted(self.dense.items())},
        )
        meta = dict(self.meta, classes=list(self.classes))
        if self.lexicon is not None:
            lex = dict(sorted(self.lexicon.items()))
            (d / "lexicon.json").write_text(json.dumps(lex, ensure_ascii=False) + "\n", encoding="utf-8")
        (d / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Any) -> "TechniqueModel":
        """Read a model written by :meth:`save` (a path or an importlib Traversable).

        Raises:
            ModelNotFoundError: ``model.npz`` or ``meta.json`` is missing or unreadable (E202).
        """
        meta, arrays = read_model_files(directory, name="techniques", code="E202")
        try:
            lex_file = directory / "lexicon.json"
            lexicon = json.loads(lex_file.read_text(encoding="utf-8")) if lex_file.is_file() else None
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"[E202] techniques model at {directory}: lexicon.json: {exc}") from None
        classes = meta.pop("classes")
        return cls(
            si_coef=arrays["si_coef"].astype(np.float64),
            si_intercept=float(arrays["si_intercept"][0]),
            tc_coef=arrays["tc_coef"].astype(np.float64),
            tc_intercept=arrays["tc_intercept"].astype(np.float64),
            classes=classes,
            meta=meta,
            lexicon=lexicon,
            sent_coef=arrays["sent_coef"].astype(np.float64) if "sent_coef" in arrays else None,
            sent_intercept=float(arrays["sent_intercept"][0]) if "sent_intercept" in arrays else 0.0,
            dense={k[len("dense_"):]: arrays[k].astype(np.float64) for k in arrays if k.startswith("dense_")},
            encoder_dir=directory if meta.get("encoder") else None,
        )


@functools.cache
def load_model() -> TechniqueModel:
    """The shipped model (``slant/models/techniques``), loaded once per process.

    Raises:
        ModelNotFoundError: the model files are not installed (E202).
    """
    root = resources.files("slant.models") / MODEL_ID
    model = TechniqueModel.load(root)
    trained = model.meta.get("trained_with", {})
    try:
        import sklearn

        if trained.get("sklearn") and trained["sklearn"].split(".")[:2] != sklearn.__version__.split(".")[:2]:
            logger.warning("techniques model trained with scikit-learn %s, running %s (hashing may differ)",
                           trained["sklearn"], sklearn.__version__)
    except ImportError:  # pragma: no cover
        pass
    return model
