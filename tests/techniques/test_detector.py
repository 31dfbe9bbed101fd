"""The shipped techniques model and the analysis stage, on real text."""

import pytest

from slant.options import Options
from slant.techniques.data import TECHNIQUES, load_split

STAGES = ("sentences", "techniques")
ARTICLE = "772836731"  # PTC dev: a polemic with many Loaded_Language and Name_Calling spans


@pytest.fixture(scope="module")
def dev_article(shared_data):
    (article,) = [a for a in load_split(shared_data / "ptc" / "dev") if a.id == ARTICLE]
    return article


def _analyze(text, min_score=0.0):
    import slant

    return slant.analyze(text, options=Options(stages=STAGES, min_technique_score=min_score))


def _found(article, analysis, technique):
    """Gold spans of ``technique`` overlapped by a predicted span of the same technique."""
    preds = [p for p in analysis.techniques if p.technique == technique]
    return [article.text[g.start : g.end] for g in article.tc
            if g.technique == technique and any(p.start < g.end and g.start < p.end for p in preds)]


def test_shipped_model_finds_loaded_language_and_name_calling(dev_article):
    analysis = _analyze(dev_article.text)
    loaded = _found(dev_article, analysis, "Loaded_Language")
    names = _found(dev_article, analysis, "Name_Calling,Labeling")
    assert len(loaded) >= 3, loaded
    assert len(names) >= 1, names
    assert any("scum" in s or "filth" in s for s in loaded), loaded


def test_technique_spans_index_the_original_text(dev_article):
    messy = dev_article.text.replace(" ", "   ", 40).replace("\n", "\r\n")
    analysis = _analyze(messy)
    assert analysis.techniques
    for t in analysis.techniques:
        shown = messy[t.start : t.end]
        assert shown and shown == shown.strip(), (t, shown)
        assert t.technique in TECHNIQUES
        assert 0.0 <= t.score <= 1.0


def test_min_technique_score_filters_spans(dev_article):
    low = _analyze(dev_article.text, 0.0).techniques
    high = _analyze(dev_article.text, 0.45).techniques
    assert len(high) < len(low)
    assert all(t.score >= 0.45 for t in high)


def test_propaganda_scores_sentences_and_article(dev_article):
    prop = _analyze(dev_article.text).propaganda
    assert prop is not None and prop.sentences
    starts = [s.start for s in prop.sentences]
    assert starts == sorted(starts)
    assert 0.0 <= prop.score <= 1.0
    assert prop.score >= max(s.score for s in prop.sentences) / 2


def test_plain_report_scores_lower_than_polemic(dev_article):
    plain = ("The city council met on Tuesday to discuss the budget for next year. "
             "Members reviewed spending on roads and schools. The vote is expected in March.")
    assert _analyze(plain).propaganda.score < _analyze(dev_article.text).propaganda.score


def test_model_save_load_roundtrip(tmp_path):
    import numpy as np

    from slant.techniques.model import TechniqueModel, load_model

    model = load_model()
    model.save(tmp_path)
    again = TechniqueModel.load(tmp_path)
    assert again.classes == model.classes == sorted(TECHNIQUES)
    assert np.allclose(again.si_coef, model.si_coef)
    assert again.lexicon == model.lexicon
    assert again.meta["calibration"] == model.meta["calibration"]
    assert again.meta["encoder"] == model.meta["encoder"] and again.encoder is not None
    assert (tmp_path / "encoder.onnx").read_bytes() == (model.encoder.directory / "encoder.onnx").read_bytes()


def _decoder(doc):
    """``runs(*words)``: the spans the shipped model decodes from ``doc`` when exactly the
    tokens ``words`` are in-span (logit +5, the rest -5)."""
    import numpy as np

    from slant.techniques.features import DocView
    from slant.techniques.model import load_model

    model, view, toks = load_model(), DocView(doc), [t.text for t in doc]

    def runs(*words):
        z = np.full(len(doc), -5.0)
        for w in words:
            z[toks.index(w)] = 5.0
        return [doc.text[c.start:c.end] for c in model.decode(view, z, threshold=0.5)]

    return runs


