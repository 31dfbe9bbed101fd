"""Command modules: each ``<area>.py`` here defines ``register(app, train, evaluate)``
and adds its typer commands (``slant train X``, ``slant evaluate X``, ``slant serve``...).
Heavy imports belong inside the command functions, so ``slant --help`` stays fast.
"""

from typing import Annotated, Optional

import typer

#: the ``--technique-encoder`` flag of ``slant analyze`` and ``slant batch``
TechniqueEncoderFlag = Annotated[Optional[bool], typer.Option("--technique-encoder/--no-technique-encoder", help="Mix the fine-tuned transformer into technique spans (SI F1 0.422 vs 0.381 on PTC dev, ~3x the techniques stage's time; default: technique_encoder in the options, false).")]
