"""Which language an article is written in, so that slant can say when its models do not apply.

Every model slant ships (spaCy's English pipeline, the techniques, claims and credibility
models) was trained on English text; on German or Chinese text they still give
entities, spans and scores, and those look as confident as on English. The language is
identified with py3langid (a maintained fork of langid.py: Lui & Baldwin, ACL 2012 demo;
a naive Bayes model over byte n-grams of 97 languages, shipped inside the package), about
2 ms for a 500-word article.

A text counts as *not English* only when it is long enough to judge (:data:`MIN_CHARS`
non-space characters, a Han, kana or Hangul one counting three), English is nearly ruled
out (P(en) below :data:`MAX_ENGLISH`, probabilities normalised over the 97 languages)
and another language is likely (P >= :data:`MIN_PROBABILITY`). Measured 2026-12-07 on
9,154 texts of ../shared/data (PTC train and dev, the four news corpora with their
titles, the claims sentences and tweets): every one of them with at least 150 non-space
characters had P(en) >= 0.05 except two tweets of case counts and flag emoji (228 and
230 characters), which py3langid calls ``zxx`` (no linguistic content), which is
therefore never reported as a language; headlines in capitals of 40-110 characters drop
to P(en) 0.01-0.05, hence the length floor (a 60-word French paragraph has about 190).

The identifier's model takes about 75 MB of memory, so a cheap screen runs first: a text
of which at least :data:`ENGLISH_SCREEN` of the words are English function words is
English. English articles of PTC and the news corpora score 0.15-0.71 (0.1 % under 0.22:
short all-caps pieces, which then go to the identifier), German, French, Spanish, Italian,
Dutch and Polish news paragraphs 0.00-0.09. Of the 89,310 texts of ../shared/data
(articles, titles, claims sentences and tweets), 114 went to the identifier and none was
reported as another language.
"""

from __future__ import annotations

import functools
import re
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
#: a text at least this share of whose words are English function words (spaCy's English stop
#: list) is English without asking the identifier: its model costs ~75 MB of memory, so it is
#: loaded only for the rare text that fails this screen
ENGLISH_SCREEN = 0.2
#: ... provided it has at least this many words
SCREEN_WORDS = 20
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


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


#: Han, kana and Hangul: one such character carries about as much text as three Latin letters
_DENSE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: what a dense character counts toward :data:`MIN_CHARS`
DENSE_WEIGHT = 3


def _weight(text: str) -> int:
    """Non-space characters of ``text``, each Han, kana or Hangul one counted :data:`DENSE_WEIGHT`
    times (a three-sentence Chinese paragraph has about 110 characters, an English one 250)."""
    return sum(not c.isspace() for c in text) + (DENSE_WEIGHT - 1) * len(_DENSE.findall(text))


def english_share(text: str) -> tuple[float, int]:
    """Share of the words of ``text[:READ_CHARS]`` that are English function words (spaCy's
    English stop list, any case), and the number of words; ``(0.0, 0)`` without words."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = _WORD.findall(text[:READ_CHARS])
    if not words:
        return 0.0, 0
    return sum(w.lower() in STOP_WORDS for w in words) / len(words), len(words)


def not_english(text: str) -> Language | None:
    """The language of ``text`` when it is long enough to judge and clearly not English
    (see the module docstring), else None (English, or too short or too mixed to say).

    A text that passes the :data:`ENGLISH_SCREEN` (English news: 0.22 and more of its words
    are function words, other languages 0.09 and less) is English without the identifier."""
    if _weight(text[:READ_CHARS]) < MIN_CHARS:
        return None
    share, words = english_share(text)
    if share >= ENGLISH_SCREEN and words >= SCREEN_WORDS:
        return None
    found = identify(text)
    if found.english >= MAX_ENGLISH or found.probability < MIN_PROBABILITY or found.code in ("en", "zxx"):
        return None
    return found


def decline(ctx: Any, code: str, what: str, trained_on: str) -> bool:
    """For a stage whose model learnt English only: when ``ctx.language`` says the text is
    clearly not English, add notice ``code`` ("<what>: the text reads as German; the model was
    trained on <trained_on>") to ``ctx.out["notices"]`` and return True (the stage then leaves
    its output empty); else False.

    Args:
        ctx: the analysis Context (``language``, ``out``).
        code: the stage's notice code (W402 techniques, W502 claims, W602 credibility).
    """
    if ctx.language is None:
        return False
    from .schema import NoticeOut

    ctx.out.setdefault("notices", []).append(NoticeOut(
        code=code, message=f"{what}: the text reads as {ctx.language.name}; the model was trained on {trained_on}"))
    return True
