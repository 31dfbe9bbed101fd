"""Check-worthy claims: sentences (or the single-voice clauses of a sentence) scored
for check-worthiness, with their voice, entities and time expressions.

Model card: ``slant/models/claims/CARD.md``. The model is a linear one, cheap enough
to run on every sentence of every article:

* hashed word 1-2-grams and character 2-4-grams of the sentence text (digits folded
  to ``0``, so "3.5%" and "7.2%" share features);
* a few dense features read off the spaCy tokens the pipeline already made (number
  of CARDINAL / PERCENT / MONEY / DATE ... entities, past tense and modal verbs,
  first/second person pronouns, comparatives, length) -- no second parse;
* logistic regression trained on ClaimBuster and CLEF CheckThat! (2019, 2021, 2022)
  with one bias term per source, because a positive means a different thing in each
  (ClaimBuster: coders judged it a check-worthy factual claim; CheckThat! debates:
  fact-checkers actually checked it; tweets: worth checking). At inference the
  ClaimBuster bias is used, then Platt scaling fitted on held-out ClaimBuster rows.

References:
    Arslan et al. (2020), A Benchmark Dataset of Check-worthy Factual Claims (ClaimBuster).
    Atanasova et al. (2019); Shaar et al. (2021); Nakov et al. (2022), CLEF CheckThat! Task 1.
"""

from __future__ import annotations

import bisect
import functools
import json
import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from .errors import ModelNotFoundError
from .furniture import is_furniture
from .language import decline
from .modelfiles import read_model_files
from .nlp import doc_text
from .schema import ClaimOut

logger = logging.getLogger(__name__)

MODEL_ID = "claims"
#: source whose bias is used at inference (its sense of "check-worthy" suits news prose)
INFERENCE_SOURCE = "claimbuster"
#: sentences (or clauses) shorter than this many word tokens are not scored
MIN_WORDS = 4
#: the closing bracket of each opening one a claim may start with
_CLOSER = {"(": ")", "[": "]"}

_NUM_ENTS = ("CARDINAL", "PERCENT", "MONEY", "QUANTITY", "ORDINAL")
_TIME_ENTS = ("DATE", "TIME")
#: DATE entities of the small English model that are no time: an age ("39", "45-year-old", "70 years
#: old") or a vote tally ("68-32"); a year has four digits
_NOT_TIME = re.compile(r"^\d{1,3}$|\byear-old\b|\byears? old\b|^\d{1,3}[-–]\d{1,3}$", re.IGNORECASE)
_NAME_ENTS = ("PERSON", "ORG", "GPE", "NORP", "LAW", "EVENT", "LOC", "FAC")
_FIRST = frozenset({"i", "we", "me", "us", "my", "our"})
_SECOND = frozenset({"you", "your"})

#: names of the dense features, in column order
DENSE_FEATURES: tuple[str, ...] = (
    *(f"ents_{e}" for e in _NUM_ENTS + _TIME_ENTS + _NAME_ENTS),
    "like_num",
    "past_tense",
    "present_tense",
    "modal",
    "first_person",
    "second_person",
    "comparative",
    "superlative",
    "question",
    "log_words",
)


def _fold_digits(text: str) -> str:
    """Preprocessor for the hashing vectorizers: lower-case, every digit to ``0``."""
    return re.sub(r"\d", "0", text.lower())


