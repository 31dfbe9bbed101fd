"""Article credibility: a calibrated probability that the article is reliable, with the
evidence that moved it, each piece pointing at spans of the text.

Model card: ``slant/models/credibility/CARD.md``. The model is a logistic regression
over three blocks of features, all computed by :func:`article_features` from the
NORMALISED text after :func:`strip_shortcuts` (the same function in training and
use, so the two cannot drift apart):

* style features a reader can check: quotation share, loaded language in the
  narration (words outside quotation marks; lexicon from PTC Loaded_Language spans),
  exclamation marks, all-caps words, headline style, second-person address,
  attribution cues, sentences with numbers but no attributed source, numbers,
  readability (Flesch reading ease) and length;
* hashed word 1-3-grams (the "wording") and case-kept character 2-4-grams within
  words ("letter case and spelling"), both sublinear TF-IDF of :func:`model_text`
  (apostrophes and quotation marks blanked: ISOT's scrape lost them in its unreliable
  rows); at inference the n-grams / words that moved the score most are reported
  with their positions.

Known shortcuts of the training corpora (ISOT's ``WASHINGTON (Reuters) -``
datelines, bylines, publisher names, image credits, newsletter and Politico
boilerplate, URLs) are blanked out -- replaced by spaces, so offsets do not move --
before any feature is computed, in training and in use alike: adding or removing a
dateline does not change the score.

References:
    Potthast et al. (2018), A Stylometric Inquiry into Hyperpartisan and Fake News.
    Horne & Adali (2017), This Just In: Fake News Packs a Lot in Title...
    Da San Martino et al. (2019), Fine-Grained Analysis of Propaganda in News Articles (PTC).
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from scipy.special import logit

from .errors import ModelNotFoundError
from .language import decline
from .modelfiles import read_model_files
from .datelines import DATELINE_PATTERNS
from .schema import CredibilityOut, EvidenceOut, NoticeOut, SpanOut, technique_uses

MODEL_ID = "credibility"
#: score >= this is "reliable", <= 1 - this "unreliable", between "uncertain"
LABEL_MARGIN = 0.6
#: most spans reported per evidence item
MAX_SPANS = 8
#: style features read off the headline: without one they are undefined (the model reads the training
#: mean, effect 0; their value shows 0), and the evidence says so
_HEADLINE_FEATURES = frozenset({"headline_caps", "headline_marks"})
#: articles with fewer words (after stripping) are not scored: the model never saw such texts
MIN_WORDS = 50
#: standardised style features are clipped to +-this, in training and use (very short or odd texts)
Z_CLIP = 5.0

# ---------------------------------------------------------------- shortcuts

_PUBLISHERS = (
    r"Reuters|CNN|POLITICO|Politico|ABC News|Eagle ?Rising|Freedom ?Daily|Right ?Wing ?News|Addicting ?Info|"
    r"Occupy ?Democrats|The Other 98%?|21st Century Wire|21WIRE|Alternate Current Radio(?: Network)?|Breitbart News|"
    r"Infowars|InfoWars|Huffington Post|HuffPost|Daily Caller|Fox News Insider|The Onion|Borowitz Report"
)
#: (name, pattern) of text blanked before features are computed; see the module docstring
SHORTCUT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    *(("dateline", pattern) for pattern in DATELINE_PATTERNS),
    ("agency", re.compile(r"\((?:Reuters|CNN|AP|AFP)\)")),
    ("publisher", re.compile(rf"\b(?:{_PUBLISHERS})(?=\W|$)")),
    ("byline", re.compile(r"^[ \t]*By[ \t]+[A-Z][\w.'’-]+(?:,?[ \t]+(?:and[ \t]+)?[A-Z][\w.'’-]+){0,5}[ \t]*$", re.M)),
    ("timestamp", re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}, \d{1,2}:\d{2} [AP]M(?: [A-Z]{2,4})?(?: BY(?: [A-Z][\w.'’-]+){1,4})?")),
    ("image_credit", re.compile(
        r"(?i)\b(?:featured )?(?:image|photo|picture|screenshot)s?(?: is a screenshot| (?:via|by|credit|courtesy)\b|:)[^\n]{0,120}")),
    ("image_credit", re.compile(r"Getty Images|\bAP Photo\b")),
    ("url", re.compile(r"(?i)https?://\S+|\bwww\.\S+|\bpic\.twitter\.com/\S+|\b[\w-]+\.(?:com|org|net|tv|us|co|news|info|it|ws)\b(?:/\S*)?")),
    ("handle", re.compile(r"(?<!\w)@\w+")),
    ("boilerplate", re.compile(r"The hardest-hitting political news\.|The document has moved here\.|Moved Permanently")),
    # sign-offs and house notices found by contrasting the classes within each corpus (2026-12-06)
    # from the start of a line or sentence, so the last word of the sentence before stays
    ("byline", re.compile(r"(?:^|(?<=[.!?\"”’)] ))(?:[A-Z][\w.'’-]*[ ,]+(?:and[ ]+)?){1,12}"
                          r"contributed (?:reporting|to (?:this|the) report)\.?", re.M)),
    ("byline", re.compile(r"\((?:Additional )?(?:[Rr]eporting|[Ww]riting|[Ee]diting)[^()\n]{0,40}? by [^()\n]{1,300}\)")),
    ("boilerplate", re.compile(
        r"(?:This article was funded in part by|\w+ is the sponsor of this content)[^\n]{0,300}?"
        r"(?:creation or production|no role in this coverage)\.")),
    ("boilerplate", re.compile(r"The following statements were posted to the verified Twitter accounts?[^\n]{0,300}?"
                               r"confirmed their accuracy\.")),
    ("promotion", re.compile(r"\**SUBSCRIBE (?:to Playbook|& BECOME A MEMBER)\b[^\n]{0,20}?(?=[:@—-]|$)|"
                             r"SUPPORT OUR WORK BY SUBSCRIBING[A-Z &]{0,40}|READ (?:MORE )*[A-Z ]*NEWS AT:[^\n]{0,30}?Files", re.M)),
    ("url", re.compile(r"\b(?:bit\.ly|t\.co|goo\.gl)/\S+")),
)
#: a line of at most this many chars holding one of these words is promotion, not article
_PROMO_LINE = re.compile(
    r"(?i)\b(?:subscribe|subscribing|newsletter|sign up|email address|register here|ad ?blocker|log ?in|read more|"
    r"follow \w+ on (?:facebook|twitter)|licensing opportunities|share this|comments)\b"
)
_PROMO_MAX = 200


def strip_shortcuts(text: str, *, names: tuple[str, ...] = ()) -> tuple[str, list[tuple[int, int, str]]]:
    """Blank out the known shortcuts of the news corpora (replace by spaces; newlines kept).

    Args:
        text: the (normalised) article, headline first if there is one.
        names: further strings to blank wherever they occur (e.g. the row's publisher
            and author names); ignored when shorter than 4 characters.
    Returns:
        (text of the same length with the shortcuts blanked, the blanked spans as
        ``(start, end, kind)`` in document order).
    """
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in SHORTCUT_PATTERNS:
        spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(text) if m.end() > m.start())
    for name in names:
        name = name.strip()
        if len(name) >= 4:
            spans.extend((m.start(), m.end(), "name") for m in re.finditer(re.escape(name), text))
    pos = 0
    for line in text.split("\n"):
        if len(line) <= _PROMO_MAX and _PROMO_LINE.search(line):
            spans.append((pos, pos + len(line), "promotion"))
        pos += len(line) + 1
    chars = list(text)
    for s, e, _ in spans:
        for i in range(s, e):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars), sorted(spans)


# ---------------------------------------------------------------- features

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_QUOTE = re.compile(r"“[^“”]{1,1500}”|\"[^\"\n]{1,1500}\"")
# a sentence ends on . ! ? (and a closing quote) followed by a line break, the end of the text, or a
# space and then no lower-case letter or digit -- so "$5.2 million", "the U.S. official" and
# "10:30 a.m. on Monday" are not cut -- or at a line break; marks not so followed stay inside
_AFTER_END = r"(?:\s*$|\s*\n|[ \t\u00a0]+[^\sa-z\d])"
_SENT = re.compile(
    r"(?:[^.!?\n]|[.!?]+(?![”\"’]?" + _AFTER_END + r"))+"  # the sentence's characters
    r"(?:[.!?]+[”\"’]?(?=" + _AFTER_END + r")|(?=\n)|$)"  # and its end
)
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,.]*%?")
_CUES = re.compile(
    r"(?i)\b(?:said|says|say|told|tells|according to|reported|reports|stated|announced|added|explained|wrote|"
    r"confirmed|testified|claimed|argued|noted|insisted|spokesman|spokeswoman|spokesperson)\b"
)
_SECOND = re.compile(r"(?i)\b(?:you|your|yours|yourself|yourselves)\b")
_CAPS = re.compile(r"\b[A-Z]{4,}\b")
_NOT_CAPS = frozenset({"NATO", "NASA", "NAFTA", "OPEC", "ISIS", "FEMA", "HIPAA", "USDA", "NCAA", "NASCAR", "UNICEF", "AIDS", "COVID"})

#: names of the dense (style) features, in column order
STYLE_FEATURES: tuple[str, ...] = (
    "quotation_share", "loaded_narration", "exclamations", "caps_words", "headline_caps", "headline_marks",
    "second_person", "attribution_cues", "unsourced_numbers", "numbers", "readability", "log_words",
    "loaded_sentences", "word_length",
)
#: what each style feature measures, for the evidence
DESCRIPTIONS: dict[str, str] = {
    "quotation_share": "share of the text's characters inside quotation marks",
    "loaded_narration": "loaded-language words (PTC lexicon) per 100 words of narration (outside quotations)",
    "exclamations": "exclamation marks per 100 words",
    "caps_words": "ALL-CAPS words (4+ letters) per 100 words",
    "headline_caps": "share of the headline's words in ALL CAPS",
    "headline_marks": "exclamation and question marks in the headline",
    "second_person": "'you'/'your' per 100 words (addressing the reader)",
    "attribution_cues": "attribution cues ('said', 'according to', ...) per 100 words",
    "unsourced_numbers": "share of sentences with a number but no attribution cue or quotation",
    "numbers": "numbers per 100 words",
    "readability": "Flesch reading ease (higher = simpler text)",
    "log_words": "log(1 + number of words)",
    "loaded_sentences": "share of sentences with a loaded-language word in their narration (outside quotations)",
    "word_length": "mean letters per word",
    "wording": "word 1-3-grams of the linear text model that moved the score most",
    "letter_case_and_spelling": "words whose character 2-4-grams (capitals, punctuation, spelling) moved the score most",
}


@functools.cache
def loaded_terms() -> frozenset[str]:
    """The loaded-language lexicon (``models/credibility/loaded_terms.json``, from PTC)."""
    data = json.loads((model_dir() / "loaded_terms.json").read_text(encoding="utf-8"))
    return frozenset(data["terms"])


@dataclass
class ArticleFeatures:
    """Style features of one article and the spans behind them (offsets into the text given).

    Attributes:
        values: feature name -> value, for every name in :data:`STYLE_FEATURES`.
        spans: feature name -> ``(start, end)`` spans that make the value checkable.
        text: the stripped text the features (and the wording model) were computed on.
        n_words: words in the stripped text.
    """

    values: dict[str, float]
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    text: str = ""
    n_words: int = 0
    #: features the text cannot show (the headline's, when there is none): NaN in :meth:`vector`,
    #: which the model reads as the training mean (effect 0), in training and in use
    undefined: frozenset[str] = frozenset()

    def vector(self) -> np.ndarray:
        """Values in :data:`STYLE_FEATURES` order, shape (d,); NaN for an undefined feature."""
        return np.asarray([np.nan if f in self.undefined else self.values[f] for f in STYLE_FEATURES],
                          dtype=np.float64)


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    n = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(n, 1)


def _headline(text: str) -> tuple[int, int] | None:
    """The first line, when it looks like a headline (<= 25 words, a body follows, no final period);
    not a label of one or two all-caps words (``LONDON``, ``EXCLUSIVE``, ``FILE PHOTO``, ``UPDATED
    3:45 PM``): read as an all-caps headline, such a line moved a score from 0.69 to 0.11."""
    m = re.match(r"\s*([^\n]+)\n", text)
    if not m:
        return None
    line = m.group(1).rstrip()
    words = _WORD.findall(line)
    if not line or len(words) > 25 or line.endswith(".") or not text[m.end():].strip():
        return None
    if len(words) <= 2 and all(w.isupper() for w in words):
        return None
    return m.start(1), m.start(1) + len(line)


def article_features(text: str, *, names: tuple[str, ...] = ()) -> ArticleFeatures:
    """Style features of an article, computed on the text with shortcuts blanked.

    Args:
        text: the NORMALISED article text (headline as the first line, if any).
        names: extra strings to blank (see :func:`strip_shortcuts`).
    Returns:
        :class:`ArticleFeatures`; its spans index ``text`` (blanking keeps offsets).
    """
    stripped, _ = strip_shortcuts(text, names=names)
    words = list(_WORD.finditer(stripped))
    n = max(len(words), 1)
    per100 = 100.0 / n
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(stripped)]
    in_quote = np.zeros(len(stripped) + 1, dtype=bool)
    for s, e in quotes:
        in_quote[s:e] = True
    narration = [w for w in words if not in_quote[w.start()]]
    lexicon = loaded_terms()
    loaded = [w for w in narration if w.group().lower() in lexicon]
    chars = max(sum(not c.isspace() for c in stripped), 1)
    quoted_chars = sum(sum(not c.isspace() for c in stripped[s:e]) for s, e in quotes)
    exclaims = [(m.start(), m.end()) for m in re.finditer(r"!+", stripped)]
    caps = [m for m in _CAPS.finditer(stripped) if m.group() not in _NOT_CAPS]
    head = _headline(stripped)
    head_caps, head_marks = 0.0, 0.0
    if head:
        hw = _WORD.findall(stripped[head[0]:head[1]])
        head_caps = sum(len(w) >= 2 and w.isupper() for w in hw) / max(len(hw), 1)
        head_marks = float(len(re.findall(r"[!?]", stripped[head[0]:head[1]])))
    second = [(m.start(), m.end()) for m in _SECOND.finditer(stripped)]
    cues = [(m.start(), m.end()) for m in _CUES.finditer(stripped)]
    numbers = [(m.start(), m.end()) for m in _NUMBER.finditer(stripped)]
    sentences = [(m.start() + len(g) - len(g.lstrip()), m.start() + len(g.rstrip()))
                 for m in _SENT.finditer(stripped) if _WORD.search(g := m.group())]
    with_number = [(s, e) for s, e in sentences if _NUMBER.search(stripped[s:e])]
    unsourced = [(s, e) for s, e in with_number if not _CUES.search(stripped[s:e]) and not in_quote[s:e].any()
                 and not re.search(r"[“”\"]", stripped[s:e])]
    n_sents = max(len(sentences), 1)
    # sentences holding a loaded word's start (a sentence ends after . ! ? or at a line break,
    # which no word contains, so no word straddles two sentences)
    loaded_at = [w.start() for w in loaded]  # in text order
    loaded_sents = [(s, e) for s, e in sentences
                    if (k := bisect.bisect_left(loaded_at, s)) < len(loaded_at) and loaded_at[k] < e]
    syll = sum(_syllables(w.group()) for w in words)
    flesch = 206.835 - 1.015 * (n / n_sents) - 84.6 * (syll / n)
    values = {
        "quotation_share": quoted_chars / chars,
        "loaded_narration": 100.0 * len(loaded) / max(len(narration), 1),
        "exclamations": len(exclaims) * per100,
        "caps_words": len(caps) * per100,
        "headline_caps": head_caps,
        "headline_marks": min(head_marks, 3.0),
        "second_person": len(second) * per100,
        "attribution_cues": len(cues) * per100,
        "unsourced_numbers": len(unsourced) / max(len(with_number), 1) if with_number else 0.0,
        "numbers": len(numbers) * per100,
        "readability": float(np.clip(flesch, -50.0, 120.0)),
        "log_words": math.log1p(len(words)),
        "loaded_sentences": len(loaded_sents) / n_sents,
        "word_length": sum(len(w.group()) for w in words) / n if words else 0.0,
    }
    spans = {
        "quotation_share": sorted(quotes, key=lambda q: q[0] - q[1]),
        "loaded_narration": [(w.start(), w.end()) for w in loaded],
        "exclamations": exclaims,
        "caps_words": [(m.start(), m.end()) for m in caps],
        "headline_caps": [head] if head else [],
        "headline_marks": [head] if head and head_marks else [],
        "second_person": second,
        "attribution_cues": cues,
        "unsourced_numbers": unsourced,
        "numbers": numbers,
        "loaded_sentences": loaded_sents,
    }
    return ArticleFeatures(values=values, spans=spans, text=stripped, n_words=len(words),
                           undefined=frozenset() if head else _HEADLINE_FEATURES)


# ---------------------------------------------------------------- model

_TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
#: an apostrophe inside a word, and quotation marks: see :func:`model_text`
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_QUOTE_CHARS = re.compile(r"[“”\"‘’']")


def model_text(text: str) -> str:
    """The text the two n-gram blocks read: apostrophes and quotation marks replaced by spaces.

    ISOT's scrape lost them in most of its unreliable rows ("don t", "Clinton s", no
    quotation marks), so character n-grams that see them learn the scraper, not the
    article. Replacing them by a space in every text, in training and use, makes "don't"
    and the damaged "don t" the same n-grams. One character for one: offsets do not move.
    (Quotations still count in the style feature ``quotation_share``, masked for ISOT.)
    """
    return _QUOTE_CHARS.sub(" ", _INNER_APOSTROPHE.sub(" ", text))


def make_vectorizers(n_features: int = 2**18) -> tuple[Any, Any]:
    """The two hashed blocks of the text model, as raw counts (no normalisation).

    Returns:
        (word 1-3-grams, lower-cased; character 2-4-grams within words, case kept --
        the block that sees capitals, punctuation and spelling). Both read
        :func:`model_text`; :func:`tfidf` turns their counts into the model's inputs.
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    word = HashingVectorizer(n_features=n_features, ngram_range=(1, 3), token_pattern=_TOKEN_PATTERN,
                             alternate_sign=False, norm=None, lowercase=True)
    char = HashingVectorizer(n_features=n_features, analyzer="char_wb", ngram_range=(2, 4), lowercase=False,
                             alternate_sign=False, norm=None)
    return word, char


