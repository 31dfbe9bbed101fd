"""Reading a shipped model directory: ``meta.json`` plus ``model.npz`` (no pickle)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .errors import ModelNotFoundError


def read_model_files(root: Any, *, name: str, code: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read ``meta.json`` and the arrays of ``model.npz`` from ``root``.

    Args:
        root: a path or an ``importlib.resources`` Traversable (``slant/models/<name>``).
        name: the model's name, as in ``slant train <name>``.
        code: the error code of this model (E202 techniques, E211 claims, E212 credibility).
    Returns:
        ``(meta, arrays)``: the parsed JSON and ``{array name: numpy array}``.
    Raises:
        ModelNotFoundError: a file is missing or unreadable; the message names the
            model, the path and the command that rebuilds it.
    """
    try:
        meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
        with (root / "model.npz").open("rb") as fh:
            z = np.load(fh, allow_pickle=False)
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelNotFoundError(f"[{code}] {name} model at {root}: {exc}; rebuild with `slant train {name}`") from None
    return meta, arrays