def test_runs_are_whole_words_and_never_only_function_words(nlp):
    """A tester found spans "did" (of "didn't", which reverses the meaning), "'re", "’s failure to
    take" and spans of a lone "is" / "our" / "He": a run now takes whole words and needs a
    content word. SI on PTC dev moved by under 0.0002 (0.3806 / 0.4226 with the encoder)."""
    runs = _decoder(nlp("He didn't pay it. Trump’s failure to act is our shame. They're traitors."))

    assert runs("n't", "pay") == ["didn't pay"]
    assert runs("did") == []  # "didn't" alone: function words only
    assert runs("’s", "failure") == ["Trump’s failure"]
    assert runs("'re", "traitors") == ["They're traitors"]
    assert runs("is") == [] and runs("our") == [] and runs("He") == []
    assert runs("shame") == ["shame"]
    # on a real article, no span starts or ends inside a word
    article = "Spies didn't stop them. The corrupt elite’s lies are killing our nation, and we're done."
    for t in _analyze(article).techniques:
        assert (t.start == 0 or not article[t.start - 1].isalnum()) and (t.end == len(article) or not article[t.end].isalnum())


def test_runs_take_hyphenated_words_whole_and_skip_stop_word_runs(nlp):
    """'re-[elected]', '[fact]-checkers' and runs of only 'There is' / 'do' (second break-test)."""
    runs = _decoder(nlp("He was re-elected by a self-proclaimed fact-checker. There is so much to do. The nation!"))

    assert runs("elected") == ["re-elected"] and runs("proclaimed") == ["self-proclaimed"]
    assert runs("checker") == ["fact-checker"] and runs("nation") == ["nation"]
    assert runs("There", "is") == [] and runs("do") == []


def test_runs_that_grow_into_each_other_are_one_span():
    """Growing runs over hyphens and slashes made two runs of 'pro-abortion/anti-family' the same
    span, listed twice and counted twice in the voice's techniques (third break-test)."""
    text = "The so-called experts, these pro-abortion/anti-family radicals, are nothing but un-American traitors.\n"
    spans = [(t.start, t.end, t.technique) for t in _analyze(text).techniques]
    assert spans and len(spans) == len(set(spans))
    starts = sorted(s for s, _, _ in spans)
    assert all(a != b for a, b in zip(starts, starts[1:]))


def _voices_over(analysis, start, end):
    return {v.id for v in analysis.voices for s in v.segments if s.start < end and start < s.end}


@pytest.mark.parametrize("article_id", ["763114850", "740235127"])
def test_a_phrase_span_holds_one_voice(shared_data, article_id):
    """A tester found phrase spans across a quotation's edge ('will be a “terrible'), given the
    voice holding most of them: phrase spans are cut where a voice ends. Without the cut these two
    PTC dev articles had three such spans ("violent extremism – according", "world that the media lies for")."""
    import slant

    (article,) = [a for a in load_split(shared_data / "ptc" / "dev") if a.id == article_id]
    analysis = slant.analyze(article.text, options=Options(stages=("sentences", "entities", "attribution", "techniques")))
    phrases = [t for t in analysis.techniques if t.kind == "phrase"]
    assert phrases and any(v.id != "outlet" for v in analysis.voices)
    for t in phrases:
        assert _voices_over(analysis, t.start, t.end) == {t.voice}, (t, article.text[t.start:t.end])


