"""Datelines: the place (and agency) a wire story opens a paragraph with.

``LONDON (Reuters) - Prime Minister Keir Starmer said ...``, ``PARIS, June 3 (AP) — ...``,
``WASHINGTON - Senator ...``. They matter twice: credibility blanks them as a shortcut (ISOT's
reliable rows all carry Reuters datelines), and attribution must not take the place for the
speaker, which spaCy's parser makes the subject of "said" (``LONDON`` nsubj, the minister its
appositive).
"""

from __future__ import annotations

import functools
import itertools
import re

#: the title-case dateline: ``Washington, D.C. —``, ``Berlin -`` (a place only when the gazetteer says so)
_TITLE_DATELINE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][a-z]+(?:[ .'’-]+[A-Z][a-z]+){0,2})(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)?)?"
    r"[ \t]+[—–-]{1,2}[ \t]+", re.M)


class _PlaceDateline:
    """``finditer`` over :data:`_TITLE_DATELINE` matches whose place is a city of 50,000+ people or a
    country in the gazetteer (:mod:`slant.places`), by its official name, opening the text's first or
    second line (a headline may come first): ``Berlin -`` is a dateline, ``Critics -`` and ``Donald
    Trump -`` are not, nor is ``Florida — 29 votes`` in a list further down. The gazetteer is
    loaded only when such a line opens with such a shape."""

    def finditer(self, text: str):
        # the headline and the first paragraph: the first two lines, not every line of the text
        lines = [m.start() for m in itertools.islice(re.finditer(r"(?m)^[ \t]*\S", text), 2)]
        for m in _TITLE_DATELINE.finditer(text, 0, lines[-1] + 200 if lines else 0):
            if m.start() <= lines[-1] and _is_place(m.group("place")):
                yield m


@functools.lru_cache(maxsize=4096)
def _is_place(name: str) -> bool:
    from .places import get_gazetteer

    return any(t == 0 and (p.feature == "country" or (p.feature == "city" and p.population >= 50_000))
               for p, t in get_gazetteer().candidates(name))


#: the dateline forms at a line start: a place (and date) of up to five words with an agency
#: in brackets (``LONDON (Reuters) -``, ``PARIS, June 3 (AP) —``; the date's digits since
#: 2026-12-07, and the agencies beyond Reuters, CNN, AP and AFP; since 2026-12-08 in any case,
#: ``london (reuters) -``), an all-caps place and a dash (``CLEVELAND —``; an all-caps name such
#: as ``NASA —`` has the same shape: attribution tells them apart by the entity type), or since
#: 2026-12-08 a title-case place the gazetteer knows and a dash (``Washington, D.C. —``; see
#: :class:`_PlaceDateline`). Each has ``finditer``.
DATELINE_PATTERNS: tuple = (
    re.compile(
        r"^[ \t]*(?:[A-Za-z][\w.'’-]*(?:[ ,/]+[A-Za-z0-9][\w.'’-]*){0,4}[ \t]*)?\((?i:Reuters|CNN|CNNMoney|AP|AFP|UPI|Bloomberg|TASS|Xinhua|dpa|EFE|ANSA|Kyodo|Yonhap|PTI|IANS|ANI|Sputnik|RIA Novosti)\)[ \t]*(?:[-–—]+[ \t]*)?",
        re.M),
    re.compile(r"^[ \t]*[A-Z][A-Z.,'’/ -]{2,40}[ \t]+[—–-]{1,2}(?:[ \t]+|[ \t]*$)", re.M),
    _PlaceDateline(),
)


@functools.lru_cache(maxsize=8)
def dateline_spans(text: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` char offsets of the datelines in ``text``, in text order (overlaps kept)."""
    return tuple(sorted(m.span() for p in DATELINE_PATTERNS for m in p.finditer(text) if m.end() > m.start()))


def in_dateline(text: str, i: int) -> bool:
    """Whether char ``i`` of ``text`` lies inside a dateline."""
    return any(s <= i < e for s, e in dateline_spans(text))


@functools.lru_cache(maxsize=8)
def _agency_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in DATELINE_PATTERNS[0].finditer(text) if m.end() > m.start())


def in_agency_dateline(text: str, i: int) -> bool:
    """Whether char ``i`` of ``text`` lies inside a dateline naming a wire agency (``LONDON (Reuters) -``,
    ``BERLIN, Dec 8 (AP) -``): nothing in one is a speaker, whatever the entity type (the parser
    makes ``BERLIN``, tagged ORG, or ``Reuters`` the subject of the story's first "said")."""
    return any(s <= i < e for s, e in _agency_spans(text))
