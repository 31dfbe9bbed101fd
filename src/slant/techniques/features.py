"""Token and span features for the technique detector, from one spaCy Doc.

Features are strings (``"w=traitor"``, ``"p-1=ADJ"``), hashed into a fixed-width
sparse matrix with scikit-learn's :class:`~sklearn.feature_extraction.FeatureHasher`
(murmurhash3, no vocabulary to store). Everything is computed from attributes the
pipeline already set (text, lower, lemma, POS, tag, dep, head, sentences); nothing
is parsed twice.

* SI (span identification) is per-token tagging: is this token inside a span?
  Features: the token, its neighbours (+-2), bigrams, POS/dep/head, its sentence
  (``!``, ``?``, quotation marks, length) and article-level repetition of its lemma.
* TC (technique classification) is per-span: bag of words/lemmas/bigrams of the span,
  its first/last words, three words of context each side, its length and how often its
  text recurs in the article (the cue for Repetition).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from scipy import sparse

from ..nlp import doc_text

QUOTES = frozenset("\u201c\u201d\"")


def make_hasher(n_features: int):
    """A stateless FeatureHasher over feature-string lists, ``n_features`` wide."""
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False, dtype=np.float32)


def _bucket(n: int) -> str:
    return str(n) if n < 4 else ("4-7" if n < 8 else ("8-15" if n < 16 else "16+"))


class DocView:
    """Per-token attribute arrays of one Doc, computed once and shared by SI and TC.

    Attributes:
        lower, lemma, pos, tag, dep, shape: lists of str, one per token.
        starts, ends: numpy int arrays of token char offsets (normalised text).
        sent_id: numpy int array, the sentence index of each token.
        lemma_count: Counter of content lemmas over the article.
        in_quote: numpy bool array, token inside a “...” quotation.
    """

    def __init__(self, doc: Any):
        toks = list(doc)
        self.doc = doc
        self.n = len(toks)
        self.lower = [t.lower_ for t in toks]
        self.lemma = [t.lemma_.lower() for t in toks]
        self.pos = [t.pos_ for t in toks]
        self.tag = [t.tag_ for t in toks]
        self.dep = [t.dep_ for t in toks]
        self.shape = [t.shape_ for t in toks]
        self.head = [t.head.i for t in toks]
        self.is_space = [t.is_space for t in toks]
        self.starts = np.fromiter((t.idx for t in toks), dtype=np.int64, count=self.n)
        self.ends = self.starts + np.fromiter((len(t.text) for t in toks), dtype=np.int64, count=self.n)
        sent_id = np.zeros(self.n, dtype=np.int64)
        self.sents: list[tuple[int, int]] = []
        for k, sent in enumerate(doc.sents):
            sent_id[sent.start : sent.end] = k
            self.sents.append((sent.start, sent.end))
        self.sent_id = sent_id
        self.lemma_count = Counter(
            lem for lem, p in zip(self.lemma, self.pos) if p in ("NOUN", "PROPN", "VERB", "ADJ", "ADV")
        )
        in_q = np.zeros(self.n, dtype=bool)
        inside = False
        for i, w in enumerate(self.lower):
            if w in QUOTES or w == "\u201c" or w == "\u201d":
                inside = w == "\u201c" or (w == '"' and not inside)
                in_q[i] = True
            else:
                in_q[i] = inside
            if self.is_space[i] and "\n" in w:
                inside = False
        self.in_quote = in_q
        self.sent_feats = [self._sent_feats(s, e) for s, e in self.sents]
        self._tensor: np.ndarray | None = None
        self._lowered: tuple[str, str] | None = None  # (text, text.lower()): see lowered()

    def lowered(self, text: str) -> str:
        """``text.lower()``, kept for the last ``text`` (the Doc's text): :func:`span_features`
        runs once per span, and lower-casing the whole article for each span made the techniques
        stage grow with the square of the text's length. Kept by identity, not equality, so that
        a hit never compares two long strings."""
        if self._lowered is None or self._lowered[0] is not text:
            self._lowered = (text, text.lower())
        return self._lowered[1]

    @property
    def tensor(self) -> np.ndarray:
        """The pipeline's contextual token vectors (``doc.tensor``, tok2vec output), float32 (n, d).

        Recomputed with the shared pipeline's ``tok2vec`` when the Doc lacks them (a Doc
        read back from a ``DocBin``); an empty (n, 0) array when there is no tok2vec.
        """
        if self._tensor is None:
            t = getattr(self.doc, "tensor", None)
            if t is None or t.ndim != 2 or t.shape[0] != self.n or t.shape[1] == 0:
                t = _recompute_tensor(self.doc)
            self._tensor = np.asarray(t, dtype=np.float32)
        return self._tensor

    def _sent_feats(self, s: int, e: int) -> list[str]:
        words = self.lower[s:e]
        f = ["sl=" + _bucket(len(words) // 4)]
        if "!" in words:
            f.append("s!")
        if "?" in words:
            f.append("s?")
        if any(w in QUOTES for w in words):
            f.append("sq")
        return f


def _recompute_tensor(doc: Any) -> np.ndarray:
    """``doc.tensor`` from the shared pipeline's tok2vec (for Docs that lost it)."""
    if len(doc) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    from ..nlp import get_nlp

    nlp = get_nlp()
    if "tok2vec" not in nlp.pipe_names:
        return np.zeros((len(doc), 0), dtype=np.float32)
    nlp.get_pipe("tok2vec")(doc)
    return doc.tensor