def fit_idf(counts: Any) -> np.ndarray:
    """Smoothed inverse document frequency per column, ``ln((1 + n) / (1 + df)) + 1``, shape (n_features,).

    Args:
        counts: sparse (n_docs, n_features) raw counts of the training articles.
    """
    import scipy.sparse as sp

    df = np.bincount(sp.csr_matrix(counts).indices, minlength=counts.shape[1])
    return np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0


def tfidf(counts: Any, idf: np.ndarray) -> Any:
    """Sublinear TF-IDF, l2-normalised per row: ``(1 + ln tf) * idf / ||.||`` (scikit-learn's
    ``TfidfTransformer(sublinear_tf=True)``), sparse float64 of the shape of ``counts``."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    X = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    X.data = (1.0 + np.log(X.data)) * idf[X.indices]
    return normalize(X)


@functools.cache
def _gram_hasher(n_features: int) -> Any:
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)


def _columns(grams: list[str], n_features: int) -> list[int]:
    """The HashingVectorizer column of every n-gram (``abs(murmurhash3_32(gram)) % n``), in
    one call of scikit-learn's hashing loop (the one HashingVectorizer runs): about 5x
    faster than one murmurhash call per n-gram; tested equal to that definition."""
    if not grams:
        return []
    X = _gram_hasher(n_features).transform([g] for g in grams)  # one n-gram, one row
    return X.indices.tolist()


#: word -> columns of its char_wb n-grams, per n_features; words repeat (Zipf), so this
#: catches most words. Emptied when full, so it stays under ~10 MB on any corpus.
_WORD_COLUMNS: dict[int, dict[str, tuple[int, ...]]] = {}
WORD_CACHE_SIZE = 32_768


def _word_columns(words: Iterable[str], n_features: int) -> dict[str, tuple[int, ...]]:
    """Columns of the char_wb n-grams of each distinct word (as the char vectorizer hashes them)."""
    cache = _WORD_COLUMNS.setdefault(n_features, {})
    out = {w: cache.get(w) for w in words}
    missing = [w for w, cols in out.items() if cols is None]
    if missing:
        grams = [_char_wb_grams(f" {w} ") for w in missing]
        flat = _columns([g for gs in grams for g in gs], n_features)
        if len(cache) + len(missing) > WORD_CACHE_SIZE:
            cache.clear()
        k = 0
        for w, gs in zip(missing, grams):
            out[w] = cache[w] = tuple(flat[k:k + len(gs)])
            k += len(gs)
    return out  # type: ignore[return-value]  # every value is set


def _ngram_spans(canon: str, n_features: int, columns: Iterable[int] | None = None) -> dict[int, list[tuple[int, int, str]]]:
    """Word-block hash column -> the ``(start, end, ngram)`` occurrences (1-3-grams) in ``canon``.

    Args:
        canon: :func:`model_text` of the article (same offsets as the article).
        columns: keep only these columns (the evidence needs a handful); default: all.
    """
    toks = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(_TOKEN_PATTERN, canon)]
    grams = toks + [(a[0], b[1], f"{a[2]} {b[2]}") for a, b in zip(toks, toks[1:])]
    grams += [(a[0], c[1], f"{a[2]} {b[2]} {c[2]}") for a, b, c in zip(toks, toks[1:], toks[2:])]
    keep = None if columns is None else set(columns)
    out: dict[int, list[tuple[int, int, str]]] = {}
    for (s, e, g), col in zip(grams, _columns([g for _, _, g in grams], n_features)):
        if keep is None or col in keep:
            out.setdefault(col, []).append((s, e, g))
    return out


def _char_wb_grams(padded: str, min_n: int = 2, max_n: int = 4) -> list[str]:
    """The char_wb n-grams of one space-padded word, exactly as scikit-learn makes them."""
    grams = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(padded[:n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset:offset + n])
        if offset == 0:  # a short word is counted once
            break
    return grams


@dataclass(frozen=True)
class _CharColumns:
    """The char block of one text, from its words: what the char vectorizer counts.

    ``words``: ``(start, end, word)`` of each whitespace-separated word; ``columns``: the
    hash columns of each distinct word's char_wb n-grams; ``counts``: column -> count
    over the text (equal to the char ``HashingVectorizer`` row; tested).
    """

    words: list[tuple[int, int, str]]
    columns: dict[str, tuple[int, ...]]
    counts: dict[int, int]

    @classmethod
    def of(cls, canon: str, n_features: int) -> "_CharColumns":
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", canon)]
        freq: dict[str, int] = {}
        for _, _, w in words:
            freq[w] = freq.get(w, 0) + 1
        # per distinct word, in order of first occurrence (words repeat: ~2.5x less work)
        columns, counts = _word_columns(freq, n_features), {}
        for w, f in freq.items():
            for c in columns[w]:
                counts[c] = counts.get(c, 0) + f
        return cls(words, columns, counts)

    def row(self, n_features: int) -> Any:
        """The counts as a sparse (1, n_features) row, as ``HashingVectorizer.transform`` gives."""
        import scipy.sparse as sp

        cols = np.fromiter(self.counts.keys(), dtype=np.int64, count=len(self.counts))
        vals = np.fromiter(self.counts.values(), dtype=np.float64, count=len(self.counts))
        order = np.argsort(cols)
        return sp.csr_matrix((vals[order], cols[order], np.array([0, len(cols)])), shape=(1, n_features))


def _char_word_effects(char: _CharColumns, w_char: np.ndarray, idf: np.ndarray) -> list[tuple[float, int, int]]:
    """Contribution of each whitespace-separated word of ``char`` to the char block's log-odds.

    A column's term ``w_c * x_c`` (sublinear TF-IDF, see :func:`tfidf`) is shared equally
    by the occurrences of its n-gram, so the contributions sum to ``w_char . x_char``.
    Returns:
        ``(contribution, start, end)`` per word, offsets into the article (those of :func:`model_text`).
    """
    counts = char.counts
    x = {c: (1.0 + math.log(k)) * float(idf[c]) for c, k in counts.items()}
    norm = math.sqrt(sum(v * v for v in x.values())) or 1.0
    share = {c: float(w_char[c]) * x[c] / norm / counts[c] for c in counts}
    effect = {w: sum(share[c] for c in cols) for w, cols in char.columns.items()}
    return [(effect[w], s, e) for s, e, w in char.words]


@dataclass(frozen=True)
class CredibilityModel:
    """The shipped credibility model (see ``models/credibility/CARD.md``).

    Logit of "reliable" = ``intercept + w_word . x_word + w_char . x_char + w_style . z``,
    with ``x_word``/``x_char`` the sublinear TF-IDF rows of :func:`model_text` (idf
    ``idf_word``/``idf_char`` from the training articles), ``z`` the standardised style
    features; probability = ``sigmoid(a * logit + b)``.
    ``word_mean`` / ``char_mean``: mean of each text block's term over the training
    articles, the baseline its evidence effect is measured from.
    """

    w_word: np.ndarray
    w_char: np.ndarray
    w_style: np.ndarray
    style_mean: np.ndarray
    style_scale: np.ndarray
    intercept: float
    word_mean: float
    char_mean: float
    platt: tuple[float, float]
    n_features: int
    idf_word: np.ndarray
    idf_char: np.ndarray

    def text_matrix(self, texts: list[str]) -> Any:
        """Sparse (n, 2 * n_features): the word block then the char block (TF-IDF of :func:`model_text`)."""
        word, char = make_vectorizers(self.n_features)
        canon = [model_text(t) for t in texts]
        return self.weigh(word.transform(canon), char.transform(canon))

    def weigh(self, word_counts: Any, char_counts: Any) -> Any:
        """Raw counts of the two blocks -> the model's sparse input (n, 2 * n_features)."""
        import scipy.sparse as sp

        return sp.hstack([tfidf(word_counts, self.idf_word), tfidf(char_counts, self.idf_char)]).tocsr()

    def logits(self, X_text: Any, style: np.ndarray) -> np.ndarray:
        """Uncalibrated log-odds of reliable, shape (n,): ``X_text`` from :meth:`text_matrix`, ``style`` (n, d)
        (NaN: an undefined feature, read as the training mean)."""
        z = self.style_z(style)
        w = np.concatenate([self.w_word, self.w_char])
        return np.asarray(X_text @ w + z @ self.w_style + self.intercept, dtype=np.float64)

    def style_z(self, style: np.ndarray) -> np.ndarray:
        """Standardised, clipped style features, same shape as ``style``; NaN (undefined) -> 0."""
        style = np.where(np.isnan(style), self.style_mean, style)
        return np.clip((style - self.style_mean) / self.style_scale, -Z_CLIP, Z_CLIP)

    @property
    def baseline(self) -> float:
        """Calibrated log-odds of "reliable" for the average training article (every style
        feature at its mean, each text block at its mean term): the point the evidence's
        effects start from, ``a * (intercept + word_mean + char_mean) + b``."""
        a, b = self.platt
        return float(a * (self.intercept + self.word_mean + self.char_mean) + b)

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * logits + b)))

    def score(self, feats: list[ArticleFeatures]) -> np.ndarray:
        """Calibrated P(reliable), shape (len(feats),)."""
        X = self.text_matrix([f.text for f in feats])
        return self.calibrate(self.logits(X, np.vstack([f.vector() for f in feats])))

    def explain(self, feats: ArticleFeatures, top: int = 6, quote: Any = None) -> tuple[float, list[EvidenceOut]]:
        """Score one article and list the evidence, spans in the offsets of the text given.

        Effects are contributions to the calibrated log-odds of "reliable", relative to the
        average training article: ``a * w_j * z_j`` for a style feature; ``a * (w . x -
        mean)`` for each text block. The spans of "wording" are its strongest word
        n-grams; those of "letter_case_and_spelling" the words whose character n-grams
        moved the score most. Baseline + the effects = the calibrated log-odds.

        Args:
            quote: ``quote(start, end)``, the text a description quotes for the span ``[start, end)``
                of ``feats.text`` (default: that text; the analysis quotes the original text, so
                that a description names what the span shows: ``wife--the``, not ``wife—the``).
        Returns:
            (P(reliable), evidence sorted by |effect|, spans in the offsets of ``feats``' text).
        """
        a = self.platt[0]
        quote = quote or (lambda s, e: feats.text[s:e])
        # model_text once; the char block's counts from its words (they are needed for the
        # per-word effects anyway) instead of a second char n-gram pass by the vectorizer
        canon = model_text(feats.text)
        char = _CharColumns.of(canon, self.n_features)
        word_vectorizer, _ = make_vectorizers(self.n_features)
        X = self.weigh(word_vectorizer.transform([canon]), char.row(self.n_features))
        p = float(self.calibrate(self.logits(X, feats.vector()[None, :]))[0])
        z = self.style_z(feats.vector())
        evidence = []
        for j, name in enumerate(STYLE_FEATURES):
            spans = feats.spans.get(name, [])
            description = DESCRIPTIONS[name]
            if name in feats.undefined:
                description += (" (no headline: the first line does not read as one, so it is not scored: "
                                "read as the average training article, effect 0)")
            evidence.append(EvidenceOut(
                feature=name, value=round(float(feats.values[name]), 4),
                effect=round(float(a * self.w_style[j] * z[j]), 4) + 0.0,  # + 0.0: never -0.0
                description=description, spans=[SpanOut(start=s, end=e) for s, e in spans[:MAX_SPANS]], n_spans=len(spans),
            ))
        row = X[0, : self.n_features].tocsr()
        contrib = {int(c): float(self.w_word[c] * v) for c, v in zip(row.indices, row.data)}
        word_term = sum(contrib.values())
        strongest_cols = sorted(contrib.items(), key=lambda kv: -abs(kv[1]))[:top]
        where = _ngram_spans(canon, self.n_features, columns=[col for col, _ in strongest_cols])
        spans, words = [], []
        for col, c in strongest_cols:
            occ = where.get(col, [])
            if occ:
                words.append(f"'{occ[0][2]}' ({a * c:+.2f})")
                spans.extend((s, e) for s, e, _ in occ[:2])
        evidence.append(EvidenceOut(
            feature="wording", value=round(word_term, 4), effect=round(a * (word_term - self.word_mean), 4),
            description=DESCRIPTIONS["wording"] + (": " + ", ".join(words) if words else ""),
            spans=[SpanOut(start=s, end=e) for s, e in sorted(set(spans))[:MAX_SPANS]], n_spans=len(set(spans)),
        ))
        per_word = _char_word_effects(char, self.w_char, self.idf_char)
        char_term = sum(c for c, _, _ in per_word)
        strongest = sorted(per_word, key=lambda t: -abs(t[0]))[:MAX_SPANS]
        named: dict[tuple[str, str], int] = {}  # (word as quoted, effect) -> its spans: "'—' x4 (+0.17 each)"
        for c, s, e in strongest:
            key = (quote(s, e), f"{a * c:+.2f}")
            named[key] = named.get(key, 0) + 1
        evidence.append(EvidenceOut(
            feature="letter_case_and_spelling", value=round(char_term, 4), effect=round(a * (char_term - self.char_mean), 4),
            description=DESCRIPTIONS["letter_case_and_spelling"] + ": " + ", ".join(
                f"'{word}' ({effect})" if n == 1 else f"'{word}' x{n} ({effect} each)" for (word, effect), n in named.items()),
            spans=[SpanOut(start=s, end=e) for _, s, e in sorted(strongest, key=lambda t: t[1])], n_spans=len(strongest),
        ))
        evidence.sort(key=lambda ev: -abs(ev.effect))
        return p, evidence

    def save(self, root: Any, meta: dict[str, Any]) -> None:
        """Write ``model.npz`` and ``meta.json`` (no pickle) into directory ``root``."""
        np.savez_compressed(root / "model.npz", w_word=self.w_word.astype(np.float32), w_char=self.w_char.astype(np.float32),
                            idf_word=self.idf_word.astype(np.float32), idf_char=self.idf_char.astype(np.float32),
                            w_style=self.w_style, style_mean=self.style_mean, style_scale=self.style_scale)
        meta = dict(meta, intercept=self.intercept, word_mean=self.word_mean, char_mean=self.char_mean,
                    platt=list(self.platt), n_features=self.n_features, style_features=list(STYLE_FEATURES))
        (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, root: Any) -> "CredibilityModel":
        """Read a model written by :meth:`save` from ``root``.

        Raises:
            ModelNotFoundError: a file is missing or the features do not match this code (E212).
        """
        meta, arrays = read_model_files(root, name="credibility", code="E212")
        if meta.get("style_features") != list(STYLE_FEATURES) or "idf_word" not in arrays:
            raise ModelNotFoundError(f"[E212] credibility model at {root} was trained with other features; retrain it")
        return cls(w_word=arrays["w_word"].astype(np.float64), w_char=arrays["w_char"].astype(np.float64),
                   w_style=arrays["w_style"], style_mean=arrays["style_mean"], style_scale=arrays["style_scale"],
                   intercept=float(meta["intercept"]), word_mean=float(meta["word_mean"]),
                   char_mean=float(meta["char_mean"]), platt=tuple(meta["platt"]), n_features=int(meta["n_features"]),
                   idf_word=arrays["idf_word"].astype(np.float64), idf_char=arrays["idf_char"].astype(np.float64))


