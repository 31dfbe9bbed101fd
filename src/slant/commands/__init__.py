"""Command modules: each ``<area>.py`` here defines ``register(app, train, evaluate)``
and adds its typer commands (``slant train X``, ``slant evaluate X``, ``slant serve``...).
Heavy imports belong inside the command functions, so ``slant --help`` stays fast.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer


def nonempty_path(value: str) -> Path:
    """Parser of every path option: the value as a Path, refusing ``""`` (``Path("")`` is
    the current folder, so ``--data ""`` would have named ``.`` in its error).

    Raises:
        typer.BadParameter: ``value`` is empty (a usage error, exit 2).
    """
    if value == "":
        raise typer.BadParameter("empty path; give a file or folder ('.' is the current folder)")
    return Path(value)

#: the ``--technique-encoder`` flag of ``slant analyze`` and ``slant batch``
TechniqueEncoderFlag = Annotated[Optional[bool], typer.Option("--technique-encoder/--no-technique-encoder", help="Mix the fine-tuned transformers into technique spans and labels (PTC dev SI F1 0.423 vs 0.381, TC micro-F1 0.612 vs 0.580; ~20x the techniques stage's time; default: technique_encoder in the options, false).")]