def _window_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Mean of rows ``i-w .. i+w`` (clipped at the ends) of ``x`` (n, d), float32 (n, d)."""
    n = x.shape[0]
    c = np.vstack([np.zeros((1, x.shape[1]), dtype=np.float64), np.cumsum(x, axis=0, dtype=np.float64)])
    idx = np.arange(n)
    lo, hi = np.maximum(idx - w, 0), np.minimum(idx + w + 1, n)
    return ((c[hi] - c[lo]) / (hi - lo)[:, None]).astype(np.float32)


def dense_token_features(view: "DocView", window: int = 2) -> np.ndarray:
    """Dense SI features of every token from the tok2vec vectors: the token's own vector,
    the mean over ``+-window`` tokens, and the mean over its sentence; float32 (n, 3d)."""
    t = view.tensor
    if view.n == 0:
        return np.zeros((0, 3 * t.shape[1]), dtype=np.float32)
    sent = np.zeros_like(t)
    for s0, s1 in view.sents:
        sent[s0:s1] = t[s0:s1].mean(axis=0)
    return np.hstack([t, _window_mean(t, window), sent])


def dense_unit_features(view: "DocView", units: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Dense sentence features: mean and max of the tok2vec vectors of each unit's
    non-space tokens, float32 (n_units, 2d)."""
    t = view.tensor
    d = t.shape[1]
    out = np.zeros((len(units), 2 * d), dtype=np.float32)
    sp = np.asarray(view.is_space, dtype=bool)
    for k, (s0, s1, _, _) in enumerate(units):
        seg = t[s0:s1][~sp[s0:s1]]
        if len(seg):
            out[k, :d] = seg.mean(axis=0)
            out[k, d:] = seg.max(axis=0)
    return out


def dense_span_features(view: "DocView", spans: list[tuple[int, int]]) -> np.ndarray:
    """Dense TC features of normalised char spans: mean tok2vec vector of the span, of its
    sentence, and max over the span; float32 (n_spans, 3d)."""
    t = view.tensor
    d = t.shape[1]
    out = np.zeros((len(spans), 3 * d), dtype=np.float32)
    for k, (s, e) in enumerate(spans):
        i, j = token_range(view, s, e)
        j = min(j, view.n)
        if j <= i:
            continue
        out[k, :d] = t[i:j].mean(axis=0)
        out[k, 2 * d :] = t[i:j].max(axis=0)
        s0, s1 = view.sents[view.sent_id[i]]
        out[k, d : 2 * d] = t[s0:s1].mean(axis=0)
    return out


def _bin(x: float, k: int = 10) -> str:
    return str(min(k - 1, int(x * k)))


def lexicon_scores(view: DocView, lexicon: dict[str, float] | None, prior: float) -> np.ndarray:
    """Per-token train-lexicon score: P(token in a span | its lowercased form), float (n,)."""
    if not lexicon:
        return np.full(view.n, prior)
    return np.fromiter((lexicon.get(w, prior) for w in view.lower), dtype=np.float64, count=view.n)


