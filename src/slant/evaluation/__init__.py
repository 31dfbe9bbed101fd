"""Annotated evaluation sets shipped with slant, and where to find the public corpora they index.

Each set (``attribution/``, ``entities/``) holds a ``GUIDELINE.md`` and JSONL files of
annotations that reference articles in the shared data folder by path or corpus row
id, with the sha256 of the text and character offsets; no article text is stored here.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def gold_file(area: str, name: str) -> Path:
    """Path of a shipped annotation file, e.g. ``gold_file("attribution", "gold.jsonl")``."""
    return Path(str(resources.files(__name__) / area / name))


def shared_dir() -> Path:
    """The folder holding ``data/`` and ``examples/``: ``$SLANT_SHARED``, else ``../shared`` or
    ``./shared`` from the working directory, else next to the source checkout."""
    if os.environ.get("SLANT_SHARED"):
        return Path(os.environ["SLANT_SHARED"])
    for base in (Path.cwd().parent, Path.cwd(), Path(__file__).resolve().parents[4]):
        if (base / "shared" / "data").is_dir():
            return base / "shared"
    return Path("../shared")