def make_vectorizers(n_features: int = 2**18) -> tuple[Any, Any]:
    """The word and character ``HashingVectorizer`` pair (stateless; identical in training and use).

    Returns:
        (word 1-2-gram vectorizer, char_wb 2-4-gram vectorizer), each l2-normalised,
        ``n_features`` columns, non-negative.
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    common = dict(n_features=n_features, alternate_sign=False, norm="l2", preprocessor=_fold_digits)
    word = HashingVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b|[%$€£?]", **common)
    char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), **common)
    return word, char


def dense_features(span: Any) -> np.ndarray:
    """Dense features of one sentence or clause.

    Args:
        span: a spaCy ``Span`` (or ``Doc``) with tags and entities set.
    Returns:
        float64 array, shape ``(len(DENSE_FEATURES),)``; counts are raw, shares in [0, 1].
    """
    doc = getattr(span, "doc", span)
    start, end = (span.start, span.end) if doc is not span else (0, len(doc))
    return dense_feature_matrix(doc, [(start, end)])[0]


#: per-token indicator columns, counted over a unit's words (not punctuation or space)
_TAG_SETS = (("VBD", "VBN"), ("VBP", "VBZ"), ("MD",), ("JJR", "RBR"), ("JJS", "RBS"))


def dense_feature_matrix(doc: Any, bounds: list[tuple[int, int]]) -> np.ndarray:
    """:func:`dense_features` of many units of one Doc at once, from token arrays.

    Args:
        doc: a spaCy ``Doc`` with tags and entities set.
        bounds: ``(start, end)`` TOKEN offsets of each unit (spaCy ``Span`` convention:
            ``doc[start:end]``); an entity counts when it lies wholly inside (``Span.ents``).
    Returns:
        float64 array, shape ``(len(bounds), len(DENSE_FEATURES))``, equal row for row to
        ``dense_features(doc[start:end])`` (tested), but one pass over the tokens instead of
        one per unit (and one over ``doc.ents`` instead of one per unit).
    """
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER, TAG

    out = np.zeros((len(bounds), len(DENSE_FEATURES)), dtype=np.float64)
    if not bounds:
        return out
    strings = doc.vocab.strings
    arr = doc.to_array([TAG, LOWER, IS_PUNCT, IS_SPACE, LIKE_NUM, IDX, LENGTH]).astype(np.uint64)
    tag, lower = arr[:, 0], arr[:, 1]
    word = (arr[:, 2] == 0) & (arr[:, 3] == 0)

    def member(column: np.ndarray, names) -> np.ndarray:
        return np.isin(column, np.array([strings[n] for n in names], dtype=np.uint64))

    indicators = np.column_stack(
        [word, word & (arr[:, 4] != 0)]
        + [word & member(tag, names) for names in _TAG_SETS]
        + [word & member(lower, sorted(_FIRST)), word & member(lower, sorted(_SECOND))]
    ).astype(np.int64)
    cum = np.vstack([np.zeros((1, indicators.shape[1]), dtype=np.int64), np.cumsum(indicators, axis=0)])
    starts = np.array([b[0] for b in bounds])
    ends = np.array([max(b[0], b[1]) for b in bounds])
    counts = cum[ends] - cum[starts]  # (units, columns)
    n_words = counts[:, 0]
    n = np.maximum(n_words, 1)
    past, present, modal, comparative, superlative = (counts[:, 2 + i] for i in range(5))
    first, second = counts[:, 7], counts[:, 8]

    labels = _NUM_ENTS + _TIME_ENTS + _NAME_ENTS
    column = {label: i for i, label in enumerate(labels)}
    ents = [(e.start, e.end, column[e.label_]) for e in doc.ents if e.label_ in column]
    if ents:
        e_start, e_end, e_col = (np.array(x) for x in zip(*ents))
        inside = (e_start[None, :] >= starts[:, None]) & (e_end[None, :] <= ends[:, None])
        onehot = np.zeros((len(ents), len(labels)))
        onehot[np.arange(len(ents)), e_col] = 1.0
        out[:, : len(labels)] = np.minimum(inside @ onehot, 3.0)
    k = len(labels)
    out[:, k] = np.minimum(counts[:, 1], 5) / 5
    out[:, k + 1] = past / n
    out[:, k + 2] = present / n
    out[:, k + 3] = modal / n
    out[:, k + 4] = first / n
    out[:, k + 5] = second / n
    out[:, k + 6] = comparative > 0
    out[:, k + 7] = superlative > 0
    text = doc_text(doc)
    idx, length = arr[:, 5].astype(np.int64), arr[:, 6].astype(np.int64)
    for row, (s, e) in enumerate(zip(starts, ends)):
        if e > s:
            out[row, k + 8] = float(text[idx[s]: idx[e - 1] + length[e - 1]].rstrip().endswith("?"))
    out[:, k + 9] = np.log1p(n_words)
    return out


@dataclass(frozen=True)
class ClaimModel:
    """The shipped check-worthiness model (see ``models/claims/CARD.md``).

    Attributes:
        w_word, w_char: float32 weights of the hashed word / char features, shape (n_features,).
        w_dense: weights of the standardised dense features, shape (len(DENSE_FEATURES),).
        dense_mean, dense_scale: standardisation of the dense features.
        bias: log-odds bias per source name (intercept included).
        platt: (a, b): calibrated probability = sigmoid(a * logit + b).
        n_features: hashing width.
    """

    w_word: np.ndarray
    w_char: np.ndarray
    w_dense: np.ndarray
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    bias: dict[str, float]
    platt: tuple[float, float]
    n_features: int

    def logits(self, texts: list[str], dense: np.ndarray, source: str = INFERENCE_SOURCE) -> np.ndarray:
        """Uncalibrated log-odds, shape (n,), for ``texts`` with their dense features (n, d)."""
        word, char = make_vectorizers(self.n_features)
        z = word.transform(texts) @ self.w_word + char.transform(texts) @ self.w_char
        if len(texts):
            z = z + ((dense - self.dense_mean) / self.dense_scale) @ self.w_dense
        return np.asarray(z, dtype=np.float64) + self.bias.get(source, self.bias[INFERENCE_SOURCE])

    def predict_proba(self, texts: list[str], dense: np.ndarray, source: str = INFERENCE_SOURCE) -> np.ndarray:
        """Calibrated check-worthiness probabilities, float64 array of shape (n,)."""
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * self.logits(texts, dense, source) + b)))

    def score_spans(self, spans: list[Any]) -> np.ndarray:
        """Probabilities for spaCy spans (one vectorised call), shape (len(spans),)."""
        if not spans:
            return np.zeros(0)
        doc = spans[0].doc
        if all(s.doc is doc for s in spans):
            dense = dense_feature_matrix(doc, [(s.start, s.end) for s in spans])
        else:
            dense = np.vstack([dense_features(s) for s in spans])
        return self.predict_proba([s.text for s in spans], dense)

    def save(self, root: Any, meta: dict[str, Any]) -> None:
        """Write ``model.npz`` and ``meta.json`` (no pickle) into directory ``root``."""
        np.savez_compressed(
            root / "model.npz",
            w_word=self.w_word.astype(np.float32), w_char=self.w_char.astype(np.float32),
            w_dense=self.w_dense, dense_mean=self.dense_mean, dense_scale=self.dense_scale,
        )
        meta = dict(meta, bias=self.bias, platt=list(self.platt), n_features=self.n_features,
                    dense_features=list(DENSE_FEATURES))
        (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, root: Any) -> "ClaimModel":
        """Read a model written by :meth:`save` from directory ``root`` (a Path or Traversable).

        Raises:
            ModelNotFoundError: a file is missing or the dense features do not match this code (E211).
        """
        meta, arrays = read_model_files(root, name="claims", code="E211")
        if meta.get("dense_features") != list(DENSE_FEATURES):
            raise ModelNotFoundError(f"[E211] claims model at {root} was trained with other features; retrain it")
        return cls(
            w_word=arrays["w_word"].astype(np.float64), w_char=arrays["w_char"].astype(np.float64),
            w_dense=arrays["w_dense"], dense_mean=arrays["dense_mean"], dense_scale=arrays["dense_scale"],
            bias={k: float(v) for k, v in meta["bias"].items()}, platt=tuple(meta["platt"]),
            n_features=int(meta["n_features"]),
        )


def model_dir() -> Any:
    """The shipped model's directory (an ``importlib.resources`` Traversable)."""
    return resources.files("slant") / "models" / MODEL_ID