def token_features(view: DocView, lexicon: dict[str, float] | None = None, prior: float = 0.15) -> list[list[str]]:
    """SI features of every token of ``view``: one list of feature strings per token.

    Args:
        view: the Doc's view.
        lexicon: lowercased word -> P(inside a span) learned from train (see
            :func:`slant.techniques.training.learn_lexicon`); None leaves those features out.
        prior: score of a word not in the lexicon.
    """
    n = view.n
    lex = lexicon_scores(view, lexicon, prior)
    content = np.array([p in ("NOUN", "VERB", "ADJ", "ADV", "PROPN") for p in view.pos], dtype=bool)
    lexc = np.where(content, lex, np.nan)
    sent_lex = []
    for s0, s1 in view.sents:
        seg = lexc[s0:s1]
        seg = seg[~np.isnan(seg)]
        sent_lex.append(("sm=" + _bin(float(seg.mean()) * 2), "sx=" + _bin(float(seg.max()))) if len(seg) else ("sm=-", "sx=-"))
    valid = lexc[~np.isnan(lexc)]
    art = "am=" + (_bin(float(valid.mean()) * 3, 20) if len(valid) else "-")
    lexb = [_bin(x) for x in lex]
    lb = ["-", "-"] + lexb + ["-", "-"]
    low, lem, pos, tag, dep, shape = view.lower, view.lemma, view.pos, view.tag, view.dep, view.shape
    pad = ["<s>", "<s>"]
    lw = pad + low + ["</s>", "</s>"]
    pp = pad + pos + ["</s>", "</s>"]
    out = []
    for i in range(n):
        j = i + 2
        w = low[i]
        h = view.head[i]
        sid = view.sent_id[i]
        s0, s1 = view.sents[sid]
        lc = view.lemma_count.get(lem[i], 0)
        f = [
            "b",
            "w=" + w,
            "l=" + lem[i],
            "p=" + pos[i],
            "t=" + tag[i],
            "d=" + dep[i],
            "sh=" + shape[i],
            "suf=" + w[-3:],
            "w-1=" + lw[j - 1],
            "w+1=" + lw[j + 1],
            "w-2=" + lw[j - 2],
            "w+2=" + lw[j + 2],
            "p-1=" + pp[j - 1],
            "p+1=" + pp[j + 1],
            "pp=" + pp[j - 1] + "|" + pos[i] + "|" + pp[j + 1],
            "bg-=" + lw[j - 1] + "|" + w,
            "bg+=" + w + "|" + lw[j + 1],
            "hl=" + lem[h],
            "dh=" + dep[i] + "|" + pos[h],
            "hw=" + lem[h] + "|" + w,
            "rep=" + _bucket(lc) + pos[i],
            "q=" + str(int(view.in_quote[i])),
            "spos=" + ("first" if i == s0 else ("last" if i == s1 - 1 else _bucket(i - s0))),
        ]
        f.extend(view.sent_feats[sid])
        if lexicon is not None:
            f += ["lx=" + lb[j], "lxp=" + lb[j] + pos[i], "lx-1=" + lb[j - 1], "lx+1=" + lb[j + 1],
                  "lx3=" + lb[j - 1] + lb[j] + lb[j + 1], art, *sent_lex[sid]]
        out.append(f)
    return out


def token_range(view: DocView, start: int, end: int) -> tuple[int, int]:
    """Token indices ``[i, j)`` overlapping the normalised char span ``[start, end)``."""
    i = int(np.searchsorted(view.ends, start, side="right"))
    j = int(np.searchsorted(view.starts, end, side="left"))
    if i >= view.n:
        return i, i
    return i, max(j, i + 1)


