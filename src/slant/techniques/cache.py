"""A disk cache of parsed spaCy Docs for training and evaluation (spaCy ``DocBin``).

Parsing the PTC train split takes about two minutes on 2 cores; training and
evaluation parse each normalised text once and reuse it. ``DocBin`` does not keep
``doc.tensor`` (the tok2vec output the detector uses as dense features), so the
tensors of a text set are stored next to it, concatenated, in ``<key>.tensor.npy``
(float32, one row per token of every Doc in order).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$SLANT_CACHE`` or ``<tmp>/slant-cache-techniques``."""
    return Path(os.environ.get("SLANT_CACHE", Path(tempfile.gettempdir()) / "slant-cache-techniques"))


def _read(path: Path, tpath: Path, texts: list[str], nlp: Any) -> list[Any] | None:
    from spacy.tokens import DocBin

    if not (path.is_file() and tpath.is_file()):
        return None
    try:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        tensor = np.load(tpath)
    except (OSError, ValueError) as exc:
        logger.warning("unreadable parse cache %s: %s", path, exc)
        return None
    if [d.text for d in docs] != texts or tensor.shape[0] != sum(len(d) for d in docs):
        return None
    k = 0
    for d in docs:
        d.tensor = tensor[k : k + len(d)]
        k += len(d)
    return docs


def parse_cached(texts: list[str], nlp: Any, *, cache_dir: str | Path | None = None, batch_size: int = 16) -> list[Any]:
    """Parse ``texts`` with ``nlp``, reading and writing one DocBin (+ tensors) per text set.

    Args:
        texts: the (normalised) texts.
        nlp: the spaCy pipeline; its name and version key the cache.
        cache_dir: where DocBins live (default :func:`default_cache_dir`); None to use it.
    Returns:
        one ``spacy.tokens.Doc`` per text, in order, ``doc.tensor`` set as the pipeline set it.
    """
    from spacy.tokens import DocBin

    key = hashlib.sha256()
    key.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{','.join(nlp.pipe_names)}".encode())
    for t in texts:
        key.update(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest())
    root = Path(cache_dir) if cache_dir else default_cache_dir()
    path = root / f"{key.hexdigest()[:24]}.spacy"
    tpath = root / f"{key.hexdigest()[:24]}.tensor.npy"
    docs = _read(path, tpath, texts, nlp)
    if docs is not None:
        return docs
    logger.info("parsing %d texts (cache miss %s)", len(texts), path)
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    try:
        root.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
        width = max((d.tensor.shape[1] for d in docs if d.tensor.ndim == 2 and len(d)), default=0)
        parts = [d.tensor if d.tensor.ndim == 2 and d.tensor.shape[0] == len(d) else np.zeros((len(d), width))
                 for d in docs]
        np.save(tpath, np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, width), np.float32))
    except OSError as exc:  # a cache that cannot be written only costs time
        logger.warning("cannot write parse cache %s: %s", path, exc)
    return docs
