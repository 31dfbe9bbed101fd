"""Read and write the Propaganda Techniques Corpus (PTC) layout of SemEval-2020 Task 11.

A split directory holds::

    articles/article<ID>.txt                      UTF-8 text, read with newline=""
    labels-si/article<ID>.task-si.labels          ID \\t start \\t end
    labels-tc/article<ID>.task-flc-tc.labels      ID \\t technique \\t start \\t end
    ids.txt                                       (optional) the article ids

Offsets are 0-based half-open ``[start, end)`` character offsets into the Python
``str`` of the article file read without newline translation.

References:
    Da San Martino et al. (2019), Fine-Grained Analysis of Propaganda in News Articles,
    EMNLP-IJCNLP. Da San Martino et al. (2020), SemEval-2020 Task 11.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

#: The 14 technique classes of SemEval-2020 Task 11 (label strings as in the corpus).
TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

_ARTICLE = re.compile(r"article(\d+)\.txt$")


@dataclass(frozen=True, slots=True, order=True)
class TechniqueSpan:
    """One labelled span: ``[start, end)`` of an article, with a technique (None for SI-only)."""

    start: int
    end: int
    technique: str | None = None


@dataclass
class PTCArticle:
    """An article of a PTC split with its gold spans.

    Attributes:
        id: the article id (digits, as a string).
        text: the article text, read with ``newline=""``.
        si: SI gold spans (technique None), from ``labels-si``; empty when absent.
        tc: TC gold spans, from ``labels-tc``; empty when absent.
    """

    id: str
    text: str
    si: list[TechniqueSpan] = field(default_factory=list)
    tc: list[TechniqueSpan] = field(default_factory=list)


def _read_labels(path: Path, article_id: str, n_chars: int, with_technique: bool) -> list[TechniqueSpan]:
    spans = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        try:
            if with_technique:
                aid, technique, start, end = parts
            else:
                aid, start, end = parts[:3]
                technique = None
            s, e = int(start), int(end)
        except ValueError:
            raise InputError(f"[E110] {path}:{lineno}: not a PTC label line: {line!r}") from None
        if aid != article_id:
            raise InputError(f"[E110] {path}:{lineno}: article id {aid} in the file of article {article_id}")
        e = min(e, n_chars)  # one released span ends past its article (see data README)
        if not 0 <= s < e:
            raise InputError(f"[E110] {path}:{lineno}: bad span [{s}, {e}) for an article of {n_chars} chars")
        spans.append(TechniqueSpan(s, e, technique))
    return sorted(spans)


def read_article_text(path: str | Path) -> str:
    """The text of one PTC article file, offsets as the corpus counts them (``newline=""``)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def load_split(directory: str | Path) -> list[PTCArticle]:
    """Load every article of a PTC split directory, with its SI and TC gold spans.

    Args:
        directory: a split in PTC layout (``articles/``, and optionally ``labels-si/``,
            ``labels-tc/``, ``ids.txt``).
    Returns:
        articles sorted by id; label lists are empty where the split has no labels.
    Raises:
        InputError: ``directory`` does not exist (E106); no ``articles/`` folder or no
            article in it (E110), or a malformed label line.
    """
    root = Path(directory)
    if not root.exists():
        raise InputError(f"[E106] {root}: no such file or directory")
    art_dir = root / "articles"
    if not art_dir.is_dir():
        raise InputError(f"[E110] {root}: not a PTC split (no articles/ folder)")
    ids_file = root / "ids.txt"
    if ids_file.is_file():
        ids = [x.strip() for x in ids_file.read_text(encoding="utf-8").split() if x.strip()]
    else:
        ids = [m.group(1) for p in art_dir.iterdir() if (m := _ARTICLE.search(p.name))]
    if not ids:
        raise InputError(f"[E110] {root}: no articles")
    articles = []
    for aid in sorted(ids):
        text = read_article_text(art_dir / f"article{aid}.txt")
        si_path = root / "labels-si" / f"article{aid}.task-si.labels"
        tc_path = root / "labels-tc" / f"article{aid}.task-flc-tc.labels"
        si = _read_labels(si_path, aid, len(text), False) if si_path.is_file() else []
        tc = _read_labels(tc_path, aid, len(text), True) if tc_path.is_file() else []
        articles.append(PTCArticle(aid, text, si, tc))
    return articles


def write_si(path: str | Path, predictions: dict[str, Iterable[TechniqueSpan]]) -> None:
    """Write SI predictions as ``ID\\tstart\\tend`` lines (the SemEval-2020 SI format)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for aid in sorted(predictions):
            for span in sorted(predictions[aid]):
                f.write(f"{aid}\t{span.start}\t{span.end}\n")


def write_tc(path: str | Path, predictions: dict[str, Iterable[TechniqueSpan]]) -> None:
    """Write TC predictions as ``ID\\ttechnique\\tstart\\tend`` lines (SemEval-2020 TC format).

    Raises:
        ValueError: a span has no technique.
    """
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for aid in sorted(predictions):
            for span in sorted(predictions[aid], key=lambda s: (s.start, s.end, s.technique or "")):
                if span.technique is None:
                    raise ValueError(f"article {aid}: span [{span.start}, {span.end}) has no technique")
                f.write(f"{aid}\t{span.technique}\t{span.start}\t{span.end}\n")