@functools.cache
def load_model() -> ClaimModel:
    """The shipped claims model, loaded once per process.

    Raises:
        ModelNotFoundError: the model files are missing (E211).
    """
    return ClaimModel.read(model_dir())


def candidate_spans(ctx: Any) -> list[tuple[int, int]]:
    """Units to score, as NORMALISED ``(start, end)`` char offsets.

    A unit is a sentence of ``ctx.doc``; where attribution has run and a sentence
    straddles voices (narration around a quotation), the sentence is cut at the voice
    boundaries so that each clause has one voice, and at line breaks that end a caption or
    byline line (:func:`_line_breaks`). Pieces with fewer than :data:`MIN_WORDS` words are
    dropped, and so are reporting frames: the cue of a quotation whose words all lie outside
    it, with its speaker's mention ("House Speaker William J. Howell said.", "A U.S.
    official told"), says who spoke, not something to check; it is cut out of its piece, and
    what is left beside it is kept only when it holds a main clause ("Profits rose 12
    percent, but the union said ..."). Table rows are dropped. The quotation itself is the
    claim, in the speaker's voice.
    """
    text = ctx.normalized.text
    cuts = sorted(set(ctx.voice_boundaries()) | set(_line_breaks(ctx.doc)))
    frames = sorted(_reporting_frames(ctx))
    frame_starts = [f[0] for f in frames]
    units = []
    for sent in ctx.doc.sents:
        # the cuts inside the sentence, and the frames starting in it (the only ones a test of the
        # sentence or of its pieces can pass): bisects, not a test of every cut and frame per sentence
        inner = cuts[bisect.bisect_right(cuts, sent.start_char) : bisect.bisect_left(cuts, sent.end_char)]
        near = frames[bisect.bisect_left(frame_starts, sent.start_char) : bisect.bisect_right(frame_starts, sent.end_char)]
        # a reporting frame outside its quotation ("..., but the union said") is cut out of the
        # piece, so the outlet's clause before it ("Profits rose 12 percent") is still scored
        framed = set()
        for f0, f1, q0, q1 in near:
            if sent.start_char <= f0 and f1 <= sent.end_char and (q1 <= f0 or q0 >= f1):
                framed |= {f0, f1}
        bounds = [sent.start_char] + sorted(set(inner) | (framed - {sent.start_char, sent.end_char})) + [sent.end_char]
        for s, e in zip(bounds, bounds[1:]):
            cut_at_frame = s in framed or e in framed
            cut_end, cut_start = e != sent.end_char, s != sent.start_char
            # an opening bracket closed inside the piece stays: "(CNN)The mayor..." lost only its "("
            while s < e and (text[s].isspace() or text[s] in "\"“”'‘’,;:—–-"
                             or (text[s] in _CLOSER and _CLOSER[text[s]] not in text[s + 1:e])):
                s += 1
            while e > s and (text[e - 1].isspace() or text[e - 1] in "\"“”'‘’[(,;:—–-"):
                if text[e - 1] == "”" and text.count("“", s, e - 1) > text.count("”", s, e - 1):
                    break  # it closes a quotation the unit opened: '... were “at a record high.”'
                e -= 1
            # a clause cut out of its sentence keeps no dangling conjunction at the cut ("crime rose 40
            # percent, but" / "and inflation fell"); a sentence's own ending is never trimmed
            if cut_end and (m := _DANGLING.search(text, s, e)) is not None and m.end() == e:
                e = m.start()
            if cut_start and (m := _LEADING.match(text, s, e)) is not None:
                s = m.end()
            if (m := _LIST_ITEM.match(text, s, e)) is not None and not text[text.rfind("\n", 0, s) + 1 : s].strip():
                s = m.end()  # a list item's number is not part of its claim ("2) Turnout was ...")
            if len(re.findall(r"\w+", text[s:e])) < MIN_WORDS:
                continue
            if any(s <= c0 and c1 <= e and (q1 <= s or q0 >= e) for c0, c1, q0, q1 in near):
                continue  # the frame itself ("A U.S. official told")
            if text.count("|", s, e) >= 2 and re.search(r"\|\s*[-+$]?\d", text[s:e]):
                continue  # a table row ("California | 5.1% | 9.3% | +4.2")
            if is_furniture(text, s, e):
                continue  # a tweet's embed line, a shop widget, a poll or form, a caption: the page, not the article
            if cut_at_frame and not _main_clause(ctx.doc, s, e):
                continue  # "As the news site", "When asked if ...", "... after realizing he is": not a whole clause
            units.append((s, e))
    return units


