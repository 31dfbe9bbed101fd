"""Named entities: spaCy NER mentions, corrected, grouped into entities (one mechanism
for the whole project: attribution's speakers use the same clusters).

Steps, on the spaCy Doc of the normalised text:

1. **Mentions** from ``doc.ents`` (labels in :data:`ENTITY_LABELS`).
2. **Corrections** where evidence says better (see ``slant/evaluation/entities/GUIDELINE.md``):
   a NORP adjective glued to a one-word ORG is one ORG (``Islamic`` + ``State``);
   religions are NORP (``Islam`` tagged ORG), deity names are not entities (``Allah``
   tagged GPE); a PERSON/ORG/PRODUCT/WORK_OF_ART mention whose text is a gazetteer
   city or country in a country the article's other places vote for is a GPE
   (``Palmyra`` PERSON, ``Elbab`` PRODUCT), unless it is a name part of a person of
   the article or stands in a person context. In a place context (``in``, ``from``,
   ``entered``, ``the city of`` before it, ``province`` after it, or coordinated with
   such a place) a gazetteer city of 50,000+ people is a GPE and a named region a LOC
   (``entered Al-Raqqah``, ``from the Sinai``, ``from Lyon and Marseille``); an
   Arabic-article name the NER missed there is added (``in ar-Raqqa province``). A 2-3
   word ORG whose last word the article uses alone as a PERSON is that person
   (``Jean-Claude Juncker``).
3. **Clustering** (greedy, in document order, PERSON first): person names join on
   full name, surname only, title + surname, or a spelling/transliteration variant of
   the surname (``Almuhajer`` / ``Almujaher``: similarity >= 0.75 on names of 5+
   letters, or on a phonetic key: ``Gaddafi`` / ``Qaddafi`` / ``Kadhafi``) when the
   first names do not conflict, or a word suffix (``Bin Salman``), or the first word of
   one person's name that no one else carries (``Kim`` for ``Kim Jong-un``). Keys
   drop accents and keep hyphenated names whole (``García``, ``Ocasio-Cortez``). A
   surname two people share goes, after ``Mrs.``/``Ms.``, to the one with a known
   female first name (``Mr.``: the other), else to the most recent. A one-word mention with another
   label joins a person when its name matches that person's surname exactly, or
   fuzzily in a person context (subject of a reporting verb, after a title) and is
   relabelled PERSON (spaCy tags ``Almujaher`` ORG). Other mentions join on equal
   keys, acronyms (``UN`` / ``United Nations``) or, for places, the same gazetteer
   country (``U.S.`` / ``America``); place entities the gazetteer resolves to one
   record are merged (``Raqqa`` / ``Rakka``, ``Va.`` / ``Virginia``). Candidate
   clusters come from indexes (last name word, match signatures), so the time grows
   near-linearly with the text (about 26 ms per 10k characters on 40 concatenated
   PTC articles, 219k characters).
4. **Salience** in [0, 1]: ``0.6 * mentions / most mentions + 0.4 * (1 - first
   offset / text length)``. The share of mentions inside quotations
   (``EntityOut.quoted_share``, ``MentionOut.in_quotation``) is filled after
   attribution by :func:`quotation_stage`.

``MentionOut.label`` is spaCy's own label of the mention (``None`` for a mention
found by propagation, ``A+B`` for two NER spans glued into one); the corrected type
is the entity's ``label``.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from .nlp import doc_text
from .schema import EntityOut, MentionOut

#: NER labels kept as entities (numbers, dates, money... are not entities here)
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TITLES = frozenset(
    "mr mrs ms miss dr sir president senator sen rep gov governor general gen sheikh sheik imam minister "
    "secretary prime king queen prince princess judge bishop archbishop pope cardinal congressman congresswoman "
    "rev reverend father sister brother lord lady chancellor premier mayor ambassador the".split()
)
#: religions: NORP in OntoNotes (an ORG or GPE tag on them is wrong)
RELIGIONS = frozenset("islam christianity judaism hinduism buddhism sikhism catholicism protestantism shia sunni".split())
#: deity names: not entities under our guideline (spaCy tags ``Allah`` GPE)
DEITIES = frozenset("allah god yahweh jehovah".split())
#: reporting verbs whose subject is a person-like speaker (textacy-style short list)
REPORTING_VERBS = frozenset(
    "say tell claim add respond reply state explain argue insist note write warn announce deny admit ask answer "
    "believe think declare vow urge accuse praise criticize criticise boast threaten".split()
)
#: labels a one-word mention may carry when it is really a person or a place
_MISLABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "NORP", "GPE", "EVENT", "LAW", "FAC", "LOC"})
_TITLE_WORDS = frozenset(t for t in _TITLES if t != "the")


@dataclass
class Cluster:
    """An entity in NORMALISED offsets (stage-internal; ``EntityOut`` is the public form).

    Attributes:
        id: ``e1``, ``e2`` ... in order of first mention.
        label: entity type after corrections (majority of the corrected mention labels).
        name: the longest mention text of the entity's type.
        mentions: ``(start, end, label)`` in the normalised text, in document order;
            ``label`` is the corrected label of that mention.
        keys: :func:`name_key` of each mention (for :func:`match_name`).
        ner_labels: spaCy's own label of each mention, parallel to ``mentions``.
        salience: see the module docstring; 0 until :func:`cluster_mentions` sets it.
    """

    id: str
    label: str
    name: str
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    ner_labels: list[str] = field(default_factory=list)
    salience: float = 0.0


def name_key(name: str) -> str:
    """Lower-case ASCII letters and digits of ``name``; titles, ``the`` and possessives dropped.

    >>> name_key("Mr. Trump's")
    'trump'
    """
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    name = _INVISIBLE.sub("", name)
    name = re.sub(r"['’]s\b", "", name)
    name = re.sub(r"['’`]", "", name)
    # hyphenated names are one word (Ocasio-Cortez, Jong-un), an Arabic particle is not (al-Baghdadi)
    name = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", lambda m: m.group(0) if _particle_before(name, m.start()) else "", name)
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _TITLES]
    return " ".join(words)


#: zero-width characters, soft hyphen, BOM: dropped from keys and display strings
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
#: name particles written with a hyphen that stay a word of their own (al-Baghdadi, bin-Laden)
_PARTICLES = frozenset("al el ar as ad an at az ash ad ed bin ibn ben abu abd".split())


def _particle_before(name: str, hyphen: int) -> bool:
    m = re.search(r"[A-Za-z]+$", name[:hyphen])
    return bool(m) and m.group(0).lower() in _PARTICLES


def display_name(text: str) -> str:
    """``text`` as shown to a reader: zero-width characters, soft hyphens and BOMs
    removed (``'Raq\ufeffqa'`` -> ``'Raqqa'``). Spans keep the original characters."""
    return _INVISIBLE.sub("", text)


_PHONETIC = (("ph", "f"), ("dh", "d"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("ck", "k"), ("q", "k"), ("c", "k"),
             ("g", "k"), ("z", "s"), ("y", "i"), ("w", "v"), ("ou", "u"), ("ee", "i"), ("oo", "u"))


@functools.lru_cache(maxsize=65536)
def _phonetic(word: str) -> str:
    """A transliteration-tolerant key of a name word: digraphs and letters that
    transliterations of one sound alternate between are folded, doubled letters
    single (``gaddafi``, ``qaddafi``, ``kadhafi`` -> ``kadafi``)."""
    for a, b in _PHONETIC:
        word = word.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", word)


@functools.lru_cache(maxsize=32768)  # pairs of one article's words: a small cache catches the repeats
def _fuzzy(a: str, b: str) -> bool:
    """Spelling/transliteration variants of one name word (``almuhajer`` ~ ``almujaher``,
    ``gaddafi`` ~ ``qaddafi``): string similarity >= 0.75 on the words or on their
    :func:`_phonetic` keys, first letters agreeing, 5+ letters."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    if 2 * min(len(a), len(b)) < 0.75 * (len(a) + len(b)):
        return False  # no ratio can reach 0.75
    if a[0] == b[0] and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75:
        return True
    pa, pb = _phonetic(a), _phonetic(b)
    return pa[:1] == pb[:1] and (pa == pb or difflib.SequenceMatcher(None, pa, pb).ratio() >= 0.8)


