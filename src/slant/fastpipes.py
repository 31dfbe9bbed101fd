"""Output-identical, faster stand-ins for the two rule components of en_core_web_sm.

``en_core_web_sm`` ends its tagging with two rule-based components that took about a
fifth of the pipeline's CPU time on news articles here (24-30 and 4-5 ms an article,
against 2-7 and 1-2 ms for the stand-ins):

* ``attribute_ruler`` (spaCy's :class:`~spacy.pipeline.AttributeRuler`) runs a
  :class:`~spacy.matcher.Matcher` with its 179 token patterns over every token (the
  tag map to POS and MORPH, pronoun lemmas, contractions);
* ``lemmatizer`` (spaCy's rule :class:`~spacy.pipeline.Lemmatizer`) builds a ``Token``
  and a ``MorphAnalysis`` per token in Python to look up its cache.

:class:`CompiledAttributeRuler` keeps the ruler's own rules, attribute values and
``set_token_attrs`` but finds the matches by hash lookups on ``Doc.to_array`` columns
(each token only tries the patterns indexed under its tag, lower form or dependency
label, and the outcome is cached by the values that any pattern names), and :class:`CachedLemmatizer` keeps spaCy's lemmatizer but caches its answer by
the integers ``(ORTH, POS, MORPH)``, which are all it depends on, and writes the lemmas
with one ``Doc.from_array``. Both give the same annotations as spaCy's components:
``tests/test_fastpipes.py`` compares every token attribute on real articles, and
:func:`install` keeps spaCy's component whenever a pattern uses a Matcher feature
that is not compiled here (operators, other attributes, extension attributes).

References:
    spaCy ``spacy/pipeline/attributeruler.py`` (match order: rules sorted by index,
    later rules win), ``spacy/matcher/matcher.pyx`` (``IN``, ``NOT_IN``, ``REGEX``
    predicates), ``spacy/pipeline/lemmatizer.py`` (``rule_lemmatize`` and its cache key).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

logger = logging.getLogger(__name__)

#: pattern keys compiled here -> the ``Doc.to_array`` column they read
_STRING_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "NORM": NORM, "TAG": TAG, "DEP": DEP}
_FLAG_ATTRS = {"IS_SPACE": IS_SPACE}
#: the index of a pattern's first token: the first of these keys it constrains to a value or a set
_INDEX_KEYS = ("TAG", "LOWER", "DEP")
#: bound of the ruler's caches (entries; they key on the values the patterns name, so they
#: stay far smaller); a full cache is emptied, so memory stays flat on any corpus
CACHE_SIZE = 50_000
#: entries of each of the lemma cache's two generations (see :class:`CachedLemmatizer`)
LEMMA_GENERATION = 32_768
#: stands for every value no pattern names, in the ruler's cache keys (hashes are >= 0)
_OTHER = -1


class NotCompilable(ValueError):
    """A pattern uses a Matcher feature :class:`CompiledAttributeRuler` does not compile."""


@dataclass(frozen=True)
class _Check:
    """One predicate on one token: ``kind`` in ``eq``, ``in``, ``not_in``, ``regex``."""

    column: int
    kind: str
    value: Any

    def __call__(self, row: tuple[int, ...], strings: Any) -> bool:
        v = row[self.column]
        if self.kind == "eq":
            return v == self.value
        if self.kind == "in":
            return v in self.value
        if self.kind == "not_in":
            return v not in self.value
        return self.value.search(strings[v]) is not None


@dataclass(frozen=True)
class _Pattern:
    """One Matcher pattern of one rule: a check list per token, and the token the rule sets."""

    rule: int
    tokens: tuple[tuple[_Check, ...], ...]
    index: int

    def matches(self, rows: list[tuple[int, ...]], start: int, strings: Any) -> bool:
        if start + len(self.tokens) > len(rows):
            return False
        return all(check(rows[start + k], strings) for k, checks in enumerate(self.tokens) for check in checks)

    def target(self, start: int) -> int:
        """The token the rule's attributes go to, as ``span[index]`` picks it."""
        n = len(self.tokens)
        return start + (self.index if self.index >= 0 else n + self.index)