#: words a unit cut out of its sentence (at a voice boundary or a frame) must not end or start
#: on: conjunctions, subordinators, relative words and articles left at the cut ("crime rose 40
#: percent, but", "is lying when", "and inflation fell"); not prepositions or "that", which can
#: end a clause ("agreed to that", "voted for")
_DANGLING_WORDS = "but and or yet while whereas when because if although though where which who the a an".split()
_DANGLING = re.compile(r"(?:[\s,;]+(?:" + "|".join(_DANGLING_WORDS) + r"))+$", re.IGNORECASE)
_LEADING = re.compile(r"(?:(?:and|but|or|yet|while|whereas)\b[\s,]*)+", re.IGNORECASE)
#: parts of speech that cannot end a line that ends a sentence: a line ending in one was wrapped
_WRAP_POS = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PART", "AUX", "PRON"})


#: a numbered list item opening a line ("2) Turnout was 61 percent.", "3. The mayor resigned"): a new
#: unit, although a line opening with a digit is otherwise read as wrapped ("... fell⏎3 percent")
_LIST_ITEM = re.compile(r"[ \t]*\d{1,3}[.)][ \t]+(?=[A-Z\"“'‘])")


def _line_breaks(doc: Any) -> list[int]:
    """NORMALISED offsets of the line breaks inside sentences that end a line of their own:
    a caption, a byline, a share-button row, a headline or a paragraph the parser ran into the
    next line (``Patrick McGreevy⏎Los Angeles Times⏎©2018 ...``, ``Advertisement⏎A series of 911
    calls``, ``... World War I.⏎A mutated strain``). A break is kept inside the unit when the line
    was wrapped: the next line starts in lower case or with a digit, or the line ends on a word that
    cannot end a sentence (``on the⏎``) -- unless the next line starts with a URL (a tweet's
    ``pic.twitter.com/...``). Text hard-wrapped at one width reaches the parser with its wrapped
    line ends read as spaces (:func:`slant.normalize.wrapped_line_ends`), so a line's length is no
    sign of wrapping here (lines of 60 characters or more were taken as wrapped: 69 of 1,347 claims
    of PTC dev ran two paragraphs together, 5 now)."""
    text = doc_text(doc)  # Doc.text joins every token at each access: once, not once per line break
    cuts = []
    for tok in doc:
        if not tok.is_space or "\n" not in tok.text or tok.i == 0 or tok.i + 1 >= len(doc):
            continue
        before, after = doc[tok.i - 1], doc[tok.i + 1]
        at = tok.idx + tok.text.index("\n")
        item = _LIST_ITEM.match(text, at + len(tok.text) - tok.text.index("\n"))  # "2) Turnout was ..."
        if not (after.like_url or item) and (
                after.text[:1].islower() or after.text[:1].isdigit() or before.pos_ in _WRAP_POS):
            continue
        cuts.append(at)
    return cuts


