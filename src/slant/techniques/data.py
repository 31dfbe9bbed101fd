"""Read and write the Propaganda Techniques Corpus (PTC) layout of SemEval-2020 Task 11.

A split directory holds::

    articles/article<ID>.txt                      UTF-8 text, read with newline=""
    labels-si/article<ID>.task-si.labels          ID \\t start \\t end
    labels-tc/article<ID>.task-flc-tc.labels      ID \\t technique \\t start \\t end
    ids.txt                                       (optional) the article ids
    <name>task-si.labels, <name>task-flc-tc.labels  (optional) the labels of all articles in
                                                  one file per task, as SemEval-2020 releases
                                                  them (e.g. dev-task-si.labels); read when
                                                  labels-si/ or labels-tc/ is absent

Offsets are 0-based half-open ``[start, end)`` character offsets into the Python
``str`` of the article file read without newline translation.

References:
    Da San Martino et al. (2019), Fine-Grained Analysis of Propaganda in News Articles,
    EMNLP-IJCNLP. Da San Martino et al. (2020), SemEval-2020 Task 11.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
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

#: an article file's whole name (``copy_article9.txt`` is not article 9, as a label file's
#: name must be whole too)
_ARTICLE = re.compile(r"article(\d+)\.txt")
_DIGITS = re.compile(r"[0-9]+")


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
        si: SI gold spans (technique None), from ``labels-si/`` or a combined
            ``*task-si.labels`` file; empty when absent.
        tc: TC gold spans, from ``labels-tc/`` or a combined ``*task-flc-tc.labels`` file;
            empty when absent.
    """

    id: str
    text: str
    si: list[TechniqueSpan] = field(default_factory=list)
    tc: list[TechniqueSpan] = field(default_factory=list)


def _not_in_split(root: Path, aid: str) -> str:
    """Why article ``aid`` is not in the split at ``root`` (for an error message)."""
    if (root / "articles" / f"article{aid}.txt").is_file():
        return f"article {aid} is not in the split (not listed in {root / 'ids.txt'})"
    return f"article {aid} is not in the split (no {root / 'articles' / f'article{aid}.txt'})"


def _closest_technique(name: str) -> str:
    """The known technique name closest to ``name`` (difflib, case-insensitive)."""
    lowered = {t.lower(): t for t in TECHNIQUES}
    (best,) = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.0)
    return lowered[best]