class CompiledAttributeRuler:
    """spaCy's ``AttributeRuler`` with its patterns compiled to lookups (same output).

    Build with :meth:`from_ruler`; call on a Doc as the ruler would be. Matches are
    applied as spaCy does: for each token, the attributes of every rule that matched
    it, in rule order (a later rule overrides an earlier one attribute by attribute).

    Raises:
        NotCompilable (from :meth:`from_ruler`): a pattern uses an operator (``OP``),
            an attribute other than ORTH/TEXT/LOWER/NORM/TAG/DEP/IS_SPACE, a predicate
            other than IN/NOT_IN/REGEX, or an index outside its pattern.
    """

    def __init__(self, name: str = "attribute_ruler") -> None:
        self.name = name
        self.vocab: Any = None
        self.attrs: list[dict] = []
        self.columns: list[int] = []
        self.by_key: list[tuple[int, dict[int, list[_Pattern]]]] = []  # (column, value -> patterns)
        self.always: list[_Pattern] = []
        self.regex_first: list[_Pattern] = []  # first token has a REGEX: tried on every token, uncached
        self.named: list[frozenset[int] | None] = []  # per column, the values the patterns name (None: flags)
        self._rows: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[_Pattern, ...]]] = {}  # see _row
        self._merged: dict[tuple[int, ...], dict] = {}  # rules -> their attributes merged in order

    # ------------------------------------------------------------------ build
    @classmethod
    def from_ruler(cls, ruler: Any, name: str = "attribute_ruler") -> "CompiledAttributeRuler":
        """A new component compiled from a loaded spaCy ``AttributeRuler`` (see :meth:`compile`)."""
        return cls(name).compile(ruler)

    def compile(self, ruler: Any) -> "CompiledAttributeRuler":
        """Compile a spaCy ``AttributeRuler``'s ``patterns``, ``attrs`` and ``indices`` into this component.

        Returns:
            ``self``.
        Raises:
            NotCompilable: see the class docstring; ``self`` is then left unusable.
        """
        self.vocab = ruler.vocab
        self.attrs = list(ruler.attrs)
        columns: dict[int, int] = {}

        def col(attr_id: int) -> int:
            if attr_id not in columns:
                columns[attr_id] = len(columns)
            return columns[attr_id]

        strings = ruler.vocab.strings
        specs = ruler.patterns
        if len(specs) != len(self.attrs) or list(ruler.indices) != [s.get("index", 0) for s in specs]:
            raise NotCompilable("the ruler's patterns and attributes do not line up")
        index: dict[str, dict[int, list[_Pattern]]] = {k: {} for k in _INDEX_KEYS}
        for rule, spec in enumerate(specs):
            for pattern in spec["patterns"]:
                tokens = tuple(self._compile_token(tok, col, strings) for tok in pattern)
                p = _Pattern(rule, tokens, int(spec.get("index", 0)))
                if not tokens or not -len(tokens) <= p.index < len(tokens):
                    raise NotCompilable(f"rule {rule}: index {p.index} outside a {len(tokens)}-token pattern")
                first = pattern[0]
                if any(c.kind == "regex" for c in tokens[0]):
                    self.regex_first.append(p)
                    continue
                for key in _INDEX_KEYS:
                    value = first.get(key)
                    if isinstance(value, str) or (isinstance(value, dict) and set(value) == {"IN"}):
                        values = [value] if isinstance(value, str) else value["IN"]
                        for v in values:
                            index[key].setdefault(strings.add(v), []).append(p)
                        break
                else:
                    self.always.append(p)
        self.by_key = [(col(_STRING_ATTRS[k]), table) for k, table in index.items() if table]
        self.columns = list(columns)
        named: dict[int, set[int]] = {c: set() for c in columns.values()}
        flags = {columns[a] for a in _FLAG_ATTRS.values() if a in columns}
        for p in self.always + self.regex_first + [p for _, t in self.by_key for ps in t.values() for p in ps]:
            for checks in p.tokens:
                for c in checks:
                    if c.kind in ("in", "not_in"):
                        named[c.column] |= c.value
                    elif c.kind == "eq":
                        named[c.column].add(c.value)
        self.named = [None if c in flags else frozenset(named[c]) for c in range(len(columns))]
        self._rows.clear()
        self._merged.clear()
        return self

    @staticmethod
    def _compile_token(tok: dict[str, Any], col: Any, strings: Any) -> tuple[_Check, ...]:
        checks = []
        for key, value in tok.items():
            if key in _FLAG_ATTRS and isinstance(value, bool):
                checks.append(_Check(col(_FLAG_ATTRS[key]), "eq", int(value)))
            elif key in _STRING_ATTRS and isinstance(value, str):
                checks.append(_Check(col(_STRING_ATTRS[key]), "eq", strings.add(value)))
            elif key in _STRING_ATTRS and isinstance(value, dict) and value:
                c = col(_STRING_ATTRS[key])
                for op, arg in value.items():
                    if op in ("IN", "NOT_IN") and all(isinstance(v, str) for v in arg):
                        checks.append(_Check(c, op.lower(), frozenset(strings.add(v) for v in arg)))
                    elif op == "REGEX" and isinstance(arg, str):
                        checks.append(_Check(c, "regex", re.compile(arg)))
                    else:
                        raise NotCompilable(f"predicate {op!r} on {key}")
            else:
                raise NotCompilable(f"pattern key {key!r} with value {value!r}")
        return tuple(checks)

    # ------------------------------------------------------------------ run
    def _key(self, row: tuple[int, ...]) -> tuple[int, ...]:
        """``row`` with every value no pattern names replaced by :data:`_OTHER`: the
        equality and set checks give the same answers on it, and the cache stays small."""
        return tuple(v if named is None or v in named else _OTHER for v, named in zip(row, self.named))

    def _row(self, row: tuple[int, ...], strings: Any) -> tuple[tuple[int, ...], tuple[_Pattern, ...]]:
        """What one token's :meth:`_key` decides (cached): the rules of the one-token
        patterns it matches, and the multi-token patterns whose first token it matches
        (patterns whose first token has a REGEX are left to :attr:`regex_first`)."""
        info = self._rows.get(row)
        if info is None:
            candidates = [p for column, table in self.by_key for p in table.get(row[column], ())] + self.always
            matched = [p for p in candidates if all(c(row, strings) for c in p.tokens[0])]
            single = tuple(sorted({p.rule for p in matched if len(p.tokens) == 1}))
            multi = tuple(p for p in matched if len(p.tokens) > 1)
            if len(self._rows) >= CACHE_SIZE:
                self._rows.clear()
            info = self._rows[row] = (single, multi)
        return info

    def _merged_attrs(self, rules: tuple[int, ...]) -> dict:
        attrs = self._merged.get(rules)
        if attrs is None:
            attrs = {}
            for r in rules:  # rule order: a later rule overrides an earlier one
                attrs.update(self.attrs[r])
            if len(self._merged) >= CACHE_SIZE:
                self._merged.clear()
            self._merged[rules] = attrs
        return attrs

    def __call__(self, doc: Doc) -> Doc:
        """Set the rules' attributes on ``doc`` (in place), as spaCy's AttributeRuler does."""
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        rows = [tuple(r) for r in doc.to_array(self.columns).tolist()]
        infos = [self._row(self._key(row), strings) for row in rows]
        extra: dict[int, set[int]] = {}  # token -> rules of multi-token and REGEX patterns that set it
        for i, (_, multi) in enumerate(infos):
            for p in multi:
                if p.matches(rows, i, strings):
                    extra.setdefault(p.target(i), set()).add(p.rule)
        for p in self.regex_first:
            for i in range(len(rows)):
                if p.matches(rows, i, strings):
                    extra.setdefault(p.target(i), set()).add(p.rule)
        for i, (rules, _) in enumerate(infos):
            if i in extra:
                rules = tuple(sorted(set(rules) | extra[i]))
            if rules:
                set_token_attrs(doc[i], self._merged_attrs(rules))
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)