def _main_clause(doc: Any, start: int, end: int) -> bool:
    """Whether NORMALISED chars ``[start, end)`` hold a main clause of their sentence: its root
    verb, or a verb conjoined to it, with its subject inside (``Profits rose 12 percent`` of
    ``Profits rose 12 percent, but the union said ...``); not a subordinate clause or a title."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    # a clause the cut left unfinished ("after realizing he is", "So, I'm wary"): a word inside
    # whose complement lies past the cut
    for t in span:
        if any(c.i >= span.end and c.dep_ not in _BEYOND_CLAUSE for c in t.children):
            return False
    for t in span:
        if t.pos_ not in ("VERB", "AUX") or not (t.dep_ == "ROOT" or (t.dep_ == "conj" and t.head.dep_ == "ROOT")):
            continue
        if any(c.dep_ in ("nsubj", "nsubjpass", "expl") and start <= c.idx < end for c in t.children):
            return True
    return False


#: dependents that may lie past a clause cut out of its sentence: another clause, punctuation
_BEYOND_CLAUSE = frozenset({"conj", "cc", "punct", "parataxis", "ccomp", "advcl", "npadvmod", "dep"})


def _reporting_frames(ctx: Any) -> list[tuple[int, int, int, int]]:
    """``(frame start, frame end, quotation start, quotation end)`` of every quotation with a
    cue, in NORMALISED offsets (empty before attribution): the frame is the cue with the
    speaker's mention when it stands next to it (``the union said``, ``said Ann Park``)."""
    offsets = ctx.normalized.offsets
    frames = []
    for q in ctx.out.get("quotations") or []:
        if q.cue is None:
            continue
        c0, c1 = q.cue.start, q.cue.end
        m = q.speaker.mention if q.speaker is not None else None
        if m is not None and not (q.start < m.end and m.start < q.end) and (
                0 <= c0 - m.end <= 12 or 0 <= m.start - c1 <= 12):
            c0, c1 = min(c0, m.start), max(c1, m.end)
        frames.append((offsets.to_normalized(c0), offsets.to_normalized(c1),
                       offsets.to_normalized(q.start), offsets.to_normalized(q.end)))
    return frames


