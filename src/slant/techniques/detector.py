"""The techniques stage: SI + TC on the shared spaCy Doc, spans mapped to the original text.

Writes ``ctx.out["techniques"]`` (list of :class:`~slant.schema.TechniqueOut`, each
with one of the 14 SemEval-2020 technique classes, a calibrated score and the voice
holding the span) and ``ctx.out["propaganda"]`` (:class:`~slant.schema.PropagandaOut`).

Spans are of two kinds (``kind``): phrases, runs of tokens the SI tagger marks (``score`` =
calibrated probability that the run's characters lie in a gold span, Platt-scaled on
out-of-fold train runs), cut where a quoted voice begins or ends so that each holds one voice;
and whole sentences the sentence classifier marks (``score`` = calibrated P(the sentence holds
a propaganda span), Platt-scaled on out-of-fold train sentences). A phrase's technique is the
TC classifier's most probable class; a sentence is named after the strongest phrase inside it
(technique and voice), or classified as a whole when it holds none (see :func:`detect`). A
sentence's propaganda score is its calibrated probability; the article's is the mean of its
three highest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..language import decline
from ..schema import PropagandaOut, SentenceScoreOut, TechniqueOut
from .features import DocView
from .model import CandidateSpan, TechniqueModel, load_model, split_span


def detect(doc: Any, model: TechniqueModel | None = None, *, encoder: bool = False, cuts: list[int] | None = None
           ) -> tuple[list[CandidateSpan], list[str], np.ndarray, list, np.ndarray]:
    """Candidate technique spans of a Doc (normalised offsets) and sentence probabilities.

    A phrase span (a run of tokens) is classified by the TC classifier. A whole-sentence span
    is named after the strongest phrase span inside it (``CandidateSpan.phrase``): its
    technique, and in the analysis its voice. On PTC dev that technique is one of the gold
    techniques in the sentence for 100 of the 203 sentence spans holding gold, against 36 when
    the classifier read the whole sentence (it answered "Doubt" for 138 of the 304: long gold
    spans are mostly Doubt). A sentence span holding no phrase span is classified as a whole.
    With ``cuts`` (where one voice ends and another begins), phrase spans are first cut there
    (:func:`~slant.techniques.model.split_span`), so that each holds one voice ('will be a
    “terrible' -> 'terrible', the speaker's); sentence spans are not cut (cutting them off at
    the quotation marks cost 0.007 SI F1 on dev, as PTC's annotators mark across them).

    Args:
        doc: a parsed ``spacy.tokens.Doc`` (tagger, parser, lemmatizer).
        model: defaults to the shipped model.
        encoder: decode the runs from the linear tagger's logits mixed with the model's
            fine-tuned transformer tagger, and mix its transformer technique classifier
            into TC (when it has them): higher SI F1 and TC micro-F1, several times slower
            (see the model card); False (the default, as the option
            ``technique_encoder``) = the linear models alone.
        cuts: sorted NORMALISED char offsets of voice boundaries (None: no cut).
    Returns:
        ``(spans, techniques, proba, units, sent_proba)``: the spans (phrases, then
        sentences, in text order within each kind), the technique of each, its class
        probabilities (n_spans, 14) (a sentence span's are those of the phrase it is named
        after), the sentence units ``(tok_start, tok_end, char_start, char_end)`` and the
        calibrated P(sentence holds a propaganda span) of each, shape (n_units,).
    """
    model = model or load_model()
    view = DocView(doc)
    logits = model.token_logits(view)
    runs = model.decode_runs(view, logits, encoder=encoder)
    units, raw = model.sentence_proba(view, logits)
    sents = model.sentence_spans(units, raw)
    if cuts:
        runs = [piece for c in runs for piece in split_span(view, c, cuts)]
    for s in sents:
        held = [r for r in runs if s.tok_start <= r.tok_start and r.tok_end <= s.tok_end]
        s.phrase = max(held, key=lambda r: r.score) if held else None
    whole = [s for s in sents if s.phrase is None]
    proba = model.technique_proba(view, [(c.start, c.end) for c in runs + whole], encoder=encoder)
    rows = dict(zip(map(id, runs + whole), proba))
    spans = runs + sents
    for s in sents:
        if s.phrase is not None:
            rows[id(s)] = rows[id(s.phrase)]
    proba = np.array([rows[id(c)] for c in spans]).reshape(len(spans), len(model.classes))
    techniques = [model.classes[int(k)] for k in proba.argmax(axis=1)] if spans else []
    return spans, techniques, proba, units, model.calibrate_sentences(raw)


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
    spans, techniques, _, units, sent_proba = detect(ctx.doc, encoder=ctx.options.technique_encoder,
                                                     cuts=ctx.voice_boundaries())
    min_score = ctx.options.min_technique_score
    out = []
    for c, technique in sorted(zip(spans, techniques), key=lambda x: (x[0].start, -x[0].end)):
        if c.score < min_score:
            continue
        s, e = ctx.original(c.start, c.end)
        if e <= s:
            continue
        voice = ctx.voice_of(*ctx.original(c.phrase.start, c.phrase.end)) if c.phrase else ctx.voice_of(s, e)
        out.append(TechniqueOut(start=s, end=e, technique=technique, score=round(float(c.score), 4),
                                voice=voice, kind=c.kind))
    ctx.out["techniques"] = out
    sentences = [SentenceScoreOut(**ctx.span(a, b).model_dump(), score=round(float(p), 4))
                 for (_, _, a, b), p in zip(units, sent_proba)]
    top = sorted((x.score for x in sentences), reverse=True)[:3]
    article = float(np.mean(top)) if top else 0.0
    ctx.out["propaganda"] = PropagandaOut(score=round(article, 4), sentences=sentences)
