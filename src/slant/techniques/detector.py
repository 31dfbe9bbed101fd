"""The techniques stage: SI + TC on the shared spaCy Doc, spans mapped to the original text.

Writes ``ctx.out["techniques"]`` (list of :class:`~slant.schema.TechniqueOut`, each
with one of the 14 SemEval-2020 technique classes, a calibrated score and the voice
holding the span) and ``ctx.out["propaganda"]`` (:class:`~slant.schema.PropagandaOut`).

Scores: a span's ``score`` is the calibrated probability that its characters lie in
a propaganda span (SI, Platt-scaled); the technique is the TC classifier's most
probable class for it. A sentence's score is the highest score of the candidate spans
in it (0 when none); the article's is the mean of its three highest sentence scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..schema import PropagandaOut, SentenceScoreOut, TechniqueOut
from .features import DocView
from .model import CandidateSpan, TechniqueModel, load_model


def detect(doc: Any, model: TechniqueModel | None = None) -> tuple[list[CandidateSpan], list[str], np.ndarray]:
    """Candidate technique spans of a Doc (normalised offsets).

    Args:
        doc: a parsed ``spacy.tokens.Doc`` (tagger, parser, lemmatizer).
        model: defaults to the shipped model.
    Returns:
        ``(spans, techniques, proba)``: decoded spans in document order, the top
        technique of each, and the class probabilities, shape (n_spans, 14).
    """
    model = model or load_model()
    view = DocView(doc)
    spans = model.decode(view, model.token_logits(view))
    proba = model.technique_proba(view, [(c.start, c.end) for c in spans])
    techniques = [model.classes[int(k)] for k in proba.argmax(axis=1)] if len(spans) else []
    return spans, techniques, proba


def techniques_stage(ctx: Any) -> None:
    """Fill ``ctx.out["techniques"]`` and ``ctx.out["propaganda"]`` from ``ctx.doc``.

    Spans scoring below ``ctx.options.min_technique_score`` are not reported but still
    count towards the sentence scores.
    """
    spans, techniques, proba = detect(ctx.doc)
    min_score = ctx.options.min_technique_score
    out = []
    for c, technique in zip(spans, techniques):
        if c.score < min_score:
            continue
        s, e = ctx.original(c.start, c.end)
        if e <= s:
            continue
        out.append(TechniqueOut(start=s, end=e, technique=technique, score=round(float(c.score), 4),
                                voice=ctx.voice_of(s, e)))
    ctx.out["techniques"] = out
    ctx.out["propaganda"] = _propaganda(ctx, spans)


def _propaganda(ctx: Any, spans: list[CandidateSpan]) -> PropagandaOut:
    text = ctx.doc.text
    starts = np.array([c.start for c in spans], dtype=np.int64)
    ends = np.array([c.end for c in spans], dtype=np.int64)
    scores = np.array([c.score for c in spans], dtype=np.float64)
    sentences = []
    for sent in ctx.doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        hit = (starts < e) & (ends > s)
        score = float(scores[hit].max()) if hit.any() else 0.0
        sentences.append(SentenceScoreOut(**ctx.span(s, e).model_dump(), score=round(score, 4)))
    top = sorted((x.score for x in sentences), reverse=True)[:3]
    article = float(np.mean(top)) if top else 0.0
    return PropagandaOut(score=round(article, 4), sentences=sentences)