def test_a_sentence_span_is_named_after_its_strongest_phrase(example_analysis):
    """The span classifier reading a whole sentence named it "Doubt" for 138 of PTC dev's 304 sentence
    spans (8 right); a sentence span now takes the technique and the voice of the strongest phrase
    span inside it, and the tallies count the two as one use of that technique."""
    from collections import Counter

    from slant.schema import technique_uses

    techniques = example_analysis.techniques
    sentences = [t for t in techniques if t.kind == "sentence"]
    named = 0
    for s in sentences:
        inside = [t for t in techniques if t.kind == "phrase" and s.start <= t.start and t.end <= s.end]
        if inside:
            strongest = max(inside, key=lambda t: t.score)
            assert (s.technique, s.voice) == (strongest.technique, strongest.voice), s
            named += 1
    assert named >= 3
    uses = technique_uses(techniques)
    assert len(uses) == len(techniques) - named
    tally = Counter((t.voice, t.technique) for t in uses)
    assert {(v.id, k): n for v in example_analysis.voices for k, n in v.techniques.items()} == dict(tally)


def test_technique_uses_drop_only_sentences_holding_a_phrase_of_their_technique_and_voice():
    from slant.schema import TechniqueOut, technique_uses

    def t(start, end, technique="Doubt", voice="outlet", kind="phrase"):
        return TechniqueOut(start=start, end=end, technique=technique, score=0.5, voice=voice, kind=kind)

    phrase = t(10, 20)
    named = t(0, 50, kind="sentence")
    other_technique = t(60, 90, "Flag-Waving", kind="sentence")
    phrase_in_other = t(65, 70)
    other_voice = t(100, 150, voice="e1", kind="sentence")
    phrase_in_third = t(110, 120)
    spans = [named, phrase, other_technique, phrase_in_other, other_voice, phrase_in_third]
    assert technique_uses(spans) == [phrase, other_technique, phrase_in_other, other_voice, phrase_in_third]


@pytest.mark.slow
def test_sentence_scores_are_calibrated_on_dev(shared_data):
    """P(the sentence holds a gold span), Platt-scaled on out-of-fold train sentences: on PTC dev
    the classifier's own probabilities had ECE 0.114 (0.99 -> 74 % hold one); calibrated, 0.044."""
    import numpy as np

    from slant.techniques.model import load_model
    from slant.techniques.scorer import merge_spans
    from slant.techniques.training import prepare, si_gold

    model = load_model()
    items = prepare(load_split(shared_data / "ptc" / "dev"))
    p, y = [], []
    for item, gold in zip(items, si_gold(items)):
        units, raw = model.sentence_proba(item.view, model.token_logits(item.view))
        spans = merge_spans([item.to_norm(g.start, g.end) for g in gold])
        p += list(model.calibrate_sentences(raw))
        y += [any(s < b and a < e for s, e in spans) for _, _, a, b in units]
    p, y = np.array(p), np.array(y, dtype=float)
    bins = np.clip((p * 10).astype(int), 0, 9)
    ece = sum(abs(p[bins == k].mean() - y[bins == k].mean()) * (bins == k).mean() for k in range(10) if (bins == k).any())
    assert ece < 0.06, ece
    assert abs(p.mean() - y.mean()) < 0.03


def test_runs_end_at_a_sentence_and_drop_a_dangling_function_word(nlp):
    """A tester's findings: "Make America great again! " forty times was one Slogans span over
    40 sentences (a repeated line, one span over a whole 52,000-character text), and spans ended
    on "hell for", "destroy our", "a disgrace that"."""
    import numpy as np

    from slant.techniques.features import DocView
    from slant.techniques.model import load_model

    doc = nlp("Make America great again! " * 5)
    spans = load_model().decode(DocView(doc), np.full(len(doc), 5.0), threshold=0.5)
    assert [doc.text[c.start:c.end] for c in spans] == ["Make America great again"] * 5

    runs = _decoder(nlp("They will go to hell for this. They destroy our country. It is a disgrace that he lied."))
    assert runs("hell", "for") == ["hell"]
    assert runs("destroy", "our") == ["destroy"]
    assert runs("disgrace", "that") == ["disgrace"]
    assert runs("go", "to", "hell") == ["go to hell"]  # inside a span a preposition stays
