"""The one options object that travels from the CLI / API down to every stage.

Defaults live in ``slant/defaults.toml`` (shipped, commented); a user TOML file
overrides only the keys it sets (:func:`load_options`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError


def _defaults() -> dict[str, Any]:
    raw = (resources.files("slant") / "defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)["analysis"]


_DEFAULTS = _defaults()


#: the key of an analysis's ``meta`` where ``slant serve`` and ``slant batch`` record the
#: settings it was made with (:meth:`Options.fingerprint`)
SETTINGS_KEY = "slant_settings"


@dataclass(frozen=True)
class Options:
    """Analysis options (all keyword-only in practice; see ``defaults.toml``).

    Attributes:
        max_chars: longest text analysed, in characters; longer raises LimitError E103.
        stages: names of the stages to run, in order.
        min_technique_score: probability threshold for reporting a technique span.
        min_claim_score: probability threshold for reporting a claim.
        batch_size: documents per ``nlp.pipe`` batch.
        technique_encoder: mix the techniques model's fine-tuned transformers into span
            identification (the tagger) and technique classification (the span
            classifier): higher SI F1 and TC micro-F1, slower; False = the linear models alone.
    """

    max_chars: int = _DEFAULTS["max_chars"]
    stages: tuple[str, ...] = tuple(_DEFAULTS["stages"])
    min_technique_score: float = _DEFAULTS["min_technique_score"]
    min_claim_score: float = _DEFAULTS["min_claim_score"]
    batch_size: int = _DEFAULTS["batch_size"]
    technique_encoder: bool = _DEFAULTS["technique_encoder"]
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.stages, (list, str)):
            object.__setattr__(self, "stages", tuple([self.stages] if isinstance(self.stages, str) else self.stages))
        if not isinstance(self.max_chars, int) or self.max_chars <= 0:
            raise InputError(f"[E120] max_chars must be a positive number of characters, not {self.max_chars!r}")
        if not isinstance(self.batch_size, int) or self.batch_size <= 0:
            raise InputError(f"[E120] batch_size must be a positive integer, not {self.batch_size!r}")
        if not isinstance(self.technique_encoder, bool):
            raise InputError(f"[E120] technique_encoder must be true or false, not {self.technique_encoder!r}")
        for name in ("min_technique_score", "min_claim_score"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise InputError(f"[E120] {name} must be a probability in [0, 1], not {value!r}")
        from .analysis import STAGES  # late: analysis imports this module

        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise InputError(f"[E121] unknown stage(s) {', '.join(map(repr, unknown))}; known: {', '.join(STAGES)}")

    def fingerprint(self) -> dict[str, Any]:
        """The options that change what an analysis holds (stages, reporting thresholds,
        ``technique_encoder``) and the slant version, JSON-ready: what a stored analysis
        records in ``meta["slant_settings"]`` (:data:`SETTINGS_KEY`; ``slant serve``, ``slant batch``) so that it is reused only under the
        same settings. ``max_chars`` and ``batch_size`` change no analysis and are left out."""
        from . import __version__

        return {"slant": __version__, "stages": list(self.stages), "min_technique_score": self.min_technique_score,
                "min_claim_score": self.min_claim_score, "technique_encoder": self.technique_encoder}

    def replace(self, **changes: Any) -> "Options":
        """A copy with ``changes`` applied (unknown keys raise TypeError)."""
        return dataclasses.replace(self, **changes)


def load_options(path: str | Path | None = None, **overrides: Any) -> Options:
    """Options from the shipped defaults, a user TOML file, then keyword overrides.

    Args:
        path: the user's TOML file (``--config``); when None, the file named by the
            environment variable ``SLANT_CONFIG``, if set and not empty.
        overrides: option values that win over the file (None values are ignored).
    Raises:
        InputError: the file is unreadable, not TOML, sets an unknown key or a bad value
            (E120), or names an unknown stage (E121).
    """
    values: dict[str, Any] = {}
    where = str(path)
    if path is None and os.environ.get("SLANT_CONFIG"):
        path = os.environ["SLANT_CONFIG"]
        where = f"SLANT_CONFIG={path}"
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"[E120] {where}: cannot read options: {exc}") from None
        section = data.get("analysis", data)
        known = {f.name for f in dataclasses.fields(Options)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise InputError(f"[E120] {where}: unknown option(s): {', '.join(unknown)}")
        values.update(section)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(values.get("stages"), str):
        raise InputError(f'[E120] stages must be a list of stage names, e.g. stages = ["{values["stages"]}"], '
                         f"not the string {values['stages']!r}")
    if "stages" in values:
        values["stages"] = tuple(values["stages"])
    return Options(**values)