class CachedLemmatizer:
    """spaCy's rule ``Lemmatizer`` behind a cache keyed by ``(ORTH, POS, MORPH)`` integers.

    ``rule_lemmatize`` depends on the token's text, POS and morphology only, so its
    first answer for a key is its answer for every token with that key. Tokens that
    already have a lemma (set by the attribute ruler) keep it, as in spaCy, unless the
    lemmatizer was configured with ``overwrite``. The cache has two generations of
    :data:`LEMMA_GENERATION` entries: when the new one is full it becomes the old one
    (and a hit there is copied forward), so frequent words stay cached and memory stays
    bounded. Only misses in both reach spaCy's lemmatizer, whose own cache (unbounded)
    is emptied at each turn.
    """

    def __init__(self, name: str = "lemmatizer", lemmatizer: Any = None) -> None:
        self.name = name
        self.lemmatizer: Any = None
        self.overwrite = False
        self._cache: dict[tuple[int, int, int], str] = {}
        self._old: dict[tuple[int, int, int], str] = {}
        if lemmatizer is not None:
            self.wrap(lemmatizer)

    def wrap(self, lemmatizer: Any) -> "CachedLemmatizer":
        """Use spaCy's ``lemmatizer`` (mode ``rule``, tables loaded) behind the cache; returns ``self``."""
        self.lemmatizer = lemmatizer
        self.overwrite = bool(getattr(lemmatizer, "overwrite", False))
        self._cache, self._old = {}, {}
        return self

    def __call__(self, doc: Doc) -> Doc:
        """Set ``token.lemma`` of every token that has none (in place)."""
        if not len(doc):
            return doc
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        strings = doc.vocab.strings
        lemmas = arr[:, 3].copy()
        changed = False
        for i, (orth, pos, morph, lemma) in enumerate(arr.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            text = self._cache.get(key)
            if text is None:
                text = self._old.get(key)
                if text is None:
                    text = self.lemmatizer.lemmatize(doc[i])[0]
                if len(self._cache) >= LEMMA_GENERATION:
                    self._old, self._cache = self._cache, {}
                    getattr(self.lemmatizer, "cache", {}).clear()  # spaCy's own grows without bound
                self._cache[key] = text
            lemmas[i] = strings.add(text)
            changed = True
        if changed:
            doc.from_array([LEMMA], lemmas)
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)