def _first_compatible(a: list[str], b: list[str]) -> bool:
    """First-name parts of two person keys do not conflict (one empty, equal, initials or variants)."""
    if not a or not b:
        return True
    for x, y in zip(a, b):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)) or _fuzzy(x, y):
            continue
        return False
    return True


def _person_match(key: str, other: str, *, fuzzy: bool = True) -> bool:
    """Two person-name keys may name one person: same surname (or a variant of it)
    and compatible first names."""
    if key == other:
        return True
    ta, tb = key.split(), other.split()
    if not ta or not tb:
        return False
    short, long_ = sorted((ta, tb), key=len)
    if len(short) > 1 and long_[-len(short):] == short:
        return True  # "Bin Salman" / "Mohammed bin Salman"
    same_last = ta[-1] == tb[-1] or (fuzzy and _fuzzy(ta[-1], tb[-1]))
    return same_last and _first_compatible(ta[:-1], tb[:-1])


def _similar(a: str, b: str) -> bool:
    """Kept for callers of the first version: person-name match of two keys."""
    return _person_match(a, b)


def _cluster_person_match(key: str, cluster: Cluster, *, fuzzy: bool = True) -> bool:
    """``key`` matches the cluster's names and conflicts with none of its full names."""
    keys = list(dict.fromkeys([k for k, (_, _, lab) in zip(cluster.keys, cluster.mentions) if lab == "PERSON"]
                              or cluster.keys))
    if not any(_person_match(key, k, fuzzy=fuzzy) for k in keys):
        return False
    return all(_first_compatible(key.split()[:-1], k.split()[:-1]) or _person_match(key, k, fuzzy=False) for k in keys)


def _acronym(short: str, long: str) -> bool:
    """``short`` (a key without spaces, 2-6 letters) is the initials of ``long``."""
    words = [w for w in long.split() if w not in ("of", "and", "for", "the")]
    return 2 <= len(short) <= 6 and len(words) >= 2 and "".join(w[0] for w in words) == short


@dataclass
class _Mention:
    start: int
    end: int
    label: str  # corrected
    ner_label: str
    text: str
    key: str
    person_context: bool = False
    title: str = ""  # a courtesy title right before the name (mrs, ms, mr...), lower case
    place_cue: bool = False  # a place context: "in", "from", "entered", "the city of" before, "province" after