def claims_stage(ctx: Any) -> None:
    """Set ``ctx.out["claims"]``: check-worthy units scoring >= ``options.min_claim_score``.

    Each :class:`~slant.schema.ClaimOut` has the unit's ORIGINAL span, its calibrated
    check-worthiness ``score``, its ``voice`` (None before attribution), the ids of
    entities with a mention inside it, and its DATE/TIME expressions. A text that is clearly
    not English (``ctx.language``, :mod:`slant.language`) is not scored: ``claims`` stays
    empty and notice W502 says why.

    Raises:
        ModelNotFoundError: the shipped model is missing (E211).
    """
    model = load_model()
    if decline(ctx, "W502", "claims not scored", "English debates and tweets"):
        ctx.out["claims"] = []
        return
    units = candidate_spans(ctx)
    spans = [ctx.doc.char_span(s, e, alignment_mode="expand") for s, e in units]
    keep = [(u, sp) for u, sp in zip(units, spans) if sp is not None and len(sp)]
    scores = model.score_spans([sp for _, sp in keep])
    entities = ctx.out.get("entities") or []
    threshold = ctx.options.min_claim_score
    # Doc.ents rebuilds every entity Span from the tokens at each access (and Span.ents
    # reads it): take the DATE/TIME ones once per document
    time_ents = [e for e in ctx.doc.ents if e.label_ in _TIME_ENTS and not _NOT_TIME.search(e.text)]
    # every claim asks which mentions and DATE/TIME entities lie inside it: sorted by start, a
    # bisect finds them, where a test of all of them per claim grew with the square of the text
    mentions = sorted((m.start, m.end, k) for k, ent in enumerate(entities) for m in ent.mentions)
    mention_starts = [m[0] for m in mentions]
    time_starts = [ent.start for ent in time_ents]  # doc.ents are in text order
    claims = []
    for ((s, e), sp), score in zip(keep, scores):
        if score < threshold:
            continue
        o_start, o_end = ctx.original(s, e)
        inside = {k for m0, m1, k in mentions[bisect.bisect_left(mention_starts, o_start) :
                                             bisect.bisect_right(mention_starts, o_end)] if m1 <= o_end}
        entity_ids = [entities[k].id for k in sorted(inside)]  # in the order of the entities, each once
        times = [
            ctx.span(max(ent.start_char, s), min(ent.end_char, e))
            for ent in time_ents[bisect.bisect_left(time_starts, sp.start) : bisect.bisect_left(time_starts, sp.end)]
            if sp.start <= ent.start and ent.end <= sp.end and ent.end_char > s and ent.start_char < e
        ]
        claims.append(
            ClaimOut(
                start=o_start, end=o_end, score=round(float(score), 4), voice=ctx.voice_of(o_start, o_end),
                entity_ids=entity_ids, times=times,
            )
        )
    ctx.out["claims"] = claims
