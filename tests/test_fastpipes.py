"""slant.fastpipes: the compiled attribute ruler and the cached lemmatizer give spaCy's annotations."""

from __future__ import annotations

import spacy
import pytest

from slant import fastpipes
from slant.nlp import MODEL_NAME
from slant.paragraphs import PIPE_NAME

#: every multi-token and whitespace rule of en_core_web_sm's attribute ruler, and pronouns,
#: auxiliaries and contractions its one-token rules handle
RULE_TEXT = (
    "Y'all gonna see: I ain't goin' and we gotta go, c'mon, let's go.  There is nothin' there.\n\n"
    "He'd have done it; they'd   said that those were theirs.  Somethin' ol' 'em 'nuff doin' wo n't.\n"
    "I can't and you won't, but it did and she had been being told.  That is what he gets, as he got it."
)
ATTRS = ("pos_", "tag_", "lemma_", "dep_")


def _annotations(doc):
    return [(t.i, t.text) + tuple(getattr(t, a) for a in ATTRS) + (str(t.morph),) for t in doc]


@pytest.fixture(scope="module")
def spacy_nlp():
    """en_core_web_sm with spaCy's own components (the reference), plus slant's paragraph
    breaks before the parser as in :func:`slant.nlp.get_nlp` (they change sentence splits,
    which is not what these tests compare)."""
    nlp = spacy.load(MODEL_NAME)
    nlp.add_pipe(PIPE_NAME, before="parser")
    nlp.max_length = 10_000_000
    return nlp


def _ptc_texts(shared_data, n):
    paths = sorted((shared_data / "ptc" / "dev" / "articles").glob("article*.txt"))[:n]
    return [p.read_text(encoding="utf-8") for p in paths]


def test_get_nlp_swaps_both_rule_components_and_keeps_pipe_names(nlp):
    assert nlp.pipe_names == ["tok2vec", "tagger", PIPE_NAME, "parser", "attribute_ruler", "lemmatizer", "ner"]
    assert isinstance(nlp.get_pipe("attribute_ruler"), fastpipes.CompiledAttributeRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), fastpipes.CachedLemmatizer)


def test_same_annotations_as_spacy_on_the_rules_own_cases(nlp, spacy_nlp):
    ours, ref = nlp(RULE_TEXT), spacy_nlp(RULE_TEXT)
    assert _annotations(ours) == _annotations(ref)
    # the multi-token and whitespace rules did fire (so the comparison covers them)
    lemmas = {t.lower_: t.lemma_ for t in ref}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to" and lemmas["ai"] == "be"
    assert any(t.is_space and t.pos_ == "SPACE" and t.tag_ == "_SP" for t in ref)


def test_same_annotations_as_spacy_on_real_articles(nlp, spacy_nlp, shared_data, example_text):
    texts = [example_text] + _ptc_texts(shared_data, 12)
    n_tokens = 0
    types = set()
    for ours, ref in zip(nlp.pipe(texts), spacy_nlp.pipe(texts)):
        assert _annotations(ours) == _annotations(ref)
        n_tokens += len(ref)
        types.update(t.lower for t in ref)
    assert n_tokens > 5_000
    # the ruler's cache keys on the values its patterns name, not on every word seen; a fresh
    # pipeline, since the session's `nlp` holds the rows of every text other tests parsed
    fresh = spacy.load(MODEL_NAME)
    fastpipes.install(fresh)
    list(fresh.pipe(texts))
    assert len(fresh.get_pipe("attribute_ruler")._rows) < len(types) / 2


def test_same_annotations_inside_memory_zones(nlp, spacy_nlp, shared_data):
    """The caches outlive a zone's strings; a later zone must still get every lemma and morph."""
    texts = _ptc_texts(shared_data, 6)
    for text in texts + texts[::-1]:
        with nlp.memory_zone():
            ours = _annotations(nlp(text))
        assert ours == _annotations(spacy_nlp(text))


def test_bounded_caches_give_the_same_annotations(spacy_nlp, monkeypatch):
    monkeypatch.setattr(fastpipes, "CACHE_SIZE", 8)
    monkeypatch.setattr(fastpipes, "LEMMA_GENERATION", 8)
    nlp = spacy.load(MODEL_NAME)  # fresh caches
    assert fastpipes.install(nlp) == ["attribute_ruler", "lemmatizer"]
    nlp.add_pipe(PIPE_NAME, before="parser")  # as the reference
    ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    ours = _annotations(nlp(RULE_TEXT))
    assert len(ruler._rows) <= 8 and len(ruler._merged) <= 8
    assert len(lemmatizer._cache) <= 8 and len(lemmatizer._old) <= 8
    assert len(lemmatizer.lemmatizer.cache) <= 8  # spaCy's own cache is emptied at each turn
    assert ours == _annotations(spacy_nlp(RULE_TEXT))


def test_install_keeps_spacys_ruler_when_a_pattern_does_not_compile():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"LOWER": "good"}]], {"TAG": "JJ"}, index=-1)
    assert fastpipes.install(nlp) == []
    assert nlp.get_pipe("attribute_ruler") is ruler
    with pytest.raises(fastpipes.NotCompilable, match="pattern key 'OP'"):
        fastpipes.CompiledAttributeRuler.from_ruler(ruler)


def test_compiled_ruler_applies_later_rules_over_earlier_and_negative_indices():
    def build():
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("attribute_ruler")
        ruler.add([[{"LOWER": {"IN": ["new", "old"]}}]], {"TAG": "JJ", "POS": "ADJ"})
        ruler.add([[{"LOWER": "new"}, {"LOWER": {"REGEX": "^y.*k$"}}]], {"TAG": "NNP", "POS": "PROPN"}, index=-1)
        ruler.add([[{"LOWER": "new"}, {"LOWER": "york"}]], {"POS": "PROPN"}, index=0)
        ruler.add([[{"IS_SPACE": True}]], {"TAG": "_SP"})
        return nlp

    ref, ours = build(), build()
    assert fastpipes.install(ours) == ["attribute_ruler"]
    text = "The new York office and  the old one, new yolk."
    assert _annotations(ours(text)) == _annotations(ref(text))
    doc = ours(text)
    # rule 0 then rule 2 on "new" (POS overridden, TAG kept); rule 1 (index -1) on "York"
    assert [(t.text, t.tag_, t.pos_) for t in doc[1:3]] == [("new", "JJ", "PROPN"), ("York", "NNP", "PROPN")]
    assert [(t.text, t.tag_) for t in doc if t.is_space] == [(" ", "_SP")]
    assert [(t.text, t.tag_, t.pos_) for t in doc[-3:-1]] == [("new", "JJ", "ADJ"), ("yolk", "NNP", "PROPN")]
