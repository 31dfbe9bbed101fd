"""Which language an article is written in, so that slant can say when its models do not apply.

Every model slant ships (spaCy's English pipeline, the techniques, claims and credibility
models) was trained on English text; on German or Chinese text they still give
entities, spans and scores, and those look as confident as on English. The language is
identified with py3langid (a maintained fork of langid.py: Lui & Baldwin, ACL 2012 demo;
a naive Bayes model over byte n-grams of 97 languages, shipped inside the package), about
2 ms for a 500-word article.

A text counts as *not English* only when it is long enough to judge
(:data:`MIN_CHARS` non-space characters), English is nearly ruled out (P(en) below
:data:`MAX_ENGLISH`, probabilities normalised over the 97 languages) and another language
is likely (P >= :data:`MIN_PROBABILITY`). Measured
2026-12-07 on 9,154 texts of ../shared/data (PTC train and dev, the four news corpora
with their titles, the claims sentences and tweets): every one of them with at least
150 non-space characters had P(en) >= 0.05 except two tweets of case counts and flag emoji
(228 and 230 characters), which py3langid calls ``zxx`` (no linguistic content), which is
therefore never reported as a language; headlines in capitals of 40-110 characters drop to
P(en) 0.01-0.05, hence the length floor (a 60-word French paragraph has about 190).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

#: non-space characters a text needs before its language is judged
MIN_CHARS = 150
#: a text is not English when P(en) is below this
MAX_ENGLISH = 0.05
#: ... and its most probable language is at least this probable (text with no letters, such
#: as a row of emoji, gives a flat distribution: nothing to judge)
MIN_PROBABILITY = 0.5
#: characters read (the start of a long text decides)
READ_CHARS = 20_000


@dataclass(frozen=True)
class Language:
    """The most probable language of a text.

    Attributes:
        code: ISO 639-1 code (``"de"``), as py3langid names it.
        name: the English name (``"German"``; the code when unknown).
        probability: P(code), in [0, 1].
        english: P(en), in [0, 1].
    """

    code: str
    name: str
    probability: float
    english: float


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _name(code: str) -> str:
    import pycountry

    found = pycountry.languages.get(alpha_2=code)
    return found.name if found is not None else code


def identify(text: str) -> Language:
    """The most probable language of the first :data:`READ_CHARS` characters of ``text``."""
    ranked = _identifier().rank(text[:READ_CHARS])
    code, p = ranked[0]
    english = next((float(q) for c, q in ranked if c == "en"), 0.0)
    return Language(code=str(code), name=_name(str(code)), probability=float(p), english=english)


def not_english(text: str) -> Language | None:
    """The language of ``text`` when it is long enough to judge and clearly not English
    (see the module docstring), else None (English, or too short or too mixed to say)."""
    if sum(not c.isspace() for c in text[:READ_CHARS]) < MIN_CHARS:
        return None
    found = identify(text)
    if found.english >= MAX_ENGLISH or found.probability < MIN_PROBABILITY or found.code in ("en", "zxx"):
        return None
    return found
