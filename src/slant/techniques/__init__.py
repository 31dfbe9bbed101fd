"""Propaganda techniques: PTC data, the SemEval-2020 Task 11 measures, the detector.

    >>> from slant.techniques import load_split, si_score, tc_score   # doctest: +SKIP

References:
    Da San Martino et al. (2019), Fine-Grained Analysis of Propaganda in News Articles.
    Da San Martino et al. (2020), SemEval-2020 Task 11: Detection of Propaganda
    Techniques in News Articles.
"""

from .data import TECHNIQUES, PTCArticle, TechniqueSpan, load_split, write_si, write_tc
from .scorer import PRF, TCScore, merge_spans, si_score, tc_score

__all__ = [
    "PRF",
    "PTCArticle",
    "TECHNIQUES",
    "TCScore",
    "TechniqueSpan",
    "load_split",
    "merge_spans",
    "si_score",
    "tc_score",
    "write_si",
    "write_tc",
]


def __getattr__(name: str):  # the detector loads numpy/sklearn: import it lazily
    if name in ("techniques_stage", "detect"):
        from . import detector

        return getattr(detector, name)
    if name in ("TechniqueModel", "load_model"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