def model_dir() -> Any:
    """The shipped model's directory (an ``importlib.resources`` Traversable)."""
    return resources.files("slant") / "models" / MODEL_ID


@functools.cache
def load_model() -> CredibilityModel:
    """The shipped credibility model, loaded once per process (raises ModelNotFoundError E212)."""
    return CredibilityModel.read(model_dir())


def label_of(score: float) -> str:
    """``reliable`` / ``unreliable`` / ``uncertain`` for a P(reliable) (margin :data:`LABEL_MARGIN`)."""
    if score >= LABEL_MARGIN:
        return "reliable"
    if score <= 1.0 - LABEL_MARGIN:
        return "unreliable"
    return "uncertain"


# ---------------------------------------------------------------- stage

def _context_evidence(ctx: Any, n_words: int) -> list[EvidenceOut]:
    """Evidence from earlier stages (techniques by voice, claims without a source).

    These are shown for the reader to check but are NOT inputs of the trained score
    (effect 0): the model is trained on text-level features only.
    """
    out = []
    per100 = 100.0 / max(n_words, 1)
    techniques = technique_uses(ctx.out.get("techniques") or [])
    voices = ctx.out.get("voices") or []
    if techniques:
        outlet = [t for t in techniques if (t.voice or "outlet") == "outlet"]
        quoted = [t for t in techniques if (t.voice or "outlet") != "outlet"]
        for name, group, who in (("techniques_outlet", outlet, "the outlet's own narration"),
                                 ("techniques_quoted", quoted, "quoted speakers")):
            out.append(EvidenceOut(
                feature=name, value=round(len(group) * per100, 4), effect=0.0,
                description=f"technique uses per 100 words in {who} (context; not an input of the score)",
                spans=[SpanOut(start=t.start, end=t.end) for t in group[:MAX_SPANS]], n_spans=len(group),
            ))
    claims = ctx.out.get("claims") or []
    if claims and voices:
        unsourced = [c for c in claims if c.voice in (None, "outlet")]
        out.append(EvidenceOut(
            feature="claims_without_source", value=round(len(unsourced) / len(claims), 4), effect=0.0,
            description="share of check-worthy claims asserted in the outlet's own voice, with no attributed speaker "
                        "(context; not an input of the score)",
            spans=[SpanOut(start=c.start, end=c.end) for c in unsourced[:MAX_SPANS]], n_spans=len(unsourced),
        ))
    return out


