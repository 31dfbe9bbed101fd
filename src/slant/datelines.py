"""Datelines: the place (and agency) a wire story opens a paragraph with.

``LONDON (Reuters) - Prime Minister Keir Starmer said ...``, ``PARIS, June 3 (AP) — ...``,
``WASHINGTON - Senator ...``. They matter twice: credibility blanks them as a shortcut (ISOT's
reliable rows all carry Reuters datelines), and attribution must not take the place for the
speaker, which spaCy's parser makes the subject of "said" (``LONDON`` nsubj, the minister its
appositive).
"""

from __future__ import annotations

import functools
import re

#: the two dateline forms at a line start: a place (and date) of up to five words with an agency
#: in brackets (``LONDON (Reuters) -``, ``PARIS, June 3 (AP) —``; the date's digits since
#: 2026-12-07, and the agencies beyond Reuters, CNN, AP and AFP: no row of the news corpora is
#: stripped differently), or an all-caps place and a dash (``CLEVELAND —``; an all-caps name such
#: as ``NASA —`` has the same shape: attribution tells them apart by the entity type)
DATELINE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"^[ \t]*(?:[A-Z][\w.'’-]*(?:[ ,/]+[A-Za-z0-9][\w.'’-]*){0,4}[ \t]*)?\((?:Reuters|CNN|CNNMoney|AP|AFP|UPI|Bloomberg|TASS|Xinhua|dpa|EFE|ANSA|Kyodo|Yonhap|PTI|IANS|ANI|Sputnik|RIA Novosti)\)[ \t]*(?:[-–—]+[ \t]*)?",
        re.M),
    re.compile(r"^[ \t]*[A-Z][A-Z.,'’/ -]{2,40}[ \t]+[—–-]{1,2}[ \t]+", re.M),
)


@functools.lru_cache(maxsize=8)
def dateline_spans(text: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` char offsets of the datelines in ``text``, in text order (overlaps kept)."""
    return tuple(sorted(m.span() for p in DATELINE_PATTERNS for m in p.finditer(text) if m.end() > m.start()))


def in_dateline(text: str, i: int) -> bool:
    """Whether char ``i`` of ``text`` lies inside a dateline."""
    return any(s <= i < e for s, e in dateline_spans(text))