@Language.factory("slant_compiled_attribute_ruler", assigns=["token.pos", "token.tag", "token.morph", "token.lemma"])
def make_compiled_attribute_ruler(nlp: Language, name: str) -> CompiledAttributeRuler:
    """Factory: an empty :class:`CompiledAttributeRuler`; :func:`install` compiles it from spaCy's ruler."""
    return CompiledAttributeRuler(name)


@Language.factory("slant_cached_lemmatizer", assigns=["token.lemma"])
def make_cached_lemmatizer(nlp: Language, name: str) -> CachedLemmatizer:
    """Factory: a :class:`CachedLemmatizer`; :func:`install` gives it spaCy's lemmatizer to wrap."""
    return CachedLemmatizer(name)


def install(nlp: Language) -> list[str]:
    """Swap ``nlp``'s ``attribute_ruler`` and ``lemmatizer`` for the stand-ins, in place.

    Each is swapped only when it is spaCy's component of that kind (the lemmatizer in
    ``rule`` mode) and, for the ruler, every pattern compiles; otherwise spaCy's stays.
    Pipe names and order are unchanged.

    Returns:
        The names of the components swapped (``[]`` when none was).
    """
    from spacy.pipeline import AttributeRuler, Lemmatizer

    swapped = []
    names = nlp.pipe_names
    if "attribute_ruler" in names and type(ruler := nlp.get_pipe("attribute_ruler")) is AttributeRuler:
        try:
            CompiledAttributeRuler.from_ruler(ruler)  # compiles, or says why not, before anything changes
        except NotCompilable as exc:
            logger.debug("keeping spaCy's attribute_ruler: %s", exc)
        else:
            nlp.replace_pipe("attribute_ruler", "slant_compiled_attribute_ruler").compile(ruler)
            swapped.append("attribute_ruler")
    lem = nlp.get_pipe("lemmatizer") if "lemmatizer" in names else None
    if isinstance(lem, Lemmatizer) and getattr(lem, "mode", None) == "rule":
        if not getattr(lem, "_validated", True):
            lem._validate_tables()
        nlp.replace_pipe("lemmatizer", "slant_cached_lemmatizer").wrap(lem)
        swapped.append("lemmatizer")
    return swapped