def _read_labels(path: Path, with_technique: bool, texts: dict[str, str], *, article_id: str | None = None
                 ) -> dict[str, list[TechniqueSpan]]:
    """The spans of one label file, by article id.

    Args:
        path: a per-article file (``article_id`` given: every line must name that article)
            or a combined file of the whole split (``article_id`` None: every line must name
            an article of the split).
        with_technique: TC lines (``ID\\ttechnique\\tstart\\tend``) rather than SI lines
            (``ID\\tstart\\tend``).
        texts: article id -> text, the articles of the split.
    Returns:
        article id -> spans in the file's line order.
    Raises:
        InputError (E110): a malformed line, an article id that is not the file's or not in
            the split, an unknown technique, a span that does not start inside its article,
            is empty as written or ends past its article, or an exact duplicate of an earlier
            line.
    """
    out: dict[str, list[TechniqueSpan]] = {}
    seen: dict[tuple[str, str | None, int, int], int] = {}
    # utf-8-sig: a file saved with a byte-order mark reads as one without
    for lineno, line in enumerate(_read_utf8(path, "utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            if with_technique:
                aid, technique, start, end = parts
            else:
                aid, start, end = parts
                technique = None
            if not (_DIGITS.fullmatch(start) and _DIGITS.fullmatch(end)):
                raise ValueError(line)  # int() also takes "1_2", " 12" and fullwidth digits
            s, e = int(start), int(end)
        except ValueError:
            raise InputError(f"[E110] {path}:{lineno}: not a PTC label line: {line!r}") from None
        if article_id is not None and aid != article_id:
            raise InputError(f"[E110] {path}:{lineno}: article id {aid} in the file of article {article_id}")
        if aid not in texts:
            raise InputError(f"[E110] {path}:{lineno}: {_not_in_split(path.parent, aid)}")
        if technique is not None and technique not in TECHNIQUES:
            raise InputError(f"[E110] {path}:{lineno}: unknown technique {technique!r}"
                             f" (did you mean {_closest_technique(technique)!r}?)")
        key = (aid, technique, s, e)
        if key in seen:
            raise InputError(f"[E110] {path}:{lineno}: duplicate of line {seen[key]}: {line!r}")
        seen[key] = lineno
        n_chars = len(texts[aid])
        if not 0 <= s < min(e, n_chars):
            raise InputError(f"[E110] {path}:{lineno}: bad span [{s}, {e}) for article {aid} of {n_chars} chars")
        if e > n_chars:  # no SI or TC span of the released train and dev splits does
            raise InputError(f"[E110] {path}:{lineno}: span [{s}, {e}) ends past the end of article {aid}: end {e},"
                             f" article {n_chars} chars (offsets count the characters of the article file as"
                             " it is, any \\r and byte-order mark included)")
        out.setdefault(aid, []).append(TechniqueSpan(s, e, technique))
    return out


def _combined_file(root: Path, suffix: str) -> Path | None:
    """The one file at ``root`` whose name ends with ``suffix``; None when there is none.

    Raises:
        InputError (E110): several files end with ``suffix``.
    """
    found = sorted(p for p in root.iterdir() if p.name.endswith(suffix))
    for p in found:
        if not p.is_file():
            raise InputError(f"[E110] {p}: a folder, not a combined label file")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(f"[E110] {root}: several combined label files ({names}); keep one")
    return found[0] if found else None


def _split_labels(root: Path, folder: str, suffix: str, with_technique: bool, texts: dict[str, str]
                  ) -> dict[str, list[TechniqueSpan]]:
    """The labels of one task (SI or TC): from ``root/folder`` (one file per article) when that
    folder exists and is not empty, else from a combined ``*<suffix>`` file at ``root``; {} when
    neither exists."""
    labels: dict[str, list[TechniqueSpan]] = {}
    per_article = root / folder
    combined = _combined_file(root, suffix.lstrip("."))
    if per_article.is_dir() and (combined is None or any(per_article.iterdir())):
        name = re.compile(r"article(\d+)" + re.escape(suffix) + "$")
        for path in sorted(per_article.iterdir()):
            m = name.fullmatch(path.name)
            if not m or not path.is_file():
                continue
            aid = m.group(1)
            if aid not in texts:
                raise InputError(f"[E110] {path}: {_not_in_split(root, aid)}")
            labels.update(_read_labels(path, with_technique, texts, article_id=aid))
    elif combined is not None:
        labels = _read_labels(combined, with_technique, texts)
    return labels


def _read_utf8(path: Path, encoding: str = "utf-8") -> str:
    """The text of ``path`` read without newline translation.

    Raises:
        InputError: the file is missing or a folder (E110, as a PTC file the split needs), or is
            not UTF-8 text (E104: PTC offsets count the characters of the UTF-8 file).
    """
    try:
        with open(path, encoding=encoding, newline="") as f:
            return f.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"[E104] {path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at byte {exc.start:,}); "
                         "PTC files are UTF-8, and their offsets count its characters") from None
    except IsADirectoryError:
        raise InputError(f"[E110] {path}: a folder, not a file") from None
    except FileNotFoundError:
        raise InputError(f"[E110] {path}: no such file") from None


def read_article_text(path: str | Path) -> str:
    """The text of one PTC article file, offsets as the corpus counts them (``newline=""``).

    Raises:
        InputError: missing or a folder (E110), not UTF-8 (E104), binary: a NUL character, as
            ``slant analyze`` refuses one (E102).
    """
    text = _read_utf8(Path(path))
    if "\x00" in text:
        raise InputError(f"[E102] {path}: looks like a binary file (contains NUL bytes, the first at character "
                         f"{text.index(chr(0)):,}), not an article")
    return text


def load_split(directory: str | Path, *, warn: Callable[[str], None] | None = None) -> list[PTCArticle]:
    """Load every article of a PTC split directory, with its SI and TC gold spans.

    The labels of each task come from its per-article folder (``labels-si/``,
    ``labels-tc/``) when that folder exists; otherwise from a combined file of the whole
    split at the split's root, as SemEval-2020 releases them and :func:`write_si` /
    :func:`write_tc` write them: any file whose name ends in ``task-si.labels`` (SI) or
    ``task-flc-tc.labels`` (TC), e.g. ``dev-task-si.labels``. A split with both (the
    released ``dev``) reads the per-article folders only. Label files are read as UTF-8
    with or without a byte-order mark.

    An exact duplicate label line (same article, technique, start and end as written) is
    an error rather than a second span: the released train and dev labels hold none (in
    TC the same span with two different techniques is two labels, not a duplicate).

    Articles are the files of ``articles/`` named ``article<ID>.txt`` as a whole (or the ids
    of ``ids.txt``); other files there, such as ``copy_article9.txt``, are not articles and
    are left out, as label files not named ``article<ID>.task-...labels`` are.

    Args:
        directory: a split in PTC layout (``articles/``, and optionally ``labels-si/``,
            ``labels-tc/``, combined label files, ``ids.txt``).
        warn: called with a one-line message (``<file>: ...``) for each article file that is
            empty or holds only whitespace; such an article is loaded as it is (there is
            nothing in it to find). None: no warnings.
    Returns:
        articles sorted by id; spans are 0-based half-open character offsets, sorted; label
        lists are empty where the split has no labels.
    Raises:
        InputError: ``directory`` does not exist (E106); E110 for: no ``articles/`` folder
            or no article in it; a malformed label line; a label file or combined-file line
            of an article that is not in the split; an unknown technique name (the message
            names the closest known one); an exact duplicate label line; a span that is
            empty, does not start inside its article or ends past it (the message gives the
            line's values and the article's length); several combined files of one task.
    """
    root = Path(directory)
    if not root.exists():
        raise InputError(f"[E106] {root}: no such file or directory")
    art_dir = root / "articles"
    if not art_dir.is_dir():
        raise InputError(f"[E110] {root}: not a PTC split (no articles/ folder)")
    ids_file = root / "ids.txt"
    if ids_file.is_file():
        ids = [x.strip() for x in _read_utf8(ids_file, "utf-8-sig").split() if x.strip()]
        if not ids:
            raise InputError(f"[E110] {ids_file}: lists no article id (delete it to read every article<ID>.txt "
                             f"in {art_dir})")
        for n, aid in enumerate(ids, 1):
            if not (art_dir / f"article{aid}.txt").is_file():
                raise InputError(f"[E110] {ids_file}: id {n} ({aid!r}) has no file {art_dir / f'article{aid}.txt'}")
    else:
        ids = [m.group(1) for p in art_dir.iterdir() if (m := _ARTICLE.fullmatch(p.name))]
    if not ids:
        raise InputError(f"[E110] {root}: no articles (no file named article<ID>.txt in {art_dir})")
    texts = {aid: read_article_text(art_dir / f"article{aid}.txt") for aid in sorted(ids)}
    si = _split_labels(root, "labels-si", ".task-si.labels", False, texts)
    tc = _split_labels(root, "labels-tc", ".task-flc-tc.labels", True, texts)
    for aid, text in texts.items():  # once the split has loaded: never warnings and then an error
        if warn is not None and not text.strip():
            what = "no text" if not text else f"only whitespace, {len(text)} chars"
            warn(f"{art_dir / f'article{aid}.txt'}: empty article ({what}); it is kept, with nothing in it to find")
    return [PTCArticle(aid, text, sorted(si.get(aid, [])), sorted(tc.get(aid, []))) for aid, text in texts.items()]


def write_si(path: str | Path, predictions: dict[str, Iterable[TechniqueSpan]]) -> None:
    """Write SI predictions as ``ID\\tstart\\tend`` lines (the SemEval-2020 SI format).

    One file for the whole split, articles in id order, spans sorted; :func:`load_split`
    reads it back from a split's root when the name ends in ``task-si.labels``.

    Args:
        path: the file to write (UTF-8, ``\\n`` line ends; replaced if it exists).
        predictions: article id -> spans (0-based half-open character offsets; the
            technique is ignored). An exact repeat of a span is written once: the SI
            measure merges overlapping spans, so this changes no score.
    Raises:
        OSError: the file cannot be written.
    """
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for aid in sorted(predictions):
            for start, end in sorted({(span.start, span.end) for span in predictions[aid]}):
                f.write(f"{aid}\t{start}\t{end}\n")


def write_tc(path: str | Path, predictions: dict[str, Iterable[TechniqueSpan]]) -> None:
    """Write TC predictions as ``ID\\ttechnique\\tstart\\tend`` lines (SemEval-2020 TC format).

    One file for the whole split, articles in id order; :func:`load_split` reads it back
    from a split's root when the name ends in ``task-flc-tc.labels``.

    Args:
        path: the file to write (UTF-8, ``\\n`` line ends; replaced if it exists).
        predictions: article id -> labelled spans (0-based half-open character offsets).
            The same span may carry several different techniques.
    Raises:
        ValueError: a span has no technique, or the same span is given twice with the same
            technique (TC counts each line, and :func:`load_split` refuses exact duplicates);
            nothing is written then.
        OSError: the file cannot be written.
    """
    lines = []
    for aid in sorted(predictions):
        seen = set()
        for span in sorted(predictions[aid], key=lambda s: (s.start, s.end, s.technique or "")):
            if span.technique is None:
                raise ValueError(f"article {aid}: span [{span.start}, {span.end}) has no technique")
            if span in seen:
                raise ValueError(f"article {aid}: span [{span.start}, {span.end}) given twice as {span.technique}")
            seen.add(span)
            lines.append(f"{aid}\t{span.technique}\t{span.start}\t{span.end}\n")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)
