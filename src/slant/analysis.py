"""The analyze() entry point: Document -> normalise -> one spaCy pass -> stages -> Analysis.

Stages are independent readers of one shared :class:`Context` (the spaCy Doc of the
repaired text, the offset map, the options). Each writes its part of the Analysis
into ``ctx.out`` with spans already mapped to the ORIGINAL text (``ctx.span``). The
one join between stages is the voice: once attribution has filled
``ctx.out["voices"]``, later stages ask ``ctx.voice_of(start, end)``.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import importlib
import importlib.util
import logging
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import Document, text_id
from .errors import InputError, LimitError
from .normalize import Normalized, normalize
from .options import Options
from .schema import Analysis, NoticeOut, SentenceOut, SpanOut, technique_uses

logger = logging.getLogger(__name__)

#: stage name -> "module:function"; each function takes a Context and fills ctx.out.
STAGES: dict[str, str] = {
    "sentences": "slant.analysis:sentences_stage",
    "entities": "slant.entities:entities_stage",
    "places": "slant.places:places_stage",
    "attribution": "slant.attribution:attribution_stage",
    "techniques": "slant.techniques.detector:techniques_stage",
    "claims": "slant.claims:claims_stage",
    "credibility": "slant.credibility:credibility_stage",
}


@dataclass
class Context:
    """What every stage reads: the document, its repaired view and its one spaCy Doc.

    Attributes:
        document: the original text and meta.
        normalized: the repaired text and the offset map back to ``document.text``.
        doc: ``spacy.tokens.Doc`` of ``normalized.text``; its char offsets are NORMALISED.
        options: the run's :class:`~slant.options.Options`.
        out: Analysis fields produced so far (``"entities"``, ``"voices"``, ...).
        state: stage-private intermediate results, keyed by stage name (e.g. the
            normalised-offset entity clusters attribution reuses).
    """

    document: Document
    normalized: Normalized
    doc: Any
    options: Options
    out: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    #: (the ``out["voices"]`` list it was built from, its segment index): see :meth:`voice_of`
    _voice_index: Any = field(default=None, init=False, repr=False, compare=False)

    @functools.cached_property
    def language(self) -> Any:
        """The text's :class:`~slant.language.Language` when it is clearly not English
        (:func:`slant.language.not_english`), else None."""
        from .language import not_english

        return not_english(self.normalized.text)

    def span(self, start: int, end: int) -> SpanOut:
        """The original-text span behind NORMALISED ``[start, end)``."""
        s = self.normalized.to_original(start, end)
        return SpanOut(start=s.start, end=s.end)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Like :meth:`span` but returns a plain ``(start, end)`` tuple."""
        s = self.normalized.to_original(start, end)
        return s.start, s.end

    def voice_boundaries(self) -> list[int]:
        """Sorted NORMALISED offsets where a quoted voice's segment starts or ends (empty before
        attribution): where a span must be cut to hold one voice."""
        offsets = self.normalized.offsets
        cuts = set()
        for voice in self.out.get("voices") or []:
            if voice.id == "outlet":
                continue
            for seg in voice.segments:
                cuts.add(offsets.to_normalized(seg.start))
                cuts.add(offsets.to_normalized(seg.end))
        return sorted(cuts)

    def voice_of(self, start: int, end: int) -> str | None:
        """Voice id ('outlet' or a speaker entity id) holding most of ORIGINAL ``[start, end)``.

        Returns None when attribution has not run.
        """
        voices = self.out.get("voices")
        if not voices:
            return None
        best, best_chars = "outlet", 0
        index = self._segment_index(voices)
        if index is None:  # segments that overlap (not attribution's): look at every one
            for voice in voices:
                chars = sum(max(0, min(end, s.end) - max(start, s.start)) for s in voice.segments)
                if chars > best_chars:
                    best, best_chars = voice.id, chars
            return best
        # techniques and claims ask once per span, and a longer text has both more spans and
        # more segments: a scan of every segment made this quadratic in the text's length.
        # Only the segments overlapping [start, end) can hold any of it; sum those per voice.
        ends, segs = index
        chars_of: dict[int, int] = {}
        k = bisect.bisect_right(ends, start)  # the first segment ending after start
        while k < len(segs) and segs[k][0] < end:
            s, e, v = segs[k]
            chars_of[v] = chars_of.get(v, 0) + max(0, min(end, e) - max(start, s))
            k += 1
        for v in sorted(chars_of):  # in the order of ``voices``: the first of equal shares wins, as before
            if chars_of[v] > best_chars:
                best, best_chars = voices[v].id, chars_of[v]
        return best

    def _segment_index(self, voices: list[Any]) -> tuple[list[int], list[tuple[int, int, int]]] | None:
        """Every voice segment as ``(start, end, voice position)`` in text order, with their ends,
        built once per ``voices`` list; None when two segments overlap (then ends are not sorted
        and a bisect cannot find the overlapping ones). Attribution's segments partition the text."""
        cached = self._voice_index
        if cached is not None and cached[0] is voices:
            return cached[1]
        segs = sorted((s.start, s.end, v) for v, voice in enumerate(voices) for s in voice.segments)
        disjoint = all(a[1] <= b[0] for a, b in zip(segs, segs[1:]))
        index = ([e for _, e, _ in segs], segs) if disjoint else None
        self._voice_index = (voices, index)
        return index