def span_features(view: DocView, start: int, end: int, text: str, context: int = 0) -> list[str]:
    """TC features of the normalised char span ``[start, end)`` of ``view``'s Doc.

    Args:
        view: the Doc's :class:`DocView`.
        start, end: normalised character offsets of the span.
        text: the normalised text (``doc.text``), for repetition counts.
        context: 1 adds the lemmas of the span's sentence outside the span
            (``sl=``); 2 also their bigrams.
    Returns:
        a list of feature strings.
    """
    i, j = token_range(view, start, end)
    j = min(j, view.n)
    words = [w for w in view.lower[i:j] if w.strip()]
    lemmas = [view.lemma[k] for k in range(i, j) if view.lower[k].strip()]
    pos = [view.pos[k] for k in range(i, j) if view.lower[k].strip()]
    surface = text[start:end].strip().lower()
    n = len(words)
    f = ["b", "len=" + _bucket(n), "clen=" + _bucket(len(surface) // 8)]
    f += ["w=" + w for w in words]
    f += ["l=" + x for x in lemmas]
    f += ["bg=" + a + "|" + b for a, b in zip(words, words[1:])]
    if words:
        f += ["fw=" + words[0], "lw=" + words[-1], "fp=" + pos[0], "lp=" + pos[-1]]
    if n <= 4:
        f.append("span=" + " ".join(words))
        f.append("pseq=" + "|".join(pos))
    for k in range(1, 4):
        f.append(f"c-{k}=" + (view.lower[i - k] if i - k >= 0 else "<s>"))
        f.append(f"c+{k}=" + (view.lower[j + k - 1] if j + k - 1 < view.n else "</s>"))
    # repetition in the article: the span text (before / after it), and its content lemmas
    low = view.lowered(text)
    occ = low.count(surface) if surface else 0
    f.append("occ=" + _bucket(occ))
    f.append("occn=" + _bucket(occ) + "|" + _bucket(n))
    if surface:
        f += ["ob=%d" % min(low.count(surface, 0, start), 3), "oa=%d" % min(low.count(surface, end), 3)]
    f.append("len2=%d" % min(n, 30))
    if len(surface) <= 40:  # character 4-grams of short spans
        padded = "<" + surface + ">"
        f += ["c4=" + padded[k : k + 4] for k in range(len(padded) - 3)]
    maxlc = max((view.lemma_count.get(x, 0) for x in lemmas), default=0)
    f.append("maxlc=" + _bucket(maxlc))
    if i < view.n:
        s0, s1 = view.sents[view.sent_id[i]]
        cover = n / max(1, s1 - s0)
        f.append("cover=" + str(min(4, int(cover * 4))))
        f.extend(view.sent_feats[view.sent_id[i]])
        f.append("q=" + str(int(view.in_quote[i:j].mean() > 0.5)) if j > i else "q=0")
    if context and i < view.n:
        s0, s1 = view.sents[view.sent_id[i]]
        outside = [k for k in range(s0, s1) if (k < i or k >= j) and not view.is_space[k]]
        f += ["sl=" + view.lemma[k] for k in outside]
        if context > 1:
            f += ["sb=" + view.lower[a] + "|" + view.lower[b] for a, b in zip(outside, outside[1:]) if b == a + 1]
    if "!" in words:
        f.append("!")
    if surface[:1].isupper() or any(w.isupper() and len(w) > 1 for w in text[start:end].split()):
        f.append("caps")
    return f


def hash_rows(hasher: Any, rows: list[list[str]]) -> sparse.csr_matrix:
    """Hash feature-string lists into a CSR matrix of shape (len(rows), n_features)."""
    return hasher.transform(rows).tocsr()


def sentence_units(view: DocView) -> list[tuple[int, int, int, int]]:
    """Sentences as ``(tok_start, tok_end, char_start, char_end)``, spaces trimmed, empty ones left out."""
    text = doc_text(view.doc)
    out = []
    for s0, s1 in view.sents:
        a, b = int(view.starts[s0]), int(view.ends[s1 - 1])
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((s0, s1, a, b))
    return out


def sentence_features(view: DocView, token_proba: np.ndarray, units: list[tuple[int, int, int, int]],
                      lexicon: dict[str, float] | None = None, prior: float = 0.15) -> list[list[str]]:
    """Features of each sentence for the sentence-level propaganda classifier.

    Args:
        view: the Doc's view.
        token_proba: SI in-span probability of every token, shape (n_tokens,).
        units: :func:`sentence_units` of ``view``.
    Returns:
        one feature-string list per unit: binned max/mean/share of token
        probabilities (own and neighbouring sentences), the article mean, position,
        length, punctuation, the sentence's words, lemmas and bigrams, POS bigrams,
        entity labels, and binned train-lexicon scores of its words (``lexicon``).
    """
    lex = lexicon_scores(view, lexicon, prior)
    ent_labels: dict[int, list[str]] = {}
    for ent in view.doc.ents:
        ent_labels.setdefault(ent.start, []).append(ent.label_)
    nonspace = ~np.asarray(view.is_space, dtype=bool)
    amean = float(token_proba[nonspace].mean()) if nonspace.any() else 0.0
    maxes = [float(token_proba[s0:s1].max()) for s0, s1, _, _ in units]
    rows = []
    for k, (s0, s1, _, _) in enumerate(units):
        seg = token_proba[s0:s1]
        words = [w for w, sp in zip(view.lower[s0:s1], view.is_space[s0:s1]) if not sp]
        prev = maxes[k - 1] if k > 0 else 0.0
        nxt = maxes[k + 1] if k + 1 < len(units) else 0.0
        f = [
            "b",
            "mx=%d" % int(maxes[k] * 20),
            "mn=%d" % int(seg.mean() * 20),
            "f3=%d" % int((seg > 0.3).mean() * 10),
            "f5=%d" % int((seg > 0.5).mean() * 10),
            "am=%d" % int(amean * 20),
            "pmx=%d" % int(prev * 10),
            "nmx=%d" % int(nxt * 10),
            "pos=%s" % (k if k < 3 else "3+"),
            "len=%d" % min(10, len(words) // 5),
        ]
        f += ["w=" + w for w in words]
        f += ["bg=" + a + "|" + b for a, b in zip(words, words[1:])]
        f += view.sent_feats[view.sent_id[s0]]
        f += ["l=" + view.lemma[k] for k in range(s0, s1) if not view.is_space[k]]
        f += ["pb=" + view.pos[k] + view.pos[k + 1] for k in range(s0, s1 - 1)]
        f += ["ent=" + label for k in range(s0, s1) for label in ent_labels.get(k, ())]
        seg_lex = lex[s0:s1]
        f += ["lmx=%d" % int(seg_lex.max() * 10), "lmn=%d" % int(seg_lex.mean() * 20),
              "l3=%d" % min(5, int((seg_lex > 0.3).sum()))]
        rows.append(f)
    return rows