def with_title(text: str, title: Any) -> tuple[str, int]:
    """The text the model reads for a document whose title came apart from its text (a
    corpus row's title column, an HTML page's ``<title>``): ``title + "\n\n" + text``, as in
    training (:func:`slant.commands.credibility.read_news`), unless ``text`` already starts
    with the title.

    Args:
        text: the normalised document text.
        title: ``meta["title"]`` (any value; None or blank = no title).
    Returns:
        ``(text read, prefix length)``: offsets of the text read minus the prefix length are
        offsets of ``text``; the prefix is 0 when nothing was added.
    """
    from .normalize import normalize

    head = " ".join(normalize(str(title)).text.split()) if title is not None else ""
    if not head:
        return text, 0
    start = " ".join(text[:len(head) * 2 + 16].split())
    if start.casefold().startswith(head.casefold()):
        return text, 0
    return head + "\n\n" + text, len(head) + 2


def credibility_stage(ctx: Any) -> None:
    """Set ``ctx.out["credibility"]``: P(reliable), its label and the evidence behind it.

    Features are computed from the normalised text (see :func:`article_features`), headed
    by ``meta["title"]`` when the text does not start with it (:func:`with_title`; training
    read every corpus row so), with the meta ``publisher``/``author`` blanked as in
    training; spans are mapped to the original text. An article of fewer than :data:`MIN_WORDS` words is not scored
    (``credibility`` stays None) and gets notice W601; nor is one that is clearly not
    English (``ctx.language``, :mod:`slant.language`), notice W602. Raises ModelNotFoundError (E212)
    when the model is missing.
    """
    model = load_model()
    if decline(ctx, "W602", "credibility not scored", "English news"):
        return
    meta = ctx.document.meta or {}
    names = tuple(str(meta[k]) for k in ("publisher", "author") if meta.get(k))
    text, prefix = with_title(ctx.normalized.text, meta.get("title"))
    feats = article_features(text, names=names)
    if feats.n_words < MIN_WORDS:
        ctx.out.setdefault("notices", []).append(NoticeOut(
            code="W601", message=f"credibility not scored: {feats.n_words} words after stripping datelines and "
                                 f"boilerplate; the model needs at least {MIN_WORDS}"))
        return
    def quote(s: int, e: int) -> str:  # the original text behind a span, as the reader sees it
        if s < prefix:
            return text[s:e]
        o = ctx.span(s - prefix, e - prefix)
        return ctx.document.text[o.start:o.end]

    score, evidence = model.explain(feats, quote=quote)
    # spans in the title (not part of the text given, so nothing to point at) are left out
    mapped = [
        ev.model_copy(update={"spans": [ctx.span(s.start - prefix, s.end - prefix) for s in ev.spans if s.start >= prefix]})
        for ev in evidence
    ]
    mapped.extend(_context_evidence(ctx, feats.n_words))
    ctx.out["credibility"] = CredibilityOut(score=round(score, 4), label=label_of(score), evidence=mapped,
                                            baseline=round(model.baseline, 4),
                                            log_odds=round(float(logit(score)), 4) if 0.0 < score < 1.0 else None)