def _person_context(doc, start: int, end: int) -> bool:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_.lower() in REPORTING_VERBS:
        return True
    if span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in _TITLE_WORDS:
        return True
    return False


_GLUE_WORDS = frozenset({"on", "of", "for", "and", "de", "del", "la"})
_LEADING = re.compile(r"(?:the|The|THE)\s+(?=\S)")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Mention bounds without surrounding spaces, a leading ``the`` and a trailing ``'s``
    (OntoNotes keeps the determiner outside the name)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    m = _LEADING.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    paren = text.find(" (", start, end)
    if paren > start and text.find(")", paren, end) < 0:
        end = paren  # "World Health Organization (WHO" -> the name before the bracket
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ".)"):
        end -= 1  # "Congo #", a closing quote
    while start < end and not (text[start].isalnum() or text[start] in "@#"):
        start += 1
    if end - start > 2 and text[end - 2 : end] in ("'s", "’s"):
        end -= 2
    return start, end


_TITLE_RE = re.compile(r"(?:(?:[A-Z][a-z]+)\.?\s+)")


def _strip_titles(text: str, start: int, end: int) -> tuple[int, int, str]:
    """A PERSON mention without leading titles (``Bishop Ronald Gainer`` -> ``Ronald Gainer``)."""
    while True:
        m = _TITLE_RE.match(text, start, end)
        if not m or m.end() >= end or m.group(0).strip().rstrip(".").lower() not in _TITLE_WORDS:
            return start, end, text[start:end]
        start = m.end()


def _demonym_of_country(key: str) -> bool:
    """``guatemalan``, ``syrian``, ``iraqi``, ``chinese``: a nationality adjective of a gazetteer country."""
    from .places import get_gazetteer

    gaz = get_gazetteer()
    stems = {key[:-1], key[:-2], key[:-3], key[:-1] + "s", key[:-2] + "as", key[:-3] + "a", key[:-3] + "y"}
    return any(p.feature == "country" and t == 0 for stem in stems if len(stem) >= 3 for p, t in gaz.candidates(stem))


def _raw_mentions(doc, text: str) -> list[_Mention]:
    """doc.ents as mentions, with the NORP+ORG glue fixed and religions/deities handled."""
    ents = [e for e in doc.ents if e.label_ in ENTITY_LABELS]
    out: list[_Mention] = []
    i = 0
    while i < len(ents):
        e = ents[i]
        start, end, label, ner = e.start_char, e.end_char, e.label_, e.label_
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        if (label == "NORP" and nxt is not None and nxt.label_ == "ORG" and len(nxt) == 1
                and nxt.start_char - end == 1 and text[end] == " " and nxt.text[:1].isupper()):
            end, label, ner = nxt.end_char, "ORG", "NORP+ORG"  # "Islamic" + "State" -> one ORG
            i += 1
        elif (nxt is not None and e[-1].lower_ in _GLUE_WORDS and nxt.start_char - end == 1 and text[end] == " "
              and nxt.text[:1].isupper()):
            end, ner = nxt.end_char, f"{label}+{nxt.label_}"  # "Vienna Convention on" + "Consular Relations"
            i += 1
        i += 1
        start, end = _trim(text, start, end)
        mtext = text[start:end]
        key = name_key(mtext)
        if not key:
            continue
        if key in DEITIES:
            continue
        if key in RELIGIONS:
            label = "NORP"
        if label == "PERSON":
            start, end, mtext = _strip_titles(text, start, end)
        title = _COURTESY.search(text, max(0, start - 8), start)
        out.append(_Mention(start, end, label, ner, mtext, key, _person_context(doc, start, end),
                            title.group(1).lower() if title else "",
                            bool(_PLACE_BEFORE.search(text, max(0, start - 40), start) or _PLACE_AFTER.match(text, end))))
    return out


#: words before a name that make it a place (a preposition of place, a verb of movement
#: or conquest, "the city of"); a name after "and"/"," takes the cue of a place before it
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|from|near|into|outside|around|across|towards?|through|entered|enters|entering|left|leaving|fled|"
    r"fleeing|captured|recaptured|seized|reached|liberated|besieged|stormed|shelled|bombed|"
    r"(?:city|town|village|province|region|outskirts|capital) of)\s+(?:the\s+)?)$", re.I)
_PLACE_AFTER = re.compile(r"\s+(?:province|governorate|region|district)\b", re.I)
_PLACE_CONJ = re.compile(r"^\s*(?:,|and|or|, and)\s*$")
#: smallest city population a context cue alone may relabel a name to (a place of note)
MIN_POP_CUE = 50_000


_COURTESY = re.compile(r"\b(Mrs|Ms|Miss|Mr|Madam|Sir|Lady|Lord)\.?\s+$")
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "madam", "lady"})
#: common female given names (US SSA top names and frequent names in international news):
#: only to send ``Mrs. Clinton`` to Hillary, not Bill; an unknown name decides nothing
FEMALE_NAMES = frozenset(
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra ashley "
    "kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen "
    "amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra rachel catherine carolyn "
    "janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina lauren joan evelyn judith "
    "megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice madison doris "
    "abigail julia judy grace denise amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella "
    "charlotte rose alexis kayla hillary hilary nancy condoleezza madeleine theresa angela ursula kamala elizabeth "
    "melania ivanka michelle sheryl oprah nikki sonia ruth elena jill chelsea sarah malala benazir indira golda "
    "marine christine federica nicola jacinda alexandria ilhan rashida tulsi kirsten dianne maxine nancy lindsey "
    "fatima aisha ayesha leila layla mariam maryam zainab yasmin noor".split()
)