def sentences_stage(ctx: Context) -> None:
    """Sentences from the parser, mapped to the original text, surrounding spaces trimmed."""
    text = ctx.normalized.text
    out = []
    for sent in ctx.doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(SentenceOut(**ctx.span(s, e).model_dump()))
    ctx.out["sentences"] = out


def _load_stage(name: str) -> Callable[[Context], None]:
    try:
        target = STAGES[name]
    except KeyError:
        raise InputError(f"[E121] unknown stage {name!r}; known: {', '.join(STAGES)}") from None
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def available_stages(names: Iterable[str]) -> list[tuple[str, Callable[[Context], None]]]:
    """Resolve stage names to functions, skipping stages whose module is not built yet."""
    stages = []
    for name in names:
        module = STAGES.get(name, "").partition(":")[0]
        try:
            missing = bool(module) and importlib.util.find_spec(module) is None
        except ModuleNotFoundError:  # its parent package does not exist yet
            missing = True
        if missing:
            logger.debug("stage %s not available (no module %s)", name, module)
            continue
        stages.append((name, _load_stage(name)))
    return stages


#: a code point in U+D800-U+DFFF: in a Python str always an unpaired surrogate (a pair
#: decodes to one astral code point), which no UTF-8 encoder and no spaCy string store accepts
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check(document: Document, options: Options) -> None:
    if not isinstance(document.text, str):
        raise InputError(f"[E100] {document.source}: text must be a str, not {type(document.text).__name__}")
    if not document.text.strip():
        raise InputError(f"[E101] {document.source}: no text to analyse (empty or only whitespace)")
    bad = _SURROGATE.search(document.text)
    if bad is not None:
        raise InputError(
            f"[E112] {document.source}: text is not valid Unicode: an unpaired surrogate U+{ord(bad.group()):04X} "
            f"at character {bad.start():,} (often an emoji cut in half, or a JSON '\\u' escape of one half); "
            "remove or replace it, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
        )
    if len(document.text) > options.max_chars:
        raise LimitError(
            f"[E103] {document.source}: text has {len(document.text):,} characters, over the limit of "
            f"{options.max_chars:,}; raise it with --max-chars (or Options.max_chars)"
        )


def _join_voices(out: dict[str, Any]) -> None:
    """Fill the cross-stage joins: technique counts per voice (:func:`~slant.schema.technique_uses`),
    entity mentions inside quotations."""
    voices = out.get("voices") or []
    techniques = out.get("techniques") or []
    by_id = {v.id: v for v in voices}
    for voice in voices:
        voice.techniques = {}
    for t in technique_uses(techniques):
        voice = by_id.get(t.voice or "")
        if voice is not None:
            voice.techniques[t.technique] = voice.techniques.get(t.technique, 0) + 1
    if out.get("entities") is not None:
        from .entities import mark_quotations

        mark_quotations(out)  # MentionOut.in_quotation and EntityOut.quoted_share


def _finish(ctx: Context) -> Analysis:
    _join_voices(ctx.out)
    notices = [NoticeOut(code=n.code, message=n.message, start=n.start, end=n.end) for n in ctx.normalized.notices]
    if ctx.language is not None:
        lang = ctx.language
        notices.insert(0, NoticeOut(code="W101", message=(
            f"the text reads as {lang.name} ({lang.code}, P {lang.probability:.2f}; English P {lang.english:.2f}): "
            "slant's models are trained on English, so techniques, claims and credibility are not computed, and "
            "its entities and voices here are unreliable")))
    notices.extend(ctx.out.pop("notices", []))
    meta = dict(ctx.document.meta)
    return Analysis(
        id=text_id(ctx.document.text),
        meta=meta,
        text_length=len(ctx.document.text),
        notices=notices,
        **ctx.out,
    )


def _run_stages(ctx: Context, stages: list[tuple[str, Callable[[Context], None]]]) -> Analysis:
    for name, stage in stages:
        stage(ctx)
    return _finish(ctx)


@dataclass(frozen=True)
class Result:
    """One document's outcome in a batch: an Analysis, or the error that stopped it."""

    document: Document
    analysis: Analysis | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: batches a pipeline runs before its batches run in memory zones: they fill the
