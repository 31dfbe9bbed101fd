"""The fine-tuned transformer token tagger of the techniques detector (ONNX Runtime, no torch).

A MiniLM encoder (6 layers, 384 units; Wang et al., NeurIPS 2020, as distilled in
sentence-transformers' all-MiniLM-L6-v2) fine-tuned on the PTC train split to tell, for
each WordPiece, whether it lies inside a propaganda span (SemEval-2020 Task 11, SI). The
shipped file is the fine-tuned network exported to ONNX with int8 weights
(``encoder.onnx``) beside its WordPiece vocabulary (``tokenizer.json``, HF tokenizers
format). :func:`slant.techniques.encoder_training.fine_tune` rebuilds it.

A text longer than one window is read in windows of :data:`WINDOW` WordPieces that
overlap by half; a WordPiece's logit is the mean over the windows holding it.

The network reads :func:`encoder_text`: the text with the characters its WordPiece
vocabulary cannot hold (emoji, other symbols, format characters) blanked, one space for
one character, so offsets still index the text. Without that, a word with an emoji
attached ("human🇺🇸") was one ``[UNK]`` piece, and the emoji's spaCy tokens took the
word's logit. ``[CLS]`` or ``[SEP]`` written in an article are read as text.

ONNX Runtime uses one thread per core unless ``SLANT_ENCODER_THREADS`` says otherwise
(``slant batch`` workers set it to 1: the workers are the parallelism).
"""

from __future__ import annotations

import functools
import os
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import softmax

from ..errors import InputError, ModelNotFoundError

#: WordPieces per window, [CLS] and [SEP] excluded (the model was fine-tuned on 254)
WINDOW = 254
#: WordPieces between the starts of two windows (consecutive windows share WINDOW - STRIDE)
STRIDE = WINDOW // 2
#: WordPieces of a span and its context read by the technique classifier ([CLS], [SEP] excluded)
SPAN_WINDOW = 126
#: logit given to a range that no WordPiece overlaps (whitespace): P(in span) ~ 0.0025
NO_PIECE = -6.0


#: Unicode categories blanked for the network: other and modifier symbols (emoji, skin
#: tones, flags' regional indicators, ©), format characters (ZWJ, bidi marks), private use,
#: unassigned and surrogates
_OPAQUE_CATEGORIES = frozenset({"So", "Sk", "Cf", "Co", "Cn", "Cs"})


@functools.lru_cache(maxsize=8192)
def _opaque(ch: str) -> bool:
    return unicodedata.category(ch) in _OPAQUE_CATEGORIES or "\ufe00" <= ch <= "\ufe0f" or ch == "\u20e3"


def encoder_text(text: str) -> str:
    """``text`` as the network reads it: each non-ASCII symbol, format or variation-selector
    character replaced by a space (same length, so offsets are unchanged)."""
    if text.isascii():
        return text
    return "".join(" " if ch > "\x7f" and _opaque(ch) else ch for ch in text)


#: the files of an encoder, in its model folder
FILES = ("encoder.onnx", "tokenizer.json")
#: the file of the technique classifier (optional), beside them
SPAN_FILE = "tc_encoder.onnx"