#: upper-case words that are not an organisation's initials when they stand alone
_NOT_ACRONYMS = frozenset("US UK EU UN AM PM TV OK IT NO ON IN TO AT BY OR AN AS IF OF SO DO GO HE WE ME MY".split())
_COMPASS = frozenset(
    "north south east west central northern southern eastern western northeast northwest southeast southwest "
    "northeastern northwestern southeastern southwestern sub".split()
)


_ARTICLE_NAME = re.compile(r"(?<![\w-])(?:[Aa][lrsdntz]|[Aa]sh|[Ee][lds])-[A-Z][a-z]{2,}(?![\w-])")


def _missed_places(mentions: list[_Mention], text: str) -> list[_Mention]:
    """Arabic-article place names the NER missed (``in ar-Raqqa province``): a name in a
    place context, overlapping no mention, that is a gazetteer city of
    :data:`MIN_POP_CUE`+ people (official or article-stripped name) becomes a GPE
    mention without a spaCy label."""
    from .places import get_gazetteer

    found = []
    taken = sorted((m.start, m.end) for m in mentions)
    for hit in _ARTICLE_NAME.finditer(text):
        s, e = hit.span()
        if any(a < e and s < b for a, b in taken):
            continue
        if not (_PLACE_BEFORE.search(text, max(0, s - 40), s) or _PLACE_AFTER.match(text, e)):
            continue
        if any(p.feature == "city" and p.population >= MIN_POP_CUE and t in (0, 2)
               for p, t in get_gazetteer().candidates(hit.group(0))):
            found.append(_Mention(s, e, "GPE", "", hit.group(0), name_key(hit.group(0)), place_cue=True))
    return sorted(mentions + found, key=lambda m: m.start) if found else mentions


def _relabel_demonyms(mentions: list[_Mention]) -> None:
    """One-word ORG/GPE/PRODUCT/PERSON mentions that are nationality adjectives -> NORP
    (not a surname of a person of the article: ``Cuban`` for Mark Cuban)."""
    person_words = {w for m in mentions if m.label == "PERSON" and len(m.key.split()) > 1 for w in m.key.split()}
    for m in mentions:
        if m.key in person_words:
            continue
        if m.label in ("ORG", "GPE", "PRODUCT", "PERSON") and " " not in m.key and len(m.key) >= 5 and m.key[-1] in "nie":
            if m.text[:1].isupper() and _demonym_of_country(m.key):
                m.label = "NORP"


def _relabel_places(mentions: list[_Mention], text: str) -> None:
    """PERSON/ORG/PRODUCT/WORK_OF_ART mentions that are gazetteer places of the article's
    countries -> GPE; in a place context (``entered Al-Raqqah``, ``from Lyon and
    Marseille``, ``from the Sinai``) a gazetteer city of :data:`MIN_POP_CUE`+ people,
    a country or a state -> GPE, a named region -> LOC."""
    try:
        from .places import get_gazetteer
    except ImportError:  # pragma: no cover - places module absent
        return
    gaz = get_gazetteer()
    for m in mentions:  # "West Africa", "Africa" tagged GPE are regions: LOC
        if m.label == "GPE":
            words = m.key.split()
            rest = " ".join(words[1:]) if len(words) > 1 and words[0] in _COMPASS else m.key
            if any(p.feature == "continent" and t <= 1 for p, t in gaz.candidates(rest)):
                m.label = "LOC"
    suspects = [m for m in mentions if m.label in ("PERSON", "ORG", "PRODUCT", "WORK_OF_ART") and not m.person_context]
    if not suspects:
        return
    countries: set[str] = set()
    for m in mentions:
        if m.label in PLACE_LABELS:
            cands = gaz.candidates(m.text)
            top = min((t for _, t in cands), default=9)
            ccs = {p.country for p, t in cands if t == top and p.country and t <= 1}
            if len(ccs) == 1:
                countries |= ccs
    person_words = {w for m in mentions if m.label == "PERSON" and len(m.key.split()) > 1 for w in m.key.split()
                    if w not in _PARTICLES}
    # "Al-Raqqah" tagged PERSON: an article + one word, and no other person name of the
    # article shares the word, is a place candidate despite its two-word PERSON key
    keys_of_word: dict[str, set[str]] = {}
    for o in mentions:
        if o.label == "PERSON" and len(o.key.split()) > 1:
            for w in o.key.split():
                keys_of_word.setdefault(w, set()).add(o.key)
    own_words = {m.key for m in suspects if m.label == "PERSON" and len(m.key.split()) == 2
                 and m.key.split()[0] in _PARTICLES and not keys_of_word.get(m.key.split()[1], set()) - {m.key}}
    prev: _Mention | None = None
    suspect_ids = {id(m) for m in suspects}
    for m in mentions:
        suspect = id(m) in suspect_ids
        if (suspect and not m.place_cue and prev is not None and prev.label in PLACE_LABELS
                and _PLACE_CONJ.match(text[prev.end:m.start])):
            m.place_cue = prev.place_cue  # "from Lyon and Marseille"
        prev = m
        if not suspect or (m.key not in own_words and (m.key in person_words or any(w in person_words for w in m.key.split()))):
            continue
        if m.label == "PERSON" and len(m.key.split()) > 1 and not (m.place_cue and m.key in own_words):
            continue  # a full person name is not relabelled on a gazetteer hit
        all_cands = gaz.candidates(m.text)
        cands = [(p, t) for p, t in all_cands if p.feature in ("city", "country", "state") and t <= 2]
        if any(p.country in countries or (p.feature == "country" and t == 0) for p, t in cands):
            m.label = "GPE"
        elif m.place_cue:  # "entered Al-Raqqah", "from the Sinai", "from Lyon"
            if any(p.feature == "region" and t <= 1 for p, t in all_cands):
                m.label = "LOC"
            elif any(p.feature != "city" or p.population >= MIN_POP_CUE for p, t in cands):
                m.label = "GPE"