#: tokenizer's cache, which spaCy does not fill inside a zone
ZONE_WARMUP_BATCHES = 2
#: batches each pipeline has run outside a zone (kept here, not on spaCy's object)
_BATCHES_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def _memory_zone(nlp: Any) -> Iterator[None]:
    """spaCy's ``nlp.memory_zone()`` (spaCy >= 3.8) around one batch, after the first
    :data:`ZONE_WARMUP_BATCHES` batches of this pipeline.

    Every string and lexeme the batch adds to the shared Vocab is evicted when the zone
    ends, so a worker's or a server's memory stays flat over millions of new texts instead
    of growing with the vocabulary it has seen (spaCy's "Memory management" guide). Nothing
    of a spaCy Doc may outlive the zone: a :class:`Result` holds the Document and the
    pydantic Analysis only (plain Python strings and ints).
    """
    seen = _BATCHES_SEEN.get(nlp, 0)
    if seen < ZONE_WARMUP_BATCHES or not hasattr(nlp, "memory_zone"):
        _BATCHES_SEEN[nlp] = seen + 1
        yield
        return
    with nlp.memory_zone():
        yield


def _parse_each(nlp: Any, texts: list[str], batch_size: int) -> Iterator[Any]:
    """``nlp.pipe(texts)``, yielding one spaCy Doc -- or the Exception that stopped it -- per text, in order.

    spaCy parses in minibatches, so an exception raised for one text ends the whole
    ``pipe`` generator, and with it the texts around it. Then the texts not yet yielded
    are parsed one by one with ``nlp(text)``, so the error stays with its own text and
    every other one is still parsed.
    """
    done = 0
    try:
        for doc in nlp.pipe(texts, batch_size=batch_size):
            done += 1
            yield doc
    except Exception:
        logger.debug("nlp.pipe failed after %d of %d texts; parsing the rest one by one", done, len(texts),
                     exc_info=True)
        for text in texts[done:]:
            try:
                doc = nlp(text)
            except Exception as exc:
                yield exc
            else:
                yield doc


def analyze_documents(
    documents: Iterable[Document], *, options: Options | None = None, nlp: Any = None
) -> Iterator[Result]:
    """Analyse many documents with one ``nlp.pipe``; a bad document fails alone.

    Not for several threads at once on the same pipeline (spaCy's Vocab is not thread-safe,
    and each batch's memory zone evicts the strings of the whole Vocab): use
    :func:`analyze`, which takes :data:`slant.nlp.PIPELINE_LOCK`, or processes.

    Args:
        documents: Documents in any number; consumed lazily in batches of
            ``options.batch_size``.
        options: run options; defaults from ``defaults.toml``.
        nlp: a loaded spaCy pipeline (default: :func:`slant.nlp.get_nlp`).
    Yields:
        :class:`Result` per document, in input order.
    """
    from .nlp import get_nlp

    options = options or Options()
    nlp = nlp or get_nlp()
    stages = available_stages(options.stages)
    batch: list[tuple[Document, Normalized | None, Exception | None]] = []

    def flush() -> Iterator[Result]:
        good = [(d, n) for d, n, err in batch if err is None]
        with _memory_zone(nlp):
            docs = _parse_each(nlp, [n.text for _, n in good], options.batch_size)
            for document, normalized, err in batch:
                if err is not None:
                    yield Result(document, error=err)
                    continue
                spacy_doc = next(docs)
                if isinstance(spacy_doc, Exception):  # spaCy failed on this text alone
                    logger.debug("parsing %s failed", document.source, exc_info=spacy_doc)
                    yield Result(document, error=spacy_doc)
                    continue
                try:
                    ctx = Context(document, normalized, spacy_doc, options)
                    yield Result(document, analysis=_run_stages(ctx, stages))
                except Exception as exc:  # a document fails alone; the batch goes on
                    logger.debug("analysis of %s failed", document.source, exc_info=True)
                    yield Result(document, error=exc)
        batch.clear()

    for document in documents:
        try:
            _check(document, options)
            batch.append((document, normalize(document.text), None))
        except Exception as exc:
            batch.append((document, None, exc))
        if len(batch) >= options.batch_size:
            yield from flush()
    if batch:
        yield from flush()


def analyze(text: str | Document, *, options: Options | None = None, meta: dict[str, Any] | None = None) -> Analysis:
    """Analyse one article.

    Args:
        text: the article text (or a :class:`~slant.document.Document`).
        options: run options; defaults from ``defaults.toml``.
        meta: metadata to carry into ``Analysis.meta`` (``source``, ``title``, ``url``...).
    Returns:
        :class:`~slant.schema.Analysis` whose every span indexes ``text``.
    Raises:
        InputError: empty text or not a str (E100, E101).
        LimitError: longer than ``options.max_chars`` (E103).

    Thread-safe: calls from several threads take :data:`slant.nlp.PIPELINE_LOCK` in turn
    (the shared spaCy pipeline is not thread-safe); for parallel work use processes
    (``slant batch --jobs``).
    """
    from .nlp import PIPELINE_LOCK

    document = text if isinstance(text, Document) else Document(text, dict(meta or {}))
    options = options or Options()
    _check(document, options)
    with PIPELINE_LOCK:
        (result,) = list(analyze_documents([document], options=options))
    if result.error is not None:
        raise result.error
    assert result.analysis is not None
    return result.analysis