def make_tokenizer(tokenizer_json: str) -> Any:
    """The WordPiece tokenizer of ``tokenizer.json`` (HF tokenizers format) set up as the
    network reads text, in training and in use: no truncation or padding, and ``[SEP]`` or
    ``[CLS]`` written in an article read as text."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(tokenizer_json)
    tok.no_truncation()
    tok.no_padding()
    tok.encode_special_tokens = True
    return tok


def encode(tokenizer: Any, text: str) -> tuple[np.ndarray, np.ndarray]:
    """WordPiece ids (n,) int64 and char offsets (n, 2) int64 of :func:`encoder_text` of
    ``text`` (no special tokens added; offsets index ``text``)."""
    enc = tokenizer.encode(encoder_text(text), add_special_tokens=False)
    return np.asarray(enc.ids, dtype=np.int64), np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)


def copy_files(source: Any, directory: str | Path) -> None:
    """Copy an encoder's :data:`FILES` (and :data:`SPAN_FILE` when there is one) from
    ``source`` (a folder or Traversable) into ``directory``, leaving a file that already
    holds the same bytes (the source itself)."""
    out = Path(directory)
    for name in FILES + ((SPAN_FILE,) if (source / SPAN_FILE).is_file() else ()):
        data = (source / name).read_bytes()
        target = out / name
        if not (target.is_file() and target.read_bytes() == data):
            target.write_bytes(data)


def windows(n: int, size: int = WINDOW, stride: int | None = None) -> list[tuple[int, int]]:
    """``[start, end)`` WordPiece windows covering ``n`` pieces, ``size`` long, ``stride`` apart
    (default ``size // 2``); one window when ``n <= size``, none when ``n == 0``."""
    if n <= 0:
        return []
    if n <= size:
        return [(0, n)]
    stride = stride or size // 2
    out, i = [], 0
    while True:
        out.append((i, min(i + size, n)))
        if i + size >= n:
            return out
        i += stride


def open_network(directory: Any, name: str) -> tuple[Any, Any]:
    """The tokenizer (``tokenizer.json``) and an ONNX Runtime session of the network file
    ``name`` in ``directory`` (a path or importlib Traversable), on the CPU, with
    ``SLANT_ENCODER_THREADS`` threads when set.

    Raises:
        ModelNotFoundError: a file is missing, unreadable or not a model (E202).
        InputError: ``SLANT_ENCODER_THREADS`` is set to something else than a positive
            integer (E120).
    """
    import onnxruntime as ort

    threads = os.environ.get("SLANT_ENCODER_THREADS", "").strip()
    if threads and not (threads.isdigit() and int(threads) > 0):
        raise InputError(f"[E120] SLANT_ENCODER_THREADS must be a positive number of threads, not {threads!r}")
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = int(threads)
    opts.log_severity_level = 3
    try:
        onnx_bytes = (directory / name).read_bytes()
        tokenizer = make_tokenizer((directory / "tokenizer.json").read_text(encoding="utf-8"))
        session = ort.InferenceSession(onnx_bytes, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # OSError, or the exceptions tokenizers and ONNX Runtime raise on a bad file
        raise ModelNotFoundError(f"[E202] techniques encoder at {directory}: {' '.join(str(exc).split())[:300]}; "
                                 "reinstall slant, rebuild it with `slant train techniques --data DIR`, "
                                 "or set technique_encoder = false") from None
    return tokenizer, session


def piece_range(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """``[lo, hi)`` indices of the WordPieces (char ``offsets`` (n, 2), in text order, not
    overlapping) that overlap the char span ``[start, end)``; ``lo == hi`` when none does."""
    lo = int(np.searchsorted(offsets[:, 1], start, side="right"))
    hi = int(np.searchsorted(offsets[:, 0], end, side="left"))
    return lo, max(lo, hi)


def span_input(ids: np.ndarray, offsets: np.ndarray, start: int, end: int, cls: int, sep: int,
               size: int = SPAN_WINDOW) -> tuple[np.ndarray, np.ndarray] | None:
    """The technique classifier's input for the char span ``[start, end)`` of a text whose
    WordPieces are ``ids`` (n,) with char ``offsets`` (n, 2).

    Returns:
        ``(input_ids, token_type_ids)``, int64 arrays of the same length: ``[CLS]``, at most
        ``size`` pieces -- the span's (its first ``size`` when longer) centred in as much
        context as fits, moved inward at the text's edges -- and ``[SEP]``; token type 1
        marks the span's pieces, 0 the rest. None when no piece overlaps the span
        (whitespace).
    """
    lo, hi = piece_range(offsets, start, end)
    if hi <= lo:
        return None
    hi = min(hi, lo + size)
    room = size - (hi - lo)
    left = min(lo, room // 2)
    right = min(len(ids) - hi, room - left)
    left = min(lo, room - right)
    a, b = lo - left, hi + right
    x = np.concatenate([[cls], ids[a:b], [sep]]).astype(np.int64)
    types = np.zeros(len(x), dtype=np.int64)
    types[1 + lo - a:1 + hi - a] = 1
    return x, types


class _Network:
    """An ONNX network of the techniques model and its WordPiece tokenizer, opened from
    ``directory`` by :func:`open_network`; subclasses name their file in :attr:`file`.

    Raises:
        ModelNotFoundError: a file is missing, unreadable or not a model (E202).
        InputError: bad ``SLANT_ENCODER_THREADS`` (E120).
    """

    #: the network's file in the model folder
    file = ""

    def __init__(self, directory: Any) -> None:
        self.directory = directory
        self.tokenizer, self.session = open_network(directory, self.file)
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")


class SpanClassifier(_Network):
    """ONNX technique classifier of spans: text + char spans -> probabilities of the 14
    SemEval-2020 techniques (TC).

    A MiniLM encoder cut to its first layers, fine-tuned on the gold TC spans of PTC train;
    it reads each span in its context (:func:`span_input`: the span marked by token type 1)
    and classifies ``[h_CLS; mean of the span's h]``.
    :func:`slant.techniques.encoder_training.fine_tune_spans` rebuilds it.

    Args:
        directory: a folder holding ``tc_encoder.onnx`` and ``tokenizer.json``.
    Raises:
        ModelNotFoundError: a file is missing, unreadable or not a model (E202).
        InputError: bad ``SLANT_ENCODER_THREADS`` (E120).
    """

    file = SPAN_FILE

    def proba(self, text: str, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Technique probabilities of char spans of ``text``.

        Returns:
            ``(p, found)``: float64 (n_spans, n_classes), rows summing to 1 (zeros where not
            found), and bool (n_spans,), False for a span no WordPiece overlaps.
        """
        ids, offs = encode(self.tokenizer, text)
        inputs = [span_input(ids, offs, s, e, self.cls, self.sep) for s, e in spans]
        found = np.array([x is not None for x in inputs], dtype=bool)
        # one span a call: the int8 network quantises its activations with one scale per
        # call, so a span batched with others got probabilities that depended on them (a
        # top label changed for 5 of 64 spans); alone, without padding, it is no slower
        rows = [self.session.run(None, {"input_ids": x[None], "token_type_ids": t[None],
                                        "attention_mask": np.ones_like(x)[None]})[0][0]
                for x, t in (i for i in inputs if i is not None)]
        out = np.zeros((len(spans), len(rows[0]) if rows else 0))
        if rows:
            out[found] = softmax(np.asarray(rows, dtype=np.float64), axis=1)
        return out, found


class Encoder(_Network):
    """ONNX token tagger: text -> WordPiece char offsets and in-span logits.

    Args:
        directory: a folder (path or importlib Traversable) holding ``encoder.onnx`` and
            ``tokenizer.json``.
    Raises:
        ModelNotFoundError: a file is missing, unreadable or not a model (E202).
        InputError: ``SLANT_ENCODER_THREADS`` is set to something else than a positive
            integer (E120).
    """

    file = FILES[0]

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """:func:`encode` with this encoder's tokenizer."""
        return encode(self.tokenizer, text)

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """Raw output of the network per WordPiece, float32 (n, n_outputs); column 0 is the
        in-span logit. Each window is one call, so a piece's logit depends on the text
        alone, not on how many windows it has or which run together."""
        n = len(ids)
        acc: np.ndarray | None = None
        count = np.zeros(n, dtype=np.float32)
        # one window a call: the int8 network quantises its activations with one scale per
        # call, so windows batched together changed each other's logits
        for s, e in windows(n, WINDOW, STRIDE):
            x = np.concatenate([[self.cls], ids[s:e], [self.sep]]).astype(np.int64)[None]
            out = self.session.run(None, {"input_ids": x, "attention_mask": np.ones_like(x)})[0][0]
            if acc is None:
                acc = np.zeros((n, out.shape[-1]), dtype=np.float32)
            acc[s:e] += out[1:e - s + 1]
            count[s:e] += 1
        if acc is None:
            return np.zeros((0, 1), dtype=np.float32)
        return acc / count[:, None]

    def token_logits(self, text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """In-span logit of each char range ``[starts[i], ends[i])`` of ``text`` (e.g. spaCy
        tokens): the highest logit of the WordPieces overlapping it, or :data:`NO_PIECE` where
        none does (whitespace). Shape (len(starts),) float64."""
        ids, offs = self.encode(text)
        out = np.full(len(starts), NO_PIECE)
        if not len(ids):
            return out
        z = self.logits(ids)[:, 0]
        # pieces are in text order and do not overlap: the pieces overlapping [s, e) are
        # those from the first whose end is past s to the last whose start is before e
        lo = np.searchsorted(offs[:, 1], np.asarray(starts), side="right")
        hi = np.searchsorted(offs[:, 0], np.asarray(ends), side="left")
        for i, (a, b) in enumerate(zip(lo, hi)):
            if b > a:
                out[i] = float(z[a:b].max())
        return out
