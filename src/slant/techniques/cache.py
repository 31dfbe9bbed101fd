"""A disk cache of parsed spaCy Docs for training and evaluation (spaCy ``DocBin``).

Parsing the PTC train split takes about a minute on 2 cores; training and
evaluation parse each normalised text once and reuse it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$SLANT_CACHE`` or ``<tmp>/slant-cache-techniques``."""
    return Path(os.environ.get("SLANT_CACHE", Path(tempfile.gettempdir()) / "slant-cache-techniques"))


def parse_cached(texts: list[str], nlp: Any, *, cache_dir: str | Path | None = None, batch_size: int = 16) -> list[Any]:
    """Parse ``texts`` with ``nlp``, reading and writing one DocBin per text set.

    Args:
        texts: the (normalised) texts.
        nlp: the spaCy pipeline; its name and version key the cache.
        cache_dir: where DocBins live (default :func:`default_cache_dir`); None to use it.
    Returns:
        one ``spacy.tokens.Doc`` per text, in order.
    """
    from spacy.tokens import DocBin

    key = hashlib.sha256()
    key.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{','.join(nlp.pipe_names)}".encode())
    for t in texts:
        key.update(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest())
    root = Path(cache_dir) if cache_dir else default_cache_dir()
    path = root / f"{key.hexdigest()[:24]}.spacy"
    if path.is_file():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if [d.text for d in docs] == texts:
            return docs
    logger.info("parsing %d texts (cache miss %s)", len(texts), path)
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    try:
        root.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
    except OSError as exc:  # a cache that cannot be written only costs time
        logger.warning("cannot write parse cache %s: %s", path, exc)
    return docs
