"""The techniques stage: SI + TC on the shared spaCy Doc, spans mapped to the original text.

Writes ``ctx.out["techniques"]`` (list of :class:`~slant.schema.TechniqueOut`, each
with one of the 14 SemEval-2020 technique classes, a calibrated score and the voice
holding the span) and ``ctx.out["propaganda"]`` (:class:`~slant.schema.PropagandaOut`).

Spans are of two kinds: runs of tokens the SI tagger marks (``score`` = calibrated
probability that the run's characters lie in a gold span, Platt-scaled on
out-of-fold train runs), and whole sentences the sentence classifier marks
(``score`` = P(the sentence holds a propaganda span)). The technique is the TC
classifier's most probable class for the span. A sentence's propaganda score is the
sentence classifier's probability; the article's is the mean of its three highest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..language import decline
from ..schema import PropagandaOut, SentenceScoreOut, TechniqueOut
from .features import DocView
from .model import CandidateSpan, TechniqueModel, load_model


def detect(doc: Any, model: TechniqueModel | None = None, *, encoder: bool = False
           ) -> tuple[list[CandidateSpan], list[str], np.ndarray, list, np.ndarray]:
    """Candidate technique spans of a Doc (normalised offsets) and sentence probabilities.

    Args:
        doc: a parsed ``spacy.tokens.Doc`` (tagger, parser, lemmatizer).
        model: defaults to the shipped model.
        encoder: decode the runs from the linear tagger's logits mixed with the model's
            fine-tuned transformer tagger, and mix its transformer technique classifier
            into TC (when it has them): higher SI F1 and TC micro-F1, several times slower
            (see the model card); False (the default, as the option
            ``technique_encoder``) = the linear models alone.
    Returns:
        ``(spans, techniques, proba, units, sent_proba)``: decoded spans (token runs,
        then whole sentences over the sentence threshold), the top technique of each,
        the class probabilities (n_spans, 14), the sentence units
        ``(tok_start, tok_end, char_start, char_end)`` and P(sentence holds a
        propaganda span) of each, shape (n_units,).
    """
    model = model or load_model()
    view = DocView(doc)
    logits = model.token_logits(view)
    runs = model.decode_runs(view, logits, encoder=encoder)
    units, sent_proba = model.sentence_proba(view, logits)
    ts = float(model.meta.get("sent_threshold", 2.0))
    sents = [CandidateSpan(a, b, s0, s1, float(p)) for (s0, s1, a, b), p in zip(units, sent_proba) if p >= ts]
    spans = runs + sents
    proba = model.technique_proba(view, [(c.start, c.end) for c in spans], encoder=encoder)
    techniques = [model.classes[int(k)] for k in proba.argmax(axis=1)] if len(spans) else []
    return spans, techniques, proba, units, sent_proba


def techniques_stage(ctx: Any) -> None:
    """Fill ``ctx.out["techniques"]`` and ``ctx.out["propaganda"]`` from ``ctx.doc``.

    Spans scoring below ``ctx.options.min_technique_score`` are not reported; the
    transformer is used when ``ctx.options.technique_encoder`` (see :func:`detect`).
    A text that is clearly not English (``ctx.language``, :mod:`slant.language`) is not
    read: the models learnt English words (PTC); ``techniques`` stays empty, ``propaganda``
    None, and notice W402 says why.
    """
    if decline(ctx, "W402", "techniques not detected", "English news (PTC)"):
        ctx.out["techniques"] = []
        return
    spans, techniques, _, units, sent_proba = detect(ctx.doc, encoder=ctx.options.technique_encoder)
    min_score = ctx.options.min_technique_score
    out = []
    for c, technique in sorted(zip(spans, techniques), key=lambda x: (x[0].start, -x[0].end)):
        if c.score < min_score:
            continue
        s, e = ctx.original(c.start, c.end)
        if e <= s:
            continue
        out.append(TechniqueOut(start=s, end=e, technique=technique, score=round(float(c.score), 4),
                                voice=ctx.voice_of(s, e)))
    ctx.out["techniques"] = out
    sentences = [SentenceScoreOut(**ctx.span(a, b).model_dump(), score=round(float(p), 4))
                 for (_, _, a, b), p in zip(units, sent_proba)]
    top = sorted((x.score for x in sentences), reverse=True)[:3]
    article = float(np.mean(top)) if top else 0.0
    ctx.out["propaganda"] = PropagandaOut(score=round(article, 4), sentences=sentences)