def _female(c: Cluster) -> bool:
    return any(len(k.split()) > 1 and k.split()[0] in FEMALE_NAMES for k in c.keys)


def _first_word_match(key: str, first_index: dict[str, list[Cluster]], word_index: dict[str, list[Cluster]]) -> list[Cluster]:
    """The one person whose full name starts with the one-word ``key`` (family name first,
    ``Kim`` for ``Kim Jong-un``), when no one else has the word anywhere in a name."""
    first = [c for c in first_index.get(key, ()) if any(len(k.split()) > 1 and k.split()[0] == key for k in c.keys)]
    other = [c for c in word_index.get(key, ()) if all(c is not f for f in first)]
    return first if len(first) == 1 and not other else []


#: words that make a title-case name an organisation, whatever title stands before it
#: (``President Trump Foundation``, ``Senator Sanders Campaign``)
_ORG_WORDS = frozenset(
    "party foundation university college institute committee council ministry department office agency "
    "group inc corp company bank news times post journal campaign administration association union "
    "center centre hospital school church club fund trust society house court airport".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?[ \t]+$")


def _person_words_relabel(mentions: list[_Mention], text: str) -> None:
    """A 2-3 word ORG/PRODUCT/WORK_OF_ART mention in title case is a person when its last
    word is a surname the article uses alone as a PERSON (``Jean-Claude Juncker`` tagged
    ORG, ``Juncker`` PERSON), or when a person's title stands right before it and none of
    its words names an organisation (``Chancellor Olaf Scholz``: the small English model
    tags ``Olaf Scholz`` ORG, and ``Scholz`` alone GPE)."""
    surnames = {m.key for m in mentions if m.label == "PERSON" and " " not in m.key}
    for m in mentions:
        words = m.text.split()
        if not (m.label in ("ORG", "PRODUCT", "WORK_OF_ART") and 2 <= len(words) <= 3
                and all(w[:1].isupper() for w in words) and len(m.key.split()) == len(words)):
            continue
        before = _WORD_BEFORE.search(text, max(0, m.start - 20), m.start)
        titled = (before is not None and before.group(1).lower() in _TITLE_WORDS
                  and not any(w.isupper() or w.lower().strip(".,") in _ORG_WORDS for w in words))
        if m.key.split()[-1] in surnames or titled:
            m.label = "PERSON"


def cluster_mentions(doc) -> list[Cluster]:
    """Group the NER mentions of a spaCy Doc into entities (see the module docstring).

    Args:
        doc: spaCy Doc with ``doc.ents`` (and a parser, for person contexts).
    Returns:
        Clusters in order of first mention, ids ``e1``..., with ``salience`` set.
    """
    text = doc_text(doc)
    mentions = _raw_mentions(doc, text)
    mentions = _missed_places(mentions, text)
    _relabel_demonyms(mentions)
    _relabel_places(mentions, text)
    persons: list[Cluster] = []
    others: list[Cluster] = []
    assigned: dict[int, Cluster] = {}

    def add(c: Cluster, m: _Mention, label: str) -> None:
        c.mentions.append((m.start, m.end, label))
        c.keys.append(m.key)
        c.ner_labels.append(m.ner_label)

    def nearest(cands: list[Cluster], pos: int) -> Cluster:
        return max(cands, key=lambda c: max((s for s, _, _ in c.mentions if s < pos), default=-1))

    def choose(cands: list[Cluster], m: _Mention) -> Cluster:
        """Several people fit a surname: a courtesy title picks by the first names (Mrs. -> a
        known female first name, Mr. -> not one), else the most recent one."""
        if len(cands) > 1 and m.title:
            female = [c for c in cands if _female(c)]
            fit = female if m.title in _FEMALE_TITLES else [c for c in cands if not _female(c)]
            cands = fit or cands
        return nearest(cands, m.start)

    _person_words_relabel(mentions, text)
    last_index: dict[str, list[Cluster]] = {}  # last word of a person key -> clusters (candidate pruning)
    first_index: dict[str, list[Cluster]] = {}
    word_index: dict[str, list[Cluster]] = {}

    def person_cands(key: str, fuzzy: bool) -> list[Cluster]:
        last = key.split()[-1]
        found = list(last_index.get(last, ()))
        if fuzzy and len(last) >= 5:  # _fuzzy needs 5+ letters and an equal (phonetic) first letter
            near = {*buckets.get(last[0], ()), *buckets.get(_phonetic(last)[:1], ())}
            for w in near:
                if w != last and _fuzzy(last, w):
                    found += last_index[w]
        return list({id(c): c for c in found}.values())

    buckets: dict[str, set[str]] = {}  # first letter and phonetic first letter -> surnames

    def index_person(c: Cluster, key: str) -> None:
        words = key.split()
        if len(words[-1]) >= 5:
            buckets.setdefault(words[-1][0], set()).add(words[-1])
            buckets.setdefault(_phonetic(words[-1])[:1], set()).add(words[-1])
        for idx, w in ((last_index, words[-1]), (first_index, words[0]), *((word_index, x) for x in words)):
            lst = idx.setdefault(w, [])
            if not any(x is c for x in lst):
                lst.append(c)

    for i, m in enumerate(mentions):  # people first
        if m.label != "PERSON":
            continue
        exact = [c for c in person_cands(m.key, False) if _cluster_person_match(m.key, c, fuzzy=False)]
        cands = exact or [c for c in person_cands(m.key, True) if _cluster_person_match(m.key, c)]
        if not cands and " " not in m.key:
            cands = _first_word_match(m.key, first_index, word_index)  # "Kim" after "Kim Jong-un"
        if cands:
            c = choose(cands, m)
        else:
            c = Cluster(id="", label="PERSON", name=m.text)
            persons.append(c)
        add(c, m, "PERSON")
        index_person(c, m.key)
        assigned[i] = c
    suffixes: dict[str, list[Cluster]] = {}  # last one or two words of longer person keys
    for c in persons:
        for k in dict.fromkeys(c.keys):
            words = k.split()
            for n in (1, 2):
                if len(words) > n:
                    lst = suffixes.setdefault(" ".join(words[-n:]), [])
                    if not any(x is c for x in lst):
                        lst.append(c)
    for i, m in enumerate(mentions):  # mis-labelled surnames of the article's people
        n = len(m.key.split())
        if m.label == "PERSON" or m.label not in _MISLABELS or n > 2 or (n == 2 and "-" not in m.text):
            continue
        exact = list(suffixes.get(m.key, ()))
        fuzzy = [c for c in person_cands(m.key, True) if _cluster_person_match(m.key, c)] if m.person_context else []
        if exact or fuzzy:
            c = nearest(exact or fuzzy, m.start)
            m.label = "PERSON"
            add(c, m, "PERSON")
            assigned[i] = c
    places_key = _place_country_keys(mentions)
    index = _OtherIndex(places_key)
    for i, m in enumerate(mentions):
        if i in assigned:
            continue
        c = index.find(m)
        if c is None:
            c = Cluster(id="", label=m.label, name=m.text)
            others.append(c)
        add(c, m, m.label)
        index.add(c, m.key)
    others = _merge_same_places(others, text)
    _propagate(doc, persons + others, text)
    clusters = sorted(persons + others, key=lambda c: c.mentions[0][0])
    n_max = max((len(c.mentions) for c in clusters), default=1)
    length = max(len(text), 1)
    for i, c in enumerate(clusters, 1):
        c.id = f"e{i}"
        order = sorted(range(len(c.mentions)), key=lambda j: c.mentions[j][0])
        c.mentions = [c.mentions[j] for j in order]
        c.keys = [c.keys[j] for j in order]
        c.ner_labels = [c.ner_labels[j] for j in order]
        labels = [lab for _, _, lab in c.mentions]
        c.label = max(sorted(set(labels)), key=labels.count)
        typed = [(e - s, text[s:e]) for s, e, lab in c.mentions if lab == c.label]
        c.name = max(typed)[1] if typed else c.name
        c.salience = round(0.6 * len(c.mentions) / n_max + 0.4 * (1 - c.mentions[0][0] / length), 3)
    return clusters


def _merge_same_places(others: list[Cluster], text: str) -> list[Cluster]:
    """Place clusters the gazetteer resolves to one record are one entity (``Raqqa`` /
    ``Rakka``, ``Va.`` / ``Virginia``): the later cluster's mentions join the first."""
    places = [c for c in others if c.label in PLACE_LABELS]
    if len(places) < 2:
        return others
    from .places import resolve_clusters

    first: dict[object, Cluster] = {}
    gone: set[int] = set()
    for c, r in zip(places, resolve_clusters(places, text)):
        if r is None:
            continue
        key = r.place.geonameid or (r.place.feature, r.place.code, r.place.name)
        into = first.setdefault(key, c)
        if into is not c:
            into.mentions += c.mentions
            into.keys += c.keys
            into.ner_labels += c.ner_labels
            gone.add(id(c))
    return [c for c in others if id(c) not in gone]


_WORD_START = re.compile(r"(?<![\w@#])\w+")


def _propagate(doc, clusters: list[Cluster], text: str) -> None:
    """Add the occurrences of an entity's names that the NER missed (one sense per discourse).

    Surfaces: each mention's text, a person's surname (last word of a full name) and an
    organisation's initials (``ICE`` for ``Immigrations and Customs Enforcement``). An
    occurrence is added when it is word-bounded, aligned with tokens, overlaps no
    mention, and (for a one-word title-case surface) is tagged a proper noun; a surface
    two entities share is left alone.
    """
    owner: dict[str, Cluster | None] = {}

    def claim(surface: str, c: Cluster) -> None:
        if len(surface) < 2 or "\n" in surface or not surface[:1].isupper():
            return
        if surface in owner and owner[surface] is not c:
            owner[surface] = None  # ambiguous
        else:
            owner[surface] = c

    for c in clusters:
        labels = [lab for _, _, lab in c.mentions]
        label = max(sorted(set(labels)), key=labels.count)
        for s, e, _ in c.mentions:
            surface = text[s:e]
            claim(surface, c)
            words = surface.split()
            if label == "PERSON" and len(words) > 1 and len(words[-1]) >= 3 and words[-1][:1].isupper():
                claim(words[-1], c)
            if label == "ORG":
                initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", surface) if w.lower() not in ("of", "and", "for", "the"))
                if len(words) >= 2 and len(initials) >= 2 and initials.upper() not in _NOT_ACRONYMS:
                    claim(initials.upper(), c)  # ICE, IS (Islamic State)
    surfaces = sorted((k for k, v in owner.items() if v is not None), key=len, reverse=True)
    if not surfaces:
        return
    taken = bytearray(len(text))
    other = {(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ not in ENTITY_LABELS}
    for c in clusters:
        for s, e, _ in c.mentions:
            taken[s:e] = b"\x01" * (e - s)
    by_first: dict[str, list[str]] = {}  # first word -> surfaces, longest first (one pass, no big regex)
    for surface in surfaces:
        by_first.setdefault(re.match(r"\w*", surface).group(0), []).append(surface)
    added: list[tuple[int, int, Cluster]] = []
    end_of_last = 0
    for w in _WORD_START.finditer(text):
        s = w.start()
        if s < end_of_last:
            continue
        surface = next((x for x in by_first.get(w.group(0), ()) if text.startswith(x, s)
                        and not (s + len(x) < len(text) and (text[s + len(x)].isalnum() or text[s + len(x)] == "_"))), None)
        if surface is None:
            continue
        e = s + len(surface)
        end_of_last = e
        if 1 in taken[s:e]:
            continue
        span = doc.char_span(s, e)
        if span is None:
            continue
        if (s, e) in other:
            continue  # the whole span is a DATE, LANGUAGE...: "May" the month is not Theresa May
        if len(span) == 1 and not surface.isupper() and span[0].tag_ not in ("NNP", "NNPS"):
            continue
        taken[s:e] = b"\x01" * (e - s)
        added.append((s, e, owner[surface]))
    for s, e, c in added:
        labels = [lab for _, _, lab in c.mentions]
        label = max(sorted(set(labels)), key=labels.count)
        c.mentions.append((s, e, label))
        c.keys.append(name_key(text[s:e]))
        c.ner_labels.append("")


def _place_country_keys(mentions: list[_Mention]) -> dict[str, str]:
    """Place mention key -> ISO2 of the country it names outright (``U.S.``, ``America``)."""
    out: dict[str, str] = {}
    keys = {m.key: m.text for m in mentions if m.label in PLACE_LABELS}
    if not keys:
        return out
    from .places import get_gazetteer

    gaz = get_gazetteer()
    for key, text in keys.items():
        cands = [p for p, t in gaz.candidates(text) if t <= 2]
        if cands and all(p.feature == "country" for p in cands) and len({p.country for p in cands}) == 1:
            out[key] = cands[0].country
    return out


@functools.lru_cache(maxsize=65536)
def _place_keys(key: str) -> frozenset[str]:
    from .places import key_variants

    return frozenset(k for k, t in key_variants(key) if t <= 2)


_STOP = ("of", "and", "for", "the")


def _initials(key: str) -> str:
    words = [w for w in key.split() if w not in _STOP]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


class _OtherIndex:
    """Non-person clusters indexed by match signatures, so that a mention finds the first
    cluster it matches in a few dictionary reads (the rule of :func:`_other_match`:
    equal keys, NORP plurals, an ORG's last word, squashed keys and acronyms within
    places / non-places, one named country, shared gazetteer keys between places)."""

    def __init__(self, country_keys: dict[str, str]):
        self.country_keys = country_keys
        self.index: dict[tuple, list[int]] = {}
        self.clusters: list[Cluster] = []
        self.order: dict[int, int] = {}
        self.seen: set[tuple[int, str]] = set()

    def _put(self, sig: tuple, n: int) -> None:
        lst = self.index.setdefault(sig, [])
        if not lst or lst[-1] != n:
            lst.append(n)

    def add(self, c: Cluster, key: str) -> None:
        if id(c) not in self.order:
            self.order[id(c)] = len(self.clusters)
            self.clusters.append(c)
        n = self.order[id(c)]
        if (n, key) in self.seen:
            return
        self.seen.add((n, key))
        place = c.label in PLACE_LABELS
        self._put(("eq", key), n)
        if c.label == "NORP":
            self._put(("norp", key), n)
        if c.label == "ORG" and " " in key:
            self._put(("orglast", key.split()[-1]), n)
        sq = key.replace(" ", "")
        self._put(("sq", place, sq), n)
        ini = _initials(key)
        if 2 <= len(ini) <= 6:
            self._put(("ini", place, ini), n)
        if place:
            if key in self.country_keys:
                self._put(("cc", self.country_keys[key]), n)
            for pk in _place_keys(key):
                self._put(("pk", pk), n)

    def find(self, m: _Mention) -> Cluster | None:
        key, place = m.key, m.label in PLACE_LABELS
        sigs = [("eq", key), ("sq", place, key.replace(" ", ""))]
        if m.label == "NORP":
            sigs += [("norp", key + "s")] + ([("norp", key[:-1])] if key.endswith("s") else [])
        if m.label == "ORG" and " " not in key:
            sigs.append(("orglast", key))
        sq = key.replace(" ", "")
        if 2 <= len(sq) <= 6:
            sigs.append(("ini", place, sq))
        ini = _initials(key)
        if 2 <= len(ini) <= 6:
            sigs.append(("sq", place, ini))
        if place:
            if key in self.country_keys:
                sigs.append(("cc", self.country_keys[key]))
            sigs += [("pk", pk) for pk in _place_keys(key)]
        hits = [n for sig in sigs for n in self.index.get(sig, ())]
        for n in sorted(set(hits)):
            c = self.clusters[n]
            if _other_match(m, c, self.country_keys):
                return c
        return None


def _other_match(m: _Mention, c: Cluster, country_keys: dict[str, str]) -> bool:
    m_place = m.label in PLACE_LABELS
    c_place = c.label in PLACE_LABELS
    for k in dict.fromkeys(c.keys):
        if k == m.key:
            return True
        if m.label == c.label == "NORP" and (k + "s" == m.key or m.key + "s" == k):
            return True  # Muslim / Muslims
        if m.label == c.label == "ORG" and " " not in m.key and len(k.split()) > 1 and k.split()[-1] == m.key:
            return True  # the State -> Islamic State
        if m_place != c_place:
            continue
        a, b = m.key.replace(" ", ""), k.replace(" ", "")
        if a == b or _acronym(a, k) or _acronym(b, m.key):
            return True
        if m_place and m.key in country_keys and country_keys.get(k) == country_keys[m.key]:
            return True
        if m_place and c_place and _place_keys(m.key) & _place_keys(k):
            return True  # "City of Las Vegas" / "Las Vegas", "al-Bab" / "Elbab"
    return False


def entities_stage(ctx) -> None:
    """Fill ``entities`` (original offsets) and ``ctx.state['entities']`` (clusters)."""
    clusters = cluster_mentions(ctx.doc)
    ctx.state["entities"] = clusters
    out = []
    for c in clusters:
        mentions = [
            MentionOut(**ctx.span(s, e).model_dump(), label=ner or None)
            for (s, e, _), ner in zip(c.mentions, c.ner_labels)
        ]
        aliases = sorted({display_name(ctx.document.text[m.start : m.end]) for m in mentions})
        out.append(EntityOut(id=c.id, label=c.label, name=c.name, mentions=mentions, aliases=aliases, salience=c.salience))
    ctx.out["entities"] = out


def quotation_stage(ctx) -> None:
    """Post-pass after attribution: mark mentions inside quotations, set ``quoted_share``.

    Reads ``ctx.out["quotations"]`` (original offsets); a mention lies in a quotation
    when the quotation's span contains it. Does nothing when attribution has not run.
    """
    mark_quotations(ctx.out)


def mark_quotations(out: dict) -> None:
    """:func:`quotation_stage` on an ``ctx.out``-like dict (``entities``, ``quotations``)."""
    quotations = out.get("quotations")
    if quotations is None:
        return
    # a mention lies in a quotation when some quotation starting at or before it ends at or after
    # it: the furthest end among the quotations starting by m.start (a bisect, and a running
    # maximum over the spans sorted by start) answers that, where a test of every quotation for
    # every mention grew with the square of the text's length (quotations may nest or overlap)
    spans = sorted((q.start, q.end) for q in quotations)
    starts = [s for s, _ in spans]
    reach = list(itertools.accumulate((e for _, e in spans), max))
    for entity in out.get("entities") or []:
        for m in entity.mentions:
            k = bisect.bisect_right(starts, m.start)
            m.in_quotation = k > 0 and reach[k - 1] >= m.end
        if entity.mentions:
            entity.quoted_share = round(sum(m.in_quotation for m in entity.mentions) / len(entity.mentions), 3)


def find_cluster(clusters: list[Cluster], start: int, end: int) -> Cluster | None:
    """The cluster with a mention overlapping NORMALISED ``[start, end)``, if any."""
    for c in clusters:
        for s, e, _ in c.mentions:
            if s < end and start < e:
                return c
    return None


def match_name(clusters: list[Cluster], name: str, label: str = "PERSON") -> Cluster | None:
    """The cluster a new mention ``name`` would join under the clustering rule, if any.

    Attribution uses this for speaker mentions the NER missed, so that speakers and
    entities are grouped by one mechanism. PERSON: the person rule of
    :func:`cluster_mentions`; other labels: equal keys or acronyms.
    """
    key = name_key(name)
    if not key:
        return None
    for c in clusters:
        if (c.label == "PERSON") != (label == "PERSON"):
            continue
        if label == "PERSON":
            if _cluster_person_match(key, c):
                return c
        elif any(k == key or _acronym(key.replace(" ", ""), k) for k in c.keys):
            return c
    return None
